package data

import (
	"errors"
	"fmt"
	"sort"
)

// Shares is one event's money (DOMAIN.md §4), in cents:
// Price = round(qty × unit price); VoucherShare = min(Price, round(qty ×
// voucher unit value)) for a purchasing power, min(Price, remaining balance)
// for a balance purchasing power; CoPayment = Price − VoucherShare.
type Shares struct {
	Price        Cents
	VoucherShare Cents
	CoPayment    Cents
	// Remaining is, for a balance purchasing power, the balance left before
	// the event; 0 for a purchasing power.
	Remaining Cents
}

// consumptionOrder sorts events by date, then recording time, then id: the
// order a balance purchasing power is used in.
func consumptionOrder(evs []ServiceEvent) {
	sort.SliceStable(evs, func(i, j int) bool {
		a, b := evs[i], evs[j]
		if c := a.Date.Compare(b.Date); c != 0 {
			return c < 0
		}
		if !a.RecordedAt.Equal(b.RecordedAt) {
			return a.RecordedAt.Before(b.RecordedAt)
		}
		return a.ID < b.ID
	})
}

// GrantShares computes Shares for every event of grant g (events of other
// grants are ignored). Events that do not consume the grant (rejected,
// deleted, credited) get their price and no voucher share from a balance.
// The result is keyed by event id.
func GrantShares(g Grant, events []ServiceEvent) map[string]Shares {
	own := make([]ServiceEvent, 0, len(events))
	for _, ev := range events {
		if ev.GrantID == g.ID {
			own = append(own, ev)
		}
	}
	consumptionOrder(own)
	out := make(map[string]Shares, len(own))
	remaining := g.Amount
	for _, ev := range own {
		price := ev.Price()
		var s Shares
		switch g.Kind {
		case KindBalancePurchasingPower:
			s = Shares{Price: price, Remaining: remaining}
			if ev.Status.ConsumesGrant() {
				s.VoucherShare = min(price, max(remaining, 0))
				remaining -= s.VoucherShare
			}
		default:
			s = Shares{Price: price, VoucherShare: min(price, ev.Quantity.Times(ev.VoucherUnitValue))}
		}
		s.CoPayment = s.Price - s.VoucherShare
		out[ev.ID] = s
	}
	return out
}

// BalanceUsage returns, for a balance purchasing power g (saldo-ostovoima),
// the cents its events have used (the sum of their voucher shares, by
// GrantShares) and the cents remaining (g.Amount − used). events may hold
// other grants' events too.
func BalanceUsage(g Grant, events []ServiceEvent) (used, remaining Cents) {
	for _, s := range GrantShares(g, events) {
		used += s.VoucherShare
	}
	return used, g.Amount - used
}

// StatementRow is one event on the co-payment statement.
type StatementRow struct {
	EventID       string
	Date          Date
	Content       string
	Quantity      Quantity
	Unit          Unit
	UnitPrice     Cents
	VoucherNumber string
	Shares
	// InReview marks an event the organizer is reviewing (Tarkastettavana):
	// it shows until it is rejected.
	InReview bool
}

// Totals sums a statement's rows, in cents.
type Totals struct {
	Price        Cents
	VoucherShare Cents
	CoPayment    Cents
}

// Statement is a co-payment statement (omavastuuerittely, DOMAIN.md §5).
// Customer.Hetu is always empty: the statement never carries the
// henkilötunnus.
type Statement struct {
	Provider Provider
	Customer Customer
	Service  Service
	Grants   []Grant   // the customer's grants of Service valid in the period, by voucher number
	Vouchers []Voucher // their vouchers, where known
	From, To Date
	Made     Date
	Rows     []StatementRow
	Totals   Totals
}

// StatementRequest is what a statement is made from. Events and Grants may
// hold the customer's others too; only Service's are used. Events must hold
// every event of those grants, also before From, so that a balance's
// remaining amount is right.
type StatementRequest struct {
	Provider Provider
	Customer Customer
	Service  Service
	Grants   []Grant
	Vouchers []Voucher
	Events   []ServiceEvent
	From, To Date
	Made     Date
}

