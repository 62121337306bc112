package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"psopdesk/sync/wire"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
)

const testKey = "psop_test_6f1c2b0d9e8a7"

// feed is a test server of the change feed contract.
type feed struct {
	mu       gosync.Mutex
	changes  []wire.Change
	pageSize int // the server's own page cap (below the client's limit)
	requests []*http.Request
	// hook, when set, may answer the request itself (returns true).
	hook func(w http.ResponseWriter, r *http.Request, after uint64) bool
}

func (f *feed) add(chs ...wire.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, chs...)
}

func (f *feed) seen() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r)
	hook := f.hook
	f.mu.Unlock()
	if r.URL.Path != "/v1/changes" || r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, wire.ErrorReply{Code: "not_found", Message: "no such endpoint"})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+testKey {
		writeJSON(w, http.StatusUnauthorized, wire.ErrorReply{Code: "unauthorized", Message: "unknown key"})
		return
	}
	after, err1 := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
	limit, err2 := strconv.Atoi(r.URL.Query().Get("limit"))
	if err1 != nil || err2 != nil || limit <= 0 {
		writeJSON(w, http.StatusBadRequest, wire.ErrorReply{Code: "validation", Message: "after and limit"})
		return
	}
	if hook != nil && hook(w, r, after) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	page := wire.ChangesPage{Changes: []wire.Change{}, Next: after}
	if n := len(f.changes); n > 0 {
		page.Head = f.changes[n-1].Seq
	}
	for _, ch := range f.changes {
		if ch.Seq <= after {
			continue
		}
		if len(page.Changes) == min(limit, f.pageSize) {
			page.More = true
			break
		}
		page.Changes = append(page.Changes, ch)
		page.Next = ch.Seq
	}
	writeJSON(w, http.StatusOK, page)
}

func put(seq uint64, kind wire.Kind, id string, v any) wire.Change {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b}
}

// customers gives n customers, each with a voucher: 2n changes from seq
// first on.
func customers(first uint64, n int) []wire.Change {
	var out []wire.Change
	for i := range n {
		id := fmt.Sprintf("c%d", first+uint64(2*i)) // named by its seq
		out = append(out,
			put(first+uint64(2*i), wire.KindCustomer, id, data.Customer{ID: id, FirstNames: "Testi", LastName: "Asiakas" + id, Hetu: testHetu(int(first) + 2*i)}),
			put(first+uint64(2*i+1), wire.KindVoucher, "v"+id, data.Voucher{Number: "v" + id, CustomerID: id}))
	}
	return out
}

