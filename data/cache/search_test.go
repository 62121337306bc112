package cache

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"

	"psopdesk/data"
	"psopdesk/data/hetu"
	"psopdesk/sync/wire"
)

func hitNames(hs []Hit) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, norm.NFC.String(h.Customer.LastName+" "+h.Customer.FirstNames))
	}
	return out
}

func TestSearchHitsNames(t *testing.T) {
	c := openTemp(t)
	applyAll(t, c,
		put(1, wire.KindCustomer, "1", cust("1", "Sinikka", "Ääpälä", "", "")),
		put(2, wire.KindCustomer, "2", cust("2", "Matti Juhani", "Mäkinen", "", "")),
		put(3, wire.KindCustomer, "3", cust("3", "Anna-Liisa", "Makkonen", "", "")),
		put(4, wire.KindCustomer, "4", cust("4", "Erik", "Åberg", "", "")),
		put(5, wire.KindCustomer, "5", cust("5", "Olli", "Öhman", "", "")),
		put(6, wire.KindCustomer, "6", cust("6", "Maria", "Kivelä-Mäki", "", "")),
		put(7, wire.KindCustomer, "7", cust("7", "Ville", "Ma\u0308kela\u0308", "", "")), // decomposed
		put(8, wire.KindCustomer, "8", cust("8", "Aino", "Aapala", "", "")),
		put(9, wire.KindCustomer, "9", cust("9", "Maria Johanna", "Zetterberg", "", "")),
	)
	tests := []struct {
		q    string
		want []string
	}{
		{"ääp", []string{"Ääpälä Sinikka", "Aapala Aino"}},
		{"aapala", []string{"Aapala Aino", "Ääpälä Sinikka"}}, // exact diacritics first
		{"ääpälä", []string{"Ääpälä Sinikka", "Aapala Aino"}}, // exact first, then folded
		{"AAPA", []string{"Aapala Aino", "Ääpälä Sinikka"}},   //
		{"mäk", []string{"Kivelä-Mäki Maria", "Mäkelä Ville", "Mäkinen Matti Juhani", "Makkonen Anna-Liisa"}},
		{"mak", []string{"Makkonen Anna-Liisa", "Kivelä-Mäki Maria", "Mäkelä Ville", "Mäkinen Matti Juhani"}},
		{"ma\u0308k", []string{"Kivelä-Mäki Maria", "Mäkelä Ville", "Mäkinen Matti Juhani", "Makkonen Anna-Liisa"}}, // decomposed query
		{"mäkelä", []string{"Mäkelä Ville"}},
		{"kivelä", []string{"Kivelä-Mäki Maria"}}, // a part of a hyphenated name
		{"mäki maria", []string{"Kivelä-Mäki Maria"}},
		{"kivelä-mäki", []string{"Kivelä-Mäki Maria"}},
		{"liisa", []string{"Makkonen Anna-Liisa"}},
		{"liisa anna makk", []string{"Makkonen Anna-Liisa"}},
		{"juhani", []string{"Mäkinen Matti Juhani"}}, // second first name
		{"johanna maria", []string{"Zetterberg Maria Johanna"}},
		{"juhani mä", []string{"Mäkinen Matti Juhani"}}, // any order
		{"aberg", []string{"Åberg Erik"}},
		{"Åb", []string{"Åberg Erik"}},
		{"ohm", []string{"Öhman Olli"}},
		{"maria", []string{"Kivelä-Mäki Maria", "Zetterberg Maria Johanna"}},
		{"matti maria", []string{}},
		{"x", []string{}},
	}
	for _, tt := range tests {
		got, err := c.SearchHits(tt.q, 0)
		if err != nil {
			t.Errorf("SearchHits(%q): %v", tt.q, err)
			continue
		}
		if g := hitNames(got); !slices.Equal(g, tt.want) {
			t.Errorf("SearchHits(%q) = %q, want %q", tt.q, g, tt.want)
		}
	}
	// Finnish order and limit after ordering, within the rank groups.
	got, _ := c.SearchHits("a", 0)
	// Å, Ä, Ö after Z; Åberg and Ääpälä matched only folded.
	want := []string{"Aapala Aino", "Makkonen Anna-Liisa", "Åberg Erik", "Ääpälä Sinikka"}
	if g := hitNames(got); !slices.Equal(g, want) {
		t.Errorf("SearchHits(a) = %q, want %q", g, want)
	}
	got, _ = c.SearchHits("a", 2)
	if g := hitNames(got); !slices.Equal(g, want[:2]) {
		t.Errorf("SearchHits(a, 2) = %q, want %q", g, want[:2])
	}
	got, _ = c.SearchHits("a", 3)
	if g := hitNames(got); !slices.Equal(g, want[:3]) {
		t.Errorf("SearchHits(a, 3) = %q, want %q", g, want[:3])
	}
}

