package data

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// errCode is the Code of err's *Error, "" for nil.
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var de *Error
	if !errors.As(err, &de) {
		t.Fatalf("%v is not a *data.Error", err)
	}
	return de.Code
}

func TestSettlementLockEditDelete(t *testing.T) {
	at := func(y int, m time.Month, d, h, mi, s int) time.Time { return time.Date(y, m, d, h, mi, s, 0, Helsinki) }
	tests := []struct {
		name     string
		date     Date
		day      int
		lock     string // RFC 3339
		now      time.Time
		mayStill bool
	}{
		{"a second before day 7", NewDate(2026, 11, 30), 7, "2026-12-07T00:00:00+02:00", at(2026, 12, 6, 23, 59, 59), true},
		{"at 00:00 of day 7", NewDate(2026, 11, 30), 7, "2026-12-07T00:00:00+02:00", at(2026, 12, 7, 0, 0, 0), false},
		{"summer time, before", NewDate(2026, 3, 31), 5, "2026-04-05T00:00:00+03:00", at(2026, 4, 4, 23, 59, 59), true},
		{"summer time, at", NewDate(2026, 3, 31), 5, "2026-04-05T00:00:00+03:00", at(2026, 4, 5, 0, 0, 0), false},
		{"summer time, at in UTC", NewDate(2026, 3, 31), 5, "2026-04-05T00:00:00+03:00", time.Date(2026, 4, 4, 21, 0, 0, 0, time.UTC), false},
		{"New Year, before", NewDate(2026, 12, 31), 5, "2027-01-05T00:00:00+02:00", at(2027, 1, 4, 23, 59, 59), true},
		{"New Year, at", NewDate(2026, 12, 31), 5, "2027-01-05T00:00:00+02:00", at(2027, 1, 5, 0, 0, 0), false},
		{"first of the month", NewDate(2026, 12, 1), 5, "2027-01-05T00:00:00+02:00", at(2026, 12, 31, 12, 0, 0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SettlementLock(tt.date, tt.day).Format(time.RFC3339); got != tt.lock {
				t.Errorf("SettlementLock(%s, %d) = %s, want %s", tt.date, tt.day, got, tt.lock)
			}
			ev := ServiceEvent{ID: "e", Date: tt.date, Status: StatusRecorded, Version: 3, Quantity: 100}
			want := CodeEventLocked
			if tt.mayStill {
				want = ""
			}
			if got := EditBlock(ev, tt.day, tt.now); got != want {
				t.Errorf("EditBlock = %q, want %q", got, want)
			}
			if got := DeleteBlock(ev, tt.day, tt.now); got != want {
				t.Errorf("DeleteBlock = %q, want %q", got, want)
			}
			if got := errCode(t, CheckDelete(ev, 3, tt.day, tt.now)); got != want {
				t.Errorf("CheckDelete = %q, want %q", got, want)
			}
			g := Grant{ID: "g", Kind: KindPurchasingPower, ValidFrom: NewDate(2026, 1, 1), ValidTo: NewDate(2027, 12, 31)}
			svc := Service{ID: "s", Unit: UnitVisit}
			if got := errCode(t, CheckEdit(ev, 3, ev.Input(), Reservation{}, g, svc, tt.day, tt.now)); got != want {
				t.Errorf("CheckEdit = %q, want %q", got, want)
			}
			if got := errCode(t, CheckRecord(ev.Input(), Reservation{}, g, svc, tt.day, tt.now)); got != want {
				t.Errorf("CheckRecord = %q, want %q", got, want)
			}
			// A credit request is the other way round: only after the lock.
			wantCredit := ""
			if tt.mayStill {
				wantCredit = CodeCreditNotLocked
			}
			if got := errCode(t, CheckCreditRequest(ev, "duplicate", "twice", tt.day, tt.now)); got != wantCredit {
				t.Errorf("CheckCreditRequest = %q, want %q", got, wantCredit)
			}
		})
	}
}

