package data

import (
	"encoding/json"
	"math"
	"testing"
)

func TestCentsString(t *testing.T) {
	tests := []struct {
		in   Cents
		want string
	}{
		{0, "0,00 €"},
		{5, "0,05 €"},
		{-5, "-0,05 €"},
		{4713, "47,13 €"},
		{99999, "999,99 €"},
		{100000, "1 000,00 €"},
		{123450, "1 234,50 €"},
		{-123450, "-1 234,50 €"},
		{100000000, "1 000 000,00 €"},
		{math.MinInt64, "-92 233 720 368 547 758,08 €"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("Cents(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
	}
}

func TestParseQuantity(t *testing.T) {
	tests := []struct {
		in   string
		want Quantity
		str  string // String() of the result
	}{
		{"2", 200, "2"},
		{"2.0", 200, "2"},
		{"2,0", 200, "2"},
		{"1.5", 150, "1,5"},
		{"0,75", 75, "0,75"},
		{" 0.75 ", 75, "0,75"},
		{".5", 50, "0,5"},
		{"3.", 300, "3"},
		{"2.500", 250, "2,5"},
		{"0.05", 5, "0,05"},
		{"10", 1000, "10"},
		{"0", 0, "0"},
	}
	for _, tt := range tests {
		q, err := ParseQuantity(tt.in)
		if err != nil {
			t.Errorf("ParseQuantity(%q): %v", tt.in, err)
			continue
		}
		if q != tt.want || q.String() != tt.str {
			t.Errorf("ParseQuantity(%q) = %d %q, want %d %q", tt.in, q, q.String(), tt.want, tt.str)
		}
		// The Finnish string reads back to the same quantity.
		if back, err := ParseQuantity(q.String()); err != nil || back != q {
			t.Errorf("round trip of %q: %d, %v", q.String(), back, err)
		}
	}
}

func TestParseQuantityErrors(t *testing.T) {
	for _, in := range []string{"", " ", ".", ",", "-1", "+1", "1.234", "0,125", "abc", "1e3", "1 000", "1.2.3",
		"1,5h", "99999999999999999999"} {
		if q, err := ParseQuantity(in); err == nil {
			t.Errorf("ParseQuantity(%q) = %d, want an error", in, q)
		}
	}
}

func TestQuantityJSON(t *testing.T) {
	var v struct{ A, B Quantity }
	if err := json.Unmarshal([]byte(`{"A":"0.75","B":1.5}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != 75 || v.B != 150 {
		t.Fatalf("got %d, %d", v.A, v.B)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"A":"0.75","B":"1.5"}` {
		t.Errorf("Marshal = %s", b)
	}
	if err := json.Unmarshal([]byte(`{"A":"x"}`), &v); err == nil {
		t.Error("Unmarshal of \"x\" succeeded")
	}
}

func TestQuantityTimes(t *testing.T) {
	tests := []struct {
		q    Quantity
		per  Cents
		want Cents
	}{
		{200, 4250, 8500},
		{75, 4250, 3188}, // 3187.5 rounds half away from zero
		{150, 4250, 6375},
		{1, 1, 0},          // 0.01 cents
		{50, 1, 1},         // 0.5 cents → 1
		{-50, 1, -1},       // half away from zero for negatives too
		{333, 3333, 11099}, // 110.9889 €
	}
	for _, tt := range tests {
		if got := tt.q.Times(tt.per); got != tt.want {
			t.Errorf("%s × %d = %d, want %d", tt.q, tt.per, got, tt.want)
		}
	}
}

func TestMustHelpers(t *testing.T) {
	if MustQuantity("2.75") != 275 || MustDate("2026-11-30") != NewDate(2026, 11, 30) {
		t.Error("Must helpers misread valid input")
	}
	for _, f := range []func(){func() { MustQuantity("2,755") }, func() { MustDate("2026-02-30") }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic on invalid input")
				}
			}()
			f()
		}()
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1 000", 76377: "76 377", 1234567: "1 234 567", -4500: "-4 500"} {
		if got := GroupDigits(n); got != want {
			t.Errorf("GroupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
