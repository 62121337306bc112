package cache

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestMonthCounts: the month index's records summed and merged in key
// order (over several blocks), and merged into a stored value, give what
// a map of counts gives, for random changes; a value reads back as
// written and a value not well formed is told.
func TestMonthCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	prefixes := []string{"2026-01\x00svc-a", "2026-01\x00svc-a-b", "2026-01\x00", "2025-12\x00svc-a", "2026-10\x00x"}
	custs := []string{"c1", "c10", "c2", "cust-00002", "a", "z-last"}
	for round := range 50 {
		var m monthCounts
		model := map[string]map[string]int64{} // prefix → customer → count
		stored := map[string][]byte{}          // a value already stored, for mergeMonth
		for _, p := range prefixes {
			model[p] = map[string]int64{}
			if rng.IntN(2) == 0 {
				var ents []monthEntry
				for _, c := range custs {
					if rng.IntN(2) == 0 {
						ents = append(ents, monthEntry{c, int64(1 + rng.IntN(300))})
					}
				}
				slices.SortFunc(ents, func(a, b monthEntry) int { return strings.Compare(a.cust, b.cust) })
				for _, e := range ents {
					stored[p] = appendMonthEntry(stored[p], e.cust, e.n)
					model[p][e.cust] = e.n
				}
				if got, ok := monthEntries(stored[p]); len(ents) > 0 && (!ok || !slices.Equal(got, ents)) {
					t.Fatalf("value %q reads %v %v, want %v", stored[p], got, ok, ents)
				}
			}
		}
		for range rng.IntN(3000) {
			p, c := prefixes[rng.IntN(len(prefixes))], custs[rng.IntN(len(custs))]
			d := int32(1)
			if rng.IntN(3) == 0 && model[p][c] > 0 {
				d = -1
			}
			m.add([]byte(p+"\x00"+c), d)
			model[p][c] += int64(d)
		}
		var got, want []string
		for it := m.iter(); it.next(); {
			v := mergeMonth(nil, stored[it.prefix], it.ents)
			delete(stored, it.prefix)
			ents, _ := monthEntries(v)
			got = append(got, fmt.Sprintf("%q=%v", it.prefix, ents))
		}
		for p, v := range stored { // keys with no change
			ents, _ := monthEntries(v)
			got = append(got, fmt.Sprintf("%q=%v", p, ents))
		}
		for p, cs := range model {
			var ents []monthEntry
			for c, n := range cs {
				if n > 0 {
					ents = append(ents, monthEntry{c, n})
				}
			}
			slices.SortFunc(ents, func(a, b monthEntry) int { return strings.Compare(a.cust, b.cust) })
			if len(ents) > 0 {
				want = append(want, fmt.Sprintf("%q=%v", p, ents))
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d records in %d blocks):\n got %q\nwant %q", round, m.n, len(m.blocks), got, want)
		}
	}
	for _, bad := range []string{"", "c1", "c1\x00", "c1\x00\x00", "c1\x00\x81\x00", "\x00\x01", "c2\x00\x01c1\x00\x01", "c1\x00\x01c1\x00\x02"} {
		if _, ok := monthEntries([]byte(bad)); ok {
			t.Errorf("value %q taken as well formed", bad)
		}
	}
}

// TestMonthIterKeyOrder: the keys come in the byte order of the stored
// keys (month + 0x00 + service), whatever order they were added in.
func TestMonthIterKeyOrder(t *testing.T) {
	var m monthCounts
	for _, k := range []string{"2026-01\x00svc-a-b\x00c", "2026-01\x00svc-a\x00c", "2025-12\x00\x00c", "2026-01\x00\x00c", "2026-01\x00svc-a\x00b"} {
		m.add([]byte(k), 1)
	}
	var got []string
	for it := m.iter(); it.next(); {
		got = append(got, fmt.Sprintf("%q:%v", it.prefix, it.ents))
	}
	want := []string{`"2025-12\x00":[{c 1}]`, `"2026-01\x00":[{c 1}]`, `"2026-01\x00svc-a":[{b 1} {c 1}]`, `"2026-01\x00svc-a-b":[{c 1}]`}
	if !slices.Equal(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
}
