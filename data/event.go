package data

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Codes of the event rules (DOMAIN.md §4), as Error.Code. The organizer
// answers CodeEventLocked as the refusal settlement_locked,
// CodeEventStatus as forbidden, CodeEventVersion as version_conflict and
// the others as validation with the code as the reason.
const (
	CodeEventLocked             = "event_locked"              // the settlement day has passed
	CodeEventStatus             = "event_status"              // the status forbids it
	CodeEventVersion            = "event_version"             // edited an older version
	CodeEventQuantity           = "event_quantity"            // quantity not positive
	CodeEventTimes              = "event_times"               // start/end missing, malformed or end not after start
	CodeEventOutsideReservation = "event_outside_reservation" // date outside the reservation or grant
	CodeEventNoteTooLong        = "event_note_too_long"
	CodeEventPriceMissing       = "event_price_missing" // the provider has no price of the service on the date
	CodeCreditNotLocked         = "credit_not_locked"   // a credit request before the lock: edit or delete instead
	CodeCreditReason            = "credit_reason"       // not one of CreditReasons
	CodeCreditExplanation       = "credit_explanation"  // no explanation
	CodeCreditPending           = "credit_pending"      // a request is pending already
)

// EventNoteMaxLen is the longest note of an event, in characters.
const EventNoteMaxLen = 1000

// EventInput is what the provider types for an event: the fields of
// Uusi tapahtuma and of an edit (Kirjaa).
type EventInput struct {
	Date       Date
	Start, End string // "HH:MM", for hour units
	Quantity   Quantity
	Note       string
}

// Input gives ev's editable fields.
func (ev ServiceEvent) Input() EventInput {
	return EventInput{Date: ev.Date, Start: ev.Start, End: ev.End, Quantity: ev.Quantity, Note: ev.Note}
}

// ParseClock reads "HH:MM" (or "H:MM", "HH.MM", "H.MM", a spreadsheet's
// "HH:MM:00", and digits alone: "900", "0900", "1615", or the hour "9")
// as minutes after midnight, 0..1439; ok is false for anything else.
func ParseClock(s string) (minutes int, ok bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ".", ":")
	if len(s) >= 7 && strings.HasSuffix(s, ":00") && strings.Count(s, ":") == 2 {
		s = s[:len(s)-3]
	}
	h, m, found := strings.Cut(s, ":")
	if !found {
		switch len(s) {
		case 1, 2: // the hour alone
			h, m = s, "00"
		case 3, 4: // "900", "1615"
			h, m = s[:len(s)-2], s[len(s)-2:]
		}
	}
	if len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, mm := 0, 0
	for _, c := range h {
		if c < '0' || c > '9' {
			return 0, false
		}
		hh = hh*10 + int(c-'0')
	}
	for _, c := range m {
		if c < '0' || c > '9' {
			return 0, false
		}
		mm = mm*10 + int(c-'0')
	}
	if hh > 23 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// CheckEventInput checks in against the reservation r (zero: not checked),
// its grant g and the service svc: a positive quantity; a start and an end
// given together, end after start; the date within the reservation and
// the grant's validity; a note of at most EventNoteMaxLen characters. It
// gives an *Error with a CodeEvent… code.
func CheckEventInput(in EventInput, r Reservation, g Grant, svc Service) error {
	if in.Quantity <= 0 {
		return &Error{Code: CodeEventQuantity, Detail: "quantity must be positive"}
	}
	if in.Start != "" || in.End != "" {
		s, ok1 := ParseClock(in.Start)
		e, ok2 := ParseClock(in.End)
		if !ok1 || !ok2 || e <= s {
			return &Error{Code: CodeEventTimes, Detail: "start and end must be HH:MM, end after start"}
		}
	}
	if in.Date.IsZero() || in.Date.Before(g.ValidFrom) || (!g.ValidTo.IsZero() && in.Date.After(g.ValidTo)) ||
		(!r.From.IsZero() && in.Date.Before(r.From)) || (!r.To.IsZero() && in.Date.After(r.To)) {
		return &Error{Code: CodeEventOutsideReservation, Detail: fmt.Sprintf("date %s is outside the reservation or the grant", in.Date)}
	}
	if len([]rune(in.Note)) > EventNoteMaxLen {
		return &Error{Code: CodeEventNoteTooLong, Detail: "note is too long"}
	}
	return nil
}

// CheckRecord checks a new event: for hour units a start and an end,
// CheckEventInput, and that in.Date's month is not locked at now
// (settlementDay of the organizer).
func CheckRecord(in EventInput, r Reservation, g Grant, svc Service, settlementDay int, now time.Time) error {
	if svc.Unit == UnitHour && (in.Start == "" || in.End == "") {
		return &Error{Code: CodeEventTimes, Detail: "an hour unit's event needs a start and an end"}
	}
	return checkInputUnlocked(in, r, g, svc, settlementDay, now)
}

