package organizer

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"psopdesk/data"
)

func TestEmbeddedScenarioIsTheFixture(t *testing.T) {
	b, err := os.ReadFile("../../testdata/fixtures/scenario-small.json")
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if !bytes.Equal(b, ScenarioSmall) {
		t.Fatal("sync/organizer/scenario/scenario-small.json differs from testdata/fixtures/scenario-small.json: copy it again")
	}
}

func loadSmall(t testing.TB) Dataset {
	t.Helper()
	d, err := LoadScenario(bytes.NewReader(ScenarioSmall))
	if err != nil {
		t.Fatalf("LoadScenario: %v", err)
	}
	return d
}

func TestLoadScenarioValues(t *testing.T) {
	d := loadSmall(t)
	if len(d.Customers) != 1 || d.Customers[0].ID != "cust-1" ||
		d.Customers[0].FirstNames != "Sinikka" || d.Customers[0].LastName != "Ääpälä" {
		t.Fatalf("customers = %+v, want cust-1 Sinikka Ääpälä", d.Customers)
	}
	if want := []CustomerNumber{{"prov-1", "cust-1", "A-1001"}}; len(d.Numbers) != 1 || d.Numbers[0] != want[0] {
		t.Errorf("numbers = %+v, want %+v", d.Numbers, want)
	}
	if d.Organizer.SettlementDay != 5 || d.Providers[0].BusinessID != "1234567-1" {
		t.Errorf("organizer/provider = %+v %+v", d.Organizer, d.Providers)
	}
	wantStatus := map[string]data.Status{
		"e1": data.StatusRecorded, "e2": data.StatusApproved, "e3": data.StatusInReview,
		"e4": data.StatusRejected, "e5": data.StatusRecorded, "e6": data.StatusDeleted,
		"e7": data.StatusSettled, "c1": data.StatusApproved, "c2": data.StatusApproved, "c3": data.StatusRecorded,
	}
	if len(d.Events) != len(wantStatus) {
		t.Fatalf("%d events, want %d", len(d.Events), len(wantStatus))
	}
	for _, e := range d.Events {
		if e.Status != wantStatus[e.ID] {
			t.Errorf("event %s status %s, want %s", e.ID, e.Status, wantStatus[e.ID])
		}
		if e.ProviderID != "prov-1" || e.CustomerID != "cust-1" {
			t.Errorf("event %s of %s/%s", e.ID, e.ProviderID, e.CustomerID)
		}
	}
	byID := map[string]Event{}
	for _, e := range d.Events {
		byID[e.ID] = e
	}
	for _, c := range []struct {
		id         string
		price, val data.Cents
		content    string
		qty        data.Quantity
	}{
		{"e1", 4250, 3600, "Kotihoidon käynti", 200},
		{"e5", 4250, 3600, "Kotihoidon käynti", 75},
		{"c3", 3500, 0, "Siivouspalvelu", 150},
	} {
		e := byID[c.id]
		if e.UnitPrice != c.price || e.VoucherUnitValue != c.val || e.Content != c.content || e.Quantity != c.qty {
			t.Errorf("event %s: price %d value %d content %q qty %d, want %d %d %q %d",
				c.id, e.UnitPrice, e.VoucherUnitValue, e.Content, e.Quantity, c.price, c.val, c.content, c.qty)
		}
	}
	wantV := map[string]string{"400123456": "svc-home", "400123457": "svc-clean"}
	for _, v := range d.Vouchers {
		if wantV[v.Number] != v.ServiceID || v.ValueType != data.ValueFixed || v.CustomerID != "cust-1" ||
			v.ValidFrom != data.NewDate(2026, 1, 1) || v.ValidTo != data.NewDate(2026, 12, 31) {
			t.Errorf("voucher %+v", v)
		}
	}
	if len(d.Vouchers) != 2 {
		t.Errorf("%d vouchers, want 2", len(d.Vouchers))
	}
}

