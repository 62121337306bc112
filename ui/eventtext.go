package ui

import (
	"time"

	"fyne.io/fyne/v2/lang"

	"psopdesk/data"
	"psopdesk/data/cache"
)

// instantText is "7.12.2026 klo 0.00" (Europe/Helsinki).
func instantText(t time.Time) string {
	t = t.In(data.Helsinki)
	return lang.L("{{.Date}} at {{.Time}}", map[string]any{"Date": data.DateOf(t).Format(), "Time": data.ClockOf(t)})
}

// weekdayShort is the weekday's abbreviation: ma ti ke to pe la su.
func weekdayShort(w time.Weekday) string {
	return [...]string{lang.L("weekday.sun"), lang.L("weekday.mon"), lang.L("weekday.tue"), lang.L("weekday.wed"),
		lang.L("weekday.thu"), lang.L("weekday.fri"), lang.L("weekday.sat")}[w]
}

// monthOf is a month's name as the owner of things, capitalised to begin a
// sentence: "Marraskuun" (tapahtumat).
func monthOf(m time.Month) string {
	return [...]string{lang.L("month.1.of"), lang.L("month.2.of"), lang.L("month.3.of"), lang.L("month.4.of"),
		lang.L("month.5.of"), lang.L("month.6.of"), lang.L("month.7.of"), lang.L("month.8.of"),
		lang.L("month.9.of"), lang.L("month.10.of"), lang.L("month.11.of"), lang.L("month.12.of")}[m-1]
}

// monthFor is a month's name as what something is granted for:
// "marraskuulle".
func monthFor(m time.Month) string {
	return [...]string{lang.L("month.1.for"), lang.L("month.2.for"), lang.L("month.3.for"), lang.L("month.4.for"),
		lang.L("month.5.for"), lang.L("month.6.for"), lang.L("month.7.for"), lang.L("month.8.for"),
		lang.L("month.9.for"), lang.L("month.10.for"), lang.L("month.11.for"), lang.L("month.12.for")}[m-1]
}

// lockText is the instant an event of date d locks: "7.12.2026 klo 0.00".
func lockText(d data.Date, settlementDay int) string {
	return instantText(data.SettlementLock(d, settlementDay))
}

// lockDayText is the day an event of date d locks (at its start):
// "7.12.2026".
func lockDayText(d data.Date, settlementDay int) string {
	return data.DateOf(data.SettlementLock(d, settlementDay).In(data.Helsinki)).Format()
}

// countdownMonth is the first day of the month whose events lock next at
// now: before the settlement day the previous month, from it on the
// current one.
func countdownMonth(now time.Time, settlementDay int) data.Date {
	today := data.DateOf(now.In(data.Helsinki))
	this := data.NewDate(today.Year, today.Month, 1)
	prev := data.NewDate(today.Year, today.Month-1, 1)
	if now.Before(data.SettlementLock(prev, settlementDay)) {
		return prev
	}
	return this
}

// countdownText is "Marraskuun tapahtumat lukittuvat ma 7.12.2026 klo 0.00
// – 6 päivää": the month's lock and the whole days left until it (hours
// when less than a day is left).
func countdownText(month data.Date, locks, now time.Time) string {
	left := locks.Sub(now)
	var rest string
	if days := int(left / (24 * time.Hour)); days >= 1 {
		rest = lang.N("{{.N}} days", days, map[string]any{"N": days})
	} else if hours := int(left / time.Hour); hours >= 1 {
		rest = lang.N("{{.N}} hours", hours, map[string]any{"N": hours})
	} else {
		minutes := max(int((left+time.Minute-1)/time.Minute), 0) // 19 min 30 s: 20 minutes
		rest = lang.N("{{.N}} minutes", minutes, map[string]any{"N": minutes})
	}
	l := locks.In(data.Helsinki)
	return lang.L("{{.Month}} events lock on {{.Weekday}} {{.When}} – {{.Left}}", map[string]any{
		"Month": monthOf(month.Month), "Weekday": weekdayShort(l.Weekday()), "When": instantText(l), "Left": rest})
}

// editBlockText says why an event may not be edited (data.EditBlock's
// code): "Lukittu 7.12.2026 klo 0.00: tilityspäivä on mennyt",
// "Hyväksyttyä tapahtumaa ei voi muokata". "" when it may.
func editBlockText(code string, ev data.ServiceEvent, settlementDay int) string {
	switch code {
	case "":
		return ""
	case data.CodeEventLocked:
		return lockedText(ev, settlementDay)
	}
	switch ev.Status {
	case data.StatusInReview:
		return lang.L("An event in review cannot be edited")
	case data.StatusApproved:
		return lang.L("An approved event cannot be edited")
	case data.StatusRejected:
		return lang.L("A rejected event cannot be edited")
	case data.StatusSettled:
		return lang.L("A settled event cannot be edited")
	case data.StatusPaid:
		return lang.L("A paid event cannot be edited")
	case data.StatusCredited:
		return lang.L("A credited event cannot be edited")
	case data.StatusDeleted:
		return lang.L("A deleted event cannot be edited")
	}
	return lang.L("The event's status does not allow this change.")
}