func newTest(t *testing.T, f *feed) (*Client, *cache.Cache, *httptest.Server) {
	t.Helper()
	if f.pageSize == 0 {
		f.pageSize = 3
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return testClient(srv.URL, testKey), c, srv
}

// testClient is NewClient with short retry waits.
func testClient(url, key string) *Client {
	cl := NewClient(url, key)
	cl.http.SetRetryWaitTime(time.Millisecond).SetRetryMaxWaitTime(5 * time.Millisecond)
	return cl
}

func cursor(t *testing.T, c *cache.Cache) uint64 {
	t.Helper()
	n, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func kindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestPullSeveralPagesUntilCaughtUp(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...) // seq 1..10
	cl, c, _ := newTest(t, f)
	var calls []Progress
	p, err := cl.Pull(context.Background(), c, func(p Progress) { calls = append(calls, p) })
	if err != nil {
		t.Fatal(err)
	}
	want := []Progress{{Pages: 1, Changes: 3, Customers: 2, Cursor: 3, Head: 10}, {Pages: 2, Changes: 6, Customers: 3, Cursor: 6, Head: 10},
		{Pages: 3, Changes: 9, Customers: 5, Cursor: 9, Head: 10}, {Pages: 4, Changes: 10, Customers: 5, Cursor: 10, Head: 10, Done: true}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("progress calls %v, want %v", calls, want)
	}
	if p != want[len(want)-1] {
		t.Errorf("Pull returned %v", p)
	}
	if n := cursor(t, c); n != 10 {
		t.Errorf("cursor %d, want 10", n)
	}
	reqs := f.seen()
	var afters []string
	for _, r := range reqs {
		afters = append(afters, r.URL.Query().Get("after"))
		if ua := r.Header.Get("User-Agent"); ua != "psopdesk" {
			t.Errorf("User-Agent %q", ua)
		}
		if l := r.URL.Query().Get("limit"); l != strconv.Itoa(FirstSyncPageSize) {
			t.Errorf("limit %q", l)
		}
	}
	if got := strings.Join(afters, ","); got != "0,3,6,9" {
		t.Errorf("asked after %s, want 0,3,6,9", got)
	}
	got, err := c.Search("asiakasc9", 0)
	if err != nil || len(got) != 1 {
		t.Errorf("search of the last page's customer: %v %v", got, err)
	}
}

func TestSecondPullGetsOnlyNewChanges(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...)
	cl, c, _ := newTest(t, f)
	if _, err := cl.Pull(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	// c3 loses visibility (DOMAIN.md §3): a delete; and one new customer.
	f.add(wire.Change{Seq: 11, Kind: wire.KindCustomer, Op: wire.OpDelete, ID: "c3"})
	f.add(customers(12, 1)...)
	before := len(f.seen())
	p, err := cl.Pull(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p != (Progress{Pages: 1, Changes: 3, Customers: 2, Cursor: 13, Head: 13, Done: true}) {
		t.Errorf("second pull %+v", p)
	}
	reqs := f.seen()[before:]
	if len(reqs) != 1 || reqs[0].URL.Query().Get("after") != "10" {
		t.Errorf("second pull asked %d times, first after=%s", len(reqs), reqs[0].URL.Query().Get("after"))
	}
	if got, _ := c.Search("asiakasc3", 0); len(got) != 0 {
		t.Errorf("deleted customer still found: %v", got)
	}
	if v, _ := c.Vouchers("c3"); len(v) != 0 {
		t.Errorf("deleted customer's vouchers remain: %v", v)
	}
	if got, _ := c.Search("asiakasc12", 0); len(got) != 1 {
		t.Errorf("new customer not found")
	}
	// Caught up: a third pull applies one empty page.
	p, err = cl.Pull(context.Background(), c, nil)
	if err != nil || p != (Progress{Pages: 1, Changes: 0, Cursor: 13, Head: 13, Done: true}) {
		t.Errorf("third pull %+v %v", p, err)
	}
}

func TestUnauthorizedIsNotRetried(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 2)...)
	srv := httptest.NewServer(f)
	defer srv.Close()
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const wrongKey = "psop_wrong_key_123"
	_, err = testClient(srv.URL, wrongKey).Pull(context.Background(), c, nil)
	if kindOf(err) != Unauthorized {
		t.Fatalf("err %v, want Unauthorized", err)
	}
	if strings.Contains(err.Error(), wrongKey) || strings.Contains(fmt.Sprintf("%+v", errors.Unwrap(err)), wrongKey) {
		t.Errorf("error shows the key: %v", err)
	}
	if n := len(f.seen()); n != 1 {
		t.Errorf("%d requests, want 1 (no retry on 401)", n)
	}
	if n := cursor(t, c); n != 0 {
		t.Errorf("cursor %d", n)
	}
}

func TestBadReplyLeavesCacheUnchanged(t *testing.T) {
	ok := func(page wire.ChangesPage) func(http.ResponseWriter, *http.Request, uint64) bool {
		return func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			writeJSON(w, http.StatusOK, page)
			return true
		}
	}
	good := customers(1, 1)
	tests := []struct {
		name string
		hook func(http.ResponseWriter, *http.Request, uint64) bool
	}{
		{"garbage body", func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			w.Write([]byte("<html>Service Unavailable</html>"))
			return true
		}},
		{"truncated JSON", func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			w.Write([]byte(`{"changes":[{"seq":1,"kind":"customer"`))
			return true
		}},
		{"cursor not advancing with more", ok(wire.ChangesPage{Changes: []wire.Change{}, Next: 0, More: true})},
		{"seq out of order", ok(wire.ChangesPage{Changes: []wire.Change{good[1], good[0]}, Next: 2})},
		{"seq not after cursor", ok(wire.ChangesPage{Changes: []wire.Change{{Seq: 0, Kind: wire.KindCustomer, Op: wire.OpDelete, ID: "x"}}, Next: 0})},
		{"next before last seq", ok(wire.ChangesPage{Changes: good, Next: 1})},
		{"corrupt change", ok(wire.ChangesPage{Changes: []wire.Change{good[0], {Seq: 2, Kind: wire.KindVoucher, Op: wire.OpPut, ID: "v1", Data: json.RawMessage(`{"number":"v1","valid_to":"31.12.2026"}`)}}, Next: 2})},
		{"unknown kind", ok(wire.ChangesPage{Changes: []wire.Change{good[0], put(2, "invoice", "i1", map[string]string{"id": "i1"})}, Next: 2})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &feed{hook: tt.hook}
			cl, c, _ := newTest(t, f)
			p, err := cl.Pull(context.Background(), c, nil)
			if kindOf(err) != BadReply {
				t.Fatalf("err %v (kind %v), want BadReply", err, kindOf(err))
			}
			if p.Pages != 0 || cursor(t, c) != 0 {
				t.Errorf("progress %+v, cursor %d: want nothing applied", p, cursor(t, c))
			}
			if got, _ := c.Customer("c1"); got.ID != "" {
				t.Errorf("a change of the bad page was applied")
			}
			if kindOf(err) != BadReply {
				t.Errorf("error %v, want a bad reply", err)
			}
		})
	}
}