func TestStatusRights(t *testing.T) {
	// DOMAIN.md §4: before the lock by the status table; after it nothing.
	day := 5
	before := time.Date(2026, 12, 4, 12, 0, 0, 0, Helsinki)
	after := time.Date(2026, 12, 5, 0, 0, 0, 0, Helsinki)
	tests := []struct {
		s         Status
		edit, del bool
		credit    string // CheckCreditRequest after the lock
	}{
		{StatusRecorded, true, true, ""},
		{StatusInReview, false, true, ""},
		{StatusApproved, false, true, ""},
		{StatusRejected, false, false, CodeEventStatus},
		{StatusSettled, false, false, ""},
		{StatusPaid, false, false, ""},
		{StatusCredited, false, false, CodeEventStatus},
		{StatusDeleted, false, false, CodeEventStatus},
	}
	if len(tests) != len(Statuses) {
		t.Fatalf("table has %d statuses, Statuses %d", len(tests), len(Statuses))
	}
	g := Grant{ID: "g", Kind: KindPurchasingPower, ValidFrom: NewDate(2026, 1, 1), ValidTo: NewDate(2026, 12, 31)}
	svc := Service{ID: "s", Unit: UnitVisit}
	for _, tt := range tests {
		t.Run(string(tt.s), func(t *testing.T) {
			ev := ServiceEvent{ID: "e", Date: NewDate(2026, 11, 20), Status: tt.s, Version: 1, Quantity: 100}
			code := func(ok bool) string {
				if ok {
					return ""
				}
				return CodeEventStatus
			}
			if got := errCode(t, CheckEdit(ev, 1, ev.Input(), Reservation{}, g, svc, day, before)); got != code(tt.edit) {
				t.Errorf("edit before the lock: %q, want %q", got, code(tt.edit))
			}
			if got := errCode(t, CheckDelete(ev, 1, day, before)); got != code(tt.del) {
				t.Errorf("delete before the lock: %q, want %q", got, code(tt.del))
			}
			if got := errCode(t, CheckEdit(ev, 1, ev.Input(), Reservation{}, g, svc, day, after)); got != CodeEventLocked {
				t.Errorf("edit after the lock: %q", got)
			}
			if got := errCode(t, CheckDelete(ev, 1, day, after)); got != CodeEventLocked {
				t.Errorf("delete after the lock: %q", got)
			}
			// An older version is a conflict before anything else.
			if got := errCode(t, CheckEdit(ev, 0, ev.Input(), Reservation{}, g, svc, day, after)); got != CodeEventVersion {
				t.Errorf("edit of an old version: %q", got)
			}
			if got := errCode(t, CheckDelete(ev, 2, day, before)); got != CodeEventVersion {
				t.Errorf("delete of another version: %q", got)
			}
			if got := errCode(t, CheckCreditRequest(ev, "other", "x", day, after)); got != tt.credit {
				t.Errorf("credit request after the lock: %q, want %q", got, tt.credit)
			}
		})
	}
}

func TestCheckCreditRequestFields(t *testing.T) {
	after := time.Date(2026, 12, 5, 0, 0, 0, 0, Helsinki)
	ev := ServiceEvent{ID: "e", Date: NewDate(2026, 11, 20), Status: StatusSettled, Version: 1}
	for _, c := range []struct {
		reason, explanation string
		pending             bool
		want                string
	}{
		{"duplicate", "recorded twice", false, ""},
		{"wrong_service", "x", false, ""},
		{"bogus", "x", false, CodeCreditReason},
		{"", "x", false, CodeCreditReason},
		{"other", "  ", false, CodeCreditExplanation},
		{"other", "again", true, CodeCreditPending},
	} {
		e := ev
		if c.pending {
			e.CreditRequest = &CreditRequest{Reason: "other", Explanation: "x", State: CreditRequestPending}
		}
		if got := errCode(t, CheckCreditRequest(e, c.reason, c.explanation, 5, after)); got != c.want {
			t.Errorf("%q %q pending %v: %q, want %q", c.reason, c.explanation, c.pending, got, c.want)
		}
	}
	answered := ev
	answered.CreditRequest = &CreditRequest{Reason: "other", Explanation: "x", State: CreditRequestAnswered}
	if err := CheckCreditRequest(answered, "other", "once more", 5, after); err != nil {
		t.Errorf("a new request after an answer: %v", err)
	}
}