// deleteBlockText is editBlockText for a deletion.
func deleteBlockText(code string, ev data.ServiceEvent, settlementDay int) string {
	switch code {
	case "":
		return ""
	case data.CodeEventLocked:
		return lockedText(ev, settlementDay)
	}
	switch ev.Status {
	case data.StatusRejected:
		return lang.L("A rejected event cannot be deleted")
	case data.StatusSettled:
		return lang.L("A settled event cannot be deleted: the organizer can credit it")
	case data.StatusPaid:
		return lang.L("A paid event cannot be deleted: the organizer can credit it")
	case data.StatusCredited:
		return lang.L("A credited event cannot be deleted")
	case data.StatusDeleted:
		return lang.L("The event has been deleted")
	}
	return lang.L("The event's status does not allow this change.")
}

func lockedText(ev data.ServiceEvent, settlementDay int) string {
	return lang.L("Locked {{.When}}: the settlement day has passed", map[string]any{"When": lockText(ev.Date, settlementDay)})
}

// creditReasonLabel names a credit reason code (data.CreditReasons).
func creditReasonLabel(code string) string {
	switch code {
	case "duplicate":
		return lang.L("recorded twice")
	case "wrong_quantity":
		return lang.L("wrong quantity")
	case "wrong_date":
		return lang.L("wrong date")
	case "wrong_customer":
		return lang.L("wrong customer")
	case "wrong_service":
		return lang.L("wrong service")
	case "other":
		return lang.L("credit reason: other")
	}
	return code
}

// creditText tells where the event's credit request is: "" when none.
func creditText(ev data.ServiceEvent) string {
	cr := ev.CreditRequest
	if cr == nil {
		if ev.Credit != nil {
			return lang.L("Credited: {{.Reason}}", map[string]any{"Reason": creditReasonLabel(ev.Credit.Reason)})
		}
		return ""
	}
	p := map[string]any{"Reason": creditReasonLabel(cr.Reason), "Answer": cr.Answer}
	switch cr.State {
	case data.CreditRequestAnswered:
		if cr.Answer == "" {
			return lang.L("Error reported ({{.Reason}}), answered without a credit", p)
		}
		return lang.L("Error reported ({{.Reason}}), answered: {{.Answer}}", p)
	case data.CreditRequestCredited:
		return lang.L("Error reported ({{.Reason}}), credited", p)
	}
	return lang.L("Error reported ({{.Reason}}), waiting for the organizer", p)
}

// eventPendingMark is the mark of an event with a change in the outbox:
// "odottaa lähetystä" (with why the last send failed), "tallennettu
// palvelimelle" once applied; "" when none. short is the events list's
// mark, without the why and in few words (the list fits 1024 px).
func eventPendingMark(e cache.Entry, ok, short bool) string {
	switch {
	case !ok:
		return ""
	case e.State == cache.StateApplied && short:
		return lang.L("events.saved.short")
	case e.State == cache.StateApplied:
		return lang.L("saved on the server")
	case short:
		return lang.L("events.pending.short")
	case e.LastError == "":
		return lang.L("waiting to be sent")
	}
	return lang.L("waiting to be sent ({{.Why}})", map[string]any{"Why": sendFailure(e.LastError)})
}

// reviewText tells whether an event goes to review and why (the review
// preview of Uusi tapahtuma): "Tarkastettavana: 10,25 h / 10 h myönnetty
// marraskuulle", "Palvelunjärjestäjä tarkastaa kaikki tämän palvelun
// tapahtumat", "Saldoa jäljellä 12,40 €".
func reviewText(out data.ReviewOutcome, g data.Grant, unit data.Unit) string {
	if out.Reason == data.ReviewAll {
		return lang.L("In review: the organizer reviews every event of this service")
	}
	if g.Kind == data.KindBalancePurchasingPower {
		p := map[string]any{"Remaining": out.Remaining.String()}
		if out.InReview {
			return lang.L("In review: the price is more than the balance left ({{.Remaining}})", p)
		}
		return lang.L("Not to review: balance left {{.Remaining}}", p)
	}
	var period string
	switch g.Period {
	case data.PeriodMonth:
		period = monthFor(out.PeriodFrom.Month)
	case data.PeriodWeek:
		period = lang.L("the week {{.Range}}", map[string]any{"Range": dateRange(out.PeriodFrom, out.PeriodTo)})
	default:
		period = lang.L("the validity {{.Range}}", map[string]any{"Range": dateRange(out.PeriodFrom, out.PeriodTo)})
	}
	p := map[string]any{"Used": quantityText(out.Used, unit), "Granted": quantityText(out.Granted, unit), "Period": period}
	if out.InReview {
		return lang.L("In review: {{.Used}} / {{.Granted}} granted for {{.Period}}", p)
	}
	return lang.L("Not to review: {{.Used}} / {{.Granted}} granted for {{.Period}}", p)
}