func TestServerErrors(t *testing.T) {
	t.Run("503 once is retried", func(t *testing.T) {
		f := &feed{}
		f.add(customers(1, 1)...)
		var failed bool
		f.hook = func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			if failed {
				return false
			}
			failed = true
			writeJSON(w, http.StatusServiceUnavailable, wire.ErrorReply{Code: "internal", Message: "restarting"})
			return true
		}
		cl, c, _ := newTest(t, f)
		p, err := cl.Pull(context.Background(), c, nil)
		if err != nil || !p.Done || p.Cursor != 2 {
			t.Fatalf("pull %+v %v", p, err)
		}
		if n := len(f.seen()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("500 persists", func(t *testing.T) {
		f := &feed{hook: func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			writeJSON(w, http.StatusInternalServerError, wire.ErrorReply{Code: "internal", Message: "database down"})
			return true
		}}
		cl, c, _ := newTest(t, f)
		_, err := cl.Pull(context.Background(), c, nil)
		if kindOf(err) != Server {
			t.Fatalf("err %v, want Server", err)
		}
		if !strings.Contains(err.Error(), "HTTP 500") || !strings.Contains(errors.Unwrap(err).Error(), "database down") {
			t.Errorf("message %q, detail %v", err, errors.Unwrap(err))
		}
		if n := len(f.seen()); n != 1+Retries {
			t.Errorf("%d requests, want %d", n, 1+Retries)
		}
	})
	t.Run("404 is not retried", func(t *testing.T) {
		f := &feed{hook: func(w http.ResponseWriter, _ *http.Request, _ uint64) bool {
			writeJSON(w, http.StatusNotFound, wire.ErrorReply{Code: "not_found", Message: "x"})
			return true
		}}
		cl, c, _ := newTest(t, f)
		_, err := cl.Pull(context.Background(), c, nil)
		if kindOf(err) != Server || len(f.seen()) != 1 {
			t.Errorf("err %v after %d requests", err, len(f.seen()))
		}
	})
}

// dropConnection makes the client see the server die: the connection
// closes without a reply.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestServerDiesMidwayThenRetryCompletes(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...) // seq 1..10, pages end at 3, 6, 9, 10
	var mu gosync.Mutex
	dead := true
	f.hook = func(w http.ResponseWriter, _ *http.Request, after uint64) bool {
		mu.Lock()
		defer mu.Unlock()
		if dead && after >= 6 {
			dropConnection(w)
			return true
		}
		return false
	}
	cl, c, _ := newTest(t, f)
	p, err := cl.Pull(context.Background(), c, nil)
	if kindOf(err) != Unreachable {
		t.Fatalf("err %v, want Unreachable", err)
	}
	if p.Pages != 2 || p.Cursor != 6 || cursor(t, c) != 6 {
		t.Errorf("progress %+v, cursor %d: want two pages kept, cursor 6", p, cursor(t, c))
	}
	if got, _ := c.Customer("c5"); got.ID != "c5" {
		t.Errorf("customer of page 2 lost")
	}
	if got, _ := c.Customer("c7"); got.ID != "" {
		t.Errorf("customer of page 3 present")
	}
	if kindOf(err) != Unreachable {
		t.Errorf("error %v, want unreachable", err)
	}
	// A first sync cut short leaves the indexes to be built.
	if pending, err := c.IndexesPending(); err != nil || !pending {
		t.Errorf("indexes pending after the interrupted first sync: %v %v, want true", pending, err)
	}

	mu.Lock()
	dead = false
	mu.Unlock()
	p, err = cl.Pull(context.Background(), c, nil)
	if err != nil || p != (Progress{Pages: 2, Changes: 4, Customers: 2, Cursor: 10, Head: 10, Done: true}) {
		t.Fatalf("retry %+v %v", p, err)
	}
	if got, _ := c.Customer("c9"); got.ID != "c9" {
		t.Errorf("customer of the last page missing after retry")
	}
	// The pull that caught up built them, from the rows of both pulls.
	if pending, err := c.IndexesPending(); err != nil || pending {
		t.Errorf("indexes pending after the caught-up pull: %v %v, want false", pending, err)
	}
	for _, id := range []string{"c1", "c9"} {
		if got, err := c.Search("asiakas"+id, 0); err != nil || len(got) != 1 || got[0].ID != id {
			t.Errorf("search of %s after the first sync: %v %v", id, got, err)
		}
		if vs, err := c.Vouchers(id); err != nil || len(vs) != 1 {
			t.Errorf("vouchers of %s: %v %v", id, vs, err)
		}
	}
}

