package organizer

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
)

// ErrEventNotFound: the admin named an event the store does not hold.
var ErrEventNotFound = errors.New("no such event")

// Codes of the admin's refusals, as data.Error.Code (besides
// data.CodeEventStatus: the event's status does not allow the change;
// data.CodeCreditReason and data.CodeCreditExplanation for a credit).
const (
	// CodeMonthNotLocked: a settlement run for a month whose events are
	// not locked yet (data.SettlementLock): the provider may still change
	// them.
	CodeMonthNotLocked = "month_not_locked"
	// CodeNoCreditRequest: an answer to an event that has no pending
	// credit request.
	CodeNoCreditRequest = "no_credit_request"
	// CodeAnswerEmpty: an answer to a credit request without text.
	CodeAnswerEmpty = "answer_empty"
)

func statusError(ev data.ServiceEvent, want string) error {
	return &data.Error{Code: data.CodeEventStatus, Detail: fmt.Sprintf("event %s is %s: %s", ev.ID, ev.Status, want)}
}

// adminChange applies change to the stored event id at now in one
// transaction: version + 1 and a Put in the owning provider's feed.
func (s *Store) adminChange(id string, change func(ev *data.ServiceEvent) error) (Event, error) {
	s.apply.Lock()
	defer s.apply.Unlock()
	var out Event
	err := s.db.Update(func(tx *bolt.Tx) error {
		found, err := getJSON(tx, "events", id, &out)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("event %q: %w", id, ErrEventNotFound)
		}
		if err := change(&out.ServiceEvent); err != nil {
			return err
		}
		out.Version++
		_, err = storeEvent(tx, out, "")
		return err
	})
	if err != nil {
		return Event{}, err
	}
	s.markDirty()
	return out, nil
}

// Approve approves the event id in review (in_review → approved): it is
// then settled in the settlement run of its month (Settle). Errors:
// ErrEventNotFound (wrapped), a *data.Error with data.CodeEventStatus for
// another status. The event's version goes up by one and its provider's
// feed gets a Put, in one transaction.
func (s *Store) Approve(id string, now time.Time) (Event, error) {
	return s.adminChange(id, func(ev *data.ServiceEvent) error {
		if ev.Status != data.StatusInReview {
			return statusError(*ev, "only an event in review is approved")
		}
		ev.Status = data.StatusApproved
		return nil
	})
}

// Reject rejects the event id in review (in_review → rejected): it no
// longer counts against its grant and is never paid. Errors as Approve.
func (s *Store) Reject(id string, now time.Time) (Event, error) {
	return s.adminChange(id, func(ev *data.ServiceEvent) error {
		if ev.Status != data.StatusInReview {
			return statusError(*ev, "only an event in review is rejected")
		}
		ev.Status = data.StatusRejected
		return nil
	})
}

// MarkPaid marks the settled event id paid (settled → paid). Errors as
// Approve.
func (s *Store) MarkPaid(id string, now time.Time) (Event, error) {
	return s.adminChange(id, func(ev *data.ServiceEvent) error {
		if ev.Status != data.StatusSettled {
			return statusError(*ev, "only a settled event is paid")
		}
		ev.Status = data.StatusPaid
		return nil
	})
}

// Credit credits the event id (hyvitys; approved, settled or paid →
// credited) at now with reason (one of data.CreditReasons) and
// explanation; a pending credit request of the event becomes
// data.CreditRequestCredited. Errors: ErrEventNotFound (wrapped), a
// *data.Error with data.CodeEventStatus, data.CodeCreditReason or
// data.CodeCreditExplanation.
func (s *Store) Credit(id, reason, explanation string, now time.Time) (Event, error) {
	explanation = strings.TrimSpace(explanation)
	return s.adminChange(id, func(ev *data.ServiceEvent) error {
		switch ev.Status {
		case data.StatusApproved, data.StatusSettled, data.StatusPaid:
		default:
			return statusError(*ev, "only an approved, settled or paid event is credited")
		}
		if !slices.Contains(data.CreditReasons, reason) {
			return &data.Error{Code: data.CodeCreditReason, Detail: fmt.Sprintf("unknown reason %q", reason)}
		}
		if explanation == "" {
			return &data.Error{Code: data.CodeCreditExplanation, Detail: "no explanation"}
		}
		ev.Status = data.StatusCredited
		ev.Credit = &data.Credit{Reason: reason, Explanation: explanation, At: now.UTC()}
		if ev.CreditRequest != nil && ev.CreditRequest.State == data.CreditRequestPending {
			cr := *ev.CreditRequest
			cr.State = data.CreditRequestCredited
			ev.CreditRequest = &cr
		}
		return nil
	})
}