func TestSearchHitsHetuFixtures(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/fixtures/hetu.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Valid   []struct{ Code string }
		Invalid []struct{ Code, Reason string }
	}
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatal(err)
	}
	c := openTemp(t)
	var changes []wire.Change
	for i, v := range fx.Valid {
		id := "c" + v.Code
		changes = append(changes, put(uint64(i+1), wire.KindCustomer, id, cust(id, "Testi", "Henkilö", v.Code, "")))
	}
	applyAll(t, c, changes...)
	dash := func(s, d string) string { return s[:6] + d + s[7:] }
	for _, v := range fx.Valid {
		qs := []string{v.Code, " " + v.Code[:6] + " " + v.Code[6:] + " "}
		if v.Code[6] == '-' {
			qs = append(qs, dash(v.Code, "\u2013"), dash(v.Code, "\u2212"))
		} else if v.Code[6] != '+' {
			qs = append(qs, dash(v.Code, string(v.Code[6]+'a'-'A')))
		}
		for _, q := range qs {
			got, err := c.SearchHits(q, 0)
			if err != nil || len(got) != 1 || got[0].Customer.ID != "c"+v.Code {
				t.Errorf("SearchHits(%q) = %d hits, %v; want exactly c%s", q, len(got), err, v.Code)
			}
		}
		// The whole code only.
		if got, err := c.SearchHits(v.Code[:10], 0); err != nil || len(got) != 0 {
			t.Errorf("SearchHits(%q) = %d hits, %v; want none", v.Code[:10], len(got), err)
		}
	}
	for _, v := range fx.Invalid {
		got, err := c.SearchHits(v.Code, 0)
		var he *hetu.Error
		if !errors.As(err, &he) || he.Reason != v.Reason || got != nil {
			t.Errorf("SearchHits(%q) = %d hits, %v; want a hetu.Error %q", v.Code, len(got), err, v.Reason)
		}
	}
}

