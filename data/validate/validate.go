// Package validate holds the rules one record of the domain must meet on
// its own, one function per record kind: the desk checks a record with it
// before it shows or queues it, and the organizer before it stores one.
// Rules between records (unique ids, references that resolve and agree,
// customer numbers unique within a provider) belong to whoever holds the
// whole set; the customer-number rule is validate.CustomerNumber.
//
// Every refusal is a *data.Error with one of the Code constants below and
// an English Detail that names the record by kind and id ("grant pp-1: …")
// and never holds a henkilötunnus. The package is apart from package data
// because the customer's rule needs package hetu, which imports data.
package validate

import (
	"errors"
	"fmt"

	"psopdesk/data"
	"psopdesk/data/hetu"
)

// Codes of the per-record rules, as data.Error.Code.
const (
	// CodeServiceUnitUnknown: a service's unit is not one of data.UnitHour,
	// UnitVisit, UnitDay, UnitPiece.
	CodeServiceUnitUnknown = "service_unit_unknown"
	// CodePriceNegative: a provider's price for a service is below 0 cents.
	CodePriceNegative = "price_negative"
	// CodeHetuMissing: a customer has no henkilötunnus.
	CodeHetuMissing = "hetu_missing"
	// CodeHetuInvalid: a customer's henkilötunnus breaks a rule of
	// hetu.Parse; the Detail names the rule (hetu.Reason…), never the code.
	CodeHetuInvalid = "hetu_invalid"
	// CodeHetuNotCanonical: a customer's henkilötunnus is valid but not in
	// the canonical form hetu.Hetu.String gives (upper case, no spaces, "-"
	// as the dash).
	CodeHetuNotCanonical = "hetu_not_canonical"
	// CodeVoucherValidity: a voucher has no start of validity, or its end is
	// before its start.
	CodeVoucherValidity = "voucher_validity"
	// CodeGrantValidity: a grant has no start of validity, or its end is
	// before its start.
	CodeGrantValidity = "grant_validity"
	// CodeGrantKindUnknown: a grant is neither a purchasing power nor a
	// balance purchasing power.
	CodeGrantKindUnknown = "grant_kind_unknown"
	// CodeGrantQuantityNotPositive: a purchasing power's granted quantity is
	// 0 or less.
	CodeGrantQuantityNotPositive = "grant_quantity_not_positive"
	// CodeGrantUnitValueNegative: a purchasing power's voucher value per
	// unit is below 0 cents.
	CodeGrantUnitValueNegative = "grant_unit_value_negative"
	// CodeGrantPeriodUnknown: a purchasing power's period is not
	// data.PeriodMonth, PeriodWeek or PeriodTotal.
	CodeGrantPeriodUnknown = "grant_period_unknown"
	// CodeGrantAmountNotPositive: a balance purchasing power's amount is 0
	// cents or less.
	CodeGrantAmountNotPositive = "grant_amount_not_positive"
	// CodeReservationSpan: a reservation has no start date, or its end is
	// before its start.
	CodeReservationSpan = "reservation_span"
	// CodeReservationQuantityNegative: a reservation's quantity is below 0.
	CodeReservationQuantityNegative = "reservation_quantity_negative"
	// CodeEventDateMissing: a service event has no date.
	CodeEventDateMissing = "event_date_missing"
	// CodeEventQuantityNotPositive: a service event's quantity is 0 or less.
	CodeEventQuantityNotPositive = "event_quantity_not_positive"
	// CodeEventStatusUnknown: a service event's status is not one of
	// data.Statuses.
	CodeEventStatusUnknown = "event_status_unknown"
)

// refuse is the *data.Error of code, its Detail "<kind> <id>: <what>".
func refuse(code, kind, id, format string, args ...any) *data.Error {
	if id == "" {
		id = "(no id)"
	}
	return &data.Error{Code: code, Detail: kind + " " + id + ": " + fmt.Sprintf(format, args...)}
}

// Service checks that s's unit is known. It gives nil or a *data.Error
// with CodeServiceUnitUnknown.
func Service(s data.Service) error {
	switch s.Unit {
	case data.UnitHour, data.UnitVisit, data.UnitDay, data.UnitPiece:
		return nil
	}
	return refuse(CodeServiceUnitUnknown, "service", s.ID, "unknown unit %q", s.Unit)
}

// Price checks a provider's price for a service, cents per unit of the
// service's content: it may be 0, not negative. It gives nil or a
// *data.Error with CodePriceNegative naming the provider and the service.
func Price(providerID, serviceID string, cents data.Cents) error {
	if cents < 0 {
		return &data.Error{Code: CodePriceNegative,
			Detail: fmt.Sprintf("price of provider %s for %s is negative", providerID, serviceID)}
	}
	return nil
}

