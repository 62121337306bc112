package organizer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"psopdesk/sync/wire"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
)

func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler)) // request logs of the test servers
	os.Exit(m.Run())
}

// fixture is a store with Demo(customers) at demoNow, served on a free port.
type fixture struct {
	st   *Store
	ds   Dataset
	url  string
	keys map[string]string
}

func newFixture(t testing.TB, customers int) *fixture {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// Applied at the served clock, so the first page re-evaluates nothing.
	ds := Demo(customers, DemoSeed, demoNow)
	if _, err := st.Apply(ds, st.Now()); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, p := range ds.Providers {
		if keys[p.ID], err = st.CreateKey(p.ID, "test", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	run, err := Start(context.Background(), "127.0.0.1:0", st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return &fixture{st: st, ds: ds, url: run.URL, keys: keys}
}

func get(t testing.TB, url, key string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// pullAll reads provider's whole feed page by page, checking the paging.
func (f *fixture) pullAll(t testing.TB, provider string, limit int) []wire.Change {
	t.Helper()
	var all []wire.Change
	var after uint64
	for pages := 0; ; pages++ {
		if pages > 100000 {
			t.Fatal("feed does not end")
		}
		code, b := get(t, fmt.Sprintf("%s/v1/changes?after=%d&limit=%d", f.url, after, limit), "Bearer "+f.keys[provider])
		if code != http.StatusOK {
			t.Fatalf("status %d: %s", code, b)
		}
		var p wire.ChangesPage
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Changes) > limit {
			t.Fatalf("page of %d changes, limit %d", len(p.Changes), limit)
		}
		last := after // the log is compacted: seqs increase, with gaps
		for i, c := range p.Changes {
			if c.Seq <= last {
				t.Fatalf("seq %d after %d at %d: not in order", c.Seq, last, i)
			}
			last = c.Seq
		}
		if n := len(p.Changes); n > 0 && p.Next != p.Changes[n-1].Seq || n == 0 && p.Next != after {
			t.Fatalf("next %d after %d with %d changes", p.Next, after, n)
		}
		all = append(all, p.Changes...)
		after = p.Next
		if !p.More {
			if len(p.Changes) == limit {
				// A full last page is fine, the next one must be empty.
				code, b := get(t, fmt.Sprintf("%s/v1/changes?after=%d&limit=%d", f.url, after, limit), "Bearer "+f.keys[provider])
				if code != 200 || !strings.Contains(string(b), `"changes":[]`) {
					t.Fatalf("after the last page: %d %s", code, b)
				}
			}
			return all
		}
		if len(p.Changes) != limit {
			t.Fatalf("more with a short page (%d of %d)", len(p.Changes), limit)
		}
	}
}

func TestFeedPagination(t *testing.T) {
	f := newFixture(t, 40)
	last, err := f.st.LastSeq(DemoProvider1)
	if err != nil || last == 0 {
		t.Fatalf("last seq %d, %v", last, err)
	}
	small := f.pullAll(t, DemoProvider1, 7)
	big := f.pullAll(t, DemoProvider1, wire.MaxPageSize)
	if uint64(len(small)) != last || len(big) != len(small) {
		t.Fatalf("pulled %d and %d changes, last seq %d", len(small), len(big), last)
	}
	// Default and capped page sizes.
	code, b := get(t, f.url+"/v1/changes", "Bearer "+f.keys[DemoProvider1])
	var p wire.ChangesPage
	if code != 200 || json.Unmarshal(b, &p) != nil {
		t.Fatalf("%d %s", code, b)
	}
	if want := min(int(last), wire.DefaultPageSize); len(p.Changes) != want || p.More != (int(last) > wire.DefaultPageSize) {
		t.Errorf("default page: %d changes more=%v, want %d", len(p.Changes), p.More, want)
	}
	code, b = get(t, f.url+"/v1/changes?limit=1000000", "Bearer "+f.keys[DemoProvider1])
	if code != 200 || json.Unmarshal(b, &p) != nil || len(p.Changes) != min(int(last), wire.MaxPageSize) {
		t.Errorf("limit above max: %d, %d changes", code, len(p.Changes))
	}
	// Past the end: empty, next stays, the head tells where the feed ends.
	code, b = get(t, fmt.Sprintf("%s/v1/changes?after=%d", f.url, last+10), "Bearer "+f.keys[DemoProvider1])
	feed, _ := json.Marshal(f.st.Feed(DemoProvider1))
	if want := fmt.Sprintf(`{"feed":%s,"changes":[],"next":%d,"more":false,"head":%d}`, feed, last+10, last); code != 200 || strings.TrimSpace(string(b)) != want {
		t.Errorf("past the end: %d %s, want %s", code, b, want)
	}
}

func TestFeedErrors(t *testing.T) {
	f := newFixture(t, 5)
	expired, err := f.st.CreateKey(DemoProvider1, "old", time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	good := "Bearer " + f.keys[DemoProvider1]
	cases := []struct {
		name, path, auth string
		status           int
		code             string
	}{
		{"no key", "/v1/changes", "", 401, "unauthorized"},
		{"not bearer", "/v1/changes", "Basic " + f.keys[DemoProvider1], 401, "unauthorized"},
		{"bare key", "/v1/changes", f.keys[DemoProvider1], 401, "unauthorized"},
		{"unknown key", "/v1/changes", "Bearer psopk_0000", 401, "unauthorized"},
		{"expired key", "/v1/changes", "Bearer " + expired, 401, "unauthorized"},
		{"negative after", "/v1/changes?after=-1", good, 400, "validation"},
		{"text after", "/v1/changes?after=abc", good, 400, "validation"},
		{"zero limit", "/v1/changes?limit=0", good, 400, "validation"},
		{"text limit", "/v1/changes?limit=many", good, 400, "validation"},
		{"no such path", "/v1/other", good, 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, b := get(t, f.url+c.path, c.auth)
			var e wire.ErrorReply
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("body %q is not an ErrorReply: %v", b, err)
			}
			if code != c.status || e.Code != c.code || e.Message == "" {
				t.Errorf("got %d %+v, want %d %s", code, e, c.status, c.code)
			}
			if k := f.keys[DemoProvider1]; strings.Contains(string(b), k) {
				t.Error("reply repeats the key")
			}
		})
	}
	code, b := get(t, f.url+"/v1/health", "")
	if code != 200 || !strings.Contains(string(b), `"ok"`) {
		t.Errorf("health: %d %s", code, b)
	}
	req, _ := http.NewRequest(http.MethodPost, f.url+"/v1/changes", nil)
	req.Header.Set("Authorization", good)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

// TestFeedIsolation: one provider's feed never carries another provider's
// events, reservations, customer numbers or provider record; a shared
// customer reaches both with each provider's own number.
func TestFeedIsolation(t *testing.T) {
	f := newFixture(t, 300)
	owner := map[string]string{} // event/reservation id → provider
	for _, e := range f.ds.Events {
		owner["event:"+e.ID] = e.ProviderID
	}
	for _, r := range f.ds.Reservations {
		owner["reservation:"+r.ID] = r.ProviderID
	}
	numbers := map[string]string{}
	for _, n := range f.ds.Numbers {
		numbers[n.ProviderID+"/"+n.CustomerID] = n.Number
	}
	customersOf := map[string]map[string]bool{}
	for _, p := range []string{DemoProvider1, DemoProvider2} {
		customersOf[p] = map[string]bool{}
		var ownEvents int
		for _, c := range f.pullAll(t, p, 500) {
			if c.Op != wire.OpPut {
				t.Fatalf("%s: %s on a fresh store", p, c.Op)
			}
			switch c.Kind {
			case wire.KindEvent, wire.KindReservation:
				if o := owner[string(c.Kind)+":"+c.ID]; o != p {
					t.Fatalf("%s's feed has %s %s of %q", p, c.Kind, c.ID, o)
				}
				if c.Kind == wire.KindEvent {
					ownEvents++
				}
			case wire.KindProvider:
				if c.ID != p {
					t.Fatalf("%s's feed has provider %s", p, c.ID)
				}
			case wire.KindCustomer:
				var cu data.Customer
				if err := json.Unmarshal(c.Data, &cu); err != nil {
					t.Fatal(err)
				}
				if want := numbers[p+"/"+cu.ID]; cu.CustomerNumber != want {
					t.Fatalf("%s's feed: customer %s number %q, want %q", p, cu.ID, cu.CustomerNumber, want)
				}
				customersOf[p][cu.ID] = true
			}
		}
		if ownEvents == 0 {
			t.Fatalf("%s got no events", p)
		}
	}
	shared := 0
	for id := range customersOf[DemoProvider1] {
		if customersOf[DemoProvider2][id] {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no customer reached both feeds: the isolation check saw no shared customer")
	}
	if !customersOf[DemoProvider1]["cust-1"] || customersOf[DemoProvider2]["cust-1"] {
		t.Error("cust-1 must reach prov-1 only")
	}
}

// TestVisibility: a customer without the provider's events or reservations
// in the last three years leaves the feed as one customer Delete; changed
// records arrive as Puts; an unchanged re-apply adds nothing.
func TestVisibility(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	small := loadSmall(t)
	stats, err := st.Apply(small, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	// organizer, provider, 2 services, 2 prices, customer, 2 vouchers, 2 grants, 10 events
	if n := stats.Changes["prov-1"]; n != 21 {
		t.Fatalf("%d changes, want 21", n)
	}
	p, _ := st.Changes("prov-1", 0, 100)
	if p.Changes[4].Kind != wire.KindPrice || p.Changes[4].ID != "svc-clean" || !strings.Contains(string(p.Changes[4].Data), `"cents":3500`) {
		t.Errorf("change 5 = %s %s", p.Changes[4].Kind, p.Changes[4].Data)
	}
	if p.Changes[6].Kind != wire.KindCustomer || !strings.Contains(string(p.Changes[6].Data), `"customer_number":"A-1001"`) {
		t.Errorf("change 7 = %s %s", p.Changes[6].Kind, p.Changes[6].Data)
	}
	if stats, _ = st.Apply(small, demoNow); stats.Changes["prov-1"] != 0 {
		t.Errorf("unchanged re-apply appended %d", stats.Changes["prov-1"])
	}
	e1 := small.Events[0]
	e1.Status, e1.Version = data.StatusApproved, 2
	if stats, _ = st.Apply(Dataset{Events: []Event{e1}}, demoNow); stats.Changes["prov-1"] != 1 {
		t.Errorf("one changed event appended %d", stats.Changes["prov-1"])
	}
	p, _ = st.Changes("prov-1", 21, 100)
	if len(p.Changes) != 1 || p.Changes[0].ID != "e1" || !strings.Contains(string(p.Changes[0].Data), `"approved"`) {
		t.Errorf("after the change: %+v", p)
	}
	// Three years after the last event (2026-11-27) the customer is gone.
	for _, c := range []struct {
		now     time.Time
		changes int
	}{
		{time.Date(2029, 11, 27, 12, 0, 0, 0, data.Helsinki), 0},
		{time.Date(2029, 11, 28, 12, 0, 0, 0, data.Helsinki), 1},
	} {
		stats, err := st.Apply(Dataset{}, c.now)
		if err != nil || stats.Changes["prov-1"] != c.changes {
			t.Fatalf("at %s: %v changes, %v; want %d", c.now, stats.Changes, err, c.changes)
		}
	}
	p, _ = st.Changes("prov-1", 22, 100)
	if len(p.Changes) != 1 || p.Changes[0].Kind != wire.KindCustomer || p.Changes[0].Op != wire.OpDelete || p.Changes[0].ID != "cust-1" {
		t.Errorf("visibility loss: %+v", p.Changes)
	}
	// Invalid data changes nothing.
	bad := small.Events[1]
	bad.GrantID = "nope"
	if _, err := st.Apply(Dataset{Events: []Event{bad}}, demoNow); err == nil {
		t.Error("an event of an unknown grant was accepted")
	}
}

func TestOpenBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Open(path); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Open: %v, want ErrBusy", err)
	}
}

func TestStartDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	run, err := StartDemo(ctx, dir, 30)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if !strings.HasPrefix(run.URL, "http://127.0.0.1:") || len(run.Keys) != 2 || run.Keys["prov-1"] == run.Keys["prov-2"] {
		t.Fatalf("running %s with keys for %d providers", run.URL, len(run.Keys))
	}
	code, b := get(t, run.URL+"/v1/changes?limit=5", "Bearer "+run.Keys["prov-1"])
	var p wire.ChangesPage
	if code != 200 || json.Unmarshal(b, &p) != nil || len(p.Changes) != 5 || !p.More || p.Changes[0].Kind != wire.KindOrganizer {
		t.Fatalf("%d %s", code, b)
	}
	if err := run.Close(); err != nil {
		t.Fatal(err)
	}
	// Closed: the store file is free again.
	st, err := Open(filepath.Join(dir, DemoFile))
	if err != nil {
		t.Fatalf("store not closed: %v", err)
	}
	st.Close()
}

func BenchmarkDemo2000(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		st, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("org%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.Apply(Demo(2000, DemoSeed, demoNow), demoNow); err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

func BenchmarkChangesPage(b *testing.B) {
	f := newFixture(b, 2000)
	last, _ := f.st.LastSeq(DemoProvider1)
	client := &http.Client{}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		after := uint64(i*wire.DefaultPageSize) % last
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/changes?after=%d", f.url, after), nil)
		req.Header.Set("Authorization", "Bearer "+f.keys[DemoProvider1])
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.SetBytes(n)
	}
}

func TestRequestLogHasNoKey(t *testing.T) {
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Apply(loadSmall(t), demoNow); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateKey("prov-1", "t", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	h := Handler(st, slog.New(slog.NewTextHandler(&logs, nil)))
	for _, auth := range []string{"Bearer " + key, "Bearer " + key + "x"} {
		req, _ := http.NewRequest(http.MethodGet, "/v1/changes?after=3", nil)
		req.Header.Set("Authorization", auth)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if strings.Contains(logs.String(), key[len(KeyPrefix):]) {
		t.Fatalf("log shows the key: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "provider=prov-1") || !strings.Contains(logs.String(), "status=401") {
		t.Errorf("log lacks provider or status: %s", logs.String())
	}
}
