package client_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/organizer"
	"psopdesk/sync/wire"
)

// writeNow is the organizer's clock in these tests.
var writeNow = time.Date(2026, 11, 30, 12, 0, 0, 0, data.Helsinki)

// testT is what these helpers need of *testing.T and *rapid.T.
type testT interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// tempDir makes a folder removed when t ends.
func tempDir(t testT) string {
	dir, err := os.MkdirTemp("", "psopdesk-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// organizerUnderTest is the reference organizer behind a loopback server
// that can be restarted (the store file closed and opened again behind the
// same address) and can lose the reply of a command after the organizer
// applied it. It records every answer it sent, by command id.
type organizerUnderTest struct {
	t    testT
	path string
	srv  *httptest.Server

	mu      gosync.Mutex
	store   *organizer.Store
	handler http.Handler
	dropAll bool            // lose the reply of every command
	dropIDs map[string]bool // lose the reply of these commands once
	answers map[string][][]byte
}

func newOrganizer(t testT, ds organizer.Dataset) *organizerUnderTest {
	t.Helper()
	o := &organizerUnderTest{t: t, path: filepath.Join(tempDir(t), "org.db"),
		dropIDs: map[string]bool{}, answers: map[string][][]byte{}}
	o.open()
	if _, err := o.store.Apply(ds, writeNow); err != nil {
		t.Fatal(err)
	}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(func() {
		o.srv.Close()
		o.mu.Lock()
		o.store.Close()
		o.mu.Unlock()
	})
	return o
}

func (o *organizerUnderTest) open() {
	st, err := organizer.Open(o.path)
	if err != nil {
		o.t.Fatal(err)
	}
	st.SetClock(func() time.Time { return writeNow })
	o.store, o.handler = st, organizer.Handler(st, nil)
}

// restart closes the store and opens it again, as a server restart would.
func (o *organizerUnderTest) restart() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.store.Close(); err != nil {
		o.t.Fatal(err)
	}
	o.open()
}

// key makes an API key of prov-1.
func (o *organizerUnderTest) key() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	k, err := o.store.CreateKey("prov-1", "test", time.Now().Add(time.Hour))
	if err != nil {
		o.t.Fatal(err)
	}
	return k
}

