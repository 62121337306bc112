package organizer

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/data/validate"
	"psopdesk/sync/wire"
)

// ReasonPriceMissing refines a validation refusal of record_event and
// edit_event: the provider has no price of the service in force on the
// event's date (data.PriceOn), so the event cannot be priced.
const ReasonPriceMissing = data.CodeEventPriceMissing

// maxEventID bounds an event's id, bytes (as maxCommandID).
const maxEventID = 256

// isEventCommand reports whether t is one of the event commands.
func isEventCommand(t wire.CommandType) bool {
	switch t {
	case wire.RecordEvent, wire.EditEvent, wire.DeleteEvent, wire.CreditRequest:
		return true
	}
	return false
}

// dataRefusal turns a rule's *data.Error into the wire refusal
// (data.CodeEventLocked → settlement_locked, CodeEventStatus → forbidden,
// CodeEventVersion → version_conflict, any other code → validation with
// the code as the reason). An error that is not a *data.Error is returned
// as an internal failure.
func dataRefusal(err error) (wire.Answer, error) {
	var de *data.Error
	if !errors.As(err, &de) {
		return wire.Answer{}, err
	}
	switch de.Code {
	case data.CodeEventLocked:
		return refused(wire.CodeSettlementLocked, "", de.Detail), nil
	case data.CodeEventStatus:
		return refused(wire.CodeForbidden, "", de.Detail), nil
	case data.CodeEventVersion:
		return refused(wire.CodeVersionConflict, "", de.Detail), nil
	}
	return refused(wire.CodeValidation, de.Code, de.Detail), nil
}

func notFound(what string) wire.Answer {
	return refused(wire.CodeNotFound, "", "the provider has no such "+what)
}

// getJSON reads state/<part>/<key> into v; found is false when absent.
func getJSON(tx *bolt.Tx, part, key string, v any) (found bool, err error) {
	b := tx.Bucket(bState).Bucket([]byte(part))
	if b == nil {
		return false, nil
	}
	raw := b.Get([]byte(key))
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("stored %s %q: %w", part, key, err)
	}
	return true, nil
}

// putJSON writes v as state/<part>/<key>.
func putJSON(tx *bolt.Tx, part, key string, v any) error {
	b, err := tx.Bucket(bState).CreateBucketIfNotExists([]byte(part))
	if err != nil {
		return err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), raw)
}

// inFeed reports whether the feed (an audience key) holds kind/id now.
func inFeed(tx *bolt.Tx, feed string, kind wire.Kind, id string) bool {
	vb := tx.Bucket(bVis).Bucket([]byte(feed))
	return vb != nil && len(vb.Get([]byte(string(kind)+"\x00"+id))) >= sha256.Size
}

// providerFeeds lists the feeds (audience keys) of provider that exist in
// tx: the provider's own and its kirjaajat' ("provider/user").
func providerFeeds(tx *bolt.Tx, provider string) []string {
	var out []string
	c := tx.Bucket(bVis).Cursor()
	for k, v := c.Seek([]byte(provider)); k != nil && bytes.HasPrefix(k, []byte(provider)); k, v = c.Next() {
		if v == nil && (len(k) == len(provider) || k[len(provider)] == '/') {
			out = append(out, string(k))
		}
	}
	return out
}

// feedPut puts value (kind/id of customer) in every feed of provider
// (providerFeeds), within tx, as index.feed would: in each, a Put appended
// when the feed holds another version of the record, none when it holds
// this one already or when the customer is out of the feed's sight (the
// feed holds no such customer). It returns the position in feed reader
// (an audience key; "" for the provider's own) that shows the record's
// state: the appended change, else that feed's last seq.
func feedPut(tx *bolt.Tx, provider, reader string, kind wire.Kind, id, customer string, value any) (uint64, error) {
	b, err := json.Marshal(value)
	if err != nil {
		return 0, err
	}
	if reader == "" {
		reader = provider
	}
	sum := sha256.Sum256(b)
	key := []byte(string(kind) + "\x00" + id)
	var out uint64
	feeds := providerFeeds(tx, provider)
	if !slices.Contains(feeds, reader) {
		feeds = append(feeds, reader)
	}
	for _, feed := range feeds {
		vb, err := tx.Bucket(bVis).CreateBucketIfNotExists([]byte(feed))
		if err != nil {
			return 0, err
		}
		lb, err := tx.Bucket(bLog).CreateBucketIfNotExists([]byte(feed))
		if err != nil {
			return 0, err
		}
		lb.FillPercent = 1.0 // appended at the end: full pages
		seq := lb.Sequence()
		old := vb.Get(key)
		switch {
		case len(old) >= sha256.Size && bytes.Equal(old[:sha256.Size], sum[:]):
		case customer != "" && !inFeed(tx, feed, wire.KindCustomer, customer):
		default:
			ch := wire.Change{Kind: kind, Op: wire.OpPut, ID: id, Data: b}
			if seq, err = logAppend(lb, ch, visSeq(old)); err != nil {
				return 0, err
			}
			if err := vb.Put(key, visValue(sum[:], seq, customer)); err != nil {
				return 0, err
			}
		}
		if feed == reader {
			out = seq
		}
	}
	return out, nil
}

