package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	gosync "sync"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/wire"
)

// commandServer answers POST /v1/commands with answer(cmd) (nil: drop the
// connection) and serves the feed f for everything else.
type commandServer struct {
	f      *feed
	mu     gosync.Mutex
	got    []wire.Command
	keys   []string
	answer func(cmd wire.Command) *wire.Answer
}

func (s *commandServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != wire.PathCommands {
		s.f.ServeHTTP(w, r)
		return
	}
	var cmd wire.Command
	if err := json.NewDecoder(r.Body).Decode(&cmd); err != nil {
		writeJSON(w, http.StatusBadRequest, wire.ErrorReply{Code: "validation"})
		return
	}
	s.mu.Lock()
	s.got = append(s.got, cmd)
	s.keys = append(s.keys, r.Header.Get(wire.HeaderIdempotencyKey))
	answer := s.answer
	s.mu.Unlock()
	a := answer(cmd)
	if a == nil {
		dropConnection(w)
		return
	}
	writeJSON(w, a.HTTPStatus(), a)
}

func (s *commandServer) received() []wire.Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wire.Command(nil), s.got...)
}

func newEngineTest(t *testing.T, s *commandServer) (*Engine, *cache.Cache, *Client) {
	t.Helper()
	if s.f == nil {
		s.f = &feed{}
	}
	if s.f.pageSize == 0 {
		s.f.pageSize = 3
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := testClient(srv.URL, testKey)
	e := NewEngine(c, func(context.Context) (*Client, error) { return cl, nil }, nil)
	e.backoff, e.backoffMax = 5*time.Millisecond, 20*time.Millisecond
	return e, c, cl
}

func queue(t *testing.T, c *cache.Cache, cmds ...wire.Command) {
	t.Helper()
	for _, cmd := range cmds {
		if _, err := c.Outbox().Add(cmd, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func setNumber(id, customer, number string) wire.Command {
	return wire.Command{ID: id, Type: wire.SetCustomerNumber, CustomerID: customer, CustomerNumber: number}
}

// TestEngineSendsInOrderARefusalDoesNotBlock: three queued changes go out in
// the order made, each with its id as the Idempotency-Key; the refused one
// leaves the outbox as a refusal, the two after and before it are applied
// and leave once the pull has brought their effect.
func TestEngineSendsInOrderARefusalDoesNotBlock(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 2)...) // c1, c3 at seqs 1..4
	s := &commandServer{f: f}
	seq := uint64(4)
	s.answer = func(cmd wire.Command) *wire.Answer {
		if cmd.CustomerNumber == "TAKEN" {
			return &wire.Answer{Status: wire.StatusRefused, Code: wire.CodeCustomerNumberTaken, Message: "in use"}
		}
		seq++
		f.add(put(seq, wire.KindCustomer, cmd.CustomerID, data.Customer{ID: cmd.CustomerID, LastName: "X", Hetu: testHetu(int(seq)), CustomerNumber: cmd.CustomerNumber}))
		return &wire.Answer{Status: wire.StatusApplied, Seq: seq}
	}
	e, c, _ := newEngineTest(t, s)
	queue(t, c, setNumber("a", "c1", "N-1"), setNumber("b", "c3", "TAKEN"), setNumber("c", "c3", "N-3"))

	res, err := e.Once(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := s.received()
	if len(got) != 3 || got[0].ID != "a" || got[1].ID != "b" || got[2].ID != "c" {
		t.Fatalf("sent %+v, want a, b, c in order", got)
	}
	for i, k := range s.keys {
		if k != got[i].ID {
			t.Errorf("Idempotency-Key %q for command %q", k, got[i].ID)
		}
	}
	if len(res.Applied) != 2 || len(res.Refused) != 1 || res.Refused[0].Command.ID != "b" ||
		res.Refused[0].Answer.Code != wire.CodeCustomerNumberTaken || res.Pending != 0 {
		t.Fatalf("result %+v", res)
	}
	if left, _ := c.Outbox().Entries(); len(left) != 0 {
		t.Errorf("outbox after the pull: %+v, want empty", left)
	}
	if refs, _ := c.Outbox().Refusals(); len(refs) != 1 || refs[0].Command.ID != "b" {
		t.Errorf("kept refusals %+v", refs)
	}
	if cu, _ := c.Customer("c3"); cu.CustomerNumber != "N-3" {
		t.Errorf("c3's number %q, want N-3", cu.CustomerNumber)
	}
}

// TestEngineKeepsUnansweredChanges: with the server unreachable, or
// dropping the reply, nothing is lost: every change stays pending, marked
// with the failure, in order, and goes out when the server answers.
func TestEngineKeepsUnansweredChanges(t *testing.T) {
	s := &commandServer{}
	var mu gosync.Mutex
	drop := true
	seq := uint64(0)
	s.answer = func(cmd wire.Command) *wire.Answer {
		mu.Lock()
		defer mu.Unlock()
		if drop {
			return nil
		}
		seq++
		return &wire.Answer{Status: wire.StatusApplied, Seq: seq}
	}
	e, c, cl := newEngineTest(t, s)
	queue(t, c, setNumber("a", "c1", "N-1"), setNumber("b", "c1", "N-2"))

	_, err := e.Once(context.Background(), nil)
	if kindOf(err) != Unreachable {
		t.Fatalf("error %v, want unreachable", err)
	}
	pending, _ := c.Outbox().Pending()
	if len(pending) != 2 || pending[0].Command.ID != "a" || pending[0].Attempts != 1 ||
		pending[0].LastError != "unreachable" || pending[1].Attempts != 0 {
		t.Fatalf("pending after a dropped reply: %+v", pending)
	}
	// A restart: the outbox is a file; reopen it.
	dir := c.Path()[:len(c.Path())-len(cache.FileName)]
	c.Close()
	c2, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if pending, _ := c2.Outbox().Pending(); len(pending) != 2 {
		t.Fatalf("after reopening: %d pending, want 2", len(pending))
	}
	mu.Lock()
	drop = false
	mu.Unlock()
	e2 := NewEngine(c2, func(context.Context) (*Client, error) { return cl, nil }, nil)
	res, err := e2.Once(context.Background(), nil)
	if err != nil || len(res.Applied) != 2 {
		t.Fatalf("second run: %+v, %v", res, err)
	}
	// "a" went out again with its own id (the dropped tries, resty's
	// retries included, then the answered one); "b" only after it, once.
	ids := []string{}
	for _, cmd := range s.received() {
		ids = append(ids, cmd.ID)
	}
	n := len(ids)
	if n < 3 || ids[n-1] != "b" || ids[n-2] != "a" {
		t.Errorf("sent %v, want a (dropped, maybe retried), a, b", ids)
	}
	for _, id := range ids[:n-1] {
		if id != "a" {
			t.Errorf("sent %v: b went out before a was answered", ids)
		}
	}
}

// reporter records runs for Run's tests.
type reporter struct {
	mu     gosync.Mutex
	done   int
	failed int
	ch     chan string
}

func (r *reporter) SyncProgress(Progress) {}
func (r *reporter) SyncDone(Result) {
	r.mu.Lock()
	r.done++
	r.mu.Unlock()
	r.ch <- "done"
}
func (r *reporter) SyncFailed(error, Result) {
	r.mu.Lock()
	r.failed++
	r.mu.Unlock()
	r.ch <- "failed"
}

func (r *reporter) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-r.ch:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("no run ended in 30 s")
		return ""
	}
}

// TestEngineRequestDuringRunRunsOnceMore: requests while a run is under
// way are not dropped: exactly one more run follows it.
func TestEngineRequestDuringRunRunsOnceMore(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	f := &feed{}
	first := true
	var mu gosync.Mutex
	f.hook = func(w http.ResponseWriter, r *http.Request, after uint64) bool {
		mu.Lock()
		block := first
		first = false
		mu.Unlock()
		started <- struct{}{}
		if block {
			<-release
		}
		return false
	}
	e, _, _ := newEngineTest(t, &commandServer{f: f})
	r := &reporter{ch: make(chan string, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx, r) }()
	<-started // the first run's pull is under way
	for range 3 {
		e.Request()
	}
	close(release)
	if got := r.next(t); got != "done" {
		t.Fatalf("first run %s", got)
	}
	if got := r.next(t); got != "done" {
		t.Fatalf("second run %s", got)
	}
	select {
	case s := <-r.ch:
		t.Errorf("a third run (%s): the requests should make one more run", s)
	case <-time.After(200 * time.Millisecond):
	}
	cancel()
	<-done
}

// TestEngineRetriesWithBackoff: after a server failure the engine tries
// again by itself and succeeds once the server is back.
func TestEngineRetriesWithBackoff(t *testing.T) {
	f := &feed{}
	var mu gosync.Mutex
	failures := 3
	f.hook = func(w http.ResponseWriter, r *http.Request, after uint64) bool {
		mu.Lock()
		defer mu.Unlock()
		if failures > 0 {
			failures--
			writeJSON(w, http.StatusServiceUnavailable, wire.ErrorReply{Code: "internal"})
			return true
		}
		return false
	}
	f.add(customers(1, 1)...)
	e, c, cl := newEngineTest(t, &commandServer{f: f})
	cl.http.SetRetryCount(0)
	r := &reporter{ch: make(chan string, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx, r) }()
	for _, want := range []string{"failed", "failed", "failed", "done"} {
		if got := r.next(t); got != want {
			t.Fatalf("run ended %s, want %s", got, want)
		}
	}
	cancel()
	<-done
	if cursor(t, c) != 2 {
		t.Errorf("cursor %d after the retries, want 2", cursor(t, c))
	}
}

// TestEngineRunsByItself: with nothing asking, the engine runs every
// interval, so the organizer's changes reach the desk.
func TestEngineRunsByItself(t *testing.T) {
	e, _, _ := newEngineTest(t, &commandServer{})
	e.SetInterval(20 * time.Millisecond)
	r := &reporter{ch: make(chan string, 10)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx, r) }()
	for range 3 {
		if got := r.next(t); got != "done" {
			t.Fatalf("run ended %s", got)
		}
	}
	cancel()
	<-done
}
