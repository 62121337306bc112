package cache

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// TestMergeSet: a stored set with a page's changes applied (the last
// change of a member counting) is the set a model gives, for random sets
// and changes; setHas finds exactly the members.
func TestMergeSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	id := func() string { return []string{"a", "ab", "b", "e1", "e10", "e2", "ev-1", "x"}[rng.IntN(8)] }
	for range 2000 {
		model := map[string]bool{}
		for range rng.IntN(5) {
			model[id()] = true
		}
		var stored []byte
		if len(model) > 0 {
			stored = []byte(strings.Join(sortedKeys(model), "\x00"))
		}
		for _, m := range []string{"a", "ab", "b", "e1", "e10", "e2", "ev-1", "x", "", "aa", "e", "z"} {
			if got := setHas(stored, m); got != model[m] {
				t.Fatalf("setHas(%q, %q) = %v", stored, m, got)
			}
		}
		var ops []setOp
		for range rng.IntN(8) {
			op := setOp{member: id(), add: rng.IntN(2) == 0}
			ops = append(ops, op)
			model[op.member] = op.add
		}
		got := mergeSet(nil, stored, lastOps(ops))
		var want []string
		for _, k := range sortedKeys(model) {
			if model[k] {
				want = append(want, k)
			}
		}
		if string(got) != strings.Join(want, "\x00") {
			t.Fatalf("stored %q, ops %v: got %q, want %q", stored, ops, got, want)
		}
		if n, ok := setWellFormed(got); len(want) > 0 && (!ok || n != len(want)) {
			t.Fatalf("%q: well formed %v, %d members", got, ok, n)
		}
	}
	for _, bad := range []string{"", "a\x00a", "b\x00a", "a\x00", "\x00a"} {
		if _, ok := setWellFormed([]byte(bad)); ok {
			t.Errorf("set %q taken as well formed", bad)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// rawSets lists a set-valued index, 0x00 of the key shown as "|", without
// building pending indexes (the sets are written during a bulk first
// sync too).
func rawSets(t *testing.T, c *Cache, b []byte) []string {
	t.Helper()
	var out []string
	err := c.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(b).ForEach(func(k, v []byte) error {
			out = append(out, string(bytes.ReplaceAll(k, []byte{0}, []byte("|")))+"="+strings.Join(setIDs(v), ","))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSetIndexesFollowRows: the customer → child sets and the month
// index's counts follow puts, re-puts, moves (to another month, service,
// customer), deletes and a customer's deletion, also several changes of
// one row in one page (the last counts), in a bulk first sync and
// incrementally; Check finds them sound and the readers use them.
func TestSetIndexesFollowRows(t *testing.T) {
	for _, bulk := range []bool{true, false} {
		t.Run(map[bool]string{true: "bulk", false: "incremental"}[bulk], func(t *testing.T) {
			bulkFirstSync = bulk
			defer func() { bulkFirstSync = true }()
			testSetIndexesFollowRows(t, bulk)
		})
	}
}

func testSetIndexesFollowRows(t *testing.T, bulk bool) {
	c := openTemp(t)
	people(t, c)
	grant := func(seq uint64, id, customer string) wire.Change {
		return put(seq, wire.KindGrant, id, data.Grant{ID: id, CustomerID: customer, ServiceID: "svc-home"})
	}
	event := func(seq uint64, id, customer, service, date string) wire.Change {
		return put(seq, wire.KindEvent, id, ev(id, customer, service, date, data.StatusRecorded))
	}
	expect := func(step string, b []byte, want ...string) {
		t.Helper()
		if got := rawSets(t, c, b); !slices.Equal(got, want) {
			t.Errorf("%s: %s = %q, want %q", step, b, got, want)
		}
	}
	// The month index counts (monthindex.go); a bulk first sync writes
	// it in BuildIndexes only.
	months := func(step string, want ...string) {
		t.Helper()
		if bulk {
			want = nil
		}
		if got := monthCountKeys(t, c); !slices.Equal(got, want) {
			t.Errorf("%s: month index = %q, want %q", step, got, want)
		}
	}
	sound := func(step string) {
		t.Helper()
		if bulk {
			return // the customers' indexes are pending: Check leaves the indexes
		}
		res, err := c.CheckContent()
		if err != nil || len(res.Problems) > 0 {
			t.Errorf("%s: Check: %v %+v", step, err, res.Problems)
		}
	}

	applyAll(t, c,
		grant(20, "g1", "c-aapala"), grant(21, "g2", "c-aapala"),
		event(22, "e1", "c-aapala", "svc-home", "2026-11-02"),
		event(23, "e2", "c-aapala", "svc-home", "2026-11-20"),
		event(24, "e3", "c-aalto", "svc-clean", "2026-10-31"),
		event(25, "e1", "c-aapala", "svc-home", "2026-11-02"), // put twice
		event(26, "e4", "c-aapala", "svc-home", "2026-09-01"),
		del(27, wire.KindEvent, "e4"), // put and deleted
	)
	expect("first page", iCustEvent, "c-aalto=e3", "c-aapala=e1,e2")
	expect("first page", iCustGrant, "c-aapala=g1,g2")
	months("first page", "2026-10|svc-clean=c-aalto:1", "2026-11|svc-home=c-aapala:2")
	sound("first page")

	applyAll(t, c,
		event(30, "e1", "c-aapala", "svc-home", "2026-11-02"), // the same again
		event(31, "e2", "c-aalto", "svc-clean", "2026-10-05"), // to another customer, service, month
		del(32, wire.KindEvent, "e3"),
		event(33, "e3", "c-aalto", "svc-home", "2026-12-24"), // deleted and put again
		del(34, wire.KindGrant, "g2"),
	)
	expect("second page", iCustEvent, "c-aalto=e2,e3", "c-aapala=e1")
	expect("second page", iCustGrant, "c-aapala=g1")
	months("second page", "2026-10|svc-clean=c-aalto:1", "2026-11|svc-home=c-aapala:1", "2026-12|svc-home=c-aalto:1")
	sound("second page")

	applyAll(t, c,
		event(40, "e5", "c-aapala", "svc-home", "2026-11-03"), // put before the customer's deletion
		event(41, "e6", "c-virtala", "svc-home", "2026-11-04"),
		del(42, wire.KindCustomer, "c-aapala"),
		event(43, "e7", "c-aapala", "svc-home", "2026-11-05"), // after it: kept, its customer unknown
		event(44, "e9", "c-aalto", "svc-home", "2026-12-01"),  // added to a stored month set
	)
	expect("third page", iCustEvent, "c-aalto=e2,e3,e9", "c-aapala=e7", "c-virtala=e6")
	expect("third page", iCustGrant)
	expect("third page", iCustVoucher, "c-aalto=400123999", "c-ohman=500000001")
	third := []string{"2026-10|svc-clean=c-aalto:1", "2026-11|svc-home=c-aapala:1,c-virtala:1", "2026-12|svc-home=c-aalto:2"}
	months("third page", third...)
	sound("third page")

	if err := c.BuildIndexes(); err != nil {
		t.Fatal(err)
	}
	bulk = false
	months("after the build", third...)
	res, err := c.CheckContent()
	if err != nil || len(res.Problems) > 0 || res.IndexesPending {
		t.Errorf("Check at the end: %v %+v", err, res)
	}
	if got, err := c.StatementCustomers("svc-home", d("2026-11-01")); err != nil || !slices.Equal(got, []string{"c-virtala"}) {
		t.Errorf("StatementCustomers(svc-home, 2026-11) = %q, %v; want c-virtala", got, err)
	}
	if got, err := c.StatementCustomers("", d("2026-10-01")); err != nil || !slices.Equal(got, []string{"c-aalto"}) {
		t.Errorf("StatementCustomers(all, 2026-10) = %q, %v; want c-aalto", got, err)
	}
	evs, err := c.Events("c-aalto")
	if err != nil || len(evs) != 3 || evs[0].ID != "e3" || evs[1].ID != "e9" || evs[2].ID != "e2" {
		t.Errorf("Events(c-aalto) = %+v, %v; want e3, e9, e2", evs, err)
	}
	if g, err := c.Grants("c-aapala"); err != nil || len(g) != 0 {
		t.Errorf("Grants of the deleted customer: %+v, %v", g, err)
	}
}
