package data

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParseFinnishDate(t *testing.T) {
	today := NewDate(2026, time.December, 1)
	tests := []struct {
		in   string
		want Date
	}{
		{"30.11.2026", NewDate(2026, time.November, 30)},
		{"1.2.2026", NewDate(2026, time.February, 1)},
		{"01.02.2026", NewDate(2026, time.February, 1)},
		{" 1.2.2026. ", NewDate(2026, time.February, 1)},
		{"29.2.2028", NewDate(2028, time.February, 29)},
		{"1.11.26", NewDate(2026, time.November, 1)},
		{"1.2.26", NewDate(2026, time.February, 1)},
		{"1.11.", NewDate(2026, time.November, 1)},
		{"1.11", NewDate(2026, time.November, 1)},
		{"011126", NewDate(2026, time.November, 1)},
		{"01112026", NewDate(2026, time.November, 1)},
		{"290228", NewDate(2028, time.February, 29)},
	}
	for _, tt := range tests {
		got, err := ParseFinnishDateIn(tt.in, today)
		if err != nil || got != tt.want {
			t.Errorf("ParseFinnishDateIn(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"31.2.2026", "29.2.2026", "0.1.2026", "1.13.2026", "32.1.2026", "31.11.", "310226"} {
		if _, err := ParseFinnishDateIn(in, today); !errors.Is(err, ErrNoSuchDay) {
			t.Errorf("ParseFinnishDateIn(%q) error %v, want ErrNoSuchDay", in, err)
		}
	}
	for _, in := range []string{"", "huomenna", "2026-11-30", "a.b.cccc", "+1.2.2026", "1.2.202", "1", "1.", "11126", "1.2.3.4",
		"1..2026", "-1.2.2026", "1.2.+202", "1. 2.2026", "123.1.2026", "1.2.02026", "0111266"} {
		if got, err := ParseFinnishDateIn(in, today); !errors.Is(err, ErrDateFormat) {
			t.Errorf("ParseFinnishDateIn(%q) = %v, %v, want ErrDateFormat", in, got, err)
		}
	}
}

func TestDateFormats(t *testing.T) {
	d := NewDate(2026, time.January, 2)
	if d.String() != "2026-01-02" || d.Format() != "2.1.2026" {
		t.Errorf("String %q Format %q", d.String(), d.Format())
	}
	if (Date{}).String() != "" || (Date{}).Format() != "" {
		t.Error("zero Date prints non-empty")
	}
	b, _ := json.Marshal(d)
	var back Date
	if err := json.Unmarshal(b, &back); err != nil || back != d {
		t.Errorf("JSON round trip %s: %v %v", b, back, err)
	}
	if err := json.Unmarshal([]byte(`"2026-02-31"`), &back); err == nil {
		t.Error("2026-02-31 accepted")
	}
	if NewDate(2026, time.January, 32) != NewDate(2026, time.February, 1) {
		t.Error("NewDate does not normalise")
	}
	if !NewDate(2026, 12, 31).Before(NewDate(2027, 1, 1)) || NewDate(2026, 12, 31).AddDays(1) != NewDate(2027, 1, 1) {
		t.Error("year boundary")
	}
}

func TestPeriodOf(t *testing.T) {
	week := Grant{Period: PeriodWeek}
	month := Grant{Period: PeriodMonth}
	total := Grant{Period: PeriodTotal, ValidFrom: NewDate(2026, 1, 1), ValidTo: NewDate(2026, 12, 31)}
	tests := []struct {
		g        Grant
		d        Date
		from, to Date
	}{
		{week, NewDate(2026, 11, 30), NewDate(2026, 11, 30), NewDate(2026, 12, 6)}, // Monday
		{week, NewDate(2026, 12, 6), NewDate(2026, 11, 30), NewDate(2026, 12, 6)},  // Sunday
		{week, NewDate(2026, 12, 3), NewDate(2026, 11, 30), NewDate(2026, 12, 6)},  // Thursday
		{week, NewDate(2027, 1, 1), NewDate(2026, 12, 28), NewDate(2027, 1, 3)},    // across the year
		{month, NewDate(2026, 11, 16), NewDate(2026, 11, 1), NewDate(2026, 11, 30)},
		{month, NewDate(2028, 2, 10), NewDate(2028, 2, 1), NewDate(2028, 2, 29)},
		{month, NewDate(2026, 12, 31), NewDate(2026, 12, 1), NewDate(2026, 12, 31)},
		{Grant{}, NewDate(2026, 4, 5), NewDate(2026, 4, 1), NewDate(2026, 4, 30)}, // no period: month
		{total, NewDate(2026, 6, 1), NewDate(2026, 1, 1), NewDate(2026, 12, 31)},
	}
	for _, tt := range tests {
		from, to := PeriodOf(tt.g, tt.d)
		if from != tt.from || to != tt.to {
			t.Errorf("PeriodOf(%s, %s) = %s..%s, want %s..%s", tt.g.Period, tt.d, from, to, tt.from, tt.to)
		}
	}
}