// AnswerCreditRequest answers the pending credit request of the event id
// without a credit: the request's state becomes data.CreditRequestAnswered
// with answer as its text; the status stays. Errors: ErrEventNotFound
// (wrapped), a *data.Error with CodeNoCreditRequest or CodeAnswerEmpty.
func (s *Store) AnswerCreditRequest(id, answer string, now time.Time) (Event, error) {
	answer = strings.TrimSpace(answer)
	return s.adminChange(id, func(ev *data.ServiceEvent) error {
		if ev.CreditRequest == nil || ev.CreditRequest.State != data.CreditRequestPending {
			return &data.Error{Code: CodeNoCreditRequest, Detail: fmt.Sprintf("event %s has no pending credit request", ev.ID)}
		}
		if answer == "" {
			return &data.Error{Code: CodeAnswerEmpty, Detail: "no answer text"}
		}
		cr := *ev.CreditRequest
		cr.State, cr.Answer = data.CreditRequestAnswered, answer
		ev.CreditRequest = &cr
		return nil
	})
}

// Settle runs the organizer's settlement (tilitys) of the events dated in
// month of year, of every provider, at now: each event of the month in
// status recorded or approved becomes settled, version + 1, with a Put in
// its provider's feed, all in one transaction. It gives the settled
// events in date and id order (none: nothing to settle).
//
// Recorded events are settled: an event that did not go to review needs
// no approval (DOMAIN.md §4: review decides which events wait for the
// organizer). Events in review are left as they are: they are paid only
// after approval, and once approved a later run of the same month settles
// them (the next payment run). Rejected, deleted and credited events are
// never settled. The run is refused with a *data.Error of
// CodeMonthNotLocked before the month's settlement lock
// (data.SettlementLock of the organizer's settlement day): until then the
// provider may still edit and delete them.
func (s *Store) Settle(year int, month time.Month, now time.Time) ([]Event, error) {
	s.apply.Lock()
	defer s.apply.Unlock()
	first := data.NewDate(year, month, 1)
	last := data.NewDate(year, month+1, 1).AddDays(-1)
	var out []Event
	err := s.db.Update(func(tx *bolt.Tx) error {
		day, err := settlementDay(tx)
		if err != nil {
			return err
		}
		if !data.Locked(first, day, now) {
			return &data.Error{Code: CodeMonthNotLocked, Detail: fmt.Sprintf("events of %04d-%02d lock at %s", year, int(month),
				data.SettlementLock(first, day).Format(time.RFC3339))}
		}
		eb := tx.Bucket(bState).Bucket([]byte("events"))
		if eb == nil {
			return nil
		}
		if err := eb.ForEach(func(_, v []byte) error {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.Date.Within(first, last) && (e.Status == data.StatusRecorded || e.Status == data.StatusApproved) {
				out = append(out, e)
			}
			return nil
		}); err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b Event) int { return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.ID, b.ID)) })
		for i := range out {
			out[i].Status = data.StatusSettled
			out[i].Version++
			if _, err := storeEvent(tx, out[i], ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.markDirty()
	return out, nil
}

// EventFilter selects events for Events: a zero field selects all.
type EventFilter struct {
	Status     data.Status
	ProviderID string
	Year       int        // with Month: events dated in that month
	Month      time.Month // 1..12
}

// Events reads the stored events that f selects, in date and id order:
// what the admin works through (e.g. Status in_review).
func (s *Store) Events(f EventFilter) ([]Event, error) {
	var out []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		eb := tx.Bucket(bState).Bucket([]byte("events"))
		if eb == nil {
			return nil
		}
		return eb.ForEach(func(_, v []byte) error {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if (f.Status == "" || e.Status == f.Status) && (f.ProviderID == "" || e.ProviderID == f.ProviderID) &&
				(f.Year == 0 || e.Date.Year == f.Year && e.Date.Month == f.Month) {
				out = append(out, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Event) int { return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}