func TestSearchHitsVoucherAndNumber(t *testing.T) {
	c := openTemp(t)
	applyAll(t, c,
		put(1, wire.KindCustomer, "a", cust("a", "Sinikka", "Ääpälä", "", "A-1001")),
		put(2, wire.KindCustomer, "b", cust("b", "Matti", "Aalto", "", "A-1002")),
		put(3, wire.KindCustomer, "c", cust("c", "Olli", "Öhman", "", "771")),
		put(4, wire.KindVoucher, "400123456", data.Voucher{Number: "400123456", CustomerID: "a"}),
		put(5, wire.KindVoucher, "400123999", data.Voucher{Number: "400123999", CustomerID: "b"}),
		put(6, wire.KindVoucher, "400129000", data.Voucher{Number: "400129000", CustomerID: "b"}),
		put(7, wire.KindVoucher, "500000001", data.Voucher{Number: "500000001", CustomerID: "c"}),
		put(8, wire.KindVoucher, "777", data.Voucher{Number: "777", CustomerID: "a"}),
		// A number that the others' are prefixes of, of a name before Ääpälä.
		put(9, wire.KindCustomer, "d", cust("d", "Ilmari", "Koskinen", "", "A-10013")),
		put(10, wire.KindVoucher, "4001234561", data.Voucher{Number: "4001234561", CustomerID: "d"}),
	)
	type hit struct{ id, voucher string }
	tests := []struct {
		q    string
		want []hit
	}{
		{"400123456", []hit{{"a", "400123456"}, {"d", "4001234561"}}},                  // the whole number first
		{"400123", []hit{{"b", "400123999"}, {"d", "4001234561"}, {"a", "400123456"}}}, // Aalto, Koskinen, Ääpälä
		{"4001", []hit{{"b", "400123999"}, {"d", "4001234561"}, {"a", "400123456"}}},   // b's lowest matching voucher
		{"400129", []hit{{"b", "400129000"}}},
		{"400", []hit{}},             // under 4 digits: no voucher prefix
		{"777", []hit{{"a", "777"}}}, // a whole voucher number of 3 digits
		{"5000", []hit{{"c", "500000001"}}},
		{"77", []hit{{"c", ""}}},  // customer-number prefix
		{"771", []hit{{"c", ""}}}, // customer number exact
		{"a-10", []hit{{"b", ""}, {"d", ""}, {"a", ""}}},
		{"A-1001", []hit{{"a", ""}, {"d", ""}}}, // the whole number first: Enter opens A-1001
		{"a-1001", []hit{{"a", ""}, {"d", ""}}},
		{"A-10013", []hit{{"d", ""}}},
		{"b-1", []hit{}},
	}
	for _, tt := range tests {
		got, err := c.SearchHits(tt.q, 0)
		if err != nil {
			t.Errorf("SearchHits(%q): %v", tt.q, err)
			continue
		}
		g := []hit{}
		for _, h := range got {
			g = append(g, hit{h.Customer.ID, h.Voucher})
		}
		if !slices.Equal(g, tt.want) {
			t.Errorf("SearchHits(%q) = %v, want %v", tt.q, g, tt.want)
		}
	}
}

// TestSearchHitsAreTheRows: hits are filled from the search record stored
// with the sort key (schema 3), not from the row; they must equal the rows,
// every field, also after a customer is changed.
func TestSearchHitsAreTheRows(t *testing.T) {
	c := openTemp(t)
	full := data.Customer{ID: "x1", FirstNames: "Anna-Liisa Åsa", LastName: "Ääpälä", Hetu: "010190-900P",
		Address: "Kotikatu 1 A 2, 00100 Helsinki", Language: "sv", CustomerNumber: "A-1001"}
	noID := data.Customer{FirstNames: "Väinö", LastName: "Ääpälä", Hetu: "020290-9010"} // id from the change
	applyAll(t, c, put(1, wire.KindCustomer, "x1", full), put(2, wire.KindCustomer, "x2", noID))
	check := func() {
		t.Helper()
		hits, err := c.SearchHits("ääp", 0)
		if err != nil || len(hits) != 2 {
			t.Fatalf("SearchHits = %v, %v", hits, err)
		}
		for _, h := range hits {
			row, err := c.Customer(h.Customer.ID)
			if err != nil || row != h.Customer {
				t.Errorf("hit %+v, row %+v (%v)", h.Customer, row, err)
			}
		}
	}
	check()
	full.Address, full.Language, full.FirstNames = "", "", "Aino"
	applyAll(t, c, put(3, wire.KindCustomer, "x1", full))
	check()
	var got data.Customer
	if !parseSearchRecord(searchRecord(nil, &full), &got) || got != full {
		t.Errorf("record round trip: %+v, want %+v", got, full)
	}
	if parseSearchRecord([]byte{5, 'a'}, &got) {
		t.Error("a cut record parsed")
	}
}
