package validate

import (
	"errors"
	"strings"
	"testing"

	"psopdesk/data"
)

// hetuOK is a fictitious DVV test code (fixtures/hetu.json).
const hetuOK = "010594Y9021"

// check runs one case: code "" wants nil, else a *data.Error with code
// whose Detail names id. No error text may hold a henkilötunnus: neither
// hetuOK nor its birth date and individual number.
func check(t *testing.T, name string, err error, code, id string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Errorf("%s: %v; want nil", name, err)
		}
		return
	}
	de, ok := errors.AsType[*data.Error](err)
	if !ok {
		t.Errorf("%s: %v (%T); want a *data.Error with code %s", name, err, err, code)
		return
	}
	if de.Code != code {
		t.Errorf("%s: code %s; want %s (%v)", name, de.Code, code, err)
	}
	if !strings.Contains(de.Detail, id) {
		t.Errorf("%s: detail %q does not name %s", name, de.Detail, id)
	}
	for _, secret := range []string{hetuOK, "010594", "Y902", "y902"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: error %q shows the henkilötunnus", name, err)
		}
	}
}

func TestService(t *testing.T) {
	tests := []struct {
		name string
		unit data.Unit
		code string
	}{
		{"hour", data.UnitHour, ""},
		{"visit", data.UnitVisit, ""},
		{"day", data.UnitDay, ""},
		{"piece", data.UnitPiece, ""},
		{"unknown", "minute", CodeServiceUnitUnknown},
		{"empty", "", CodeServiceUnitUnknown},
		{"upper case", "HOUR", CodeServiceUnitUnknown},
	}
	for _, tt := range tests {
		s := data.Service{ID: "svc-home", Name: "Kotihoito", Unit: tt.unit}
		check(t, tt.name, Service(s), tt.code, "service svc-home")
	}
}

func TestPrice(t *testing.T) {
	tests := []struct {
		name  string
		cents data.Cents
		code  string
	}{
		{"positive", 4250, ""},
		{"free", 0, ""},
		{"negative", -1, CodePriceNegative},
	}
	for _, tt := range tests {
		check(t, tt.name, Price("prov-1", "svc-home", tt.cents), tt.code, "provider prov-1 for svc-home")
	}
}

func TestCustomer(t *testing.T) {
	tests := []struct {
		name, hetu, code, reason string
	}{
		{"canonical", hetuOK, "", ""},
		{"canonical, old sign", "131052-308T", "", ""},
		{"missing", "", CodeHetuMissing, ""},
		{"blank", "   ", CodeHetuInvalid, "(format)"},
		{"checksum", "010594Y9022", CodeHetuInvalid, "(checksum)"},
		{"century", "010594G9021", CodeHetuInvalid, "(century)"},
		{"date", "310294Y9021", CodeHetuInvalid, "(date)"},
		{"individual", "010594Y0011", CodeHetuInvalid, "(individual)"},
		{"too short", "010594Y902", CodeHetuInvalid, "(format)"},
		{"lower case", "010594y9021", CodeHetuNotCanonical, ""},
		{"spaces", " 010594Y9021 ", CodeHetuNotCanonical, ""},
		{"en dash", "131052\u2013308T", CodeHetuNotCanonical, ""},
	}
	for _, tt := range tests {
		c := data.Customer{ID: "cust-1", FirstNames: "Sinikka", LastName: "Ääpälä", Hetu: tt.hetu}
		err := Customer(c)
		check(t, tt.name, err, tt.code, "customer cust-1")
		if err != nil && strings.Contains(err.Error(), strings.TrimSpace(tt.hetu)) && strings.TrimSpace(tt.hetu) != "" {
			t.Errorf("%s: error %q shows the henkilötunnus", tt.name, err)
		}
		if tt.reason != "" && (err == nil || !strings.Contains(err.Error(), tt.reason)) {
			t.Errorf("%s: error %v does not name the rule %s", tt.name, err, tt.reason)
		}
	}
}

func TestVoucher(t *testing.T) {
	d := data.MustDate
	tests := []struct {
		name     string
		from, to data.Date
		code     string
	}{
		{"a year", d("2026-01-01"), d("2026-12-31"), ""},
		{"one day", d("2026-01-01"), d("2026-01-01"), ""},
		{"no start", data.Date{}, d("2026-12-31"), CodeVoucherValidity},
		{"no end", d("2026-01-01"), data.Date{}, CodeVoucherValidity},
		{"end before start", d("2026-12-31"), d("2026-01-01"), CodeVoucherValidity},
	}
	for _, tt := range tests {
		v := data.Voucher{Number: "400123456", CustomerID: "cust-1", ServiceID: "svc-home", ValidFrom: tt.from, ValidTo: tt.to}
		check(t, tt.name, Voucher(v), tt.code, "voucher 400123456")
	}
}

