package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	gosync "sync"
	"sync/atomic"

	"github.com/go-resty/resty/v2"

	"psopdesk/sync/wire"
)

// Prefetching the next page of the change feed (issue 9): a pull asks a
// page, applies it (a bbolt commit) and only then asks the next one, so
// the server and the network wait while the cache writes and the cache
// waits while they work. prefetchTransport asks the next page as soon as
// a page has arrived, while the pull applies it; when the pull then asks
// that very page (the same query, the same key), it gets the reply at
// once. Only the transport knows: the pull, its checks and its retries
// are those of any request. A guess that does not match (another cursor,
// a failed or canceled prefetch) is dropped and the page asked as usual.
// At most one page is prefetched, so memory grows by one page.

// prefetchPages makes h's transport prefetch the next page of the
// change feed (prefetchTransport). NewClient calls it after setting
// the transport up.
func prefetchPages(h *resty.Client) {
	base := h.GetClient().Transport
	if base == nil {
		base = http.DefaultTransport
	}
	h.SetTransport(&prefetchTransport{base: base})
}

type prefetchTransport struct {
	base http.RoundTripper
	mu   gosync.Mutex
	next *prefetch // the page asked ahead, or nil
	// lastSize is the length of the last body read, the size guessed
	// for a reply that does not tell its own.
	lastSize atomic.Int64
}

// prefetch is a page asked ahead: its request's key and, once done is
// closed, the reply.
type prefetch struct {
	key  string
	done chan struct{}
	resp *http.Response
	body []byte
	err  error
}

// nextPage finds the "next" and "more" of a page in the last bytes of
// its body (a hint only: a wrong guess is never used).
var (
	nextPage = regexp.MustCompile(`"next":\s*([0-9]+)`)
	morePage = regexp.MustCompile(`"more":\s*true`)
)

func prefetchKey(req *http.Request) string {
	return req.URL.Host + "\x00" + req.URL.RawQuery + "\x00" + req.Header.Get("Authorization")
}

func (t *prefetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Path != wire.PathChanges {
		return t.base.RoundTrip(req)
	}
	key := prefetchKey(req)
	t.mu.Lock()
	p := t.next
	t.next = nil
	t.mu.Unlock()
	var resp *http.Response
	var body []byte
	if p != nil && p.key == key {
		select {
		case <-p.done:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
		if p.err == nil {
			resp, body = p.resp, p.body
			resp.Request = req
		}
	}
	if resp == nil {
		var err error
		if resp, body, err = t.get(req); err != nil {
			return nil, err
		}
	}
	if resp.StatusCode == http.StatusOK {
		t.ahead(req, body)
		if handOver(req, resp, body) {
			return resp, nil
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// get does req and reads its whole body (at most maxBody bytes and one;
// resty refuses the rest).
func (t *prefetchTransport) get(req *http.Request) (*http.Response, []byte, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	size := resp.ContentLength
	if size < 0 { // not told: the last page's size and an eighth
		size = t.lastSize.Load()
		size += size / 8
	}
	body, err := readBody(resp.Body, size)
	if err != nil {
		return nil, nil, err
	}
	t.lastSize.Store(int64(len(body)))
	return resp, body, nil
}

// readBody reads r whole, at most maxBody bytes and one, into a buffer
// of size bytes and one (a Content-Length or a guess; 0 or less: not
// known), so that a page's body is read in one piece and not grown by
// copying; a wrong size only costs growing.
func readBody(r io.Reader, size int64) ([]byte, error) {
	lr := io.LimitReader(r, maxBody+1)
	if size <= 0 || size > maxBody {
		return io.ReadAll(lr)
	}
	buf := make([]byte, 0, size+1) // +1: the read that sees the end
	for {
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow (append's rule)
		}
	}
}

// Handing a page's body over (issue 9): resty reads a reply's body again
// 512 bytes at a time into a slice it grows by copying, about 5 % of a
// large first sync's CPU, although this transport holds the whole body
// already. So fetch puts a *pageBody into its request's context, and for
// a 200 reply the transport puts the body there and gives resty an empty
// one. Only a plain 200 body within maxBody is handed over: any other
// reply (an error's body, one over the limit, an encoded one) goes
// through resty as before, with its checks, errors and retries.

// pageBody receives a 200 reply's body from the transport (fetch).
type pageBody struct{ b []byte }

type pageBodyKey struct{}

// handOver hands body, of req's 200 reply resp, to the *pageBody in
// req's context, if there is one, and empties resp's body; false when
// not handed over.
func handOver(req *http.Request, resp *http.Response, body []byte) bool {
	h, ok := req.Context().Value(pageBodyKey{}).(*pageBody)
	if !ok || len(body) > maxBody || resp.Header.Get("Content-Encoding") != "" {
		return false
	}
	h.b = body
	resp.Body, resp.ContentLength = http.NoBody, 0
	return true
}

// ahead asks the page after the one of req, whose body is body, if the
// body says there is more.
func (t *prefetchTransport) ahead(req *http.Request, body []byte) {
	tail := body[max(0, len(body)-256):]
	m := nextPage.FindSubmatch(tail)
	if m == nil || !morePage.Match(tail) {
		return
	}
	q := req.URL.Query()
	if q.Get("after") == string(m[1]) {
		return
	}
	if _, err := strconv.ParseUint(string(m[1]), 10, 64); err != nil {
		return
	}
	q.Set("after", string(m[1]))
	// Not req's context: http.Client cancels it once req's body is read.
	// The pull's own context (fetch puts it in as a value), so that the
	// prefetch ends when the pull's caller quits; within RequestTimeout.
	parent, ok := req.Context().Value(pullContextKey{}).(context.Context)
	if !ok {
		parent = context.WithoutCancel(req.Context())
	}
	ctx, cancel := context.WithTimeout(parent, RequestTimeout)
	ahead := req.Clone(ctx)
	ahead.URL.RawQuery = q.Encode()
	p := &prefetch{key: prefetchKey(ahead), done: make(chan struct{})}
	t.mu.Lock()
	t.next = p
	t.mu.Unlock()
	go func() {
		defer close(p.done)
		defer cancel()
		p.resp, p.body, p.err = t.get(ahead)
	}()
}

// pullContextKey carries the context a pull was called with in the
// context of its requests (fetch), for the prefetch to end with it.
type pullContextKey struct{}
