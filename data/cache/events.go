package cache

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/data/validate"
	"psopdesk/sync/wire"
)

// eventContext is what pricing and checking an event needs, read in one
// transaction.
type eventContext struct {
	org          data.Organizer
	grants       map[string]data.Grant
	services     map[string]data.Service
	reservations map[string]data.Reservation
	prices       []data.ServicePrice
	events       []data.ServiceEvent // the customer's, as the server sent them
}

func readEventContext(tx *bolt.Tx, customerID string) (eventContext, error) {
	ec := eventContext{grants: map[string]data.Grant{}, services: map[string]data.Service{}, reservations: map[string]data.Reservation{}}
	if err := firstTx(tx, bOrganizer, &ec.org); err != nil {
		return ec, err
	}
	gs, err := grantsTx(tx, customerID)
	if err != nil {
		return ec, err
	}
	for _, g := range gs {
		ec.grants[g.ID] = g
	}
	svcs, err := servicesTx(tx)
	if err != nil {
		return ec, err
	}
	for _, s := range svcs {
		ec.services[s.ID] = s
	}
	rs, err := reservationsTx(tx, customerID)
	if err != nil {
		return ec, err
	}
	for _, r := range rs {
		ec.reservations[r.ID] = r
	}
	if ec.prices, err = allTx[data.ServicePrice](tx, bPrices); err != nil {
		return ec, err
	}
	ec.events, err = eventsTx(tx, customerID)
	return ec, err
}

// parseEventInput reads a command's event fields.
func parseEventInput(cmd wire.Command) (data.EventInput, error) {
	in := data.EventInput{Start: cmd.Start, End: cmd.End, Note: cmd.Note}
	var err error
	if in.Date, err = data.ParseDate(cmd.Date); err != nil {
		return in, err
	}
	if in.Quantity, err = data.ParseQuantity(cmd.Quantity); err != nil {
		return in, err
	}
	return in, nil
}

// commandFields gives a command's event fields from in.
func commandFields(cmd *wire.Command, in data.EventInput) {
	cmd.Date, cmd.Start, cmd.End, cmd.Note = in.Date.String(), data.ClockText(in.Start), data.ClockText(in.End), in.Note
	cmd.Quantity = in.Quantity.Decimal()
}

// newEvent prices and classifies the event a record_event command makes,
// as the organizer will: the provider's price on the date, the grant's
// voucher value, recorded or in review.
func (ec eventContext) newEvent(id, reservationID string, in data.EventInput, at time.Time, others []data.ServiceEvent) (data.ServiceEvent, data.ReviewOutcome, error) {
	r, ok := ec.reservations[reservationID]
	if !ok {
		return data.ServiceEvent{}, data.ReviewOutcome{}, &data.Error{Code: string(wire.CodeNotFound), Detail: fmt.Sprintf("reservation %s is not in the cache", reservationID)}
	}
	g := ec.grants[r.GrantID]
	svc := ec.services[g.ServiceID]
	if err := data.CheckRecord(in, r, g, svc, ec.org.SettlementDay, at); err != nil {
		return data.ServiceEvent{}, data.ReviewOutcome{}, err
	}
	price, ok := data.PriceOn(ec.prices, svc.ID, in.Date)
	if !ok {
		return data.ServiceEvent{}, data.ReviewOutcome{}, &data.Error{Code: data.CodeEventPriceMissing, Detail: fmt.Sprintf("no price of %s on %s", svc.ID, in.Date)}
	}
	ev := data.NewEvent(id, in, r, g, svc, price, "", at)
	out := data.Review(g, svc, others, ev)
	if out.InReview {
		ev.Status = data.StatusInReview
	}
	return ev, out, nil
}

