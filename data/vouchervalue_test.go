package data

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

type voucherValueFixture struct {
	Published struct {
		Household int   `json:"household"`
		Income    int64 `json:"income_eur"`
		Limit     int64 `json:"limit_eur"`
		Pct       int   `json:"pct"`
		Max       int64 `json:"max_eur"`
		Min       int64 `json:"min_eur"`
		Value     Cents `json:"value_cents"`
	} `json:"published_example"`
	Cases []struct {
		Household int   `json:"household"`
		Income    int64 `json:"income_eur"`
		Max       int64 `json:"max_eur"`
		Min       int64 `json:"min_eur"`
		Value     Cents `json:"value_cents"`
		Up5       Cents `json:"up5_cents"`
	} `json:"cases"`
}

func TestVoucherValueFixture(t *testing.T) {
	b, err := os.ReadFile("../testdata/fixtures/voucher-values.json")
	if err != nil {
		t.Fatal(err)
	}
	var f voucherValueFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no cases")
	}
	p := f.Published
	if got := IncomeValue(Cents(p.Limit*100), p.Pct, Cents(p.Income*100), Cents(p.Max*100), Cents(p.Min*100)); got != p.Value {
		t.Errorf("published example = %d, want %d", got, p.Value)
	}
	for _, c := range f.Cases {
		t.Run(fmt.Sprintf("%dp_%deur", c.Household, c.Income), func(t *testing.T) {
			got := IncomeBasedValue(c.Household, Cents(c.Income*100), Cents(c.Max*100), Cents(c.Min*100))
			if got != c.Value {
				t.Errorf("IncomeBasedValue = %d, want %d", got, c.Value)
			}
			if up := RoundUp5(got); up != c.Up5 {
				t.Errorf("RoundUp5(%d) = %d, want %d", got, up, c.Up5)
			}
		})
	}
}

func TestIncomeLimit(t *testing.T) {
	tests := []struct {
		household int
		limit     Cents
		pct       int
	}{
		{0, 56300, 35}, {1, 56300, 35}, {2, 103900, 22}, {3, 162800, 18}, {4, 201400, 15},
		{5, 243800, 13}, {6, 279900, 11}, {7, 314100, 10}, {8, 348300, 9}, {30, 279900 + 24*34200, 0},
	}
	for _, tt := range tests {
		l, p := IncomeLimit(tt.household)
		if l != tt.limit || p != tt.pct {
			t.Errorf("IncomeLimit(%d) = %d, %d; want %d, %d", tt.household, l, p, tt.limit, tt.pct)
		}
	}
}

func TestIncomeValueRounding(t *testing.T) {
	// 1 person, limit 563 €, 35 %: each euro over the limit takes 35/60 cents.
	tests := []struct {
		income, want Cents
	}{
		{56300, 2700},         // at the limit: max
		{56300 + 100, 2699},   // 0.583… cents off → 2699.42 → 2699
		{56300 + 600, 2697},   // 3.5 cents off → 2696.5 → rounds half away: 2697
		{56300 + 342900, 700}, // far over: clamped to min
		{-100000, 2700},       // nonsense income below the limit: clamped to max
	}
	for _, tt := range tests {
		if got := IncomeValue(56300, 35, tt.income, 2700, 700); got != tt.want {
			t.Errorf("IncomeValue(income %d) = %d, want %d", tt.income, got, tt.want)
		}
	}
}

func TestRoundUp5(t *testing.T) {
	for in, want := range map[Cents]Cents{0: 0, 1: 5, 4: 5, 5: 5, 2501: 2505, 2505: 2505, 2506: 2510, -3: 0, -7: -5} {
		if got := RoundUp5(in); got != want {
			t.Errorf("RoundUp5(%d) = %d, want %d", in, got, want)
		}
	}
}
