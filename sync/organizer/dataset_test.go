package organizer

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"psopdesk/data"
	"psopdesk/data/validate"
)

// smallDataset is scenario-small with a reservation of prov-1 on pp-1,
// loaded afresh so a case may change it in place.
func smallDataset(t *testing.T) Dataset {
	t.Helper()
	d, err := LoadScenario(bytes.NewReader(ScenarioSmall))
	if err != nil {
		t.Fatal(err)
	}
	d.Reservations = append(d.Reservations, Reservation{ProviderID: "prov-1", Reservation: data.Reservation{
		ID: "res-1", CustomerID: "cust-1", GrantID: "pp-1",
		From: data.MustDate("2026-11-01"), To: data.MustDate("2026-11-30"), Quantity: data.MustQuantity("8")}})
	if err := d.Validate(); err != nil {
		t.Fatalf("scenario-small with a reservation: %v", err)
	}
	return d
}

// Dataset.Validate refuses a record that breaks its own rule with the
// *data.Error of package validate, the rule the desk checks too; a
// reference that does not resolve is found first, as before the rules
// moved.
func TestDatasetValidateRecordRules(t *testing.T) {
	cases := []struct {
		name   string
		change func(d *Dataset)
		code   string // "" when the refusal is not a record's own rule
		says   string
	}{
		{"service unit", func(d *Dataset) { d.Services[0].Unit = "minute" },
			validate.CodeServiceUnitUnknown, `service svc-home: unknown unit "minute"`},
		{"price", func(d *Dataset) { d.Prices[0].Cents = -1 },
			validate.CodePriceNegative, "price of provider prov-1 for svc-clean is negative"},
		{"hetu checksum", func(d *Dataset) { d.Customers[0].Hetu = "010594Y9022" },
			validate.CodeHetuInvalid, "customer cust-1: henkilötunnus is not valid (checksum)"},
		{"hetu missing", func(d *Dataset) { d.Customers[0].Hetu = "" },
			validate.CodeHetuMissing, "customer cust-1"},
		{"hetu lower case", func(d *Dataset) { d.Customers[0].Hetu = "010594y9021" },
			validate.CodeHetuNotCanonical, "customer cust-1: henkilötunnus is not in canonical form"},
		{"voucher validity", func(d *Dataset) { d.Vouchers[0].ValidTo = data.MustDate("2025-12-31") },
			validate.CodeVoucherValidity, "voucher 400123456: validity 2026-01-01..2025-12-31"},
		{"grant validity", func(d *Dataset) { d.Grants[0].ValidFrom = data.Date{} },
			validate.CodeGrantValidity, "grant pp-1: validity"},
		{"grant quantity", func(d *Dataset) { d.Grants[0].GrantedQuantity = 0 },
			validate.CodeGrantQuantityNotPositive, "grant pp-1"},
		{"grant voucher value", func(d *Dataset) { d.Grants[0].VoucherUnitValue = -1 },
			validate.CodeGrantUnitValueNegative, "grant pp-1"},
		{"grant period", func(d *Dataset) { d.Grants[0].Period = "year" },
			validate.CodeGrantPeriodUnknown, `grant pp-1: unknown period "year"`},
		{"grant amount", func(d *Dataset) { d.Grants[1].Amount = 0 },
			validate.CodeGrantAmountNotPositive, "grant bp-1"},
		{"grant kind", func(d *Dataset) { d.Grants[1].Kind = "gift" },
			validate.CodeGrantKindUnknown, `grant bp-1: unknown kind "gift"`},
		{"reservation span", func(d *Dataset) { d.Reservations[0].To = data.MustDate("2026-10-31") },
			validate.CodeReservationSpan, "reservation res-1"},
		{"reservation quantity", func(d *Dataset) { d.Reservations[0].Quantity = -1 },
			validate.CodeReservationQuantityNegative, "reservation res-1"},
		{"event date", func(d *Dataset) { d.Events[0].Date = data.Date{} },
			validate.CodeEventDateMissing, "event e1: no date"},
		{"event quantity", func(d *Dataset) { d.Events[1].Quantity = 0 },
			validate.CodeEventQuantityNotPositive, "event e2: quantity must be positive"},
		{"event status", func(d *Dataset) { d.Events[0].Status = "done" },
			validate.CodeEventStatusUnknown, `event e1: unknown status "done"`},
		// Cross-record checks stay here and come first.
		{"event of unknown provider", func(d *Dataset) { d.Events[0].ProviderID = "prov-9"; d.Events[0].Status = "done" },
			"", `event e1: unknown provider "prov-9"`},
		{"event differs from grant", func(d *Dataset) { d.Events[0].ServiceID = "svc-clean"; d.Events[0].Quantity = 0 },
			"", "event e1: customer or service differs from grant pp-1"},
		{"duplicate customer", func(d *Dataset) { d.Customers = append(d.Customers, data.Customer{ID: "cust-1"}) },
			"", `customer "cust-1": empty or duplicate id`},
		{"reservation of unknown grant", func(d *Dataset) { d.Reservations[0].GrantID = "pp-9"; d.Reservations[0].Quantity = -1 },
			"", `reservation res-1: unknown grant "pp-9"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := smallDataset(t)
			c.change(&d)
			err := d.Validate()
			if err == nil {
				t.Fatal("no error")
			}
			de, ok := errors.AsType[*data.Error](err)
			switch {
			case c.code != "" && (!ok || de.Code != c.code):
				t.Errorf("error %v; want code %s", err, c.code)
			case c.code == "" && ok:
				t.Errorf("error %v has code %s; want a cross-record refusal", err, de.Code)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			if strings.Contains(err.Error(), "010594") {
				t.Errorf("error %q shows the henkilötunnus", err)
			}
		})
	}
}