// storeEvent writes ev to state/events and the grant index and puts it in
// its provider's feed; it returns the feed position of the Put.
func storeEvent(tx *bolt.Tx, ev Event, reader string) (uint64, error) {
	if err := putJSON(tx, "events", ev.ID, ev); err != nil {
		return 0, err
	}
	ib, err := tx.CreateBucketIfNotExists(bEvIdx)
	if err != nil {
		return 0, err
	}
	if err := ib.Put([]byte(ev.GrantID+"\x00"+ev.ID), []byte(ev.ProviderID)); err != nil {
		return 0, err
	}
	return feedPut(tx, ev.ProviderID, reader, wire.KindEvent, ev.ID, ev.CustomerID, ev.ServiceEvent)
}

// grantEvents reads every stored event of grant, of any provider.
func grantEvents(tx *bolt.Tx, grant string) ([]data.ServiceEvent, error) {
	ib := tx.Bucket(bEvIdx)
	if ib == nil {
		return nil, nil
	}
	var out []data.ServiceEvent
	prefix := []byte(grant + "\x00")
	c := ib.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var e Event
		found, err := getJSON(tx, "events", string(k[len(prefix):]), &e)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, e.ServiceEvent)
		}
	}
	return out, nil
}

// providerPrices reads provider's prices of service.
// priceOn is the provider's price of service on date: data.PriceOn over
// its stored prices; ok is false when there is none.
func priceOn(tx *bolt.Tx, provider, service string, date data.Date) (data.Cents, bool, error) {
	prices, err := providerPrices(tx, provider, service)
	if err != nil {
		return 0, false, err
	}
	price, ok := data.PriceOn(prices, service, date)
	return price, ok, nil
}

// priceMissing is the refusal of an event without a price on its date.
func priceMissing() wire.Answer {
	return refused(wire.CodeValidation, ReasonPriceMissing, "the provider has no price of the service on the date")
}

func providerPrices(tx *bolt.Tx, provider, service string) ([]data.ServicePrice, error) {
	b := tx.Bucket(bState).Bucket([]byte("prices"))
	if b == nil {
		return nil, nil
	}
	var out []data.ServicePrice
	prefix := []byte(provider + "\x00" + service)
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) > len(prefix) && k[len(prefix)] != 0 {
			continue // another service whose id starts with this one's
		}
		var p Price
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("stored price %q: %w", k, err)
		}
		out = append(out, p.ServicePrice())
	}
	return out, nil
}

// settlementDay reads the organizer's settlement day.
func settlementDay(tx *bolt.Tx) (int, error) {
	var org data.Organizer
	found, err := getJSON(tx, "organizer", "organizer", &org)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, errors.New("the store has no organizer")
	}
	return org.SettlementDay, nil
}

// eventInput reads the command's Date, Start, End, Quantity and Note;
// the answer is a malformed refusal when Date or Quantity do not parse.
func eventInput(cmd wire.Command) (data.EventInput, *wire.Answer) {
	d, err := data.ParseDate(strings.TrimSpace(cmd.Date))
	if err != nil {
		a := malformed("date must be YYYY-MM-DD")
		return data.EventInput{}, &a
	}
	q, err := data.ParseQuantity(cmd.Quantity)
	if err != nil {
		a := malformed("quantity must be a decimal number with at most two decimals")
		return data.EventInput{}, &a
	}
	return data.EventInput{Date: d, Start: cmd.Start, End: cmd.End, Quantity: q, Note: cmd.Note}, nil
}

// eventContext is what the rules need of an event's grant.
type eventContext struct {
	res   data.Reservation // zero when the event has none
	grant data.Grant
	svc   data.Service
	day   int // the organizer's settlement day
}

func loadContext(tx *bolt.Tx, reservation, grant string) (eventContext, error) {
	var c eventContext
	var err error
	if c.day, err = settlementDay(tx); err != nil {
		return c, err
	}
	if reservation != "" {
		var r Reservation
		if _, err := getJSON(tx, "reservations", reservation, &r); err != nil {
			return c, err
		}
		c.res = r.Reservation
	}
	found, err := getJSON(tx, "grants", grant, &c.grant)
	if err != nil {
		return c, err
	}
	if !found {
		return c, fmt.Errorf("grant %s is not stored", grant)
	}
	found, err = getJSON(tx, "services", c.grant.ServiceID, &c.svc)
	if err != nil {
		return c, err
	}
	if !found {
		return c, fmt.Errorf("service %s is not stored", c.grant.ServiceID)
	}
	return c, nil
}

// review sets ev's status by data.Review against every other event of its
// grant, of any provider: in_review or recorded.
func review(tx *bolt.Tx, c eventContext, ev *data.ServiceEvent) error {
	others, err := grantEvents(tx, c.grant.ID)
	if err != nil {
		return err
	}
	ev.Status = data.StatusRecorded
	if data.Review(c.grant, c.svc, others, *ev).InReview {
		ev.Status = data.StatusInReview
	}
	return nil
}

