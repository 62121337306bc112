package cache

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"psopdesk/sync/wire"
)

// sameAsTyped fails t when parseRow (fast path or not) gives another row,
// index source or error than the typed decode alone.
func sameAsTyped(t *testing.T, kind wire.Kind, id string, raw []byte) (fast bool) {
	t.Helper()
	want, werr := parseRowTyped(kind, id, raw, true, true)
	got, gerr := parseRow(kind, id, raw, true, true)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%s %q %s: err %v, typed %v", kind, id, raw, gerr, werr)
	}
	if !bytes.Equal(got.raw, want.raw) || !reflect.DeepEqual(got.src, want.src) || !reflect.DeepEqual(got.idx, want.idx) {
		t.Fatalf("%s %q %s:\n got %s %+v\nwant %s %+v", kind, id, raw, got.raw, got.src, want.raw, want.src)
	}
	// Packed from the one scan's marks or not, the row stored is the
	// row packed; with an arena or without.
	for _, a := range []*keyArena{nil, {}} {
		prow, packed, perr := parseRowPacked(a, kind, id, raw)
		if (perr == nil) != (werr == nil) || !bytes.Equal(prow.raw, want.raw) || !reflect.DeepEqual(prow.src, want.src) {
			t.Fatalf("%s %q %s: packed parse %s %+v %v", kind, id, raw, prow.raw, prow.src, perr)
		}
		if perr == nil && !bytes.Equal(packed, packRow(want.raw)) {
			t.Fatalf("%s %q %s:\n packed %q\n want %q", kind, id, raw, packed, packRow(want.raw))
		}
	}
	_, fast = fastRow(kind, id, raw)
	return fast
}

// The key tables find every key they hold and nothing else.
func TestKeyTable(t *testing.T) {
	for i, k := range rowKeys {
		if tok, ok := keyToken.get([]byte(k)); !ok || tok != byte(1+i) {
			t.Errorf("%s: %d %v", k, tok, ok)
		}
		if _, ok := keyToken.get([]byte(k + "x")); ok {
			t.Errorf("%sx found", k)
		}
	}
	for _, k := range []string{"", "i", "Id", "ID", "customer_i", "xd"} {
		if _, ok := keyToken.get([]byte(k)); ok {
			t.Errorf("%q found", k)
		}
	}
}

// The demo's rows give the same stored bytes and index entries on the
// fast path as decoded into their types, and nearly all take it.
func TestFastRowDemo(t *testing.T) {
	var n, fast int
	for _, p := range demoPages(t, 30, 500) {
		for _, ch := range p.Changes {
			if ch.Op != wire.OpPut {
				continue
			}
			f := sameAsTyped(t, ch.Kind, ch.ID, ch.Data)
			if _, has := fastSchemas[ch.Kind]; has {
				n++
				if f {
					fast++
				}
			}
		}
	}
	if fast < n*95/100 {
		t.Errorf("%d of %d rows of a customer took the fast path, want nearly all", fast, n)
	}
}

