package organizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// testClock is a clock a test moves.
type testClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// evFixture is scenario-small (settlement day 5, cust-1 with pp-1 of
// svc-home 10 h a month and bp-1 of svc-clean 200 €) plus reservations
// res-1 (pp-1) and res-b (bp-1) of prov-1, prov-2 with res-2 on pp-1 and
// only a December price, prov-1's December price 45 € of svc-home, and a
// settled event s1 of November (bp-1). The clock starts at 2.12.2026
// 12:00 Helsinki: November is not locked (5.12.2026 00:00).
type evFixture struct {
	st       *Store
	srv      *httptest.Server
	clock    *testClock
	key      string // prov-1's
	key2     string // prov-2's
	adminKey string
}

var (
	beforeLock = time.Date(2026, 12, 2, 12, 0, 0, 0, data.Helsinki)
	novLock    = time.Date(2026, 12, 5, 0, 0, 0, 0, data.Helsinki)
)

func evDataset(t testing.TB) Dataset {
	t.Helper()
	ds := loadSmall(t)
	year := func(g string) data.Reservation {
		return data.Reservation{CustomerID: "cust-1", GrantID: g, From: data.NewDate(2026, 1, 1), To: data.NewDate(2026, 12, 31), Quantity: 10000}
	}
	r1, rb, r2 := year("pp-1"), year("bp-1"), year("pp-1")
	r1.ID, rb.ID, r2.ID = "res-1", "res-b", "res-2"
	more := Dataset{
		Providers: []data.Provider{{ID: "prov-2", Name: "Toinen Oy", BusinessID: "0112038-9"}},
		Prices: []Price{
			{ProviderID: "prov-1", ServiceID: "svc-home", From: data.NewDate(2026, 12, 1), Cents: 4500},
			{ProviderID: "prov-2", ServiceID: "svc-home", From: data.NewDate(2026, 12, 1), Cents: 9999},
		},
		Reservations: []Reservation{{ProviderID: "prov-1", Reservation: r1}, {ProviderID: "prov-1", Reservation: rb},
			{ProviderID: "prov-2", Reservation: r2}},
		Events: []Event{{ProviderID: "prov-1", ServiceEvent: data.ServiceEvent{ID: "s1", CustomerID: "cust-1",
			GrantID: "bp-1", ServiceID: "svc-clean", Date: data.NewDate(2026, 11, 25), Content: "Siivouspalvelu",
			Quantity: 100, UnitPrice: 3500, Status: data.StatusSettled, Version: 1,
			RecordedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}}},
	}
	return ds.Merge(more)
}

func newEvFixture(t testing.TB) *evFixture {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &evFixture{st: st, clock: &testClock{t: beforeLock}}
	st.SetClock(f.clock.now)
	if _, err := st.Apply(evDataset(t), st.Now()); err != nil {
		t.Fatal(err)
	}
	far := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	if f.key, err = st.CreateKey("prov-1", "test", far); err != nil {
		t.Fatal(err)
	}
	if f.key2, err = st.CreateKey("prov-2", "test", far); err != nil {
		t.Fatal(err)
	}
	if f.adminKey, err = st.CreateAdminKey("test admin", far); err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(Handler(st, nil))
	t.Cleanup(func() {
		f.srv.Close()
		st.Close()
	})
	return f
}

func (f *evFixture) send(t testing.TB, key string, cmd wire.Command) (int, wire.Answer) {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, f.srv.URL, key, cmd.ID, b)
}

// feed is provider key's whole feed over HTTP.
func (f *evFixture) feed(t testing.TB, key string) []wire.Change {
	t.Helper()
	code, b := get(t, fmt.Sprintf("%s%s?limit=%d", f.srv.URL, wire.PathChanges, wire.MaxPageSize), "Bearer "+key)
	var p wire.ChangesPage
	if code != http.StatusOK || json.Unmarshal(b, &p) != nil || p.More {
		t.Fatalf("feed: %d %s", code, b)
	}
	return p.Changes
}

