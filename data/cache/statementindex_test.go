package cache

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

func ev(id, customer, service, date string, st data.Status) data.ServiceEvent {
	return data.ServiceEvent{ID: id, CustomerID: customer, ServiceID: service, Date: d(date), Status: st}
}

// monthCountKeys lists the month index's keys, 0x00 shown as "|", each
// with its customers and counts ("key=cust:n,cust:n"), without building
// pending indexes.
func monthCountKeys(t *testing.T, c *Cache) []string {
	t.Helper()
	var out []string
	err := c.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(iMonthEvent).ForEach(func(k, v []byte) error {
			ents, ok := monthEntries(v)
			if !ok {
				t.Errorf("month key %q: value %q not well formed", k, v)
			}
			var cs []string
			for _, e := range ents {
				cs = append(cs, fmt.Sprintf("%s:%d", e.cust, e.n))
			}
			out = append(out, string(bytes.ReplaceAll(k, []byte{0}, []byte("|")))+"="+strings.Join(cs, ","))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// monthIndexKeys is monthCountKeys after building the indexes if a first
// sync left them pending (the pages after that are applied
// incrementally).
func monthIndexKeys(t *testing.T, c *Cache) []string {
	t.Helper()
	if err := c.ensureIndexes(); err != nil {
		t.Fatal(err)
	}
	return monthCountKeys(t, c)
}

func TestMonthIndexFollowsEvents(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	applyAll(t, c,
		put(20, wire.KindEvent, "e1", ev("e1", "c-aapala", "svc-home", "2026-11-02", data.StatusRecorded)),
		put(21, wire.KindEvent, "e2", ev("e2", "c-aapala", "svc-home", "2026-11-20", data.StatusApproved)),
		put(22, wire.KindEvent, "e3", ev("e3", "c-aalto", "svc-clean", "2026-10-31", data.StatusRecorded)),
	)
	want := []string{"2026-10|svc-clean=c-aalto:1", "2026-11|svc-home=c-aapala:2"}
	if got := monthIndexKeys(t, c); !slices.Equal(got, want) {
		t.Fatalf("index after puts %q, want %q", got, want)
	}
	// A re-put with another date and service moves the entry.
	applyAll(t, c, put(23, wire.KindEvent, "e1", ev("e1", "c-aapala", "svc-clean", "2026-12-01", data.StatusRecorded)))
	want = []string{"2026-10|svc-clean=c-aalto:1", "2026-11|svc-home=c-aapala:1", "2026-12|svc-clean=c-aapala:1"}
	if got := monthIndexKeys(t, c); !slices.Equal(got, want) {
		t.Fatalf("index after a re-put %q, want %q", got, want)
	}
	// The customer still has e2 in November after e1 moved away.
	if got, _ := c.StatementCustomers("svc-home", d("2026-11-15")); !slices.Equal(got, []string{"c-aapala"}) {
		t.Errorf("November's home care customers %q", got)
	}
	applyAll(t, c, del(24, wire.KindEvent, "e2"))
	want = []string{"2026-10|svc-clean=c-aalto:1", "2026-12|svc-clean=c-aapala:1"}
	if got := monthIndexKeys(t, c); !slices.Equal(got, want) {
		t.Fatalf("index after a delete %q, want %q", got, want)
	}
	if got, _ := c.StatementCustomers("svc-home", d("2026-11-15")); len(got) != 0 {
		t.Errorf("November after the delete %q, want none", got)
	}
	// A customer's deletion takes their entries.
	applyAll(t, c, del(25, wire.KindCustomer, "c-aapala"))
	want = []string{"2026-10|svc-clean=c-aalto:1"}
	if got := monthIndexKeys(t, c); !slices.Equal(got, want) {
		t.Fatalf("index after the customer's deletion %q, want %q", got, want)
	}
}

func TestStatementCustomers(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	applyAll(t, c,
		// Öhman, Virtanen, Ääpälä, Aalto, Åberg in November; Virtala in
		// December only; an event of a customer not in the cache.
		put(20, wire.KindEvent, "e1", ev("e1", "c-ohman", "svc-home", "2026-11-30", data.StatusRecorded)),
		put(21, wire.KindEvent, "e2", ev("e2", "c-virtanen", "svc-home", "2026-11-01", data.StatusPaid)),
		put(22, wire.KindEvent, "e3", ev("e3", "c-aapala", "svc-home", "2026-11-10", data.StatusInReview)),
		put(23, wire.KindEvent, "e4", ev("e4", "c-aapala", "svc-home", "2026-11-11", data.StatusRecorded)),
		put(24, wire.KindEvent, "e5", ev("e5", "c-aalto", "svc-clean", "2026-11-05", data.StatusRecorded)),
		put(25, wire.KindEvent, "e6", ev("e6", "c-aberg", "svc-home", "2026-11-05", data.StatusRejected)),
		put(26, wire.KindEvent, "e7", ev("e7", "c-virtala", "svc-home", "2026-12-01", data.StatusRecorded)),
		put(27, wire.KindEvent, "e8", ev("e8", "c-ghost", "svc-home", "2026-11-05", data.StatusRecorded)),
		put(28, wire.KindEvent, "e9", ev("e9", "c-virtala", "svc-home", "2025-11-03", data.StatusRecorded)),
	)
	for _, tc := range []struct {
		service, month string
		want           []string
	}{
		// Finnish order: Å, Ä, Ö after Z; rejected events count too.
		{"svc-home", "2026-11-01", []string{"c-virtanen", "c-aberg", "c-aapala", "c-ohman"}},
		{"svc-home", "2026-11-30", []string{"c-virtanen", "c-aberg", "c-aapala", "c-ohman"}},
		{"", "2026-11-15", []string{"c-aalto", "c-virtanen", "c-aberg", "c-aapala", "c-ohman"}},
		{"svc-clean", "2026-11-15", []string{"c-aalto"}},
		{"svc-home", "2026-12-31", []string{"c-virtala"}},
		{"svc-home", "2025-11-01", []string{"c-virtala"}},
		{"svc-home", "2026-10-31", nil},
		{"svc-hom", "2026-11-15", nil},
		{"nope", "2026-11-15", nil},
	} {
		got, err := c.StatementCustomers(tc.service, d(tc.month))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("StatementCustomers(%q, %s) = %q, want %q", tc.service, tc.month, got, tc.want)
		}
	}
}

// TestMonthIndexRebuiltOnOpen: a cache written before the index existed
// gets it on Open, its data and cursor kept.
func TestMonthIndexRebuiltOnOpen(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	people(t, c)
	applyAll(t, c,
		put(20, wire.KindEvent, "e1", ev("e1", "c-ohman", "svc-home", "2026-11-30", data.StatusRecorded)),
		put(21, wire.KindEvent, "e2", ev("e2", "c-aalto", "svc-home", "2026-11-01", data.StatusRecorded)),
	)
	if err := c.BuildIndexes(); err != nil { // the first sync's end
		t.Fatal(err)
	}
	err = c.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(iMonthEvent) })
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	c, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if cur, _ := c.Cursor(); cur != 21 {
		t.Errorf("cursor %d, want 21 (the cache kept)", cur)
	}
	if got, _ := c.StatementCustomers("svc-home", d("2026-11-01")); !slices.Equal(got, []string{"c-aalto", "c-ohman"}) {
		t.Errorf("after the rebuild %q", got)
	}
}

