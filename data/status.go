package data

import "time"

// Status is a service event's state as the organizer's server reports it.
type Status string

// Event statuses (PSOP wiki, event editing page; DOMAIN.md §4).
const (
	StatusRecorded Status = "recorded"  // Kirjattu
	StatusInReview Status = "in_review" // Tarkastettavana
	StatusApproved Status = "approved"  // Hyväksytty
	StatusRejected Status = "rejected"  // Hylätty
	StatusSettled  Status = "settled"   // Tilitetty
	StatusPaid     Status = "paid"      // Maksettu
	StatusCredited Status = "credited"  // Hyvitetty
	StatusDeleted  Status = "deleted"   // removed by the provider
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusRecorded, StatusInReview, StatusApproved, StatusRejected,
	StatusSettled, StatusPaid, StatusCredited, StatusDeleted}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// ProviderMayEdit reports whether the status lets the provider change the
// event (only Kirjattu), before the settlement lock.
func (s Status) ProviderMayEdit() bool { return s == StatusRecorded }

// ProviderMayDelete reports whether the status lets the provider delete the
// event (Kirjattu, Tarkastettavana, Hyväksytty), before the settlement lock.
func (s Status) ProviderMayDelete() bool {
	return s == StatusRecorded || s == StatusInReview || s == StatusApproved
}

// OnStatement reports whether an event in this status is a row of the
// co-payment statement (DOMAIN.md §5): an event in review shows until it is
// rejected; rejected, deleted and credited events do not show.
func (s Status) OnStatement() bool {
	switch s {
	case StatusRecorded, StatusInReview, StatusApproved, StatusSettled, StatusPaid:
		return true
	}
	return false
}

// ConsumesGrant reports whether an event in this status counts against its
// grant's quantity or balance (not rejected, deleted or credited).
func (s Status) ConsumesGrant() bool { return s.OnStatement() }

// SettlementLock returns the instant events dated eventDate lock: 00:00
// Europe/Helsinki on settlementDay of the month after eventDate's month
// (DOMAIN.md §4). From then on the provider may neither edit nor delete.
func SettlementLock(eventDate Date, settlementDay int) time.Time {
	return time.Date(eventDate.Year, eventDate.Month+1, settlementDay, 0, 0, 0, 0, Helsinki)
}

// Locked reports whether events dated eventDate are locked at now.
func Locked(eventDate Date, settlementDay int, now time.Time) bool {
	return !now.Before(SettlementLock(eventDate, settlementDay))
}

// MayEdit reports whether the provider may edit ev at now.
func MayEdit(ev ServiceEvent, settlementDay int, now time.Time) bool {
	return ev.Status.ProviderMayEdit() && !Locked(ev.Date, settlementDay, now)
}

// MayDelete reports whether the provider may delete ev at now.
func MayDelete(ev ServiceEvent, settlementDay int, now time.Time) bool {
	return ev.Status.ProviderMayDelete() && !Locked(ev.Date, settlementDay, now)
}