// event is the latest Put of event id in the feed of key, with its seq.
func (f *evFixture) event(t testing.TB, key, id string) (data.ServiceEvent, uint64) {
	t.Helper()
	var ev data.ServiceEvent
	var seq uint64
	for _, c := range f.feed(t, key) {
		if c.Kind == wire.KindEvent && c.ID == id && c.Op == wire.OpPut {
			ev = data.ServiceEvent{}
			if err := json.Unmarshal(c.Data, &ev); err != nil {
				t.Fatal(err)
			}
			seq = c.Seq
		}
	}
	if seq == 0 {
		t.Fatalf("the feed has no event %s", id)
	}
	return ev, seq
}

func (f *evFixture) last(t testing.TB, provider string) uint64 {
	t.Helper()
	seq, err := f.st.LastSeq(provider)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func record(id, event, res, date, qty, start, end string) wire.Command {
	return wire.Command{ID: id, Type: wire.RecordEvent, EventID: event, ReservationID: res, Date: date,
		Quantity: qty, Start: start, End: end}
}

func refusedWith(t testing.TB, code int, a wire.Answer, wantHTTP int, want wire.RefusalCode, reason string) {
	t.Helper()
	if code != wantHTTP || a.Status != wire.StatusRefused || a.Code != want || a.Reason != reason {
		t.Fatalf("answer %d %+v, want %d refused %s/%s", code, a, wantHTTP, want, reason)
	}
}

// replay sends cmd again and checks the same answer comes back and the
// feed of provider does not grow.
func (f *evFixture) replay(t testing.TB, key, provider string, cmd wire.Command, code int, a wire.Answer) {
	t.Helper()
	before := f.last(t, provider)
	code2, a2 := f.send(t, key, cmd)
	if code2 != code || a2 != a {
		t.Errorf("replay of %s: %d %+v, first %d %+v", cmd.ID, code2, a2, code, a)
	}
	if after := f.last(t, provider); after != before {
		t.Errorf("replay of %s appended %d changes", cmd.ID, after-before)
	}
}

func TestRecordEvent(t *testing.T) {
	f := newEvFixture(t)
	cmd := record("c1", "n1", "res-1", "2026-11-28", "2.75", "08:00", "10:45")
	cmd.Note = "  morning visit "
	code, a := f.send(t, f.key, cmd)
	applied(t, code, a)
	ev, seq := f.event(t, f.key, "n1")
	if seq != a.Seq {
		t.Errorf("answer seq %d, event put at %d", a.Seq, seq)
	}
	want := data.ServiceEvent{ID: "n1", CustomerID: "cust-1", GrantID: "pp-1", ServiceID: "svc-home",
		Date: data.NewDate(2026, 11, 28), Start: "08:00", End: "10:45", Content: "Kotihoidon käynti",
		Quantity: 275, UnitPrice: 4250, VoucherUnitValue: 3600, Status: data.StatusRecorded,
		RecordedBy: "prov-1", RecordedAt: beforeLock.UTC(), Note: "morning visit", Version: 1, ReservationID: "res-1"}
	if !ev.RecordedAt.Equal(want.RecordedAt) {
		t.Errorf("recorded at %s, want the organizer's clock %s", ev.RecordedAt, want.RecordedAt)
	}
	ev.RecordedAt = want.RecordedAt
	if fmt.Sprint(ev) != fmt.Sprint(want) {
		t.Errorf("event\n%+v\nwant\n%+v", ev, want)
	}
	f.replay(t, f.key, "prov-1", cmd, code, a)

	// 7.25 h + 2.75 h = 10 h granted; 0.5 h more goes to review.
	code, a = f.send(t, f.key, record("c2", "n2", "res-1", "2026-11-29", "0.5", "09:00", "09:30"))
	applied(t, code, a)
	if ev, _ := f.event(t, f.key, "n2"); ev.Status != data.StatusInReview {
		t.Errorf("over the granted quantity: status %s", ev.Status)
	}
	// December: the price from 1.12. on; a new period, not in review.
	code, a = f.send(t, f.key, record("c3", "n3", "res-1", "2026-12-01", "1", "10:00", "11:00"))
	applied(t, code, a)
	if ev, _ := f.event(t, f.key, "n3"); ev.UnitPrice != 4500 || ev.Status != data.StatusRecorded {
		t.Errorf("December event: price %d status %s, want 4500 recorded", ev.UnitPrice, ev.Status)
	}
	// A balance grant used up: in review.
	code, a = f.send(t, f.key, record("c4", "n4", "res-b", "2026-11-30", "1", "10:00", "11:00"))
	applied(t, code, a)
	if ev, _ := f.event(t, f.key, "n4"); ev.Status != data.StatusInReview || ev.UnitPrice != 3500 {
		t.Errorf("balance used up: %s %d", ev.Status, ev.UnitPrice)
	}

	// Refusals.
	for _, c := range []struct {
		name   string
		key    string
		cmd    wire.Command
		http   int
		code   wire.RefusalCode
		reason string
	}{
		{"event id in use", f.key, record("r1", "n1", "res-1", "2026-11-27", "1", "08:00", "09:00"), 422, wire.CodeValidation, wire.ReasonMalformed},
		{"no event id", f.key, record("r2", "", "res-1", "2026-11-27", "1", "08:00", "09:00"), 422, wire.CodeValidation, wire.ReasonMalformed},
		{"bad date", f.key, record("r3", "x3", "res-1", "27.11.2026", "1", "08:00", "09:00"), 422, wire.CodeValidation, wire.ReasonMalformed},
		{"bad quantity", f.key, record("r4", "x4", "res-1", "2026-11-27", "1.001", "08:00", "09:00"), 422, wire.CodeValidation, wire.ReasonMalformed},
		{"zero quantity", f.key, record("r5", "x5", "res-1", "2026-11-27", "0", "08:00", "09:00"), 422, wire.CodeValidation, data.CodeEventQuantity},
		{"no times", f.key, record("r6", "x6", "res-1", "2026-11-27", "1", "", ""), 422, wire.CodeValidation, data.CodeEventTimes},
		{"outside the grant", f.key, record("r7", "x7", "res-1", "2027-01-02", "1", "08:00", "09:00"), 422, wire.CodeValidation, data.CodeEventOutsideReservation},
		{"locked month", f.key, record("r8", "x8", "res-1", "2026-10-30", "1", "08:00", "09:00"), 409, wire.CodeSettlementLocked, ""},
		{"no such reservation", f.key, record("r9", "x9", "res-nope", "2026-11-27", "1", "08:00", "09:00"), 422, wire.CodeNotFound, ""},
		{"another provider's reservation", f.key, record("r10", "x10", "res-2", "2026-11-27", "1", "08:00", "09:00"), 422, wire.CodeNotFound, ""},
		{"no price on the date", f.key2, record("r11", "x11", "res-2", "2026-11-27", "1", "08:00", "09:00"), 422, wire.CodeValidation, ReasonPriceMissing},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := f.last(t, "prov-1")
			code, a := f.send(t, c.key, c.cmd)
			refusedWith(t, code, a, c.http, c.code, c.reason)
			if f.last(t, "prov-1") != before {
				t.Error("a refused command changed the feed")
			}
		})
	}
	// prov-2 records on its own reservation in December at its own price;
	// the review counts prov-1's events of the grant too (none in December
	// but n3's 1 h: 1 + 9.5 > 10).
	code, a = f.send(t, f.key2, record("p2", "m1", "res-2", "2026-12-03", "9.5", "08:00", "17:30"))
	applied(t, code, a)
	if ev, _ := f.event(t, f.key2, "m1"); ev.UnitPrice != 9999 || ev.Status != data.StatusInReview || ev.RecordedBy != "prov-2" {
		t.Errorf("prov-2's event: %+v", ev)
	}

	// The feeds carry each provider's own prices only, and only its own events.
	prices := map[string][]string{}
	for _, k := range []struct{ p, key string }{{"prov-1", f.key}, {"prov-2", f.key2}} {
		for _, c := range f.feed(t, k.key) {
			switch c.Kind {
			case wire.KindPrice:
				var sp data.ServicePrice
				if err := json.Unmarshal(c.Data, &sp); err != nil || sp.ID != c.ID {
					t.Fatalf("price %s: %s %v", c.ID, c.Data, err)
				}
				prices[k.p] = append(prices[k.p], fmt.Sprintf("%s=%d", c.ID, sp.Cents))
			case wire.KindEvent:
				if (k.p == "prov-1") != (c.ID != "m1") {
					t.Errorf("%s's feed has event %s", k.p, c.ID)
				}
			}
		}
	}
	if got := fmt.Sprint(prices); got != "map[prov-1:[svc-clean=3500 svc-home=4250 svc-home@2026-12-01=4500] prov-2:[svc-home@2026-12-01=9999]]" {
		t.Errorf("prices in the feeds: %s", got)
	}

	// Apply with nothing new appends nothing after the commands.
	stats, err := f.st.Apply(Dataset{}, f.st.Now())
	if err != nil || stats.Changes["prov-1"] != 0 || stats.Changes["prov-2"] != 0 {
		t.Errorf("Apply after the commands: %v %v", stats.Changes, err)
	}
}