// ErrEndBeforeStart: a statement's end date is before its start date.
var ErrEndBeforeStart = errors.New("the end date is before the start date")

// Price is the event's price in cents, round(qty × unit price) half away
// from zero (DOMAIN.md §4).
func (ev ServiceEvent) Price() Cents { return ev.Quantity.Times(ev.UnitPrice) }

// MakeStatement builds the statement for the customer's grants of the
// service that are valid on some day of From..To: rows are their events
// dated From..To (inclusive) in a status that shows on a statement
// (Status.OnStatement), in date order; totals sum them. It errors when To
// is before From.
func MakeStatement(r StatementRequest) (Statement, error) {
	if r.To.Before(r.From) {
		return Statement{}, fmt.Errorf("%w: %s–%s", ErrEndBeforeStart, r.From.Format(), r.To.Format())
	}
	st := Statement{Provider: r.Provider, Customer: r.Customer, Service: r.Service,
		From: r.From, To: r.To, Made: r.Made}
	st.Customer.Hetu = ""
	for _, g := range r.Grants {
		if g.ServiceID != r.Service.ID || g.CustomerID != "" && g.CustomerID != r.Customer.ID {
			continue
		}
		// Only the vouchers valid on some day of the period.
		if !g.ValidFrom.IsZero() && g.ValidFrom.After(r.To) || !g.ValidTo.IsZero() && g.ValidTo.Before(r.From) {
			continue
		}
		st.Grants = append(st.Grants, g)
		for _, v := range r.Vouchers {
			if v.Number == g.VoucherNumber {
				st.Vouchers = append(st.Vouchers, v)
				break
			}
		}
		shares := GrantShares(g, r.Events)
		for _, ev := range r.Events {
			if ev.GrantID != g.ID || !ev.Status.OnStatement() || !ev.Date.Within(r.From, r.To) {
				continue
			}
			st.Rows = append(st.Rows, StatementRow{
				EventID: ev.ID, Date: ev.Date, Content: ev.Content, Quantity: ev.Quantity,
				Unit: r.Service.Unit, UnitPrice: ev.UnitPrice, VoucherNumber: g.VoucherNumber,
				Shares: shares[ev.ID], InReview: ev.Status == StatusInReview,
			})
		}
	}
	sort.Slice(st.Grants, func(i, j int) bool { return st.Grants[i].VoucherNumber < st.Grants[j].VoucherNumber })
	sort.SliceStable(st.Rows, func(i, j int) bool {
		if c := st.Rows[i].Date.Compare(st.Rows[j].Date); c != 0 {
			return c < 0
		}
		return st.Rows[i].EventID < st.Rows[j].EventID
	})
	for _, row := range st.Rows {
		st.Totals.Price += row.Price
		st.Totals.VoucherShare += row.VoucherShare
		st.Totals.CoPayment += row.CoPayment
	}
	return st, nil
}

// PeriodOf returns the first and last day of g's period that d falls in:
// the calendar month, the Monday–Sunday week, or g's whole validity.
func PeriodOf(g Grant, d Date) (from, to Date) {
	switch g.Period {
	case PeriodWeek:
		off := (int(d.Weekday()) + 6) % 7 // Monday = 0
		from = d.AddDays(-off)
		return from, from.AddDays(6)
	case PeriodTotal:
		return g.ValidFrom, g.ValidTo
	default:
		from = NewDate(d.Year, d.Month, 1)
		return from, NewDate(d.Year, d.Month+1, 0)
	}
}

// NeedsReview reports whether ev goes to review (Tarkastettavana, DOMAIN.md
// §4): when the service reviews every event; for a purchasing power when,
// counted with the grant's other events of the same period that consume it,
// its quantity exceeds the granted quantity; for a balance purchasing power
// when its price exceeds the balance remaining before it (an ev with a zero
// RecordedAt counts as recorded after the stored events of its date). others
// may hold any events; ev itself is skipped among them by id. Review gives
// the reason and figures.
func NeedsReview(g Grant, svc Service, others []ServiceEvent, ev ServiceEvent) bool {
	return Review(g, svc, others, ev).InReview
}