// overlayEvents applies the outbox's event commands to the customer's
// events, as the server would, and gives the ids of the events a pending
// command touches. A command the rules refuse is shown as is (the server
// will refuse it and the refusal rolls it back).
func (ec eventContext) overlayEvents(entries []Entry, customerID string) ([]data.ServiceEvent, map[string]Entry) {
	events := append([]data.ServiceEvent(nil), ec.events...)
	pending := map[string]Entry{}
	at := func(id string) int {
		for i := range events {
			if events[i].ID == id {
				return i
			}
		}
		return -1
	}
	for _, e := range entries {
		cmd := e.Command
		if cmd.CustomerID != customerID {
			continue
		}
		switch cmd.Type {
		case wire.RecordEvent:
			in, err := parseEventInput(cmd)
			if err != nil || at(cmd.EventID) >= 0 {
				continue
			}
			ev, _, err := ec.newEvent(cmd.EventID, cmd.ReservationID, in, e.Created, events)
			if err != nil {
				continue
			}
			ev.RecordedAt = e.Created
			events = append(events, ev)
		case wire.EditEvent:
			i := at(cmd.EventID)
			in, err := parseEventInput(cmd)
			if i < 0 || err != nil {
				continue
			}
			ev := events[i].WithInput(in)
			ev.Version++
			if g, ok := ec.grants[ev.GrantID]; ok {
				if ev.Status == data.StatusRecorded || ev.Status == data.StatusInReview {
					ev.Status = data.StatusRecorded
					if data.Review(g, ec.services[g.ServiceID], events, ev).InReview {
						ev.Status = data.StatusInReview
					}
				}
				if p, ok := data.PriceOn(ec.prices, g.ServiceID, in.Date); ok {
					ev.UnitPrice = p
				}
			}
			events[i] = ev
		case wire.DeleteEvent:
			i := at(cmd.EventID)
			if i < 0 {
				continue
			}
			events[i].Status = data.StatusDeleted
			events[i].Version++
		case wire.CreditRequest:
			i := at(cmd.EventID)
			if i < 0 {
				continue
			}
			events[i].CreditRequest = &data.CreditRequest{Reason: cmd.Reason, Explanation: cmd.Explanation,
				RequestedAt: e.Created, State: data.CreditRequestPending}
			events[i].Version++
		default:
			continue
		}
		pending[cmd.EventID] = e
	}
	sortEvents(events)
	return events, pending
}

// EventPreview prices and classifies the event the user is about to record
// against reservation reservationID of customer customerID at now, with
// the pending changes counted: the event (price, voucher value, status)
// and the review outcome with its reason. It gives the *data.Error the
// rules would refuse the event with.
func (c *Cache) EventPreview(customerID, reservationID string, in data.EventInput, now time.Time) (data.ServiceEvent, data.ReviewOutcome, error) {
	entries, err := c.out.Entries()
	if err != nil {
		return data.ServiceEvent{}, data.ReviewOutcome{}, err
	}
	var ec eventContext
	if err := c.viewIndexed(func(tx *bolt.Tx) error {
		var err error
		ec, err = readEventContext(tx, customerID)
		return err
	}); err != nil {
		return data.ServiceEvent{}, data.ReviewOutcome{}, err
	}
	events, _ := ec.overlayEvents(entries, customerID)
	return ec.newEvent("preview", reservationID, in, now, events)
}

// RecordEvent checks the new event as the organizer will (EventPreview)
// and stores the record_event command in the outbox, made at now. A
// refusal by the rules is a *data.Error and nothing is stored.
func (c *Cache) RecordEvent(customerID, reservationID string, in data.EventInput, now time.Time) (Entry, data.ReviewOutcome, error) {
	if err := validate.FreeText(in.Note); err != nil {
		return Entry{}, data.ReviewOutcome{}, err
	}
	_, out, err := c.EventPreview(customerID, reservationID, in, now)
	if err != nil {
		return Entry{}, out, err
	}
	cmd := wire.Command{ID: NewCommandID(), Type: wire.RecordEvent, CustomerID: customerID,
		EventID: NewCommandID(), ReservationID: reservationID}
	commandFields(&cmd, in)
	e, err := c.out.Add(cmd, now)
	return e, out, err
}

// pendingEvent reads event eventID with the pending changes applied, and
// its context.
func (c *Cache) pendingEvent(eventID string) (data.ServiceEvent, eventContext, error) {
	entries, err := c.out.Entries()
	if err != nil {
		return data.ServiceEvent{}, eventContext{}, err
	}
	customerID := ""
	for _, e := range entries { // an event only the outbox knows yet
		if e.Command.EventID == eventID {
			customerID = e.Command.CustomerID
			break
		}
	}
	var ec eventContext
	err = c.viewIndexed(func(tx *bolt.Tx) error {
		if customerID == "" {
			var ev data.ServiceEvent
			ok, err := get(tx, bEvents, eventID, &ev)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("event %q: %w", eventID, ErrNotFound)
			}
			customerID = ev.CustomerID
		}
		var err error
		ec, err = readEventContext(tx, customerID)
		return err
	})
	if err != nil {
		return data.ServiceEvent{}, ec, notFoundEvent(eventID, err)
	}
	events, _ := ec.overlayEvents(entries, customerID)
	for _, ev := range events {
		if ev.ID == eventID {
			return ev, ec, nil
		}
	}
	return data.ServiceEvent{}, ec, notFoundEvent(eventID, fmt.Errorf("event %q: %w", eventID, ErrNotFound))
}

