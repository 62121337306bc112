package data

import (
	"errors"
	"fmt"
	"sort"
	"time"
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
	EventID   string
	Date      Date
	ServiceID string // the service of the event's grant
	Content   string
	Quantity  Quantity
	Unit      Unit // the unit of ServiceID's content
	UnitPrice Cents
	// VoucherNumber is the voucher of the grant the event was recorded on.
	VoucherNumber string
	Shares
	// InReview marks an event the organizer is reviewing (Tarkastettavana):
	// it shows until it is rejected.
	InReview bool
	// BalanceUsedUp marks a row of a balance purchasing power that the
	// remaining balance did not cover: the balance ran out at or before it,
	// so its voucher share is less than its price (saldo käytetty loppuun).
	BalanceUsedUp bool
}

// Totals sums a statement's rows, in cents.
type Totals struct {
	Price        Cents
	VoucherShare Cents
	CoPayment    Cents
}

// add adds row r's shares to t.
func (t *Totals) add(r StatementRow) {
	t.Price += r.Price
	t.VoucherShare += r.VoucherShare
	t.CoPayment += r.CoPayment
}

// MonthTotals sums the rows of one calendar month of a statement.
type MonthTotals struct {
	Year  int
	Month time.Month
	Totals
}

// PeriodUsage is a purchasing power's use in one of its periods (a month,
// a Monday–Sunday week or its whole validity) that overlaps the statement:
// Used is the quantity of the grant's events of the whole period in a
// status that consumes it (Status.ConsumesGrant), Granted the granted
// quantity, both in the service's unit ("10,25 h / 10 h").
type PeriodUsage struct {
	From, To Date
	Used     Quantity
	Granted  Quantity
}

// GrantUsage is what a statement tells of one grant. For a purchasing
// power, Periods lists its periods that overlap the statement. For a
// balance purchasing power, in cents: Amount granted, UsedBefore by events
// before the statement's first day, UsedIn by events in the statement's
// period, Remaining after the period's last day (Amount − UsedBefore −
// UsedIn minus any use after the period is not subtracted).
type GrantUsage struct {
	GrantID       string
	VoucherNumber string
	ServiceID     string
	Kind          GrantKind
	Unit          Unit
	Periods       []PeriodUsage
	Amount        Cents
	UsedBefore    Cents
	UsedIn        Cents
	Remaining     Cents
}

// Statement is a co-payment statement (omavastuuerittely, DOMAIN.md §5).
// Customer.Hetu is always empty: the statement never carries the
// henkilötunnus.
type Statement struct {
	Provider Provider
	Customer Customer
	// Service is the statement's one service; the zero Service on a
	// statement of all the customer's services (Kaikki palvelut).
	Service Service
	// Services are the services of the statement's grants, by name: the
	// one Service, or every service on an all-services statement.
	Services []Service
	Grants   []Grant   // the customer's grants (of Service) valid in the period, by voucher number
	Vouchers []Voucher // their vouchers, where known
	// Usage is, for each grant in Grants and in the same order, what was
	// used against what was granted.
	Usage    []GrantUsage
	From, To Date
	Made     Date
	Rows     []StatementRow
	Totals   Totals
}

// AllServices reports whether st covers all the customer's services
// (Kaikki palvelut) rather than one.
func (st Statement) AllServices() bool { return st.Service.ID == "" }

// ServiceByID returns the service of id among st.Services.
func (st Statement) ServiceByID(id string) (Service, bool) {
	for _, s := range st.Services {
		if s.ID == id {
			return s, true
		}
	}
	if st.Service.ID == id && id != "" {
		return st.Service, true
	}
	return Service{}, false
}

// MonthlyTotals sums st's rows per calendar month, in month order; one
// entry per month that has rows.
func (st Statement) MonthlyTotals() []MonthTotals {
	var out []MonthTotals
	for _, r := range st.Rows {
		if n := len(out); n == 0 || out[n-1].Year != r.Date.Year || out[n-1].Month != r.Date.Month {
			out = append(out, MonthTotals{Year: r.Date.Year, Month: r.Date.Month})
		}
		out[len(out)-1].add(r)
	}
	return out
}

// SpansMonths reports whether st's period covers more than one calendar
// month.
func (st Statement) SpansMonths() bool {
	return st.From.Year != st.To.Year || st.From.Month != st.To.Month
}