func checkInputUnlocked(in EventInput, r Reservation, g Grant, svc Service, settlementDay int, now time.Time) error {
	if err := CheckEventInput(in, r, g, svc); err != nil {
		return err
	}
	if Locked(in.Date, settlementDay, now) {
		return lockedError(in.Date, settlementDay)
	}
	return nil
}

func lockedError(d Date, settlementDay int) error {
	return &Error{Code: CodeEventLocked, Detail: fmt.Sprintf("events of %s locked at %s", d,
		SettlementLock(d, settlementDay).Format(time.RFC3339))}
}

// EditBlock tells why the provider may not edit ev at now: "" when it
// may, else CodeEventLocked (the settlement lock, whatever the status) or
// CodeEventStatus (only Kirjattu may be edited).
func EditBlock(ev ServiceEvent, settlementDay int, now time.Time) string {
	switch {
	case Locked(ev.Date, settlementDay, now):
		return CodeEventLocked
	case !ev.Status.ProviderMayEdit():
		return CodeEventStatus
	}
	return ""
}

// DeleteBlock is EditBlock for a deletion (Kirjattu, Tarkastettavana and
// Hyväksytty may be deleted before the lock).
func DeleteBlock(ev ServiceEvent, settlementDay int, now time.Time) string {
	switch {
	case Locked(ev.Date, settlementDay, now):
		return CodeEventLocked
	case !ev.Status.ProviderMayDelete():
		return CodeEventStatus
	}
	return ""
}

func blockError(code string, ev ServiceEvent, settlementDay int) error {
	switch code {
	case CodeEventLocked:
		return lockedError(ev.Date, settlementDay)
	case CodeEventStatus:
		return &Error{Code: CodeEventStatus, Detail: fmt.Sprintf("event %s is %s", ev.ID, ev.Status)}
	}
	return nil
}

// CheckEdit checks an edit of ev, made on version, to in: the version is
// ev's (else CodeEventVersion), EditBlock, the new date not locked either,
// times kept when ev had them (hour units), and CheckEventInput against r
// (zero: the grant only), g and svc.
func CheckEdit(ev ServiceEvent, version int64, in EventInput, r Reservation, g Grant, svc Service, settlementDay int, now time.Time) error {
	if version != ev.Version {
		return &Error{Code: CodeEventVersion, Detail: fmt.Sprintf("event %s is at version %d, the edit was made on %d", ev.ID, ev.Version, version)}
	}
	if err := blockError(EditBlock(ev, settlementDay, now), ev, settlementDay); err != nil {
		return err
	}
	// Times stay required once given (an event recorded without them, e.g.
	// imported from elsewhere, may be corrected without adding them).
	if svc.Unit == UnitHour && (ev.Start != "" || ev.End != "") && (in.Start == "" || in.End == "") {
		return &Error{Code: CodeEventTimes, Detail: "an hour unit's event needs a start and an end"}
	}
	return checkInputUnlocked(in, r, g, svc, settlementDay, now)
}

// CheckDelete checks a deletion of ev made on version: the version, then
// DeleteBlock.
func CheckDelete(ev ServiceEvent, version int64, settlementDay int, now time.Time) error {
	if version != ev.Version {
		return &Error{Code: CodeEventVersion, Detail: fmt.Sprintf("event %s is at version %d, the deletion was made on %d", ev.ID, ev.Version, version)}
	}
	return blockError(DeleteBlock(ev, settlementDay, now), ev, settlementDay)
}

// CheckCreditRequest checks a credit request (Ilmoita virheestä) of ev at
// now: only after the lock (before it, edit or delete); a reason of
// CreditReasons; an explanation; no request pending; not of a deleted,
// rejected or credited event.
func CheckCreditRequest(ev ServiceEvent, reason, explanation string, settlementDay int, now time.Time) error {
	// A settled or paid event is past its lock whatever this clock says.
	settled := ev.Status == StatusSettled || ev.Status == StatusPaid
	switch {
	case !settled && !Locked(ev.Date, settlementDay, now):
		return &Error{Code: CodeCreditNotLocked, Detail: "the event is not locked yet: edit or delete it"}
	case !ev.Status.ConsumesGrant():
		return &Error{Code: CodeEventStatus, Detail: fmt.Sprintf("event %s is %s", ev.ID, ev.Status)}
	case !slices.Contains(CreditReasons, reason):
		return &Error{Code: CodeCreditReason, Detail: fmt.Sprintf("unknown reason %q", reason)}
	case strings.TrimSpace(explanation) == "":
		return &Error{Code: CodeCreditExplanation, Detail: "no explanation"}
	case ev.CreditRequest != nil && ev.CreditRequest.State == CreditRequestPending:
		return &Error{Code: CodeCreditPending, Detail: "a credit request is pending"}
	}
	return nil
}