// TestScenarioExpectedReview runs the scenario's expected_review cases
// through Review, the function the organizer's record_event uses.
func TestScenarioExpectedReview(t *testing.T) {
	s := loadScenario(t)
	for i, r := range s.Review {
		t.Run(r.About, func(t *testing.T) {
			g := s.grants[r.Grant]
			svc := s.services[g.ServiceID]
			probe := s.event(t, fmt.Sprintf("probe-%d", i), r.Grant, r.Date, r.Quantity, StatusRecorded)
			out := Review(g, svc, s.events, probe)
			if want := r.Status == StatusInReview; out.InReview != want {
				t.Errorf("Review = %+v, want in review %v (expected status %s)", out, want, r.Status)
			}
			if out.InReview {
				want := ReviewOverQuantity
				if g.Kind == KindBalancePurchasingPower {
					want = ReviewOverBalance
				}
				if out.Reason != want {
					t.Errorf("reason %q, want %q", out.Reason, want)
				}
			}
			svc.ReviewAll = true
			if out := Review(g, svc, s.events, probe); !out.InReview || out.Reason != ReviewAll {
				t.Errorf("review_all service: %+v", out)
			}
		})
	}
}

func TestPriceOn(t *testing.T) {
	prices := []ServicePrice{
		{ID: "h", ServiceID: "h", Cents: 4000},
		{ID: "h@2026-12-01", ServiceID: "h", From: NewDate(2026, 12, 1), Cents: 4500},
		{ID: "h@2027-06-01", ServiceID: "h", From: NewDate(2027, 6, 1), Cents: 4700},
		{ID: "c@2026-06-01", ServiceID: "c", From: NewDate(2026, 6, 1), Cents: 3000},
	}
	for _, c := range []struct {
		svc  string
		d    Date
		want Cents
		ok   bool
	}{
		{"h", NewDate(2026, 11, 30), 4000, true},
		{"h", NewDate(2026, 12, 1), 4500, true},
		{"h", NewDate(2027, 5, 31), 4500, true},
		{"h", NewDate(2027, 6, 1), 4700, true},
		{"c", NewDate(2026, 5, 31), 0, false},
		{"c", NewDate(2026, 6, 1), 3000, true},
		{"x", NewDate(2026, 6, 1), 0, false},
	} {
		if got, ok := PriceOn(prices, c.svc, c.d); got != c.want || ok != c.ok {
			t.Errorf("PriceOn(%s, %s) = %d %v, want %d %v", c.svc, c.d, got, ok, c.want, c.ok)
		}
	}
}

// TestClock: times are read as typed in Finland and elsewhere, stored as
// "08:00" and shown the Finnish way, "8.00".
func TestClock(t *testing.T) {
	for _, tc := range []struct{ in, stored, shown string }{
		{"9.00", "09:00", "9.00"},
		{"9:00", "09:00", "9.00"},
		{"09.00", "09:00", "9.00"},
		{" 16.15 ", "16:15", "16.15"},
		{"16:15:00", "16:15", "16.15"},
		{"900", "09:00", "9.00"},
		{"0900", "09:00", "9.00"},
		{"1615", "16:15", "16.15"},
		{"9", "09:00", "9.00"},
		{"0.00", "00:00", "0.00"},
		{"23.59", "23:59", "23.59"},
		{"24.00", "24.00", "24.00"},
		{"9.5", "9.5", "9.5"},
		{"12345", "12345", "12345"},
		{"klo 9", "klo 9", "klo 9"},
		{"", "", ""},
	} {
		if got := ClockText(tc.in); got != tc.stored {
			t.Errorf("ClockText(%q) = %q, want %q", tc.in, got, tc.stored)
		}
		if got := ClockShown(tc.in); got != tc.shown {
			t.Errorf("ClockShown(%q) = %q, want %q", tc.in, got, tc.shown)
		}
		if got := ClockShown(ClockText(tc.in)); got != tc.shown {
			t.Errorf("ClockShown(ClockText(%q)) = %q, want %q", tc.in, got, tc.shown)
		}
	}
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 7, 0, 0, 0, 0, Helsinki):   "0.00",
		time.Date(2026, 12, 1, 7, 5, 0, 0, time.UTC):   "9.05", // 9.05 in Helsinki
		time.Date(2026, 7, 1, 11, 30, 59, 0, time.UTC): "14.30",
	} {
		if got := ClockOf(in); got != want {
			t.Errorf("ClockOf(%v) = %q, want %q", in, got, want)
		}
	}
}
