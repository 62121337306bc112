package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	gosync "sync"

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
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, nil, err
	}
	return resp, body, nil
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
