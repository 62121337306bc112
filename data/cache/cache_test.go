package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"psopdesk/sync/wire"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
)

func openTemp(t testing.TB) *Cache {
	t.Helper()
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// put makes a put change of v.
func put(seq uint64, kind wire.Kind, id string, v any) wire.Change {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b}
}

func del(seq uint64, kind wire.Kind, id string) wire.Change {
	return wire.Change{Seq: seq, Kind: kind, Op: wire.OpDelete, ID: id}
}

// applyAll applies changes as one page with the last one's Seq as cursor.
func applyAll(t testing.TB, c *Cache, changes ...wire.Change) {
	t.Helper()
	var next uint64
	if len(changes) > 0 {
		next = changes[len(changes)-1].Seq
	}
	if cur, _ := c.Cursor(); next < cur {
		next = cur
	}
	if err := c.ApplyPage(changes, next); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
}

func cust(id, first, last, hetu, number string) data.Customer {
	return data.Customer{ID: id, FirstNames: first, LastName: last, Hetu: hetu, CustomerNumber: number}
}

func lastNames(cs []data.Customer) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.LastName)
	}
	return out
}

// people is a small population with Finnish and Swedish letters.
func people(t testing.TB, c *Cache) {
	t.Helper()
	applyAll(t, c,
		put(1, wire.KindCustomer, "c-aapala", cust("c-aapala", "Sinikka", "Ääpälä", "010594Y9021", "A-1001")),
		put(2, wire.KindCustomer, "c-aalto", cust("c-aalto", "Matti Juhani", "Aalto", "131052-308T", "")),
		put(3, wire.KindCustomer, "c-virtanen", cust("c-virtanen", "Anna-Liisa", "Virtanen", "020594X903P", "77")),
		put(4, wire.KindCustomer, "c-aberg", cust("c-aberg", "Erik", "Åberg", "010516B903X", "")),
		put(5, wire.KindCustomer, "c-ohman", cust("c-ohman", "Olli", "Öhman", "020516C902J", "")),
		put(6, wire.KindCustomer, "c-virtala", cust("c-virtala", "Sinikka", "Virtala", "010501E9032", "")),
		put(7, wire.KindVoucher, "400123456", data.Voucher{Number: "400123456", CustomerID: "c-aapala", ServiceID: "svc-home"}),
		put(8, wire.KindVoucher, "400123999", data.Voucher{Number: "400123999", CustomerID: "c-aalto", ServiceID: "svc-home"}),
		put(9, wire.KindVoucher, "500000001", data.Voucher{Number: "500000001", CustomerID: "c-ohman", ServiceID: "svc-home"}),
	)
}

func TestOpenCreatesPrivateFileAndLocks(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "psopdesk")
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %v, want %v", path, got, want)
		}
	}
	// bbolt's flock is per open file description: a second Open in the
	// same process waits for the lock like another process would.
	start := time.Now()
	c2, err := Open(dir)
	if err == nil {
		c2.Close()
		t.Fatal("second Open succeeded while the first holds the file")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("second Open took %v", time.Since(start))
	}
	c.Close()
	c3, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	c3.Close()
}

func TestDataSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	people(t, c)
	c.Close()
	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if cur, _ := c.Cursor(); cur != 9 {
		t.Errorf("cursor after reopen %d, want 9", cur)
	}
	got, err := c.Search("ääpälä", 0)
	if err != nil || len(got) != 1 {
		t.Errorf("search after reopen: %v %v", lastNames(got), err)
	}
}