func notFoundEvent(id string, err error) error {
	if isNotFound(err) {
		return &data.Error{Code: string(wire.CodeNotFound), Detail: fmt.Sprintf("event %s is not in the cache", id)}
	}
	return err
}

// EditEvent checks an edit (Kirjaa) of event eventID, seen at version, to
// in, as the organizer will (data.CheckEdit with the cache's settlement
// day at now), and stores the edit_event command. A refusal is a
// *data.Error and nothing is stored.
func (c *Cache) EditEvent(eventID string, version int64, in data.EventInput, now time.Time) (Entry, error) {
	ev, ec, err := c.pendingEvent(eventID)
	if err != nil {
		return Entry{}, err
	}
	g := ec.grants[ev.GrantID]
	if err := data.CheckEdit(ev, version, in, ec.reservations[ev.ReservationID], g, ec.services[g.ServiceID], ec.org.SettlementDay, now); err != nil {
		return Entry{}, err
	}
	if err := validate.FreeText(in.Note); err != nil {
		return Entry{}, err
	}
	cmd := wire.Command{ID: NewCommandID(), Type: wire.EditEvent, CustomerID: ev.CustomerID, EventID: eventID, Version: version}
	commandFields(&cmd, in)
	return c.out.Add(cmd, now)
}

// DeleteEvent checks the deletion (Poista) of event eventID seen at
// version (data.CheckDelete) and stores the delete_event command.
func (c *Cache) DeleteEvent(eventID string, version int64, now time.Time) (Entry, error) {
	ev, ec, err := c.pendingEvent(eventID)
	if err != nil {
		return Entry{}, err
	}
	if err := data.CheckDelete(ev, version, ec.org.SettlementDay, now); err != nil {
		return Entry{}, err
	}
	return c.out.Add(wire.Command{ID: NewCommandID(), Type: wire.DeleteEvent, CustomerID: ev.CustomerID,
		EventID: eventID, Version: version}, now)
}

// RequestCredit checks a credit request (Ilmoita virheestä) of event
// eventID (data.CheckCreditRequest) and stores the credit_request command.
func (c *Cache) RequestCredit(eventID, reason, explanation string, now time.Time) (Entry, error) {
	ev, ec, err := c.pendingEvent(eventID)
	if err != nil {
		return Entry{}, err
	}
	if err := data.CheckCreditRequest(ev, reason, explanation, ec.org.SettlementDay, now); err != nil {
		return Entry{}, err
	}
	if err := validate.FreeText(explanation); err != nil {
		return Entry{}, err
	}
	return c.out.Add(wire.Command{ID: NewCommandID(), Type: wire.CreditRequest, CustomerID: ev.CustomerID,
		EventID: eventID, Reason: reason, Explanation: explanation}, now)
}

// Event gives event eventID with the pending changes applied, whether a
// change of it is pending, and the organizer's settlement day.
func (c *Cache) Event(eventID string) (ev data.ServiceEvent, pending bool, settlementDay int, err error) {
	ev, ec, err := c.pendingEvent(eventID)
	if err != nil {
		return ev, false, 0, err
	}
	entries, err := c.out.Entries()
	if err != nil {
		return ev, false, 0, err
	}
	for _, e := range entries {
		if e.Command.EventID == eventID {
			pending = true
		}
	}
	return ev, pending, ec.org.SettlementDay, nil
}

// MonthStatus tells, for the provider's events dated in month (any day of
// it), the instant they lock and how many of them are still Kirjattu
// (recorded), pending changes not counted. For the settlement countdown.
func (c *Cache) MonthStatus(month data.Date) (locks time.Time, recorded int, err error) {
	var org data.Organizer
	from := data.NewDate(month.Year, month.Month, 1)
	to := data.NewDate(month.Year, month.Month+1, 0)
	err = c.view(func(tx *bolt.Tx) error {
		if err := firstTx(tx, bOrganizer, &org); err != nil {
			return err
		}
		return tx.Bucket(bEvents).ForEach(func(k, v []byte) error {
			var ev data.ServiceEvent
			if err := json.Unmarshal(unpackRow(v), &ev); err != nil {
				return err
			}
			if ev.Status == data.StatusRecorded && ev.Date.Within(from, to) {
				recorded++
			}
			return nil
		})
	})
	return data.SettlementLock(from, org.SettlementDay), recorded, err
}