func edit(id, event string, version int64, date, qty, start, end string) wire.Command {
	return wire.Command{ID: id, Type: wire.EditEvent, EventID: event, Version: version, Date: date,
		Quantity: qty, Start: start, End: end}
}

func TestEditDeleteEvent(t *testing.T) {
	f := newEvFixture(t)
	// e5 (0.75 h, 23.11.) edited to 2.75 h: 7.25 − 0.75 + 2.75 = 9.25 h.
	cmd := edit("ed1", "e5", 1, "2026-11-24", "2.75", "08:00", "10:45")
	code, a := f.send(t, f.key, cmd)
	applied(t, code, a)
	ev, seq := f.event(t, f.key, "e5")
	if seq != a.Seq || ev.Version != 2 || ev.Quantity != 275 || ev.Date != data.NewDate(2026, 11, 24) || ev.Status != data.StatusRecorded {
		t.Errorf("edited e5: %+v at %d (answer %d)", ev, seq, a.Seq)
	}
	f.replay(t, f.key, "prov-1", cmd, code, a)
	// Edited again on the old version: a conflict.
	code, a = f.send(t, f.key, edit("ed2", "e5", 1, "2026-11-24", "1", "08:00", "09:00"))
	refusedWith(t, code, a, 409, wire.CodeVersionConflict, "")
	// Over the granted 10 h: back in review; re-priced on a December date.
	code, a = f.send(t, f.key, edit("ed3", "e5", 2, "2026-11-24", "3.75", "08:00", "11:45"))
	applied(t, code, a)
	if ev, _ := f.event(t, f.key, "e5"); ev.Status != data.StatusInReview || ev.Version != 3 {
		t.Errorf("edited over the grant: %s v%d", ev.Status, ev.Version)
	}
	code, a = f.send(t, f.key, edit("ed4", "e1", 1, "2026-12-01", "2", "08:00", "10:00"))
	applied(t, code, a)
	if ev, _ := f.event(t, f.key, "e1"); ev.UnitPrice != 4500 || ev.Status != data.StatusRecorded {
		t.Errorf("e1 moved to December: price %d status %s", ev.UnitPrice, ev.Status)
	}
	// e5 is now in review: no edit (forbidden), but a delete.
	code, a = f.send(t, f.key, edit("ed5", "e5", 3, "2026-11-24", "1", "08:00", "09:00"))
	refusedWith(t, code, a, 422, wire.CodeForbidden, "")

	// Delete: an approved event before the lock is deleted; a settled one is not.
	del := wire.Command{ID: "d1", Type: wire.DeleteEvent, EventID: "e2", Version: 1}
	code, a = f.send(t, f.key, del)
	applied(t, code, a)
	if ev, _ := f.event(t, f.key, "e2"); ev.Status != data.StatusDeleted || ev.Version != 2 {
		t.Errorf("deleted e2: %s v%d", ev.Status, ev.Version)
	}
	f.replay(t, f.key, "prov-1", del, code, a)
	code, a = f.send(t, f.key, wire.Command{ID: "d2", Type: wire.DeleteEvent, EventID: "s1", Version: 1})
	refusedWith(t, code, a, 422, wire.CodeForbidden, "")
	code, a = f.send(t, f.key, wire.Command{ID: "d3", Type: wire.DeleteEvent, EventID: "e4", Version: 1})
	refusedWith(t, code, a, 422, wire.CodeForbidden, "") // rejected

	// Another provider's event, or none: not found.
	code, a = f.send(t, f.key2, edit("o1", "e3", 1, "2026-11-16", "1", "08:00", "09:00"))
	refusedWith(t, code, a, 422, wire.CodeNotFound, "")
	code, a = f.send(t, f.key2, wire.Command{ID: "o2", Type: wire.DeleteEvent, EventID: "e3", Version: 1})
	refusedWith(t, code, a, 422, wire.CodeNotFound, "")
	code, a = f.send(t, f.key, wire.Command{ID: "o3", Type: wire.DeleteEvent, EventID: "nope", Version: 1})
	refusedWith(t, code, a, 422, wire.CodeNotFound, "")

	// From the lock on, nothing changes, whatever the status.
	f.clock.set(novLock)
	for _, cmd := range []wire.Command{
		edit("l1", "e5", 3, "2026-11-24", "1", "08:00", "09:00"),
		edit("l2", "c3", 1, "2026-11-17", "1", "08:00", "09:00"),
		{ID: "l3", Type: wire.DeleteEvent, EventID: "c3", Version: 1},
		{ID: "l4", Type: wire.DeleteEvent, EventID: "s1", Version: 1},
	} {
		code, a := f.send(t, f.key, cmd)
		refusedWith(t, code, a, 409, wire.CodeSettlementLocked, "")
	}
	// One second before it, c3 (recorded) could still be edited.
	f.clock.set(novLock.Add(-time.Second))
	code, a = f.send(t, f.key, edit("l5", "c3", 1, "2026-11-17", "1", "08:00", "09:00"))
	applied(t, code, a)

	stats, err := f.st.Apply(Dataset{}, f.st.Now())
	if err != nil || stats.Changes["prov-1"] != 0 {
		t.Errorf("Apply after the commands: %v %v", stats.Changes, err)
	}
}