// Rows the fast path leaves to the typed decode give what it gives.
func TestFastRowOddRows(t *testing.T) {
	ev := `"customer_id":"c1","grant_id":"g1","service_id":"s1","date":"2026-11-02","quantity":"1.5","unit_price_cents":3000,"status":"recorded","recorded_at":"2026-11-02T10:00:00Z","version":1`
	for _, tc := range []struct {
		kind wire.Kind
		id   string
		raw  string
	}{
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `}`},
		{wire.KindEvent, "e1", `{ "id": "e1", ` + ev + ` }`},
		{wire.KindEvent, "e1", `{` + ev + `}`},
		{wire.KindEvent, "e1", `{"id":"",` + ev + `}`},
		{wire.KindEvent, "e1", `{"id":"e2",` + ev + `}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"Customer_ID":"c2"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"customer_id":"c\u00e4"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"customer_id":"c` + "\xff" + `"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"note":"a\nb"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"note":null}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"quantity":1.5}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"quantity":"x"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"version":1.5}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"version":"1"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"date":"2.11.2026"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"date":""}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"recorded_at":"yesterday"}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"credit":{"reason":"other","explanation":"x","at":"2026-11-02T10:00:00Z"}}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `,"unknown":1}`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev + `}x`},
		{wire.KindEvent, "e1", `{"id":"e1",` + ev},
		{wire.KindVoucher, "v1", `{"number":"v1","customer_id":"c1","valid_from":"31.12.2026"}`},
		{wire.KindVoucher, "v1", `{"number":"v1","customer_id":"c1","valid_from":"2026-01-01","value_type":"fixed"}`},
		{wire.KindGrant, "g1", `{"id":"g1","customer_id":"c1","granted_quantity":"10","amount_cents":-5}`},
		{wire.KindReservation, "r1", `{"id":"r1","customer_id":"c1","quantity":"2","from":"2026-01-01"}`},
	} {
		sameAsTyped(t, tc.kind, tc.id, []byte(tc.raw))
	}
}

// FuzzFastRow: a row the fast path takes is one the typed decode takes
// too, with the same stored bytes and index entries.
func FuzzFastRow(f *testing.F) {
	f.Add(uint8(3), []byte(`{"id":"e1","customer_id":"c1","service_id":"s1","date":"2026-11-02","quantity":"1.5","version":1,"recorded_at":"2026-11-02T10:00:00Z"}`))
	f.Add(uint8(0), []byte(`{"number":"v1","customer_id":"c1","valid_from":"2026-01-01","value_type":"fixed"}`))
	f.Add(uint8(1), []byte(`{"id":"e1","customer_id":"c1","granted_quantity":10,"period":"month"}`))
	kinds := []wire.Kind{wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindEvent}
	f.Fuzz(func(t *testing.T, k uint8, raw []byte) {
		kind := kinds[int(k)%len(kinds)]
		id := "e1"
		if kind == wire.KindVoucher {
			id = "v1"
		}
		sameAsTyped(t, kind, id, raw)
	})
}

// A packed row unpacks to the row; a plain row reads as it is.
func TestPackRow(t *testing.T) {
	for _, p := range demoPages(t, 5, 500) {
		for _, ch := range p.Changes {
			if ch.Op != wire.OpPut {
				continue
			}
			row, err := parseRow(ch.Kind, ch.ID, ch.Data, true, false)
			if err != nil {
				t.Fatal(err)
			}
			packed := packRow(row.raw)
			if got := unpackRow(packed); !bytes.Equal(got, row.raw) {
				t.Fatalf("unpacked\n%s\nwant\n%s", got, row.raw)
			}
			if got := unpackRow(row.raw); !bytes.Equal(got, row.raw) {
				t.Fatalf("a plain row read as %s", got)
			}
		}
	}
	for _, raw := range []string{`{"note":"\"id\":x","id":"a\\"}`, `{"a":{"id":"b"},"id":""}`, `{}`, `{"x":"\u0001"}`} {
		if got := unpackRow(packRow([]byte(raw))); string(got) != raw {
			t.Errorf("%s: got %s", raw, got)
		}
	}
}

// FuzzPackRow: packing valid compact JSON is undone exactly.
func FuzzPackRow(f *testing.F) {
	f.Add([]byte(`{"id":"e1","customer_id":"c1","note":"a\"b"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		var c bytes.Buffer
		if json.Compact(&c, raw) != nil {
			return
		}
		if got := unpackRow(packRow(c.Bytes())); !bytes.Equal(got, c.Bytes()) {
			t.Fatalf("%q: got %q", c.Bytes(), got)
		}
	})
}

// BuildIndexes' passes cover every index bucket of each deferred kind.
func TestBuildPassesCoverIndexes(t *testing.T) {
	for _, kind := range deferredKinds {
		var got [][]byte
		for _, names := range buildPasses[kind] {
			got = append(got, names...)
		}
		if len(got) != len(indexesOf[kind]) {
			t.Fatalf("%s: passes %q, indexes %q", kind, got, indexesOf[kind])
		}
		for _, want := range indexesOf[kind] {
			if !slices.ContainsFunc(got, func(b []byte) bool { return bytes.Equal(b, want) }) {
				t.Errorf("%s: %s in no pass", kind, want)
			}
		}
	}
}
