package data

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki on machines without a zone database
)

// Helsinki is Europe/Helsinki, the zone every "day" of the domain is in.
var Helsinki = mustZone("Europe/Helsinki")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Date is a calendar day without a zone. The zero Date is "no date".
// JSON and cache keys use ISO 8601 "2006-01-02", which sorts by time;
// the UI shows Finnish "2.1.2006" (Format).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d normalised (32.1. becomes 1.2.).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar day of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today is the current day in Europe/Helsinki.
func Today() Date { return DateOf(time.Now().In(Helsinki)) }

// ParseDate reads ISO "2026-11-30". It errors when the day does not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// Errors of ParseFinnishDate, for errors.Is.
var (
	// ErrDateFormat: the text is not of the form d.m.yyyy.
	ErrDateFormat = errors.New("date not in the form d.m.yyyy")
	// ErrNoSuchDay: the form is right but the day does not exist (31.2.2026).
	ErrNoSuchDay = errors.New("no such day in the calendar")
)

// ParseFinnishDate is ParseFinnishDateIn with today's year (Today).
func ParseFinnishDate(s string) (Date, error) { return ParseFinnishDateIn(s, Today()) }

// ParseFinnishDateIn reads a date as a Finnish office worker types it:
// "30.11.2026", "1.2.2026", "1.11.26" (a two-digit year is 20yy),
// "1.11." or "1.11" (the year of today), "011126" (ddmmyy) or
// "01112026" (ddmmyyyy); surrounding spaces are ignored and a trailing dot
// allowed. It errors with ErrDateFormat when the text is none of those and
// ErrNoSuchDay when the day does not exist (both wrapped, with the text).
func ParseFinnishDateIn(s string, today Date) (Date, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q: %w", s, ErrDateFormat)
	var parts []string
	switch {
	case strings.Contains(s, "."):
		parts = strings.Split(strings.TrimSuffix(s, "."), ".")
		if len(parts) == 2 {
			parts = append(parts, strconv.Itoa(today.Year))
		}
	case len(s) == 6 || len(s) == 8:
		parts = []string{s[:2], s[2:4], s[4:]}
	}
	if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 {
		return Date{}, bad
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return Date{}, bad
		}
		n[i], _ = strconv.Atoi(p)
	}
	switch len(parts[2]) {
	case 2:
		n[2] += 2000
	case 4:
	default:
		return Date{}, bad
	}
	d := NewDate(n[2], time.Month(n[1]), n[0])
	if d.Day != n[0] || int(d.Month) != n[1] || d.Year != n[2] {
		return Date{}, fmt.Errorf("%q: %w", s, ErrNoSuchDay)
	}
	return d, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String is ISO "2006-01-02"; "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Format is the Finnish form "2.1.2006"; "" for the zero Date.
func (d Date) Format() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", d.Day, int(d.Month), d.Year)
}

// Time is 00:00 of d in loc.
func (d Date) Time(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.ord(), e.ord()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns d moved n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// Weekday of d.
func (d Date) Weekday() time.Weekday { return d.Time(time.UTC).Weekday() }

// Within reports whether from <= d <= to (a zero bound is open).
func (d Date) Within(from, to Date) bool {
	return (from.IsZero() || !d.Before(from)) && (to.IsZero() || !d.After(to))
}

func (d Date) ord() int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// MarshalJSON writes "2006-01-02" (or "" for the zero Date).
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// UnmarshalJSON reads "2006-01-02" or "".
func (d *Date) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("date: %s is not a JSON string", b)
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