func TestServerGone(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 2)...)
	cl, c, srv := newTest(t, f)
	srv.Close()
	_, err := cl.Pull(context.Background(), c, nil)
	if kindOf(err) != Unreachable {
		t.Fatalf("err %v, want Unreachable", err)
	}
	// The same feed at a new address: the pull completes.
	srv2 := httptest.NewServer(f)
	defer srv2.Close()
	p, err := testClient(srv2.URL, testKey).Pull(context.Background(), c, nil)
	if err != nil || p.Cursor != 4 {
		t.Errorf("pull from the new server %+v %v", p, err)
	}
}

func TestCancelKeepsAppliedPages(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...)
	cl, c, _ := newTest(t, f)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := cl.Pull(ctx, c, func(p Progress) {
		if p.Pages == 1 {
			cancel()
		}
	})
	if kindOf(err) != Canceled {
		t.Fatalf("err %v, want Canceled", err)
	}
	if p.Pages != 1 || cursor(t, c) != 3 {
		t.Errorf("progress %+v cursor %d", p, cursor(t, c))
	}
}

func TestLoadAPIKey(t *testing.T) {
	const k1, k2 = "psop_k1_aaaaaaaa", "psop_k2_bbbbbbbb"
	tests := []struct {
		name, content, provider string
		want                    string // "" = an error
	}{
		{"key alone", k1 + "\n", "", k1},
		{"key alone, no newline, spaces", "  " + k1 + "  ", "", k1},
		{"key alone, any provider", k1, "prov-9", k1},
		{"comments and blank lines", "# PSOP Desk\n\n" + k1 + "\n", "", k1},
		{"lines: first", "prov-1\t" + k1 + "\nprov-2\t" + k2 + "\n", "", k1},
		{"lines: by provider", "prov-1\t" + k1 + "\nprov-2\t" + k2 + "\n", "prov-2", k2},
		{"lines with user and role: first", "prov-1\t" + k1 + "\tprov-1-admin\tadmin\nprov-1\t" + k2 + "\tprov-1-kirjaaja\trecorder\n", "", k1},
		{"lines with user and role: by provider", "prov-1\t" + k1 + "\tprov-1-admin\tadmin\nprov-2\t" + k2 + "\tprov-2-admin\tadmin\n", "prov-2", k2},
		{"lines: unknown provider", "prov-1\t" + k1 + "\nprov-2\t" + k2 + "\n", "prov-3", ""},
		{"empty", "\n\n", "", ""},
		{"key with a space", "psop_k1 aaaa\n", "", ""},
		{"line without key", "prov-1\t\n", "", ""},
		{"UTF-8 byte order mark, trailing spaces, CRLF", "\ufeff" + k1 + "  \r\n", "", k1},
		{"UTF-8 byte order mark before provider lines", "\ufeffprov-1\t" + k1 + " \r\nprov-2\t" + k2 + "\r\n", "prov-1", k1},
		{"UTF-16 (Notepad's Unicode)", "\xff\xfe" + utf16le(k1+"\r\n"), "", k1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "api-key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadAPIKeyFor(path, tt.provider)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got key %q, want an error", got)
				}
				for _, secret := range []string{k1, k2, "psop_k1", "aaaa"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error shows the key: %v", err)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := LoadAPIKey(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "k")
	os.WriteFile(path, []byte("prov-1\t"+k1+"\n"), 0o600)
	if got, err := LoadAPIKey(path); err != nil || got != k1 {
		t.Errorf("LoadAPIKey: %q %v", got, err)
	}
}

// utf16le is s in UTF-16 little-endian, without a byte order mark.
func utf16le(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}