// execEvent applies an event command (record_event, edit_event,
// delete_event, credit_request) of provider at now, within tx.
func execEvent(tx *bolt.Tx, who Principal, cmd wire.Command, now time.Time) (wire.Answer, error) {
	provider := who.ProviderID
	switch {
	case cmd.EventID == "" || len(cmd.EventID) > maxEventID:
		return malformed(fmt.Sprintf("the command needs an event_id of 1 to %d bytes", maxEventID)), nil
	case cmd.Type == wire.RecordEvent:
		return recordEvent(tx, who, cmd, now)
	}
	var ev Event
	found, err := getJSON(tx, "events", cmd.EventID, &ev)
	if err != nil {
		return wire.Answer{}, err
	}
	if !found || ev.ProviderID != provider || !inFeed(tx, who.Feed, wire.KindEvent, ev.ID) {
		return notFound("event"), nil
	}
	c, err := loadContext(tx, ev.ReservationID, ev.GrantID)
	if err != nil {
		return wire.Answer{}, err
	}
	switch cmd.Type {
	case wire.EditEvent:
		in, bad := eventInput(cmd)
		if bad != nil {
			return *bad, nil
		}
		if err := data.CheckEdit(ev.ServiceEvent, cmd.Version, in, c.res, c.grant, c.svc, c.day, now); err != nil {
			return dataRefusal(err)
		}
		if err := validate.FreeText(in.Note); err != nil {
			return dataRefusal(err)
		}
		price, ok, err := priceOn(tx, provider, c.svc.ID, in.Date)
		if err != nil {
			return wire.Answer{}, err
		} else if !ok {
			return priceMissing(), nil
		}
		ev.ServiceEvent = ev.WithInput(in)
		ev.UnitPrice = price
		if err := review(tx, c, &ev.ServiceEvent); err != nil {
			return wire.Answer{}, err
		}
	case wire.DeleteEvent:
		if err := data.CheckDelete(ev.ServiceEvent, cmd.Version, c.day, now); err != nil {
			return dataRefusal(err)
		}
		ev.Status = data.StatusDeleted
	case wire.CreditRequest:
		if err := data.CheckCreditRequest(ev.ServiceEvent, cmd.Reason, cmd.Explanation, c.day, now); err != nil {
			return dataRefusal(err)
		}
		if err := validate.FreeText(cmd.Explanation); err != nil {
			return dataRefusal(err)
		}
		ev.CreditRequest = &data.CreditRequest{Reason: cmd.Reason, Explanation: strings.TrimSpace(cmd.Explanation),
			RequestedAt: now.UTC(), State: data.CreditRequestPending}
	default:
		return refused(wire.CodeValidation, wire.ReasonUnknownType, "unknown command type"), nil
	}
	ev.Version++
	seq, err := storeEvent(tx, ev, who.Feed)
	if err != nil {
		return wire.Answer{}, err
	}
	return wire.Answer{Status: wire.StatusApplied, Seq: seq}, nil
}

// recordEvent applies record_event (execEvent).
func recordEvent(tx *bolt.Tx, who Principal, cmd wire.Command, now time.Time) (wire.Answer, error) {
	provider := who.ProviderID
	if cmd.ReservationID == "" {
		return malformed("the command has no reservation_id"), nil
	}
	in, bad := eventInput(cmd)
	if bad != nil {
		return *bad, nil
	}
	if eb := tx.Bucket(bState).Bucket([]byte("events")); eb != nil && eb.Get([]byte(cmd.EventID)) != nil {
		return malformed("the event_id is in use: make a new one"), nil
	}
	var r Reservation
	found, err := getJSON(tx, "reservations", cmd.ReservationID, &r)
	if err != nil {
		return wire.Answer{}, err
	}
	if !found || r.ProviderID != provider || !inFeed(tx, who.Feed, wire.KindReservation, r.ID) {
		return notFound("reservation"), nil
	}
	c, err := loadContext(tx, r.ID, r.GrantID)
	if err != nil {
		return wire.Answer{}, err
	}
	if err := data.CheckRecord(in, c.res, c.grant, c.svc, c.day, now); err != nil {
		return dataRefusal(err)
	}
	if err := validate.FreeText(in.Note); err != nil {
		return dataRefusal(err)
	}
	price, ok, err := priceOn(tx, provider, c.svc.ID, in.Date)
	if err != nil {
		return wire.Answer{}, err
	} else if !ok {
		return priceMissing(), nil
	}
	ev := Event{ProviderID: provider,
		ServiceEvent: data.NewEvent(cmd.EventID, in, c.res, c.grant, c.svc, price, provider, now)}
	if err := review(tx, c, &ev.ServiceEvent); err != nil {
		return wire.Answer{}, err
	}
	seq, err := storeEvent(tx, ev, who.Feed)
	if err != nil {
		return wire.Answer{}, err
	}
	return wire.Answer{Status: wire.StatusApplied, Seq: seq}, nil
}