// Customer checks that c's henkilötunnus is valid (hetu.Parse, DOMAIN.md
// §3) and stored in canonical form. It gives nil or a *data.Error with
// CodeHetuMissing, CodeHetuInvalid (the Detail names the broken rule, a
// hetu.Reason… constant) or CodeHetuNotCanonical. The code itself never
// goes into the error (personal data).
func Customer(c data.Customer) error {
	h, err := hetu.Parse(c.Hetu)
	if err != nil {
		if c.Hetu == "" {
			return refuse(CodeHetuMissing, "customer", c.ID, "henkilötunnus is not valid (missing)")
		}
		reason := hetu.ReasonFormat
		if he, ok := errors.AsType[*hetu.Error](err); ok {
			reason = he.Reason
		}
		return refuse(CodeHetuInvalid, "customer", c.ID, "henkilötunnus is not valid (%s)", reason)
	}
	if h.String() != c.Hetu {
		return refuse(CodeHetuNotCanonical, "customer", c.ID, "henkilötunnus is not in canonical form")
	}
	return nil
}

// Voucher checks v's validity: a start, and an end not before it. It gives
// nil or a *data.Error with CodeVoucherValidity.
func Voucher(v data.Voucher) error {
	if v.ValidFrom.IsZero() || v.ValidTo.Before(v.ValidFrom) {
		return refuse(CodeVoucherValidity, "voucher", v.Number, "validity %s..%s", v.ValidFrom, v.ValidTo)
	}
	return nil
}

// Grant checks g on its own: a validity with a start and an end not before
// it; a purchasing power has a positive granted quantity, a voucher value
// per unit of 0 cents or more and a known period (month, week, total); a
// balance purchasing power has a positive amount. It gives nil or a
// *data.Error with CodeGrantValidity, CodeGrantQuantityNotPositive,
// CodeGrantUnitValueNegative, CodeGrantPeriodUnknown,
// CodeGrantAmountNotPositive or CodeGrantKindUnknown, checked in that
// order.
func Grant(g data.Grant) error {
	if g.ValidFrom.IsZero() || g.ValidTo.Before(g.ValidFrom) {
		return refuse(CodeGrantValidity, "grant", g.ID, "validity %s..%s", g.ValidFrom, g.ValidTo)
	}
	switch g.Kind {
	case data.KindPurchasingPower:
		if g.GrantedQuantity <= 0 {
			return refuse(CodeGrantQuantityNotPositive, "grant", g.ID, "purchasing power needs a positive granted quantity")
		}
		if g.VoucherUnitValue < 0 {
			return refuse(CodeGrantUnitValueNegative, "grant", g.ID, "purchasing power has a negative voucher value per unit")
		}
		switch g.Period {
		case data.PeriodMonth, data.PeriodWeek, data.PeriodTotal:
		default:
			return refuse(CodeGrantPeriodUnknown, "grant", g.ID, "unknown period %q", g.Period)
		}
	case data.KindBalancePurchasingPower:
		if g.Amount <= 0 {
			return refuse(CodeGrantAmountNotPositive, "grant", g.ID, "balance purchasing power needs a positive amount")
		}
	default:
		return refuse(CodeGrantKindUnknown, "grant", g.ID, "unknown kind %q", g.Kind)
	}
	return nil
}

// Reservation checks r on its own: a start date, an end not before it, and
// a quantity of 0 or more. It gives nil or a *data.Error with
// CodeReservationSpan or CodeReservationQuantityNegative.
func Reservation(r data.Reservation) error {
	if r.From.IsZero() || r.To.Before(r.From) {
		return refuse(CodeReservationSpan, "reservation", r.ID, "span %s..%s", r.From, r.To)
	}
	if r.Quantity < 0 {
		return refuse(CodeReservationQuantityNegative, "reservation", r.ID, "quantity is negative")
	}
	return nil
}

// ServiceEvent checks e on its own: a date, a positive quantity and a
// known status (data.Status.Valid). It gives nil or a *data.Error with
// CodeEventDateMissing, CodeEventQuantityNotPositive or
// CodeEventStatusUnknown, checked in that order.
func ServiceEvent(e data.ServiceEvent) error {
	if e.Date.IsZero() {
		return refuse(CodeEventDateMissing, "event", e.ID, "no date")
	}
	if e.Quantity <= 0 {
		return refuse(CodeEventQuantityNotPositive, "event", e.ID, "quantity must be positive")
	}
	if !e.Status.Valid() {
		return refuse(CodeEventStatusUnknown, "event", e.ID, "unknown status %q", e.Status)
	}
	return nil
}