func TestCreditRequest(t *testing.T) {
	f := newEvFixture(t)
	req := wire.Command{ID: "cr1", Type: wire.CreditRequest, EventID: "c2", Reason: "wrong_quantity", Explanation: "2 h, not 3"}
	code, a := f.send(t, f.key, req)
	refusedWith(t, code, a, 422, wire.CodeValidation, data.CodeCreditNotLocked)
	f.clock.set(novLock)
	req.ID = "cr2"
	code, a = f.send(t, f.key, req)
	applied(t, code, a)
	ev, seq := f.event(t, f.key, "c2")
	if seq != a.Seq || ev.Version != 2 || ev.CreditRequest == nil || ev.CreditRequest.State != data.CreditRequestPending ||
		ev.CreditRequest.Reason != "wrong_quantity" || !ev.CreditRequest.RequestedAt.Equal(novLock) {
		t.Errorf("credit request: %+v %+v", ev, ev.CreditRequest)
	}
	f.replay(t, f.key, "prov-1", req, code, a)
	for _, c := range []struct {
		cmd    wire.Command
		reason string
	}{
		{wire.Command{ID: "cr3", Type: wire.CreditRequest, EventID: "c2", Reason: "other", Explanation: "again"}, data.CodeCreditPending},
		{wire.Command{ID: "cr4", Type: wire.CreditRequest, EventID: "c1", Reason: "bogus", Explanation: "x"}, data.CodeCreditReason},
		{wire.Command{ID: "cr5", Type: wire.CreditRequest, EventID: "c1", Reason: "other", Explanation: " "}, data.CodeCreditExplanation},
	} {
		code, a := f.send(t, f.key, c.cmd)
		refusedWith(t, code, a, 422, wire.CodeValidation, c.reason)
	}
	code, a = f.send(t, f.key, wire.Command{ID: "cr6", Type: wire.CreditRequest, EventID: "e4", Reason: "other", Explanation: "x"})
	refusedWith(t, code, a, 422, wire.CodeForbidden, "") // rejected
	code, a = f.send(t, f.key2, wire.Command{ID: "cr7", Type: wire.CreditRequest, EventID: "c1", Reason: "other", Explanation: "x"})
	refusedWith(t, code, a, 422, wire.CodeNotFound, "")
}