func (o *organizerUnderTest) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	h := o.handler
	o.mu.Unlock()
	if r.URL.Path != wire.PathCommands {
		h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	id := r.Header.Get(wire.HeaderIdempotencyKey)
	o.mu.Lock()
	drop := o.dropAll || o.dropIDs[id]
	delete(o.dropIDs, id)
	if rec.Code == http.StatusOK || rec.Code == http.StatusConflict || rec.Code == http.StatusUnprocessableEntity {
		o.answers[id] = append(o.answers[id], bytes.Clone(rec.Body.Bytes()))
	}
	o.mu.Unlock()
	if drop { // applied, but the client never hears it
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic("no hijacker")
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// desk is one PSOP Desk installation: a cache folder and its engine.
type desk struct {
	t   testT
	dir string
	c   *cache.Cache
	e   *client.Engine
	url string
	key string
}

func newDesk(t testT, o *organizerUnderTest) *desk {
	d := &desk{t: t, dir: tempDir(t), url: o.srv.URL, key: o.key()}
	d.open()
	t.Cleanup(func() { d.c.Close() })
	return d
}

func (d *desk) open() {
	c, err := cache.Open(d.dir)
	if err != nil {
		d.t.Fatal(err)
	}
	cl := client.NewClient(d.url, d.key).SetRetryWaits(time.Millisecond, 5*time.Millisecond)
	d.c, d.e = c, client.NewEngine(c, func(context.Context) (*client.Client, error) { return cl, nil }, nil)
}

// restart closes the cache and opens it again, as quitting would.
func (d *desk) restart() {
	if err := d.c.Close(); err != nil {
		d.t.Fatal(err)
	}
	d.open()
}

func (d *desk) sync() (client.Result, error) { return d.e.Once(context.Background(), nil) }

func (d *desk) number(id string) string {
	v, err := d.c.CustomerView(id, data.DateOf(writeNow))
	if err != nil {
		d.t.Fatal(err)
	}
	return v.Customer.CustomerNumber
}

// smallDemo is the demo data set with n customers, and the ids of the
// customers prov-1 sees.
func smallDemo(t testing.TB, n int) (organizer.Dataset, []string) {
	ds := organizer.Demo(n, organizer.DemoSeed, writeNow)
	cut := data.DateOf(writeNow).AddDays(-365)
	seen := map[string]bool{}
	for _, e := range ds.Events {
		if e.ProviderID == "prov-1" && !e.Date.Before(cut) {
			seen[e.CustomerID] = true
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if len(ids) < 4 {
		t.Fatalf("the demo data set gives prov-1 %d customers, want 4 or more", len(ids))
	}
	return ds, ids
}

// TestCustomerNumberWrittenEndToEnd: a number set on one desk reaches the
// organizer and, through the feed, the other desk; the other desk's own
// clash it could not see is refused by the organizer, rolled back and kept
// as a refusal; a removed number is free again at once.
func TestCustomerNumberWrittenEndToEnd(t *testing.T) {
	ds, ids := smallDemo(t, 40)
	o := newOrganizer(t, ds)
	a, b := newDesk(t, o), newDesk(t, o)
	for _, d := range []*desk{a, b} {
		if _, err := d.sync(); err != nil {
			t.Fatal(err)
		}
	}
	x, y := ids[0], ids[1]
	before := b.number(y)

	if _, err := a.c.SetCustomerNumber(x, "77-042", time.Now()); err != nil {
		t.Fatal(err)
	}
	if v, _ := a.c.CustomerView(x, data.DateOf(writeNow)); v.Customer.CustomerNumber != "77-042" || !v.NumberPending {
		t.Fatalf("before sending: number %q pending %v, want 77-042 pending", v.Customer.CustomerNumber, v.NumberPending)
	}
	res, err := a.sync()
	if err != nil || len(res.Applied) != 1 || res.Pending != 0 {
		t.Fatalf("desk A's sync: %+v, %v", res, err)
	}
	if v, _ := a.c.CustomerView(x, data.DateOf(writeNow)); v.Customer.CustomerNumber != "77-042" || v.NumberPending || len(v.Pending) != 0 {
		t.Errorf("after the sync: %q pending %v %d, want 77-042 settled", v.Customer.CustomerNumber, v.NumberPending, len(v.Pending))
	}

	// Desk B has not pulled yet: it cannot see the clash, the organizer can.
	if _, err := b.c.SetCustomerNumber(y, "77-042", time.Now()); err != nil {
		t.Fatalf("desk B could not know of the clash: %v", err)
	}
	res, err = b.sync()
	if err != nil || len(res.Refused) != 1 || res.Refused[0].Answer.Code != wire.CodeCustomerNumberTaken {
		t.Fatalf("desk B's sync: %+v, %v", res, err)
	}
	if got := b.number(y); got != before {
		t.Errorf("the refused number was not rolled back: %q, want %q", got, before)
	}
	if got := b.number(x); got != "77-042" {
		t.Errorf("desk B sees %q on A's customer, want 77-042", got)
	}
	// Now B knows: a second try is refused at once, nothing queued.
	_, err = b.c.SetCustomerNumber(y, "77-042", time.Now())
	var de *data.Error
	if !errors.As(err, &de) || de.Code != string(wire.CodeCustomerNumberTaken) {
		t.Errorf("local clash: %v, want customer_number_taken", err)
	}
	if p, _ := b.c.Outbox().Pending(); len(p) != 0 {
		t.Errorf("a locally refused change was queued: %+v", p)
	}

	// A removes it; B takes it at once.
	if _, err := a.c.RemoveCustomerNumber(x, time.Now()); err != nil {
		t.Fatal(err)
	}
	if res, err := a.sync(); err != nil || len(res.Applied) != 1 {
		t.Fatalf("remove: %+v, %v", res, err)
	}
	if _, err := b.sync(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.c.SetCustomerNumber(y, "77-042", time.Now()); err != nil {
		t.Fatal(err)
	}
	if res, err := b.sync(); err != nil || len(res.Applied) != 1 {
		t.Fatalf("B takes the freed number: %+v, %v", res, err)
	}
	if got := b.number(y); got != "77-042" {
		t.Errorf("B's customer has %q, want 77-042", got)
	}
}

// TestLostReplySettledByResending: the organizer applies a command but the
// reply is lost; the desk keeps the command, sends it again (after a
// restart of both) and the organizer applies it once.
func TestLostReplySettledByResending(t *testing.T) {
	ds, ids := smallDemo(t, 40)
	o := newOrganizer(t, ds)
	a := newDesk(t, o)
	if _, err := a.sync(); err != nil {
		t.Fatal(err)
	}
	e, err := a.c.SetCustomerNumber(ids[2], "K-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	o.dropAll = true
	o.mu.Unlock()
	if _, err := a.sync(); err == nil {
		t.Fatal("sync succeeded although every reply was lost")
	}
	if p, _ := a.c.Outbox().Pending(); len(p) != 1 || p[0].Command.ID != e.Command.ID {
		t.Fatalf("the unanswered command is not pending: %+v", p)
	}
	o.mu.Lock()
	o.dropAll = false
	o.mu.Unlock()
	a.restart()
	o.restart()
	res, err := a.sync()
	if err != nil || len(res.Applied) != 1 {
		t.Fatalf("resend: %+v, %v", res, err)
	}
	o.mu.Lock()
	sent := o.answers[e.Command.ID]
	o.mu.Unlock()
	if len(sent) < 2 {
		t.Fatalf("the command was answered %d times, want the lost one and the resent one", len(sent))
	}
	for _, ans := range sent[1:] {
		if !bytes.Equal(ans, sent[0]) {
			t.Errorf("answers differ: %s then %s", sent[0], ans)
		}
	}
	// Applied once: the feed carries one change of the customer's number.
	fresh := newDesk(t, o)
	if _, err := fresh.sync(); err != nil {
		t.Fatal(err)
	}
	if got := fresh.number(ids[2]); got != "K-1" {
		t.Errorf("server's view: %q, want K-1", got)
	}
}

// TestConcurrentDesksRaceForANumber: desks sending the same number for
// different customers at the same moment: exactly one wins.
func TestConcurrentDesksRaceForANumber(t *testing.T) {
	ds, ids := smallDemo(t, 60)
	o := newOrganizer(t, ds)
	const n = 4
	desks := make([]*desk, n)
	for i := range desks {
		desks[i] = newDesk(t, o)
		if _, err := desks[i].sync(); err != nil {
			t.Fatal(err)
		}
		if _, err := desks[i].c.SetCustomerNumber(ids[i], "RACE-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	results := make([]client.Result, n)
	var wg gosync.WaitGroup
	for i, d := range desks {
		wg.Go(func() {
			var err error
			if results[i], err = d.sync(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	applied, refused := 0, 0
	for _, r := range results {
		applied += len(r.Applied)
		for _, ref := range r.Refused {
			if ref.Answer.Code == wire.CodeCustomerNumberTaken {
				refused++
			}
		}
	}
	if applied != 1 || refused != n-1 {
		t.Fatalf("%d applied, %d refused as taken; want 1 and %d", applied, refused, n-1)
	}
	for _, d := range desks {
		if _, err := d.sync(); err != nil {
			t.Fatal(err)
		}
		holders := 0
		for _, id := range ids[:n] {
			if d.number(id) == "RACE-1" {
				holders++
			}
		}
		if holders != 1 {
			t.Errorf("a desk sees %d holders of RACE-1, want 1", holders)
		}
	}
}