func TestGrant(t *testing.T) {
	d := data.MustDate
	pp := func(f func(*data.Grant)) data.Grant {
		g := data.Grant{ID: "grant-1", CustomerID: "cust-1", Kind: data.KindPurchasingPower, VoucherNumber: "400123456",
			ServiceID: "svc-home", GrantedQuantity: data.MustQuantity("10"), Period: data.PeriodMonth,
			VoucherUnitValue: 3600, ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31")}
		f(&g)
		return g
	}
	bp := func(f func(*data.Grant)) data.Grant {
		g := data.Grant{ID: "grant-1", CustomerID: "cust-1", Kind: data.KindBalancePurchasingPower, VoucherNumber: "400123457",
			ServiceID: "svc-clean", Amount: 20000, ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31")}
		f(&g)
		return g
	}
	tests := []struct {
		name string
		g    data.Grant
		code string
	}{
		{"purchasing power", pp(func(*data.Grant) {}), ""},
		{"week", pp(func(g *data.Grant) { g.Period = data.PeriodWeek }), ""},
		{"total", pp(func(g *data.Grant) { g.Period = data.PeriodTotal }), ""},
		{"no voucher value", pp(func(g *data.Grant) { g.VoucherUnitValue = 0 }), ""},
		{"balance", bp(func(*data.Grant) {}), ""},
		{"no start", pp(func(g *data.Grant) { g.ValidFrom = data.Date{} }), CodeGrantValidity},
		{"end before start", bp(func(g *data.Grant) { g.ValidTo = d("2025-12-31") }), CodeGrantValidity},
		{"validity before kind", pp(func(g *data.Grant) { g.ValidTo = data.Date{}; g.Kind = "gift" }), CodeGrantValidity},
		{"zero quantity", pp(func(g *data.Grant) { g.GrantedQuantity = 0 }), CodeGrantQuantityNotPositive},
		{"negative quantity", pp(func(g *data.Grant) { g.GrantedQuantity = -100 }), CodeGrantQuantityNotPositive},
		{"negative voucher value", pp(func(g *data.Grant) { g.VoucherUnitValue = -1 }), CodeGrantUnitValueNegative},
		{"no period", pp(func(g *data.Grant) { g.Period = "" }), CodeGrantPeriodUnknown},
		{"unknown period", pp(func(g *data.Grant) { g.Period = "year" }), CodeGrantPeriodUnknown},
		{"zero amount", bp(func(g *data.Grant) { g.Amount = 0 }), CodeGrantAmountNotPositive},
		{"negative amount", bp(func(g *data.Grant) { g.Amount = -1 }), CodeGrantAmountNotPositive},
		{"balance needs no period", bp(func(g *data.Grant) { g.Period = "" }), ""},
		{"unknown kind", pp(func(g *data.Grant) { g.Kind = "gift" }), CodeGrantKindUnknown},
		{"no kind", pp(func(g *data.Grant) { g.Kind = "" }), CodeGrantKindUnknown},
	}
	for _, tt := range tests {
		check(t, tt.name, Grant(tt.g), tt.code, "grant grant-1")
	}
	if err := Grant(pp(func(g *data.Grant) { g.Kind = "gift" })); err == nil || !strings.Contains(err.Error(), `unknown kind "gift"`) {
		t.Errorf("unknown kind: error %v does not name the kind", err)
	}
}

func TestReservation(t *testing.T) {
	d := data.MustDate
	tests := []struct {
		name     string
		from, to data.Date
		qty      data.Quantity
		code     string
	}{
		{"a month", d("2026-11-01"), d("2026-11-30"), data.MustQuantity("10"), ""},
		{"one day, nothing reserved", d("2026-11-01"), d("2026-11-01"), 0, ""},
		{"no start", data.Date{}, d("2026-11-30"), data.MustQuantity("10"), CodeReservationSpan},
		{"no end", d("2026-11-01"), data.Date{}, data.MustQuantity("10"), CodeReservationSpan},
		{"end before start", d("2026-11-30"), d("2026-11-01"), data.MustQuantity("10"), CodeReservationSpan},
		{"negative quantity", d("2026-11-01"), d("2026-11-30"), -50, CodeReservationQuantityNegative},
	}
	for _, tt := range tests {
		r := data.Reservation{ID: "res-1", CustomerID: "cust-1", GrantID: "pp-1", From: tt.from, To: tt.to, Quantity: tt.qty}
		check(t, tt.name, Reservation(r), tt.code, "reservation res-1")
	}
}

func TestServiceEvent(t *testing.T) {
	ev := func(f func(*data.ServiceEvent)) data.ServiceEvent {
		e := data.ServiceEvent{ID: "e1", CustomerID: "cust-1", GrantID: "pp-1", ServiceID: "svc-home",
			Date: data.MustDate("2026-11-02"), Quantity: data.MustQuantity("2"), UnitPrice: 4250,
			VoucherUnitValue: 3600, Status: data.StatusRecorded}
		f(&e)
		return e
	}
	tests := []struct {
		name string
		e    data.ServiceEvent
		code string
	}{
		{"recorded", ev(func(*data.ServiceEvent) {}), ""},
		{"a hundredth", ev(func(e *data.ServiceEvent) { e.Quantity = 1 }), ""},
		{"no date", ev(func(e *data.ServiceEvent) { e.Date = data.Date{} }), CodeEventDateMissing},
		{"zero quantity", ev(func(e *data.ServiceEvent) { e.Quantity = 0 }), CodeEventQuantityNotPositive},
		{"negative quantity", ev(func(e *data.ServiceEvent) { e.Quantity = -200 }), CodeEventQuantityNotPositive},
		{"unknown status", ev(func(e *data.ServiceEvent) { e.Status = "done" }), CodeEventStatusUnknown},
		{"no status", ev(func(e *data.ServiceEvent) { e.Status = "" }), CodeEventStatusUnknown},
		{"date before quantity", ev(func(e *data.ServiceEvent) { e.Date = data.Date{}; e.Quantity = 0 }), CodeEventDateMissing},
	}
	for _, s := range data.Statuses {
		tests = append(tests, struct {
			name string
			e    data.ServiceEvent
			code string
		}{string(s), ev(func(e *data.ServiceEvent) { e.Status = s }), ""})
	}
	for _, tt := range tests {
		check(t, tt.name, ServiceEvent(tt.e), tt.code, "event e1")
	}
}

// A record not yet given an id (the desk's preview of a new one) is named
// as such.
func TestNoID(t *testing.T) {
	err := ServiceEvent(data.ServiceEvent{Quantity: 100, Status: data.StatusRecorded})
	check(t, "new event", err, CodeEventDateMissing, "event (no id)")
}