// adminPost posts body to the admin path with key ("" none).
func (f *evFixture) adminPost(t testing.TB, key, path string, body any) (int, []Event, wire.ErrorReply) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+AdminPath+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var rep AdminReply
	var er wire.ErrorReply
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatalf("admin reply %s: %v", b, err)
		}
	} else if err := json.Unmarshal(b, &er); err != nil {
		t.Fatalf("admin error reply %d %s: %v", resp.StatusCode, b, err)
	}
	return resp.StatusCode, rep.Events, er
}

func TestAdmin(t *testing.T) {
	f := newEvFixture(t)
	code, a := f.send(t, f.key, record("c1", "n1", "res-1", "2026-11-29", "3", "08:00", "11:00")) // in review
	applied(t, code, a)

	// Without an admin key, or with a provider's: 401.
	for _, key := range []string{"", f.key, "psopa_nope"} {
		if code, _, er := f.adminPost(t, key, "/events/e3/approve", nil); code != http.StatusUnauthorized || er.Code != "unauthorized" {
			t.Errorf("key %.8q: %d %+v", key, code, er)
		}
	}
	if code, _ := get(t, f.srv.URL+AdminPath+"/events", "Bearer "+f.key); code != http.StatusUnauthorized {
		t.Errorf("list with a provider key: %d", code)
	}

	status := func(id string) data.Status {
		t.Helper()
		ev, _ := f.event(t, f.key, id)
		return ev.Status
	}
	ok := func(path string, body any, id string, want data.Status) {
		t.Helper()
		before, _ := f.event(t, f.key, id)
		code, evs, er := f.adminPost(t, f.adminKey, path, body)
		if code != http.StatusOK || len(evs) != 1 || evs[0].ID != id || evs[0].Status != want || evs[0].Version != before.Version+1 {
			t.Fatalf("%s: %d %+v %+v", path, code, evs, er)
		}
		if ev, _ := f.event(t, f.key, id); ev.Status != want || ev.Version != before.Version+1 {
			t.Errorf("%s: the feed has %s v%d, want %s v%d", path, ev.Status, ev.Version, want, before.Version+1)
		}
	}
	refusedAdmin := func(path string, body any, wantHTTP int, wantCode string) {
		t.Helper()
		before := f.last(t, "prov-1")
		code, _, er := f.adminPost(t, f.adminKey, path, body)
		if code != wantHTTP || er.Code != wantCode {
			t.Errorf("%s: %d %+v, want %d %s", path, code, er, wantHTTP, wantCode)
		}
		if f.last(t, "prov-1") != before {
			t.Errorf("%s: a refusal changed the feed", path)
		}
	}

	ok("/events/n1/approve", nil, "n1", data.StatusApproved)
	ok("/events/e3/reject", nil, "e3", data.StatusRejected)
	refusedAdmin("/events/e1/approve", nil, 409, data.CodeEventStatus)
	refusedAdmin("/events/nope/approve", nil, 404, "not_found")
	refusedAdmin("/events/e1/frobnicate", nil, 404, "not_found")
	refusedAdmin("/settlements", AdminRequest{Month: "2026-11"}, 409, CodeMonthNotLocked)
	refusedAdmin("/settlements", AdminRequest{Month: "November"}, 422, "validation")

	// A provider's credit request on s1 after the lock, answered; another
	// on c2, credited.
	f.clock.set(novLock)
	for _, c := range []wire.Command{
		{ID: "r1", Type: wire.CreditRequest, EventID: "s1", Reason: "duplicate", Explanation: "twice"},
		{ID: "r2", Type: wire.CreditRequest, EventID: "c2", Reason: "wrong_date", Explanation: "was 11.11."},
	} {
		code, a := f.send(t, f.key, c)
		applied(t, code, a)
	}
	refusedAdmin("/events/s1/answer", AdminRequest{Answer: " "}, 422, CodeAnswerEmpty)
	ok("/events/s1/answer", AdminRequest{Answer: "Not a duplicate: two visits."}, "s1", data.StatusSettled)
	if ev, _ := f.event(t, f.key, "s1"); ev.CreditRequest.State != data.CreditRequestAnswered || ev.CreditRequest.Answer != "Not a duplicate: two visits." {
		t.Errorf("answered request: %+v", ev.CreditRequest)
	}
	refusedAdmin("/events/s1/answer", AdminRequest{Answer: "again"}, 422, CodeNoCreditRequest)

	// The settlement of November: recorded and approved events settle; in
	// review, rejected, deleted and settled ones stay.
	code, evs, er := f.adminPost(t, f.adminKey, "/settlements", AdminRequest{Month: "2026-11"})
	var settled []string
	for _, e := range evs {
		settled = append(settled, e.ID)
	}
	if code != http.StatusOK || strings.Join(settled, " ") != "e1 c1 e2 c2 c3 e5 n1" {
		t.Fatalf("settlement: %d %v %+v", code, settled, er)
	}
	for id, want := range map[string]data.Status{"e1": data.StatusSettled, "n1": data.StatusSettled, "e3": data.StatusRejected,
		"e6": data.StatusDeleted, "e7": data.StatusSettled, "s1": data.StatusSettled} {
		if got := status(id); got != want {
			t.Errorf("after the settlement %s is %s, want %s", id, got, want)
		}
	}
	if code, evs, _ := f.adminPost(t, f.adminKey, "/settlements", AdminRequest{Month: "2026-11"}); code != 200 || len(evs) != 0 {
		t.Errorf("second run settled %d", len(evs))
	}

	ok("/events/e1/pay", nil, "e1", data.StatusPaid)
	refusedAdmin("/events/e1/pay", nil, 409, data.CodeEventStatus)
	refusedAdmin("/events/c2/credit", AdminRequest{Reason: "nope", Explanation: "x"}, 422, data.CodeCreditReason)
	refusedAdmin("/events/c2/credit", AdminRequest{Reason: "wrong_date"}, 422, data.CodeCreditExplanation)
	refusedAdmin("/events/e3/credit", AdminRequest{Reason: "other", Explanation: "x"}, 409, data.CodeEventStatus)
	ok("/events/c2/credit", AdminRequest{Reason: "wrong_date", Explanation: "Recorded on the wrong day."}, "c2", data.StatusCredited)
	if ev, _ := f.event(t, f.key, "c2"); ev.CreditRequest.State != data.CreditRequestCredited || ev.Credit == nil ||
		ev.Credit.Reason != "wrong_date" || !ev.Credit.At.Equal(novLock) {
		t.Errorf("credited c2: %+v %+v", ev.CreditRequest, ev.Credit)
	}
	ok("/events/e1/credit", AdminRequest{Reason: "other", Explanation: "Paid in error."}, "e1", data.StatusCredited)

	// The admin's list.
	code, b := get(t, f.srv.URL+AdminPath+"/events?status=credited&month=2026-11", "Bearer "+f.adminKey)
	var rep AdminReply
	if code != 200 || json.Unmarshal(b, &rep) != nil || len(rep.Events) != 2 || rep.Events[0].ID != "e1" || rep.Events[1].ProviderID != "prov-1" {
		t.Errorf("list: %d %s", code, b)
	}

	stats, err := f.st.Apply(Dataset{}, f.st.Now())
	if err != nil || stats.Changes["prov-1"] != 0 {
		t.Errorf("Apply after the admin's changes: %v %v", stats.Changes, err)
	}
}

func TestDuplicatePriceRefused(t *testing.T) {
	ds := evDataset(t)
	ds.Prices = append(ds.Prices, Price{ProviderID: "prov-1", ServiceID: "svc-home", From: data.NewDate(2026, 12, 1), Cents: 1})
	if err := ds.Validate(); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("two prices of one day: %v", err)
	}
}
