package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/sync/organizer"
	"psopdesk/sync/wire"
)

// dumpAll gives every bucket's keys and values (0x00 shown as "|"), for
// comparing two caches byte for byte.
func dumpAll(t *testing.T, c *Cache) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := c.viewDB(func(tx *bolt.Tx) error {
		for _, b := range allBuckets {
			var kvs []string
			err := tx.Bucket(b).ForEach(func(k, v []byte) error {
				kvs = append(kvs, fmt.Sprintf("%q=%q", k, v))
				return nil
			})
			if err != nil {
				return err
			}
			out[string(b)] = kvs
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameBuckets fails t where got and want differ.
func sameBuckets(t *testing.T, got, want map[string][]string) {
	t.Helper()
	for _, b := range allBuckets {
		g, w := got[string(b)], want[string(b)]
		if slices.Equal(g, w) {
			continue
		}
		for i := 0; i < max(len(g), len(w)); i++ {
			var gi, wi string
			if i < len(g) {
				gi = g[i]
			}
			if i < len(w) {
				wi = w[i]
			}
			if gi != wi {
				t.Errorf("bucket %s: %d keys, want %d; first difference at %d: %s, want %s", b, len(g), len(w), i, gi, wi)
				break
			}
		}
	}
}

// demoPages is the demo organizer's feed for prov-1 (customers customers),
// in pages of size changes.
func demoPages(t *testing.T, customers, size int) []wire.ChangesPage {
	t.Helper()
	st, err := organizer.Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, data.Helsinki)
	if _, err := st.Apply(organizer.Demo(customers, organizer.DemoSeed, now), now); err != nil {
		t.Fatal(err)
	}
	var pages []wire.ChangesPage
	for after := uint64(0); ; {
		p, err := st.Changes(organizer.DemoProvider1, after, size)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		after = p.Next
		if !p.More {
			return pages
		}
	}
}

// churnPages are pages after the feed pages that replace, move and delete
// rows of every kind with index entries: what makes bulk mode look rows
// up (re-puts, deletes, a customer's deletion with their rows, some put in
// the same page before it, a row put for them after it).
func churnPages(t *testing.T, pages []wire.ChangesPage) []wire.ChangesPage {
	t.Helper()
	seq := pages[len(pages)-1].Next
	next := func() uint64 { seq++; return seq }
	var custs []data.Customer
	var events []data.ServiceEvent
	var vouchers []data.Voucher
	for _, p := range pages {
		for _, ch := range p.Changes {
			switch {
			case ch.Op != wire.OpPut:
			case ch.Kind == wire.KindCustomer:
				var v data.Customer
				if err := json.Unmarshal(ch.Data, &v); err != nil {
					t.Fatal(err)
				}
				custs = append(custs, v)
			case ch.Kind == wire.KindEvent:
				var v data.ServiceEvent
				if err := json.Unmarshal(ch.Data, &v); err != nil {
					t.Fatal(err)
				}
				events = append(events, v)
			case ch.Kind == wire.KindVoucher:
				var v data.Voucher
				if err := json.Unmarshal(ch.Data, &v); err != nil {
					t.Fatal(err)
				}
				vouchers = append(vouchers, v)
			}
		}
	}
	if len(custs) < 10 || len(events) < 10 || len(vouchers) < 10 {
		t.Fatalf("demo feed too small: %d customers, %d events, %d vouchers", len(custs), len(events), len(vouchers))
	}
	var p1, p2 []wire.Change
	// Renamed, renumbered customers; an event moved to another customer
	// and month; a voucher moved; an event and a voucher deleted.
	c0 := custs[0]
	c0.LastName, c0.FirstNames, c0.CustomerNumber = "Ääpälä-Öhman", "Åsa Eveliina", "X-99"
	p1 = append(p1, put(next(), wire.KindCustomer, c0.ID, c0))
	c1 := custs[1]
	c1.CustomerNumber, c1.Hetu = "", "not a hetu"
	p1 = append(p1, put(next(), wire.KindCustomer, c1.ID, c1))
	e0 := events[0]
	e0.CustomerID, e0.Date = custs[2].ID, data.MustDate("2025-02-14")
	p1 = append(p1, put(next(), wire.KindEvent, e0.ID, e0))
	v0 := vouchers[0]
	v0.CustomerID = custs[3].ID
	p1 = append(p1, put(next(), wire.KindVoucher, v0.Number, v0))
	p1 = append(p1, del(next(), wire.KindEvent, events[1].ID), del(next(), wire.KindVoucher, vouchers[1].Number))
	// A customer who is not there is deleted (a feed's customer who left).
	p1 = append(p1, del(next(), wire.KindCustomer, "cust-gone"))
	// A new customer with rows, deleted in the same page; a row of theirs
	// put after the deletion stays.
	nc := data.Customer{ID: "cust-new", FirstNames: "Uusi", LastName: "Nieminen", Hetu: "010594Y9021", CustomerNumber: "N-1"}
	p2 = append(p2,
		put(next(), wire.KindCustomer, nc.ID, nc),
		put(next(), wire.KindVoucher, "499999999", data.Voucher{Number: "499999999", CustomerID: nc.ID}),
		put(next(), wire.KindEvent, "ev-new-1", data.ServiceEvent{ID: "ev-new-1", CustomerID: nc.ID, ServiceID: "svc-x", Date: data.MustDate("2026-11-03")}),
		del(next(), wire.KindCustomer, nc.ID),
		put(next(), wire.KindEvent, "ev-new-2", data.ServiceEvent{ID: "ev-new-2", CustomerID: nc.ID, ServiceID: "svc-x", Date: data.MustDate("2026-11-04")}),
	)
	// A customer of the feed deleted with all their rows, and the moved
	// event's new customer too.
	p2 = append(p2, del(next(), wire.KindCustomer, custs[4].ID), del(next(), wire.KindCustomer, custs[2].ID))
	// Re-put after all that.
	c5 := custs[5]
	c5.LastName = "Virtanen"
	p2 = append(p2, put(next(), wire.KindCustomer, c5.ID, c5))
	return []wire.ChangesPage{
		{Changes: p1, Next: p1[len(p1)-1].Seq},
		{Changes: p2, Next: p2[len(p2)-1].Seq},
	}
}

func applyPages(t *testing.T, c *Cache, pages []wire.ChangesPage) {
	t.Helper()
	for _, p := range pages {
		if err := c.ApplyPage(p.Changes, p.Next); err != nil {
			t.Fatal(err)
		}
		if err := c.MarkCaughtUp(); err != nil {
			t.Fatal(err)
		}
	}
}

func pending(t *testing.T, c *Cache) bool {
	t.Helper()
	p, err := c.IndexesPending()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBulkSyncEqualsIncremental: a first sync in bulk mode with
// BuildIndexes at its end leaves every bucket (rows, index entries, sort
// keys and search records, the month index, meta) byte for byte as
// applying the same pages incrementally does: uninterrupted, reopened
// midway (the index sources read again from the rows), after a page that
// failed, with an index read midway (which builds, the rest then
// incremental), with the pages that replace and delete rows.
func TestBulkSyncEqualsIncremental(t *testing.T) {
	feed := demoPages(t, 40, 150)
	churn := churnPages(t, feed)
	t.Run("churn", func(t *testing.T) {
		testBulkEqualsIncremental(t, append(append([]wire.ChangesPage(nil), feed...), churn...), len(feed)/2)
	})
	// Only re-puts (no deletion): the kinds' lists then hold repeats.
	reputs := churn[0]
	reputs.Changes = slices.DeleteFunc(slices.Clone(reputs.Changes), func(ch wire.Change) bool { return ch.Op == wire.OpDelete })
	t.Run("reputs", func(t *testing.T) {
		testBulkEqualsIncremental(t, append(append([]wire.ChangesPage(nil), feed...), reputs), len(feed)/2)
	})
}

func testBulkEqualsIncremental(t *testing.T, all []wire.ChangesPage, half int) {

	bulkFirstSync = false
	ref := openTemp(t)
	applyPages(t, ref, all)
	bulkFirstSync = true
	if pending(t, ref) {
		t.Fatal("incremental cache has pending indexes")
	}
	want := dumpAll(t, ref)
	if len(want[string(iMonthEvent)]) == 0 || len(want[string(iNamePrefix)]) == 0 {
		t.Fatal("reference indexes are empty")
	}

	build := func(t *testing.T, c *Cache) {
		t.Helper()
		if !pending(t, c) {
			t.Fatal("indexes not pending before the build: bulk mode not used")
		}
		if err := c.BuildIndexes(); err != nil {
			t.Fatal(err)
		}
		if pending(t, c) {
			t.Fatal("indexes pending after BuildIndexes")
		}
	}
	t.Run("bulk", func(t *testing.T) {
		c := openTemp(t)
		applyPages(t, c, all[:1])
		got := dumpAll(t, c)
		for _, ix := range [][]byte{iNamePrefix, iHetu, bSortKeys} { // the customers' (deferred)
			if n := len(got[string(ix)]); n != 0 {
				t.Errorf("%s has %d entries during the bulk sync", ix, n)
			}
		}
		applyPages(t, c, all[1:])
		build(t, c)
		sameBuckets(t, dumpAll(t, c), want)
		// Building again (not pending) gives the same.
		if err := c.BuildIndexes(); err != nil {
			t.Fatal(err)
		}
		sameBuckets(t, dumpAll(t, c), want)
	})
	t.Run("reopened", func(t *testing.T) {
		dir := t.TempDir()
		c, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		applyPages(t, c, all[:half])
		c.Close()
		if c, err = Open(dir); err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if !pending(t, c) {
			t.Fatal("indexes not pending after reopening")
		}
		applyPages(t, c, all[half:])
		build(t, c)
		sameBuckets(t, dumpAll(t, c), want)
	})
	t.Run("failed-page", func(t *testing.T) {
		c := openTemp(t)
		applyPages(t, c, all[:half])
		bad := append(append([]wire.Change(nil), all[half].Changes...), wire.Change{Seq: all[half].Next + 1, Kind: "nope", Op: wire.OpPut, ID: "x"})
		if err := c.ApplyPage(bad, all[half].Next+1); err == nil {
			t.Fatal("invalid page applied")
		}
		applyPages(t, c, all[half:])
		build(t, c)
		sameBuckets(t, dumpAll(t, c), want)
	})
	t.Run("read-midway", func(t *testing.T) {
		c := openTemp(t)
		applyPages(t, c, all[:half])
		if _, err := c.Search("a", 5); err != nil {
			t.Fatal(err)
		}
		if pending(t, c) {
			t.Fatal("indexes pending after a search")
		}
		applyPages(t, c, all[half:])
		if pending(t, c) {
			t.Fatal("bulk mode again on a cache with rows")
		}
		sameBuckets(t, dumpAll(t, c), want)
	})
}

// TestReadsBuildPendingIndexes: every read that uses an index gives, while
// a first sync has left the indexes pending, what it gives on a cache
// filled incrementally.
func TestReadsBuildPendingIndexes(t *testing.T) {
	fill := func(t *testing.T) *Cache {
		c := openTemp(t)
		people(t, c)
		applyAll(t, c,
			put(20, wire.KindOrganizer, "org-1", data.Organizer{ID: "org-1", SettlementDay: 5}),
			put(21, wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Unit: data.UnitHour}),
			put(22, wire.KindGrant, "g1", data.Grant{ID: "g1", CustomerID: "c-aapala", ServiceID: "svc-home", VoucherNumber: "400123456"}),
			put(23, wire.KindReservation, "r1", data.Reservation{ID: "r1", CustomerID: "c-aapala", GrantID: "g1", From: d("2026-01-01")}),
			put(24, wire.KindEvent, "e1", ev("e1", "c-aapala", "svc-home", "2026-11-02", data.StatusRecorded)),
			put(25, wire.KindEvent, "e2", ev("e2", "c-ohman", "svc-home", "2026-11-03", data.StatusRecorded)),
		)
		return c
	}
	reads := map[string]func(c *Cache) (any, error){
		"Search":      func(c *Cache) (any, error) { return c.Search("sinikka", 0) },
		"SearchHetu":  func(c *Cache) (any, error) { return c.SearchHits("010594Y9021", 0) },
		"SearchVouch": func(c *Cache) (any, error) { return c.SearchHits("400123456", 0) },
		"ByNumber":    func(c *Cache) (any, error) { return c.CustomerByNumber("a-1001") },
		"Statement":   func(c *Cache) (any, error) { return c.StatementCustomers("svc-home", d("2026-11-01")) },
		"Grants":      func(c *Cache) (any, error) { return c.Grants("c-aapala") },
		"Vouchers":    func(c *Cache) (any, error) { return c.Vouchers("c-aapala") },
		"Reservs":     func(c *Cache) (any, error) { return c.Reservations("c-aapala") },
		"Events":      func(c *Cache) (any, error) { return c.Events("c-aapala") },
		"View": func(c *Cache) (any, error) {
			v, err := c.CustomerView("c-aapala", d("2026-11-15"))
			return []any{v.Grants, v.Vouchers, v.Reservations, v.Events}, err
		},
		"Event": func(c *Cache) (any, error) {
			ev, _, _, err := c.Event("e1")
			return ev, err
		},
		"Holders": func(c *Cache) (any, error) { return c.numberHolders("77") },
	}
	bulkFirstSync = false
	ref := fill(t)
	bulkFirstSync = true
	for name, read := range reads {
		t.Run(name, func(t *testing.T) {
			want, err := read(ref)
			if err != nil {
				t.Fatal(err)
			}
			c := fill(t)
			if !pending(t, c) {
				t.Fatal("indexes not pending")
			}
			got, err := read(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if pending(t, c) {
				t.Error("indexes still pending after the read")
			}
		})
	}
}

// TestEntryListSort: the entries come out in bytes.Compare order of their
// keys, with shared prefixes, 0x00 bytes, keys that are prefixes of
// others, and keys ending within and after eight bytes.
func TestEntryListSort(t *testing.T) {
	defer func(n int) { entChunk = n }(entChunk)
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 100 {
		entChunk = []int{7, 16 << 10}[round%2] // entries in several chunks, in one
		var l entryList
		var keys [][]byte
		prefix := []byte("cust-0")[:r.IntN(7)]
		for range r.IntN(300) + 1 {
			k := append([]byte(nil), prefix...)
			for range r.IntN(20) {
				k = append(k, "\x00\x01ab\xff"[r.IntN(5)])
			}
			if len(k) == 0 {
				k = []byte{'k'}
			}
			keys = append(keys, k)
			l.add(k, []byte(fmt.Sprint(len(keys))))
		}
		l.sort()
		slices.SortStableFunc(keys, bytes.Compare)
		for i := range keys {
			if !bytes.Equal(l.key(i), keys[i]) {
				t.Fatalf("round %d: key %d %q, want %q", round, i, l.key(i), keys[i])
			}
		}
	}
}
