package data

import (
	"testing"
	"time"
)

func TestStatusEditDelete(t *testing.T) {
	// DOMAIN.md §4, the status table.
	tests := []struct {
		s              Status
		edit, del, row bool
	}{
		{StatusRecorded, true, true, true},
		{StatusInReview, false, true, true},
		{StatusApproved, false, true, true},
		{StatusRejected, false, false, false},
		{StatusSettled, false, false, true},
		{StatusPaid, false, false, true},
		{StatusCredited, false, false, false},
		{StatusDeleted, false, false, false},
		{Status("bogus"), false, false, false},
	}
	if len(tests)-1 != len(Statuses) {
		t.Fatalf("table has %d statuses, Statuses %d", len(tests)-1, len(Statuses))
	}
	for _, tt := range tests {
		if tt.s.ProviderMayEdit() != tt.edit || tt.s.ProviderMayDelete() != tt.del || tt.s.OnStatement() != tt.row {
			t.Errorf("%s: edit %v delete %v on statement %v; want %v %v %v", tt.s,
				tt.s.ProviderMayEdit(), tt.s.ProviderMayDelete(), tt.s.OnStatement(), tt.edit, tt.del, tt.row)
		}
		if tt.s.Valid() == (tt.s == "bogus") {
			t.Errorf("%s.Valid() = %v", tt.s, tt.s.Valid())
		}
	}
}

func TestMayEditDeleteAroundLock(t *testing.T) {
	// Settlement day 5: November events lock at 5.12. 00:00 Helsinki
	// (= 4.12. 22:00 UTC).
	lock := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	before, at := lock.Add(-time.Second), lock
	ev := ServiceEvent{Date: NewDate(2026, 11, 30), Status: StatusRecorded}
	if !MayEdit(ev, 5, before) || !MayDelete(ev, 5, before) {
		t.Error("recorded event not editable a second before the lock")
	}
	if MayEdit(ev, 5, at) || MayDelete(ev, 5, at) {
		t.Error("recorded event editable at the lock")
	}
	ev.Status = StatusApproved
	if MayEdit(ev, 5, before) || !MayDelete(ev, 5, before) || MayDelete(ev, 5, at) {
		t.Error("approved: want no edit, delete only before the lock")
	}
	ev.Status = StatusSettled
	if MayEdit(ev, 5, before) || MayDelete(ev, 5, before) {
		t.Error("settled event may be changed")
	}
}
