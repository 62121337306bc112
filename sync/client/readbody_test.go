package client

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// A page's body reads the same whatever size it is guessed to have: the
// Content-Length, a guess too small or too large, none; one over maxBody
// is read to maxBody and one, so that it is refused.
func TestReadBodyAnySizeHint(t *testing.T) {
	body := []byte(strings.Repeat(`{"seq":1,"kind":"event"},`, 4000))
	for _, size := range []int64{-1, 0, 1, 100, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 1, 10 * int64(len(body)), maxBody + 10} {
		got, err := readBody(bytes.NewReader(body), size)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("size %d: %d bytes, %v; want the %d bytes", size, len(got), err, len(body))
		}
	}
	got, err := readBody(io.LimitReader(zeros{}, maxBody+100), maxBody)
	if err != nil || len(got) != maxBody+1 {
		t.Fatalf("over the limit: %d bytes, %v; want %d", len(got), err, maxBody+1)
	}
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }
