package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/wire"
)

// cacheState is what a user could tell of the cache: its feed, cursor,
// completeness, how many rows of each kind it holds, and the digest of
// its content (psopdesk check's), after checking it is consistent.
func cacheState(t *testing.T, c *cache.Cache) string {
	t.Helper()
	cur, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	feed, err := c.Feed()
	if err != nil {
		t.Fatal(err)
	}
	complete, err := c.Complete()
	if err != nil {
		t.Fatal(err)
	}
	counts, err := c.Counts()
	if err != nil {
		t.Fatal(err)
	}
	check, err := c.CheckContent()
	if err != nil || len(check.Problems) > 0 {
		t.Fatalf("check: %v %v", err, check.Problems)
	}
	return fmt.Sprintf("feed=%q cursor=%d complete=%v counts=%v digest=%s", feed, cur, complete, counts, check.Digest)
}

// syncedTest is newTest with the feed's changes pulled once, and the
// cache's state after.
func syncedTest(t *testing.T, f *feed) (*Client, *cache.Cache, string) {
	t.Helper()
	cl, c, _ := newTest(t, f)
	if _, err := cl.Pull(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	return cl, c, cacheState(t, c)
}

// A lying server's page is refused whole: the cache stays as it was.
func TestLyingPagesAreRefusedWhole(t *testing.T) {
	tests := []struct {
		name string
		page func(after uint64) string
	}{
		{"wrong types", func(after uint64) string {
			return fmt.Sprintf(`{"changes":[],"next":"%d","more":false,"head":10}`, after)
		}},
		{"cursor jump: next beyond the last change", func(after uint64) string {
			return fmt.Sprintf(`{"changes":[{"seq":%d,"kind":"customer","op":"delete","id":"c1"}],"next":%d,"more":true,"head":99999}`, after+1, after+5000)
		}},
		{"empty page moving the cursor", func(after uint64) string {
			return fmt.Sprintf(`{"changes":[],"next":%d,"more":false,"head":99999}`, after+100)
		}},
		{"a change past the head", func(after uint64) string {
			return fmt.Sprintf(`{"changes":[{"seq":%d,"kind":"customer","op":"delete","id":"c1"}],"next":%d,"more":false,"head":%d}`, after+1, after+1, after)
		}},
		{"more than asked", func(after uint64) string {
			var b strings.Builder
			fmt.Fprintf(&b, `{"changes":[`)
			for i := range 4 { // the client asks 3
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"seq":%d,"kind":"customer","op":"delete","id":"x%d"}`, after+1+uint64(i), i)
			}
			fmt.Fprintf(&b, `],"next":%d,"more":false,"head":%d}`, after+4, after+4)
			return b.String()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &feed{}
			f.add(customers(1, 5)...)
			cl, c, before := syncedTest(t, f)
			cl.pageSize = 3
			f.hook = func(w http.ResponseWriter, _ *http.Request, after uint64) bool {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.page(after))
				return true
			}
			_, err := cl.Pull(context.Background(), c, nil)
			if kindOf(err) != BadReply {
				t.Fatalf("err %v, want BadReply", err)
			}
			if after := cacheState(t, c); after != before {
				t.Errorf("cache changed:\n%s\n%s", before, after)
			}
		})
	}
}

// A server restored from a backup (the same feed, a head behind the
// cache's cursor) makes the client fill the cache again from 0, and say so.
func TestServerBehindTheCacheRefillsIt(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...) // up to seq 10
	cl, c, _ := syncedTest(t, f)
	// The server loses its last two customers (seq 7..10).
	f.mu.Lock()
	f.changes = f.changes[:6]
	f.mu.Unlock()
	p, err := cl.Pull(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Restarted || p.Cursor != 6 || !p.Done {
		t.Errorf("progress %+v: want a restart ending at 6", p)
	}
	if got, _ := c.Customer("c7"); got.ID != "" {
		t.Errorf("a customer the server no longer has is still cached")
	}
	// Same as a fresh sync of the server as it now is.
	_, _, fresh := syncedTest(t, f)
	if got := cacheState(t, c); got != fresh {
		t.Errorf("refilled cache %s, fresh sync %s", got, fresh)
	}
}

// Another feed replaces the cache only when its first page is applied: if
// the server fails before that, the old data stays, complete.
func TestFeedSwitchThenFailureKeepsTheCache(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...)
	cl, c, before := syncedTest(t, f)
	// The server is reset: a new feed; every page from 0 fails.
	newFeed := &feed{}
	newFeed.add(customers(1, 1)...)
	f.hook = func(w http.ResponseWriter, r *http.Request, after uint64) bool {
		if after != 0 {
			newFeed.mu.Lock()
			defer newFeed.mu.Unlock()
			writeJSON(w, http.StatusOK, wire.ChangesPage{Feed: "new", Changes: []wire.Change{}, Next: after, Head: 2})
			return true
		}
		writeJSON(w, http.StatusInternalServerError, wire.ErrorReply{Code: "internal", Message: "down"})
		return true
	}
	_, err := cl.Pull(context.Background(), c, nil)
	if kindOf(err) != Server {
		t.Fatalf("err %v, want Server", err)
	}
	if after := cacheState(t, c); after != before {
		t.Errorf("cache changed before the new feed delivered:\n%s\n%s", before, after)
	}
	if ok, _ := c.Complete(); !ok {
		t.Errorf("the old, complete data is marked incomplete")
	}
	// Now the new feed answers: its first page replaces the cache.
	f.hook = func(w http.ResponseWriter, r *http.Request, after uint64) bool {
		page := wire.ChangesPage{Feed: "new", Changes: []wire.Change{}, Next: after, Head: 2}
		if after == 0 {
			page.Changes, page.Next = customers(1, 1), 2
		}
		writeJSON(w, http.StatusOK, page)
		return true
	}
	p, err := cl.Pull(context.Background(), c, nil)
	if err != nil || !p.Restarted || p.Cursor != 2 {
		t.Fatalf("pull %+v %v", p, err)
	}
	if got := cacheState(t, c); !strings.Contains(got, `feed="new" cursor=2 complete=true`) {
		t.Errorf("after the switch: %s", got)
	}
	if got, _ := c.Customer("c3"); got.ID != "" {
		t.Errorf("old feed's customer still cached")
	}
}

// A first sync that ends early leaves the cache incomplete: statements
// refuse until a pull catches up.
func TestInterruptedFirstSyncIsIncomplete(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...)
	fail := true
	f.hook = func(w http.ResponseWriter, _ *http.Request, after uint64) bool {
		if fail && after >= 3 {
			writeJSON(w, http.StatusInternalServerError, wire.ErrorReply{Code: "internal", Message: "down"})
			return true
		}
		return false
	}
	cl, c, _ := newTest(t, f)
	if _, err := cl.Pull(context.Background(), c, nil); kindOf(err) != Server {
		t.Fatalf("err %v, want Server", err)
	}
	if ok, _ := c.Complete(); ok {
		t.Fatal("a cache with a third of its feed is complete")
	}
	if _, err := c.StatementCustomers("", data.NewDate(2026, 11, 1)); err != cache.ErrIncomplete {
		t.Errorf("statement customers on an incomplete cache: %v", err)
	}
	fail = false
	if _, err := cl.Pull(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Complete(); !ok {
		t.Error("caught up, still incomplete")
	}
}

// An HTML error page of a proxy is a server fault with its status.
func TestHTML502(t *testing.T) {
	f := &feed{hook: func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		return true
	}}
	cl, c, _ := newTest(t, f)
	_, err := cl.Pull(context.Background(), c, nil)
	var se *Error
	if kindOf(err) != Server || !asError(err, &se) || se.Status() != 502 {
		t.Fatalf("err %v, want Server 502", err)
	}
	if n := len(f.seen()); n != 1+Retries {
		t.Errorf("%d requests, want %d (5xx is retried)", n, 1+Retries)
	}
}

func TestTooManyRequests(t *testing.T) {
	t.Run("a short Retry-After is waited and honoured", func(t *testing.T) {
		f := &feed{}
		f.add(customers(1, 1)...)
		var first time.Time
		f.hook = func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			if first.IsZero() {
				first = time.Now()
				w.Header().Set("Retry-After", "1")
				writeJSON(w, http.StatusTooManyRequests, wire.ErrorReply{Code: "rate_limited", Message: "slow down"})
				return true
			}
			if time.Since(first) < time.Second {
				t.Errorf("asked again after %v, before Retry-After", time.Since(first))
			}
			return false
		}
		cl, c, _ := newTest(t, f)
		cl.SetRetryWaits(time.Millisecond, RetryMaxWait)
		if p, err := cl.Pull(context.Background(), c, nil); err != nil || !p.Done {
			t.Fatalf("pull %+v %v", p, err)
		}
	})
	t.Run("a long Retry-After ends the request for the engine to wait", func(t *testing.T) {
		f := &feed{hook: func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			w.Header().Set("Retry-After", "120")
			writeJSON(w, http.StatusTooManyRequests, wire.ErrorReply{Code: "rate_limited", Message: "slow down"})
			return true
		}}
		cl, c, _ := newTest(t, f)
		_, err := cl.Pull(context.Background(), c, nil)
		var se *Error
		if !asError(err, &se) || se.Kind != Busy || se.RetryAfter() != 120*time.Second {
			t.Fatalf("err %v, want Busy with RetryAfter 2m", err)
		}
		if n := len(f.seen()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
		if !se.Transient() {
			t.Error("busy is not transient")
		}
	})
	t.Run("another 4xx is not retried", func(t *testing.T) {
		f := &feed{hook: func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			writeJSON(w, http.StatusBadRequest, wire.ErrorReply{Code: "validation", Message: "no"})
			return true
		}}
		cl, c, _ := newTest(t, f)
		if _, err := cl.Pull(context.Background(), c, nil); kindOf(err) != Server || len(f.seen()) != 1 {
			t.Errorf("err %v after %d requests", err, len(f.seen()))
		}
	})
}

// A server that accepts the connection and then says nothing, before the
// headers or in the middle of the body, is reported as not answering
// within the idle timeout, and not tried again at once.
func TestHungServer(t *testing.T) {
	const idle = 300 * time.Millisecond
	for _, mid := range []bool{false, true} {
		t.Run(fmt.Sprintf("mid-body=%v", mid), func(t *testing.T) {
			release := make(chan struct{})
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if mid {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusOK)
					fmt.Fprint(w, `{"changes":[`)
					w.(http.Flusher).Flush()
				}
				<-release
			}))
			defer srv.Close()
			defer close(release)
			cl := testClient(srv.URL, testKey)
			cl.http.SetTransport(newTransportIdle(idle))
			c, err := cache.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			_, err = cl.Pull(context.Background(), c, nil)
			took := time.Since(start)
			if kindOf(err) != NoAnswer {
				t.Fatalf("err %v, want NoAnswer", err)
			}
			if took > 20*idle {
				t.Errorf("reported after %v (idle timeout %v)", took, idle)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// A server that is not there at all is no connection, not a server fault.
func TestNothingListening(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cl := testClient("http://"+addr, testKey)
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := cl.Pull(context.Background(), c, nil); kindOf(err) != Unreachable {
		t.Errorf("err %v, want Unreachable", err)
	}
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