// NewEvent makes the event id of in against reservation r of grant g and
// service svc, priced at unitPrice cents per unit (the provider's price on
// in.Date, PriceOn), recorded by whom at at: status recorded, version 1.
// The caller checks it (CheckRecord) and sets its review status (Review).
func NewEvent(id string, in EventInput, r Reservation, g Grant, svc Service, unitPrice Cents, by string, at time.Time) ServiceEvent {
	ev := ServiceEvent{ID: id, CustomerID: g.CustomerID, GrantID: g.ID, ServiceID: svc.ID,
		Content: svc.Content, UnitPrice: unitPrice, Status: StatusRecorded, RecordedBy: by,
		RecordedAt: at.UTC(), Version: 1, ReservationID: r.ID}
	if g.Kind == KindPurchasingPower {
		ev.VoucherUnitValue = g.VoucherUnitValue
	}
	return ev.WithInput(in)
}

// WithInput gives ev with in's fields, times in the stored form "HH:MM".
func (ev ServiceEvent) WithInput(in EventInput) ServiceEvent {
	ev.Date, ev.Start, ev.End, ev.Quantity, ev.Note = in.Date, ClockText(in.Start), ClockText(in.End), in.Quantity, strings.TrimSpace(in.Note)
	return ev
}

// ClockText is a time as typed ("8.00", "8:00:00", "800") in the stored
// form "08:00"; a text ParseClock does not read is given back trimmed.
func ClockText(s string) string {
	m, ok := ParseClock(s)
	if !ok {
		return strings.TrimSpace(s)
	}
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// ClockShown is a time of day (stored "08:00", or as typed) as the window
// and the commands show it, the Finnish way in every language: "8.00",
// "16.15" (klo 8.00); a text ParseClock does not read is given back
// trimmed.
func ClockShown(s string) string {
	m, ok := ParseClock(s)
	if !ok {
		return strings.TrimSpace(s)
	}
	return minutesShown(m)
}

// ClockOf is t's time of day in Europe/Helsinki as ClockShown shows it:
// "0.00", "9.05", "14.30".
func ClockOf(t time.Time) string {
	t = t.In(Helsinki)
	return minutesShown(t.Hour()*60 + t.Minute())
}

func minutesShown(m int) string { return fmt.Sprintf("%d.%02d", m/60, m%60) }

// PriceOn gives the provider's price of service serviceID in force on d:
// of prices, the one with the latest From on or before d. ok is false when
// none is.
func PriceOn(prices []ServicePrice, serviceID string, d Date) (c Cents, ok bool) {
	var best Date
	for _, p := range prices {
		if p.ServiceID != serviceID || p.From.After(d) {
			continue
		}
		if !ok || !p.From.Before(best) {
			c, best, ok = p.Cents, p.From, true
		}
	}
	return c, ok
}

// Review reasons.
const (
	ReviewAll           = "review_all"    // the organizer reviews every event of the service
	ReviewOverQuantity  = "over_quantity" // over the quantity granted for the period
	ReviewOverBalance   = "over_balance"  // over the balance remaining
	ReviewNotNeeded     = ""
	reviewFarFutureYear = 9999
)

// ReviewOutcome tells whether an event goes to review (Tarkastettavana)
// and why, with the figures the user is shown: for a purchasing power the
// quantity used in the period with the event and the quantity granted
// ("10,25 h / 10 h myönnetty marraskuulle"); for a balance the balance
// remaining before the event, cents.
type ReviewOutcome struct {
	InReview             bool
	Reason               string
	Used, Granted        Quantity
	PeriodFrom, PeriodTo Date // the period's first and last day
	Remaining            Cents
}

// Review is NeedsReview with its reason and figures (DOMAIN.md §4).
func Review(g Grant, svc Service, others []ServiceEvent, ev ServiceEvent) ReviewOutcome {
	var out ReviewOutcome
	switch g.Kind {
	case KindBalancePurchasingPower:
		all := make([]ServiceEvent, 0, len(others)+1)
		for _, o := range others {
			if o.ID != ev.ID {
				all = append(all, o)
			}
		}
		probe := ev
		probe.GrantID = g.ID
		if !probe.Status.ConsumesGrant() {
			probe.Status = StatusRecorded
		}
		if probe.RecordedAt.IsZero() {
			// A new event not yet stamped is recorded now, after every
			// stored event of its date: it must not jump ahead of them.
			probe.RecordedAt = time.Date(reviewFarFutureYear, 12, 31, 0, 0, 0, 0, time.UTC)
		}
		all = append(all, probe)
		s := GrantShares(g, all)[probe.ID]
		out.Remaining = s.Remaining
		if s.Price > s.Remaining {
			out.InReview, out.Reason = true, ReviewOverBalance
		}
	default:
		from, to := PeriodOf(g, ev.Date)
		used := ev.Quantity
		for _, o := range others {
			if o.ID == ev.ID || o.GrantID != g.ID || !o.Status.ConsumesGrant() || !o.Date.Within(from, to) {
				continue
			}
			used += o.Quantity
		}
		out.Used, out.Granted, out.PeriodFrom, out.PeriodTo = used, g.GrantedQuantity, from, to
		if used > g.GrantedQuantity {
			out.InReview, out.Reason = true, ReviewOverQuantity
		}
	}
	if svc.ReviewAll {
		out.InReview, out.Reason = true, ReviewAll
	}
	return out
}