// The loaded data gives the fixture's expected statements through the
// domain's own rule (data.MakeStatement).
func TestLoadScenarioMakesExpectedStatements(t *testing.T) {
	d := loadSmall(t)
	var fx struct {
		Expected []struct {
			Service string `json:"service"`
			From    string `json:"from"`
			To      string `json:"to"`
			Totals  struct {
				Price     data.Cents `json:"price_cents"`
				Voucher   data.Cents `json:"voucher_share_cents"`
				CoPayment data.Cents `json:"co_payment_cents"`
			} `json:"totals"`
		} `json:"expected_statements"`
	}
	if err := json.Unmarshal(ScenarioSmall, &fx); err != nil || len(fx.Expected) == 0 {
		t.Fatalf("fixture: %v", err)
	}
	var evs []data.ServiceEvent
	for _, e := range d.Events {
		evs = append(evs, e.ServiceEvent)
	}
	for _, x := range fx.Expected {
		var svc data.Service
		for _, s := range d.Services {
			if s.ID == x.Service {
				svc = s
			}
		}
		from, _ := data.ParseDate(x.From)
		to, _ := data.ParseDate(x.To)
		st, err := data.MakeStatement(data.StatementRequest{Provider: d.Providers[0], Customer: d.Customers[0],
			Service: svc, Grants: d.Grants, Vouchers: d.Vouchers, Events: evs, From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		if st.Totals.Price != x.Totals.Price || st.Totals.VoucherShare != x.Totals.Voucher || st.Totals.CoPayment != x.Totals.CoPayment {
			t.Errorf("%s totals %+v, want %+v", x.Service, st.Totals, x.Totals)
		}
	}
}

// mutate returns scenario-small with f applied to its decoded JSON.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ScenarioSmall, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func item(m map[string]any, list string, i int) map[string]any {
	return m[list].([]any)[i].(map[string]any)
}

func TestLoadScenarioErrors(t *testing.T) {
	cases := []struct {
		name  string
		input []byte
		want  []string // substrings of the error
	}{
		{"bad JSON", []byte("{\n \"organizer\": {\"id\": \"org-1\",}\n}"), []string{"line 2 column", "invalid character"}},
		{"wrong type", []byte(`{"organizer": {"id": "o", "settlement_day": "five"}}`), []string{"line 1", "settlement_day"}},
		{"no organizer", []byte(`{"provider": {"id": "p"}}`), []string{"no organizer"}},
		{"unknown grant", mutate(t, func(m map[string]any) { item(m, "events", 2)["grant"] = "pp-9" }),
			[]string{`events[2] "e3"`, `unknown grant "pp-9"`}},
		{"bad date", mutate(t, func(m map[string]any) { item(m, "events", 0)["date"] = "2026-02-30" }),
			[]string{`events[0] "e1": date`, "2026-02-30"}},
		{"Finnish date", mutate(t, func(m map[string]any) { item(m, "grants", 1)["valid_to"] = "31.12.2026" }),
			[]string{`grants[1] "bp-1": valid_to`, "YYYY-MM-DD"}},
		{"three decimals", mutate(t, func(m map[string]any) { item(m, "events", 4)["quantity"] = "0.755" }),
			[]string{`events[4] "e5": quantity`}},
		{"not a quantity", mutate(t, func(m map[string]any) { item(m, "grants", 0)["granted_quantity"] = "ten" }),
			[]string{`grants[0] "pp-1": granted_quantity`}},
		{"zero quantity", mutate(t, func(m map[string]any) { item(m, "events", 1)["quantity"] = "0" }),
			[]string{`events[1] "e2"`, "positive"}},
		{"unknown status", mutate(t, func(m map[string]any) { item(m, "events", 0)["status"] = "done" }),
			[]string{`unknown status "done"`}},
		{"unknown service", mutate(t, func(m map[string]any) { item(m, "grants", 0)["service"] = "svc-x" }),
			[]string{`grants[0] "pp-1"`, `unknown service "svc-x"`}},
		{"outside validity", mutate(t, func(m map[string]any) { item(m, "events", 0)["date"] = "2025-12-31" }),
			[]string{"outside grant pp-1 validity"}},
		{"no price", mutate(t, func(m map[string]any) { delete(m["provider_prices_cents"].(map[string]any), "svc-clean") }),
			[]string{"no price for service svc-clean"}},
		{"bad hetu", mutate(t, func(m map[string]any) { m["customer"].(map[string]any)["hetu"] = "010594Y9022" }),
			[]string{"customer cust-1: henkilötunnus is not valid (checksum)"}},
		{"unknown kind", mutate(t, func(m map[string]any) { item(m, "grants", 1)["kind"] = "gift" }),
			[]string{`unknown kind "gift"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadScenario(bytes.NewReader(c.input))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "010594Y902") {
				t.Errorf("error %q shows the henkilötunnus", err)
			}
		})
	}
}

func TestLoadScenarioGeneral(t *testing.T) {
	// Two customers, two providers, a reservation, per-provider prices.
	in := mutate(t, func(m map[string]any) {
		c1 := m["customer"]
		delete(m, "customer")
		m["customers"] = []any{c1, map[string]any{"id": "cust-2", "first_names": "Yrjö", "last_name": "Törmä",
			"hetu": "131052-308T"}}
		p1 := m["provider"]
		delete(m, "provider")
		m["providers"] = []any{p1, map[string]any{"id": "prov-2", "name": "Toinen Oy", "business_id": "0112038-9"}}
		m["prices_by_provider"] = map[string]any{"prov-2": map[string]any{"svc-home": 4000}}
		for i := range m["grants"].([]any) {
			item(m, "grants", i)["customer"] = "cust-1"
		}
		m["grants"] = append(m["grants"].([]any), map[string]any{"id": "pp-2", "kind": "purchasing_power",
			"voucher_number": "400999999", "service": "svc-home", "customer": "cust-2", "granted_quantity": 5,
			"period": "week", "voucher_unit_value_cents": 3000, "valid_from": "2026-06-01", "valid_to": "2026-12-31"})
		for i := range m["events"].([]any) {
			item(m, "events", i)["provider"] = "prov-1"
		}
		m["events"] = append(m["events"].([]any), map[string]any{"id": "x1", "grant": "pp-2", "provider": "prov-2",
			"date": "2026-11-03", "start": "09:00", "end": "10:30", "quantity": 1.5, "status": "recorded"})
		m["reservations"] = []any{map[string]any{"id": "r1", "grant": "pp-2", "provider": "prov-2",
			"from": "2026-06-01", "to": "2026-12-31", "quantity": "5"}}
	})
	d, err := LoadScenario(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var x1 Event
	for _, e := range d.Events {
		if e.ID == "x1" {
			x1 = e
		}
	}
	if x1.ProviderID != "prov-2" || x1.CustomerID != "cust-2" || x1.UnitPrice != 4000 || x1.VoucherUnitValue != 3000 || x1.Quantity != 150 || x1.Start != "09:00" {
		t.Errorf("x1 = %+v", x1)
	}
	if len(d.Reservations) != 1 || d.Reservations[0].ProviderID != "prov-2" || d.Reservations[0].CustomerID != "cust-2" {
		t.Errorf("reservations = %+v", d.Reservations)
	}
	// Without the provider given, events of a two-provider file are refused.
	in2 := bytes.Replace(in, []byte(`"provider": "prov-1",`), nil, 1)
	if _, err := LoadScenario(bytes.NewReader(in2)); err == nil || !strings.Contains(err.Error(), "give the provider") {
		t.Errorf("err = %v, want give the provider", err)
	}
}