func TestSearch(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	tests := []struct {
		q    string
		want []string
	}{
		{"", []string{}},
		{"   ", []string{}},
		{"ääpälä", []string{"Ääpälä"}},
		{"aapala", []string{"Ääpälä"}},
		{"Ääp", []string{"Ääpälä"}},
		{"AAPA", []string{"Ääpälä"}},
		{"sinikka", []string{"Virtala", "Ääpälä"}},
		{"sin ääp", []string{"Ääpälä"}},
		{"ääpälä sinikka", []string{"Ääpälä"}},
		{"virta", []string{"Virtala", "Virtanen"}},
		{"virta sin", []string{"Virtala"}},
		{"liisa", []string{"Virtanen"}},        // a part of a hyphenated name
		{"anna-liisa", []string{"Virtanen"}},   // the whole hyphenated name
		{"juhani", []string{"Aalto"}},          // second first name
		{"aberg", []string{"Åberg"}},           // å folds to a
		{"ohm", []string{"Öhman"}},             // ö folds to o
		{"virtanen matti", []string{}},         // words of two people
		{"xyz", []string{}},                    //
		{"010594Y9021", []string{"Ääpälä"}},    // henkilötunnus
		{"010594y9021", []string{"Ääpälä"}},    // lower case input
		{" 010594 y9021 ", []string{"Ääpälä"}}, // spaces are noise
		{"131052-308t", []string{"Aalto"}},     //
		{"010594Y9021 ", []string{"Ääpälä"}},   // (a wrong check character is an error: search_test.go)
		{"010594", []string{}},                 // not a voucher number prefix of anyone
		{"400123456", []string{"Ääpälä"}},      // whole voucher number
		{"400123", []string{"Aalto", "Ääpälä"}},
		{"5", []string{}},              // under 4 digits: no voucher search
		{"5000", []string{"Öhman"}},    // a 4-digit voucher prefix
		{"a-1001", []string{"Ääpälä"}}, // customer number, any case
		{"77", []string{"Virtanen"}},   // digits: customer number too
	}
	for _, tt := range tests {
		got, err := c.Search(tt.q, 0)
		if err != nil {
			t.Errorf("Search(%q): %v", tt.q, err)
			continue
		}
		if g := lastNames(got); !slices.Equal(g, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.q, g, tt.want)
		}
	}
}