// StatementRequest is what a statement is made from. Service.ID == ""
// asks for all the customer's services (Kaikki palvelut); Services then
// names them (a grant of a service not in Services still shows, by id).
// Events and Grants may hold the customer's others too; only the asked
// service's are used. Events must hold every event of those grants, also
// before From, so that a balance's remaining amount is right.
type StatementRequest struct {
	Provider Provider
	Customer Customer
	Service  Service
	Services []Service
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
// service (of every service when r.Service.ID is "") that are valid on
// some day of From..To: rows are their events dated From..To (inclusive)
// in a status that shows on a statement (Status.OnStatement), in date
// order; totals sum them; Usage tells each grant's use. It errors when To
// is before From.
func MakeStatement(r StatementRequest) (Statement, error) {
	if r.To.Before(r.From) {
		return Statement{}, fmt.Errorf("%w: %s–%s", ErrEndBeforeStart, r.From.Format(), r.To.Format())
	}
	all := r.Service.ID == ""
	st := Statement{Provider: r.Provider, Customer: r.Customer, Service: r.Service,
		From: r.From, To: r.To, Made: r.Made}
	if all {
		st.Service = Service{}
	}
	st.Customer.Hetu = ""
	service := func(id string) Service {
		if !all && id == r.Service.ID {
			return r.Service
		}
		for _, s := range r.Services {
			if s.ID == id {
				return s
			}
		}
		return Service{ID: id}
	}
	seen := map[string]bool{}
	for _, g := range r.Grants {
		if !all && g.ServiceID != r.Service.ID || g.CustomerID != "" && g.CustomerID != r.Customer.ID {
			continue
		}
		// Only the vouchers valid on some day of the period.
		if !g.ValidFrom.IsZero() && g.ValidFrom.After(r.To) || !g.ValidTo.IsZero() && g.ValidTo.Before(r.From) {
			continue
		}
		svc := service(g.ServiceID)
		if !seen[svc.ID] {
			seen[svc.ID] = true
			st.Services = append(st.Services, svc)
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
			s := shares[ev.ID]
			st.Rows = append(st.Rows, StatementRow{
				EventID: ev.ID, Date: ev.Date, ServiceID: g.ServiceID, Content: ev.Content,
				Quantity: ev.Quantity, Unit: svc.Unit, UnitPrice: ev.UnitPrice,
				VoucherNumber: g.VoucherNumber, Shares: s, InReview: ev.Status == StatusInReview,
				BalanceUsedUp: g.Kind == KindBalancePurchasingPower && s.VoucherShare < s.Price,
			})
		}
	}
	sort.SliceStable(st.Services, func(i, j int) bool {
		a, b := st.Services[i], st.Services[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	sort.SliceStable(st.Grants, func(i, j int) bool { return st.Grants[i].VoucherNumber < st.Grants[j].VoucherNumber })
	for _, g := range st.Grants {
		st.Usage = append(st.Usage, grantUsage(g, service(g.ServiceID).Unit, r.Events, r.From, r.To))
	}
	sort.SliceStable(st.Rows, func(i, j int) bool {
		if c := st.Rows[i].Date.Compare(st.Rows[j].Date); c != 0 {
			return c < 0
		}
		return st.Rows[i].EventID < st.Rows[j].EventID
	})
	for _, row := range st.Rows {
		st.Totals.add(row)
	}
	return st, nil
}

// grantUsage tells g's use for a statement of from..to; events may hold
// other grants' events.
func grantUsage(g Grant, unit Unit, events []ServiceEvent, from, to Date) GrantUsage {
	u := GrantUsage{GrantID: g.ID, VoucherNumber: g.VoucherNumber, ServiceID: g.ServiceID, Kind: g.Kind, Unit: unit}
	if g.Kind == KindBalancePurchasingPower {
		u.Amount = g.Amount
		shares := GrantShares(g, events)
		for _, ev := range events {
			s, ok := shares[ev.ID]
			if !ok || ev.GrantID != g.ID || ev.Date.After(to) {
				continue
			}
			if ev.Date.Before(from) {
				u.UsedBefore += s.VoucherShare
			} else {
				u.UsedIn += s.VoucherShare
			}
		}
		u.Remaining = g.Amount - u.UsedBefore - u.UsedIn
		return u
	}
	// The periods overlapping from..to (and g's validity).
	start, end := from, to
	if !g.ValidFrom.IsZero() && g.ValidFrom.After(start) {
		start = g.ValidFrom
	}
	if !g.ValidTo.IsZero() && g.ValidTo.Before(end) {
		end = g.ValidTo
	}
	for d := start; !d.After(end); {
		pf, pt := PeriodOf(g, d)
		if pf.IsZero() || pt.IsZero() || pt.Before(d) {
			pf, pt = start, end // a total period without validity dates
		}
		p := PeriodUsage{From: pf, To: pt, Granted: g.GrantedQuantity}
		for _, ev := range events {
			if ev.GrantID == g.ID && ev.Status.ConsumesGrant() && ev.Date.Within(pf, pt) {
				p.Used += ev.Quantity
			}
		}
		u.Periods = append(u.Periods, p)
		d = pt.AddDays(1)
	}
	return u
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