// TestStatementAllServices: serviceID "" gives one statement over every
// service of the customer, the services named.
func TestStatementAllServices(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	row := func(seq uint64, id, grant, service, date string) wire.Change {
		return put(seq, wire.KindEvent, id, data.ServiceEvent{ID: id, CustomerID: "c-aapala", GrantID: grant,
			ServiceID: service, Date: d(date), Quantity: 100, UnitPrice: 4000, VoucherUnitValue: 3000,
			Status: data.StatusRecorded})
	}
	grant := func(seq uint64, id, service string) wire.Change {
		return put(seq, wire.KindGrant, id, data.Grant{ID: id, CustomerID: "c-aapala", Kind: data.KindPurchasingPower,
			VoucherNumber: "4001" + id, ServiceID: service, GrantedQuantity: 1000, Period: data.PeriodMonth,
			VoucherUnitValue: 3000, ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31")})
	}
	applyAll(t, c,
		put(20, wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Unit: data.UnitHour}),
		put(21, wire.KindService, "svc-clean", data.Service{ID: "svc-clean", Name: "Siivous", Unit: data.UnitHour}),
		grant(22, "g1", "svc-home"), grant(23, "g2", "svc-clean"),
		row(30, "e1", "g1", "svc-home", "2026-11-02"),
		row(31, "e2", "g2", "svc-clean", "2026-11-03"),
	)
	st, err := c.Statement("c-aapala", "", d("2026-11-01"), d("2026-11-30"), d("2026-12-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rows) != 2 || st.Totals.Price != 8000 || st.Service.ID != "" {
		t.Errorf("all services: %d rows, price %d, service %q; want 2 rows, 8000, none", len(st.Rows), st.Totals.Price, st.Service.ID)
	}
	var names []string
	for _, s := range st.Services {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"Kotihoito", "Siivous"}) {
		t.Errorf("services %q", names)
	}
	one, err := c.Statement("c-aapala", "svc-clean", d("2026-11-01"), d("2026-11-30"), d("2026-12-01"))
	if err != nil || len(one.Rows) != 1 || one.Rows[0].EventID != "e2" {
		t.Errorf("one service: %v %+v", err, one.Rows)
	}
}