func TestSearchFinnishOrderAndLimit(t *testing.T) {
	c := openTemp(t)
	var changes []wire.Change
	for i, last := range []string{"Öhman", "Ääpälä", "Virtanen", "Åberg", "Aalto", "Zetterberg"} {
		id := fmt.Sprintf("c%d", i)
		changes = append(changes, put(uint64(i+1), wire.KindCustomer, id, cust(id, "Testi", last, "", "")))
	}
	// Same last name: by first names.
	changes = append(changes,
		put(10, wire.KindCustomer, "c10", cust("c10", "Testi Önni", "Aalto", "", "")),
		put(11, wire.KindCustomer, "c11", cust("c11", "Testi Aino", "Aalto", "", "")))
	applyAll(t, c, changes...)
	got, err := c.Search("testi", 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range got {
		names = append(names, x.LastName+" "+x.FirstNames)
	}
	want := []string{"Aalto Testi", "Aalto Testi Aino", "Aalto Testi Önni", "Virtanen Testi",
		"Zetterberg Testi", "Åberg Testi", "Ääpälä Testi", "Öhman Testi"}
	if !slices.Equal(names, want) {
		t.Errorf("order\n got %v\nwant %v", names, want)
	}
	got, _ = c.Search("testi", 4)
	if g := lastNames(got); !slices.Equal(g, []string{"Aalto", "Aalto", "Aalto", "Virtanen"}) {
		t.Errorf("limit 4: %v", g)
	}
}

func TestPutReplacesIndexEntries(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	// Sinikka Ääpälä marries, gets a new customer number; the voucher moves
	// to Aalto.
	applyAll(t, c,
		put(20, wire.KindCustomer, "c-aapala", cust("c-aapala", "Sinikka", "Niemi", "010594Y9021", "B-1")),
		put(21, wire.KindVoucher, "400123456", data.Voucher{Number: "400123456", CustomerID: "c-aalto"}),
	)
	for q, want := range map[string][]string{
		"ääpälä":      {},
		"niemi":       {"Niemi"},
		"sinikka":     {"Niemi", "Virtala"},
		"010594Y9021": {"Niemi"},
		"A-1001":      {},
		"B-1":         {"Niemi"},
		"400123456":   {"Aalto"},
	} {
		got, err := c.Search(q, 0)
		if err != nil {
			t.Fatal(err)
		}
		if g := lastNames(got); !slices.Equal(g, want) {
			t.Errorf("Search(%q) = %v, want %v", q, g, want)
		}
	}
	if v, _ := c.Vouchers("c-aapala"); len(v) != 0 {
		t.Errorf("old owner still has vouchers %v", v)
	}
	if v, _ := c.Vouchers("c-aalto"); len(v) != 2 {
		t.Errorf("new owner vouchers %v, want 2", v)
	}
	if _, err := c.CustomerByNumber("A-1001"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old customer number: %v, want ErrNotFound", err)
	}
	if got, err := c.CustomerByNumber(" b-1 "); err != nil || got.ID != "c-aapala" {
		t.Errorf("CustomerByNumber(b-1) = %v, %v", got.ID, err)
	}
}

// customerRows gives a customer one row of every kind.
func customerRows(seq uint64, id, voucher string) []wire.Change {
	return []wire.Change{
		put(seq, wire.KindVoucher, voucher, data.Voucher{Number: voucher, CustomerID: id, ServiceID: "svc-home"}),
		put(seq+1, wire.KindGrant, "g-"+id, data.Grant{ID: "g-" + id, CustomerID: id, VoucherNumber: voucher, ServiceID: "svc-home", Kind: data.KindPurchasingPower}),
		put(seq+2, wire.KindReservation, "r-"+id, data.Reservation{ID: "r-" + id, CustomerID: id, GrantID: "g-" + id}),
		put(seq+3, wire.KindEvent, "e-"+id, data.ServiceEvent{ID: "e-" + id, CustomerID: id, GrantID: "g-" + id, Status: data.StatusRecorded}),
	}
}

func TestCustomerDeleteRemovesEverythingOfTheirs(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	applyAll(t, c, customerRows(100, "c-aapala", "400123457")...)
	applyAll(t, c, customerRows(110, "c-virtala", "400999999")...)

	applyAll(t, c, del(200, wire.KindCustomer, "c-aapala"))

	for _, q := range []string{"ääpälä", "010594Y9021", "400123456", "400123457", "A-1001"} {
		if got, _ := c.Search(q, 0); len(got) != 0 {
			t.Errorf("Search(%q) after delete = %v", q, lastNames(got))
		}
	}
	if _, err := c.Customer("c-aapala"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Customer after delete: %v", err)
	}
	if g, _ := c.Grants("c-aapala"); len(g) != 0 {
		t.Errorf("grants left: %v", g)
	}
	if r, _ := c.Reservations("c-aapala"); len(r) != 0 {
		t.Errorf("reservations left: %v", r)
	}
	if e, _ := c.Events("c-aapala"); len(e) != 0 {
		t.Errorf("events left: %v", e)
	}
	counts, err := c.Counts()
	if err != nil {
		t.Fatal(err)
	}
	// Virtala's rows stay; of the people() vouchers, Aalto's and Öhman's stay.
	want := map[wire.Kind]int{wire.KindCustomer: 5, wire.KindVoucher: 3, wire.KindGrant: 1, wire.KindReservation: 1, wire.KindEvent: 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s rows %d, want %d", k, counts[k], n)
		}
	}
	if g, _ := c.Grants("c-virtala"); len(g) != 1 {
		t.Errorf("another customer's grants: %v", g)
	}
	// Deleting again, or a never-seen id, is no error.
	applyAll(t, c, del(201, wire.KindCustomer, "c-aapala"), del(202, wire.KindEvent, "nope"))
}

func TestChildDeleteAndReplace(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	applyAll(t, c, customerRows(100, "c-aalto", "400777777")...)
	applyAll(t, c,
		del(110, wire.KindEvent, "e-c-aalto"),
		put(111, wire.KindGrant, "g-c-aalto", data.Grant{ID: "g-c-aalto", CustomerID: "c-virtala", ServiceID: "svc-home"}),
	)
	if e, _ := c.Events("c-aalto"); len(e) != 0 {
		t.Errorf("deleted event still listed: %v", e)
	}
	if g, _ := c.Grants("c-aalto"); len(g) != 0 {
		t.Errorf("moved grant still under old customer: %v", g)
	}
	if g, _ := c.Grants("c-virtala"); len(g) != 1 {
		t.Errorf("moved grant not under new customer: %v", g)
	}
}

func TestApplyPageIsAtomic(t *testing.T) {
	good := put(11, wire.KindCustomer, "c-new", cust("c-new", "Uusi", "Asiakas", "010594Y9021", ""))
	tests := []struct {
		name string
		bad  wire.Change
	}{
		{"corrupt JSON", wire.Change{Seq: 12, Kind: wire.KindCustomer, Op: wire.OpPut, ID: "c-x", Data: json.RawMessage(`{"id":"c-x","hetu":"010594Y9021",`)}},
		{"wrong field type", wire.Change{Seq: 12, Kind: wire.KindCustomer, Op: wire.OpPut, ID: "c-x", Data: json.RawMessage(`{"id":"c-x","hetu":"010594Y9021","last_name":5}`)}},
		{"bad date", wire.Change{Seq: 12, Kind: wire.KindVoucher, Op: wire.OpPut, ID: "1", Data: json.RawMessage(`{"number":"1","valid_from":"31.12.2026"}`)}},
		{"no data", wire.Change{Seq: 12, Kind: wire.KindGrant, Op: wire.OpPut, ID: "g"}},
		{"unknown kind", put(12, wire.Kind("invoice"), "i", map[string]string{"id": "i"})},
		{"unknown op", wire.Change{Seq: 12, Kind: wire.KindCustomer, Op: "merge", ID: "c-x", Data: good.Data}},
		{"missing id", put(12, wire.KindService, "", data.Service{Name: "X"})},
		{"id mismatch", put(12, wire.KindService, "s1", data.Service{ID: "s2", Name: "X"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := openTemp(t)
			people(t, c)
			before, _ := c.Cursor()
			err := c.ApplyPage([]wire.Change{good, tt.bad}, 12)
			if !errors.Is(err, ErrInvalidChange) {
				t.Fatalf("ApplyPage: %v, want ErrInvalidChange", err)
			}
			if strings.Contains(err.Error(), "010594Y9021") {
				t.Errorf("error shows the henkilötunnus: %v", err)
			}
			if cur, _ := c.Cursor(); cur != before {
				t.Errorf("cursor moved to %d", cur)
			}
			if _, err := c.Customer("c-new"); !errors.Is(err, ErrNotFound) {
				t.Errorf("the page's good change was applied")
			}
		})
	}
}

func TestApplyPageRefusesCursorGoingBack(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	if err := c.ApplyPage(nil, 3); !errors.Is(err, ErrInvalidChange) {
		t.Errorf("cursor back to 3: %v", err)
	}
	if cur, _ := c.Cursor(); cur != 9 {
		t.Errorf("cursor %d", cur)
	}
}

func TestIDFilledWhenDataLacksIt(t *testing.T) {
	c := openTemp(t)
	applyAll(t, c, put(1, wire.KindVoucher, "123", data.Voucher{CustomerID: "c1"}),
		put(2, wire.KindCustomer, "c1", data.Customer{LastName: "Koski"}))
	v, _ := c.Vouchers("c1")
	if len(v) != 1 || v[0].Number != "123" {
		t.Errorf("vouchers %v", v)
	}
	got, _ := c.Search("123", 0)
	if len(got) != 1 || got[0].ID != "c1" {
		t.Errorf("search %v", got)
	}
}

func d(s string) data.Date {
	v, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestReaders(t *testing.T) {
	c := openTemp(t)
	if o, err := c.Organizer(); err != nil || o != (data.Organizer{}) {
		t.Errorf("organizer before sync: %v %v", o, err)
	}
	if p, err := c.Provider(); err != nil || p != (data.Provider{}) {
		t.Errorf("provider before sync: %v %v", p, err)
	}
	people(t, c)
	rec := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	applyAll(t, c,
		put(20, wire.KindOrganizer, "org-1", data.Organizer{ID: "org-1", Name: "Esimerkin hyvinvointialue", SettlementDay: 5}),
		put(21, wire.KindProvider, "prov-1", data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy"}),
		put(22, wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Unit: data.UnitHour}),
		put(23, wire.KindService, "svc-clean", data.Service{ID: "svc-clean", Name: "Siivous", Unit: data.UnitHour}),
		put(24, wire.KindService, "svc-a", data.Service{ID: "svc-a", Name: "Ateriapalvelu", Unit: data.UnitPiece}),
		put(30, wire.KindGrant, "g2", data.Grant{ID: "g2", CustomerID: "c-aapala", VoucherNumber: "400123457"}),
		put(31, wire.KindGrant, "g1", data.Grant{ID: "g1", CustomerID: "c-aapala", VoucherNumber: "400123456"}),
		put(40, wire.KindReservation, "r-old", data.Reservation{ID: "r-old", CustomerID: "c-aapala", From: d("2025-01-01"), To: d("2025-12-31")}),
		put(41, wire.KindReservation, "r-now", data.Reservation{ID: "r-now", CustomerID: "c-aapala", From: d("2026-01-01"), To: d("2026-11-30")}),
		put(42, wire.KindReservation, "r-open", data.Reservation{ID: "r-open", CustomerID: "c-aapala", From: d("2026-06-01")}),
		put(43, wire.KindReservation, "r-ends", data.Reservation{ID: "r-ends", CustomerID: "c-aapala", From: d("2026-02-01"), To: d("2026-11-15")}),
		put(50, wire.KindEvent, "e1", data.ServiceEvent{ID: "e1", CustomerID: "c-aapala", Date: d("2026-11-02"), Start: "08:00", RecordedAt: rec}),
		put(51, wire.KindEvent, "e2", data.ServiceEvent{ID: "e2", CustomerID: "c-aapala", Date: d("2026-11-09"), RecordedAt: rec}),
		put(52, wire.KindEvent, "e3", data.ServiceEvent{ID: "e3", CustomerID: "c-aapala", Date: d("2026-11-02"), Start: "14:00", RecordedAt: rec}),
		put(53, wire.KindEvent, "e4", data.ServiceEvent{ID: "e4", CustomerID: "c-aalto", Date: d("2026-11-20"), RecordedAt: rec}),
	)
	if o, _ := c.Organizer(); o.SettlementDay != 5 {
		t.Errorf("organizer %v", o)
	}
	if p, _ := c.Provider(); p.ID != "prov-1" {
		t.Errorf("provider %v", p)
	}
	ids := func(n int, f func(int) string) []string {
		var out []string
		for i := range n {
			out = append(out, f(i))
		}
		return out
	}
	svcs, _ := c.Services()
	if g := ids(len(svcs), func(i int) string { return svcs[i].Name }); !slices.Equal(g, []string{"Ateriapalvelu", "Kotihoito", "Siivous"}) {
		t.Errorf("services %v", g)
	}
	for _, name := range []string{"kotihoito", " KOTIHOITO ", "svc-home"} {
		if s, err := c.ServiceByName(name); err != nil || s.ID != "svc-home" {
			t.Errorf("ServiceByName(%q) = %v, %v", name, s.ID, err)
		}
	}
	if _, err := c.ServiceByName("Kotihoid"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ServiceByName of a prefix: %v", err)
	}
	gs, _ := c.Grants("c-aapala")
	if g := ids(len(gs), func(i int) string { return gs[i].ID }); !slices.Equal(g, []string{"g1", "g2"}) {
		t.Errorf("grants %v", g)
	}
	rs, _ := c.Reservations("c-aapala")
	if g := ids(len(rs), func(i int) string { return rs[i].ID }); !slices.Equal(g, []string{"r-open", "r-ends", "r-now", "r-old"}) {
		t.Errorf("reservations %v", g)
	}
	vr, _ := c.ValidReservations("c-aapala", d("2026-11-16"))
	if g := ids(len(vr), func(i int) string { return vr[i].ID }); !slices.Equal(g, []string{"r-open", "r-now"}) {
		t.Errorf("valid reservations on 16.11.2026 %v", g)
	}
	vr, _ = c.ValidReservations("c-aapala", d("2026-11-15"))
	if len(vr) != 3 {
		t.Errorf("valid reservations on 15.11.2026: %d, want 3 (ends that day)", len(vr))
	}
	es, _ := c.Events("c-aapala")
	if g := ids(len(es), func(i int) string { return es[i].ID }); !slices.Equal(g, []string{"e2", "e3", "e1"}) {
		t.Errorf("events %v", g)
	}
	vs, _ := c.Vouchers("c-aapala")
	if len(vs) != 1 || vs[0].Number != "400123456" {
		t.Errorf("vouchers %v", vs)
	}
	if _, err := c.Customer("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Customer(nope): %v", err)
	}
}

func TestStatement(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	rec := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	ev := func(seq uint64, id, grant, date, qty string, status data.Status) wire.Change {
		q, err := data.ParseQuantity(qty)
		if err != nil {
			panic(err)
		}
		return put(seq, wire.KindEvent, id, data.ServiceEvent{ID: id, CustomerID: "c-aapala", GrantID: grant,
			ServiceID: "svc-home", Date: d(date), Quantity: q, UnitPrice: 4250, VoucherUnitValue: 3600,
			Status: status, RecordedAt: rec})
	}
	applyAll(t, c,
		put(20, wire.KindProvider, "prov-1", data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy"}),
		put(21, wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Unit: data.UnitHour}),
		put(22, wire.KindGrant, "pp-1", data.Grant{ID: "pp-1", CustomerID: "c-aapala", Kind: data.KindPurchasingPower,
			VoucherNumber: "400123456", ServiceID: "svc-home", GrantedQuantity: 1000, Period: data.PeriodMonth,
			VoucherUnitValue: 3600, ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31")}),
		ev(30, "e1", "pp-1", "2026-11-02", "2.0", data.StatusRecorded),
		ev(31, "e2", "pp-1", "2026-11-09", "1.5", data.StatusApproved),
		ev(32, "e4", "pp-1", "2026-11-18", "2.0", data.StatusRejected),
		ev(33, "e7", "pp-1", "2026-10-30", "2.0", data.StatusSettled),
	)
	st, err := c.Statement("c-aapala", "svc-home", d("2026-11-01"), d("2026-11-30"), d("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	// e1 + e2: 3.5 h × 42,50 € = 148,75 €; voucher 3.5 × 36,00 € = 126,00 €.
	want := data.Totals{Price: 14875, VoucherShare: 12600, CoPayment: 2275}
	if st.Totals != want || len(st.Rows) != 2 {
		t.Errorf("totals %+v rows %d, want %+v and 2 rows", st.Totals, len(st.Rows), want)
	}
	if st.Customer.Hetu != "" || st.Provider.ID != "prov-1" || len(st.Vouchers) != 1 {
		t.Errorf("statement header: hetu %q provider %q vouchers %d", st.Customer.Hetu, st.Provider.ID, len(st.Vouchers))
	}
	for _, tt := range []struct{ customer, service string }{{"nope", "svc-home"}, {"c-aapala", "svc-x"}} {
		_, err := c.Statement(tt.customer, tt.service, d("2026-11-01"), d("2026-11-30"), d("2026-12-01"))
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("Statement(%s, %s): %v, want ErrNotFound", tt.customer, tt.service, err)
		}
	}
}

func TestReset(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if cur, _ := c.Cursor(); cur != 0 {
		t.Errorf("cursor after reset %d", cur)
	}
	if got, _ := c.Search("ääpälä", 0); len(got) != 0 {
		t.Errorf("search after reset %v", got)
	}
}

// Synthetic population for the benchmark.
var (
	benchLast  = []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Heikkilä", "Kinnunen", "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila", "Savolainen", "Lahtinen", "Ahonen", "Ääpälä", "Öhman", "Åberg"}
	benchFirst = []string{"Maria", "Juhani", "Johanna", "Mikael", "Anneli", "Olavi", "Kaarina", "Tapani", "Marjatta", "Antero", "Helena", "Sinikka", "Matti", "Aino", "Eino", "Liisa", "Väinö", "Kerttu"}
)

const hetuChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

func benchHetu(i int) string {
	day, month, year := 1+i%28, 1+(i/28)%12, 30+(i/336)%60
	zzz := 2 + i%897
	n := day*10000000 + month*100000 + year*1000 + zzz
	return fmt.Sprintf("%02d%02d%02d-%03d%c", day, month, year, zzz, hetuChars[n%31])
}

func fillBench(b *testing.B, n int) *Cache {
	c := openTemp(b)
	var page []wire.Change
	seq := uint64(0)
	for i := range n {
		id := fmt.Sprintf("c%05d", i)
		seq++
		page = append(page, put(seq, wire.KindCustomer, id, cust(id,
			benchFirst[i%len(benchFirst)]+" "+benchFirst[(i/7)%len(benchFirst)],
			benchLast[(i/3)%len(benchLast)], benchHetu(i), fmt.Sprintf("K-%d", i))))
		seq++
		num := fmt.Sprintf("4%08d", i)
		page = append(page, put(seq, wire.KindVoucher, num, data.Voucher{Number: num, CustomerID: id}))
		if len(page) >= 1000 {
			applyAll(b, c, page...)
			page = page[:0]
		}
	}
	applyAll(b, c, page...)
	return c
}

func BenchmarkSearch(b *testing.B) {
	c := fillBench(b, 5000)
	for _, bc := range []struct{ name, q string }{
		{"name-prefix", "virta"},
		{"name-two-words", "virtanen maria"},
		{"name-folded", "aapala"},
		{"hetu", strings.ToLower(benchHetu(1234))},
		{"voucher", "400001234"},
		{"voucher-prefix", "40000123"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			got, err := c.Search(bc.q, 50)
			if err != nil || len(got) == 0 {
				b.Fatalf("Search(%q) = %d results, %v", bc.q, len(got), err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				c.Search(bc.q, 50)
			}
		})
	}
}

func TestOpenEmptiesCacheOfOtherLayout(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	people(t, c)
	// Sort keys written with other collation tables would sort wrongly:
	// such a cache is emptied and refilled from the feed.
	err = c.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(keyColl, []byte("5.0.0/22")) })
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if cur, _ := c.Cursor(); cur != 0 {
		t.Errorf("cursor %d, want 0", cur)
	}
	if got, _ := c.Search("ääpälä", 0); len(got) != 0 {
		t.Errorf("old rows remain: %v", lastNames(got))
	}
}

func TestConcurrentSearchAndApply(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	done := make(chan error, 2)
	go func() {
		for i := range 50 {
			id := fmt.Sprintf("n%d", i)
			if err := c.ApplyPage([]wire.Change{put(uint64(100+i), wire.KindCustomer, id, cust(id, "Uusi", "Nieminen", "", ""))}, uint64(100+i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	go func() {
		for range 50 {
			if got, err := c.Search("sinikka", 0); err != nil || len(got) != 2 {
				done <- fmt.Errorf("search during apply: %d results, %v", len(got), err)
				return
			}
		}
		done <- nil
	}()
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if got, _ := c.Search("nieminen", 0); len(got) != 50 {
		t.Errorf("%d Nieminen, want 50", len(got))
	}
}
