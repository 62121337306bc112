package data

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"
	"time"
)

// scenario is shared/fixtures/scenario-small.json.
type scenario struct {
	Organizer Organizer `json:"organizer"`
	Provider  Provider  `json:"provider"`
	Customer  Customer  `json:"customer"`
	Services  []Service `json:"services"`
	Grants    []struct {
		Grant
		Service string `json:"service"`
	} `json:"grants"`
	Prices map[string]Cents `json:"provider_prices_cents"`
	Events []struct {
		ID       string   `json:"id"`
		Grant    string   `json:"grant"`
		Date     Date     `json:"date"`
		Quantity Quantity `json:"quantity"`
		Status   Status   `json:"status"`
	} `json:"events"`
	Statements []struct {
		Service string `json:"service"`
		From    Date   `json:"from"`
		To      Date   `json:"to"`
		Rows    []struct {
			Event        string `json:"event"`
			Price        Cents  `json:"price_cents"`
			VoucherShare Cents  `json:"voucher_share_cents"`
			CoPayment    Cents  `json:"co_payment_cents"`
		} `json:"rows"`
		InReview []string `json:"in_review_rows"`
		Totals   struct {
			Price        Cents `json:"price_cents"`
			VoucherShare Cents `json:"voucher_share_cents"`
			CoPayment    Cents `json:"co_payment_cents"`
		} `json:"totals"`
	} `json:"expected_statements"`
	Review []struct {
		Grant    string   `json:"grant"`
		Date     Date     `json:"date"`
		Quantity Quantity `json:"quantity"`
		Status   Status   `json:"status"`
		About    string   `json:"about"`
	} `json:"expected_review"`
	Locks []struct {
		EventDate Date   `json:"event_date"`
		LocksAt   string `json:"locks_at"`
	} `json:"expected_settlement_lock"`

	grants   map[string]Grant
	services map[string]Service
	events   []ServiceEvent
}

func loadScenario(t testing.TB) *scenario {
	t.Helper()
	b, err := os.ReadFile("../testdata/fixtures/scenario-small.json")
	if err != nil {
		t.Fatalf("read scenario: %v", err)
	}
	var s scenario
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("decode scenario: %v", err)
	}
	s.services = map[string]Service{}
	for _, svc := range s.Services {
		s.services[svc.ID] = svc
	}
	s.grants = map[string]Grant{}
	for _, g := range s.Grants {
		g.Grant.ServiceID = g.Service
		g.Grant.CustomerID = s.Customer.ID
		s.grants[g.ID] = g.Grant
	}
	for _, e := range s.Events {
		s.events = append(s.events, s.event(t, e.ID, e.Grant, e.Date, e.Quantity, e.Status))
	}
	if len(s.events) == 0 || len(s.Statements) == 0 || len(s.Review) == 0 || len(s.Locks) == 0 {
		t.Fatal("scenario lacks cases")
	}
	return &s
}

// event builds a ServiceEvent the way the organizer's server would report
// it: unit price from the provider's price list, voucher unit value from the
// grant, content from the service, recorded at noon of its date.
func (s *scenario) event(t testing.TB, id, grant string, d Date, q Quantity, st Status) ServiceEvent {
	g, ok := s.grants[grant]
	if !ok {
		t.Fatalf("event %s: unknown grant %s", id, grant)
	}
	return ServiceEvent{
		ID: id, CustomerID: s.Customer.ID, GrantID: g.ID, ServiceID: g.ServiceID,
		Date: d, Content: s.services[g.ServiceID].Content, Quantity: q,
		UnitPrice: s.Prices[g.ServiceID], VoucherUnitValue: g.VoucherUnitValue, Status: st,
		RecordedAt: d.Time(Helsinki).Add(12 * time.Hour), Version: 1,
	}
}

func (s *scenario) allGrants() []Grant {
	var gs []Grant
	for _, g := range s.Grants {
		gs = append(gs, s.grants[g.ID])
	}
	return gs
}

func TestScenarioStatements(t *testing.T) {
	s := loadScenario(t)
	for _, want := range s.Statements {
		t.Run(want.Service, func(t *testing.T) {
			st, err := MakeStatement(StatementRequest{
				Provider: s.Provider, Customer: s.Customer, Service: s.services[want.Service],
				Grants: s.allGrants(), Events: s.events, From: want.From, To: want.To,
				Made: NewDate(2026, 12, 1),
			})
			if err != nil {
				t.Fatal(err)
			}
			if st.Customer.Hetu != "" {
				t.Error("statement carries the henkilötunnus")
			}
			var ids, wantIDs, inReview []string
			for _, r := range st.Rows {
				ids = append(ids, r.EventID)
				if r.InReview {
					inReview = append(inReview, r.EventID)
				}
			}
			for _, r := range want.Rows {
				wantIDs = append(wantIDs, r.Event)
			}
			if !slices.Equal(ids, wantIDs) {
				t.Fatalf("rows %v, want %v", ids, wantIDs)
			}
			for i, r := range want.Rows {
				got := st.Rows[i]
				if got.Price != r.Price || got.VoucherShare != r.VoucherShare || got.CoPayment != r.CoPayment {
					t.Errorf("row %s: %d/%d/%d, want %d/%d/%d", r.Event, got.Price, got.VoucherShare,
						got.CoPayment, r.Price, r.VoucherShare, r.CoPayment)
				}
				if got.Content != s.services[want.Service].Content || got.Unit != s.services[want.Service].Unit {
					t.Errorf("row %s: content %q unit %q", r.Event, got.Content, got.Unit)
				}
			}
			if !slices.Equal(inReview, want.InReview) && len(inReview)+len(want.InReview) > 0 {
				t.Errorf("in review %v, want %v", inReview, want.InReview)
			}
			tt := want.Totals
			if st.Totals != (Totals{tt.Price, tt.VoucherShare, tt.CoPayment}) {
				t.Errorf("totals %+v, want %+v", st.Totals, tt)
			}
			if len(st.Grants) != 1 || st.Grants[0].ServiceID != want.Service {
				t.Errorf("grants %+v", st.Grants)
			}
		})
	}
}

func TestScenarioReview(t *testing.T) {
	s := loadScenario(t)
	for i, r := range s.Review {
		t.Run(r.About, func(t *testing.T) {
			g := s.grants[r.Grant]
			probe := s.event(t, fmt.Sprintf("probe-%d", i), r.Grant, r.Date, r.Quantity, StatusRecorded)
			got := NeedsReview(g, s.services[g.ServiceID], s.events, probe)
			if want := r.Status == StatusInReview; got != want {
				t.Errorf("NeedsReview = %v, want %v (expected status %s)", got, want, r.Status)
			}
		})
	}
}

func TestNeedsReviewReviewAllAndEdit(t *testing.T) {
	s := loadScenario(t)
	g := s.grants["pp-1"]
	svc := s.services[g.ServiceID]
	small := s.event(t, "x", "pp-1", NewDate(2026, 12, 2), 100, StatusRecorded)
	if NeedsReview(g, svc, s.events, small) {
		t.Error("1 h in an empty December goes to review")
	}
	svc.ReviewAll = true
	if !NeedsReview(g, svc, s.events, small) {
		t.Error("review_all service: event not sent to review")
	}
	// Editing e1 (2 h) to 4.75 h: it replaces itself, 7.25 − 2 + 4.75 = 10 h, not over.
	e1 := s.events[0]
	e1.Quantity = 475
	if NeedsReview(g, s.services[g.ServiceID], s.events, e1) {
		t.Error("edited event counted twice")
	}
}

func TestScenarioSettlementLock(t *testing.T) {
	s := loadScenario(t)
	for _, l := range s.Locks {
		want, err := time.Parse(time.RFC3339, l.LocksAt)
		if err != nil {
			t.Fatal(err)
		}
		got := SettlementLock(l.EventDate, s.Organizer.SettlementDay)
		if !got.Equal(want) || got.Format(time.RFC3339) != l.LocksAt {
			t.Errorf("SettlementLock(%s) = %s, want %s", l.EventDate, got.Format(time.RFC3339), l.LocksAt)
		}
		if Locked(l.EventDate, s.Organizer.SettlementDay, want.Add(-time.Nanosecond)) || !Locked(l.EventDate, s.Organizer.SettlementDay, want) {
			t.Errorf("Locked around %s wrong", l.LocksAt)
		}
	}
}

func TestMakeStatementRejectsReversedRange(t *testing.T) {
	_, err := MakeStatement(StatementRequest{From: NewDate(2026, 11, 30), To: NewDate(2026, 11, 1)})
	if err == nil {
		t.Fatal("To before From accepted")
	}
}

func TestBalanceConsumedInDateOrder(t *testing.T) {
	// Recorded in reverse order, consumed in date order: the earliest event
	// gets the balance first whatever the slice order.
	g := Grant{ID: "b", Kind: KindBalancePurchasingPower, Amount: 5000, ServiceID: "s"}
	evs := []ServiceEvent{
		{ID: "late", GrantID: "b", Date: NewDate(2026, 3, 2), Quantity: 100, UnitPrice: 4000, Status: StatusRecorded},
		{ID: "rej", GrantID: "b", Date: NewDate(2026, 2, 1), Quantity: 100, UnitPrice: 4000, Status: StatusRejected},
		{ID: "early", GrantID: "b", Date: NewDate(2026, 3, 1), Quantity: 100, UnitPrice: 4000, Status: StatusRecorded},
	}
	sh := GrantShares(g, evs)
	if sh["early"].VoucherShare != 4000 || sh["late"].VoucherShare != 1000 || sh["late"].CoPayment != 3000 ||
		sh["late"].Remaining != 1000 || sh["rej"].VoucherShare != 0 {
		t.Errorf("shares %+v", sh)
	}
}

func TestNeedsReviewNewEventAfterSameDay(t *testing.T) {
	// c3 (17.11.) uses the last 25 € of bp-1. A new, not yet stamped 0.5 h
	// event (17,50 €) on the same day comes after it and finds no balance.
	s := loadScenario(t)
	g := s.grants["bp-1"]
	probe := s.event(t, "new", "bp-1", NewDate(2026, 11, 17), 50, StatusRecorded)
	probe.RecordedAt = time.Time{}
	if !NeedsReview(g, s.services[g.ServiceID], s.events, probe) {
		t.Error("unstamped new event consumed the balance before c3 of the same day")
	}
}

// BenchmarkMakeStatement: a customer with 500 events across two grants, a
// statement of one month.
func BenchmarkMakeStatement(b *testing.B) {
	svc := Service{ID: "svc-home", Content: "Kotihoidon käynti", Unit: UnitHour}
	grants := []Grant{
		{ID: "pp", Kind: KindPurchasingPower, ServiceID: svc.ID, VoucherNumber: "1", GrantedQuantity: 4000,
			Period: PeriodMonth, VoucherUnitValue: 3600, ValidFrom: NewDate(2025, 1, 1), ValidTo: NewDate(2026, 12, 31)},
		{ID: "bp", Kind: KindBalancePurchasingPower, ServiceID: svc.ID, VoucherNumber: "2", Amount: 1_000_000,
			ValidFrom: NewDate(2025, 1, 1), ValidTo: NewDate(2026, 12, 31)},
	}
	start := NewDate(2025, 6, 1)
	var evs []ServiceEvent
	for i := range 500 {
		d := start.AddDays(i * 365 / 500)
		evs = append(evs, ServiceEvent{ID: fmt.Sprintf("e%03d", i), GrantID: grants[i%2].ID, ServiceID: svc.ID,
			Date: d, Content: svc.Content, Quantity: Quantity(75 + i%4*25), UnitPrice: 4250, VoucherUnitValue: 3600,
			Status: Statuses[i%len(Statuses)], RecordedAt: d.Time(Helsinki)})
	}
	req := StatementRequest{Service: svc, Grants: grants, Events: evs,
		From: NewDate(2025, 11, 1), To: NewDate(2025, 11, 30), Made: NewDate(2025, 12, 1)}
	for b.Loop() {
		if _, err := MakeStatement(req); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBalanceUsage(t *testing.T) {
	g := Grant{ID: "bp", Kind: KindBalancePurchasingPower, Amount: 20000}
	evs := []ServiceEvent{
		{ID: "a", GrantID: "bp", Date: MustDate("2026-11-03"), Quantity: MustQuantity("3"), UnitPrice: 3500, Status: StatusApproved},
		{ID: "b", GrantID: "bp", Date: MustDate("2026-11-10"), Quantity: MustQuantity("2"), UnitPrice: 3500, Status: StatusRejected},
		{ID: "c", GrantID: "bp", Date: MustDate("2026-11-17"), Quantity: MustQuantity("4"), UnitPrice: 3500, Status: StatusRecorded},
		{ID: "x", GrantID: "other", Date: MustDate("2026-11-17"), Quantity: MustQuantity("9"), UnitPrice: 3500, Status: StatusRecorded},
	}
	// a uses 105,00 €; the rejected b uses nothing; c takes the last 95,00 € of its 140,00 €.
	used, remaining := BalanceUsage(g, evs)
	if used != 20000 || remaining != 0 {
		t.Errorf("BalanceUsage = %d used, %d remaining; want 20000, 0", used, remaining)
	}
	used, remaining = BalanceUsage(g, evs[:2])
	if used != 10500 || remaining != 9500 {
		t.Errorf("BalanceUsage(a, b) = %d used, %d remaining; want 10500, 9500", used, remaining)
	}
}

// TestStatementListsOnlyVouchersValidInPeriod: a voucher that ended before
// the period (or starts after it) is not on the statement's header.
func TestStatementListsOnlyVouchersValidInPeriod(t *testing.T) {
	svc := Service{ID: "s", Name: "Kotihoito", Unit: UnitHour}
	grants := []Grant{
		{ID: "old", Kind: KindPurchasingPower, VoucherNumber: "1", ServiceID: "s", ValidFrom: MustDate("2024-01-01"), ValidTo: MustDate("2025-12-31")},
		{ID: "now", Kind: KindPurchasingPower, VoucherNumber: "2", ServiceID: "s", ValidFrom: MustDate("2026-01-01"), ValidTo: MustDate("2026-11-15")},
		{ID: "next", Kind: KindPurchasingPower, VoucherNumber: "3", ServiceID: "s", ValidFrom: MustDate("2026-12-01"), ValidTo: MustDate("2027-12-31")},
	}
	st, err := MakeStatement(StatementRequest{Service: svc, Grants: grants,
		From: MustDate("2026-11-01"), To: MustDate("2026-11-30")})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Grants) != 1 || st.Grants[0].VoucherNumber != "2" {
		t.Errorf("statement vouchers %v, want only 2", st.Grants)
	}
}

// TestAllServicesStatement: Service.ID "" (Kaikki palvelut) makes one
// statement with every service's rows, each with its service and unit, and
// totals equal to the sum of the one-service statements.
func TestAllServicesStatement(t *testing.T) {
	s := loadScenario(t)
	req := StatementRequest{Provider: s.Provider, Customer: s.Customer, Services: s.Services,
		Grants: s.allGrants(), Events: s.events, From: NewDate(2026, 11, 1), To: NewDate(2026, 11, 30),
		Made: NewDate(2026, 12, 1)}
	st, err := MakeStatement(req)
	if err != nil {
		t.Fatal(err)
	}
	if !st.AllServices() || st.Service != (Service{}) {
		t.Errorf("Service = %+v, want the zero Service", st.Service)
	}
	var names []string
	for _, svc := range st.Services {
		names = append(names, svc.Name)
	}
	if !slices.Equal(names, []string{"Kotihoito", "Siivous"}) {
		t.Errorf("Services %v, want Kotihoito, Siivous", names)
	}
	var ids []string
	for _, r := range st.Rows {
		ids = append(ids, r.EventID)
		want := map[string]string{"e": "svc-home", "c": "svc-clean"}[r.EventID[:1]]
		if r.ServiceID != want || r.Unit != UnitHour {
			t.Errorf("row %s: service %q unit %q, want %q hour", r.EventID, r.ServiceID, r.Unit, want)
		}
	}
	if want := []string{"e1", "c1", "e2", "c2", "e3", "c3", "e5"}; !slices.Equal(ids, want) {
		t.Errorf("rows %v, want %v", ids, want)
	}
	var sum Totals
	for _, want := range s.Statements {
		tt := want.Totals
		sum.Price += tt.Price
		sum.VoucherShare += tt.VoucherShare
		sum.CoPayment += tt.CoPayment
	}
	if st.Totals != sum {
		t.Errorf("totals %+v, want %+v", st.Totals, sum)
	}
	if len(st.Grants) != 2 || len(st.Usage) != 2 {
		t.Errorf("grants %d usage %d, want 2 and 2", len(st.Grants), len(st.Usage))
	}
	// One service: Services holds it, rows carry its id.
	req.Service = s.services["svc-home"]
	one, err := MakeStatement(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Services) != 1 || one.Services[0].ID != "svc-home" || one.Rows[0].ServiceID != "svc-home" {
		t.Errorf("one service: Services %+v, row service %q", one.Services, one.Rows[0].ServiceID)
	}
}

// TestStatementUsage: the purchasing power's quantity used against the
// granted per month, and the balance's use before, in and after the period.
func TestStatementUsage(t *testing.T) {
	s := loadScenario(t)
	st, err := MakeStatement(StatementRequest{Services: s.Services, Customer: s.Customer,
		Grants: s.allGrants(), Events: s.events, From: NewDate(2026, 10, 15), To: NewDate(2026, 11, 30)})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]GrantUsage{}
	for _, u := range st.Usage {
		byID[u.GrantID] = u
	}
	pp := byID["pp-1"]
	// October: e7 2 h; November: e1 2 + e2 1,5 + e3 3 + e5 0,75 = 7,25 h
	// (e4 rejected and e6 deleted do not count).
	want := []PeriodUsage{
		{From: NewDate(2026, 10, 1), To: NewDate(2026, 10, 31), Used: 200, Granted: 1000},
		{From: NewDate(2026, 11, 1), To: NewDate(2026, 11, 30), Used: 725, Granted: 1000},
	}
	if !slices.Equal(pp.Periods, want) {
		t.Errorf("pp-1 periods %+v, want %+v", pp.Periods, want)
	}
	bp := byID["bp-1"]
	if bp.Amount != 20000 || bp.UsedBefore != 0 || bp.UsedIn != 20000 || bp.Remaining != 0 {
		t.Errorf("bp-1 usage %+v", bp)
	}
	// From 10.11. on, c1 (105,00 €) was used before the period.
	st, _ = MakeStatement(StatementRequest{Services: s.Services, Customer: s.Customer,
		Grants: s.allGrants(), Events: s.events, From: NewDate(2026, 11, 10), To: NewDate(2026, 11, 30)})
	for _, u := range st.Usage {
		if u.GrantID == "bp-1" && (u.UsedBefore != 10500 || u.UsedIn != 9500 || u.Remaining != 0) {
			t.Errorf("bp-1 from 10.11.: %+v", u)
		}
	}
	if got := len(st.MonthlyTotals()); got != 1 || st.SpansMonths() {
		t.Errorf("one month: %d month totals, spans %v", got, st.SpansMonths())
	}
}

// TestBalanceUsedUpRows: the row the balance runs out on and every row
// after it are marked, not shown as a silent zero voucher share.
func TestBalanceUsedUpRows(t *testing.T) {
	s := loadScenario(t)
	events := append(slices.Clone(s.events), s.event(t, "c4", "bp-1", NewDate(2026, 11, 24), 100, StatusRecorded))
	st, err := MakeStatement(StatementRequest{Service: s.services["svc-clean"], Customer: s.Customer,
		Grants: s.allGrants(), Events: events, From: NewDate(2026, 11, 1), To: NewDate(2026, 11, 30)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range st.Rows {
		got[r.EventID] = r.BalanceUsedUp
	}
	want := map[string]bool{"c1": false, "c2": false, "c3": true, "c4": true}
	if !maps.Equal(got, want) {
		t.Errorf("used up %v, want %v", got, want)
	}
}

func TestMonthlyTotals(t *testing.T) {
	s := loadScenario(t)
	st, err := MakeStatement(StatementRequest{Service: s.services["svc-home"], Customer: s.Customer,
		Grants: s.allGrants(), Events: s.events, From: NewDate(2026, 10, 1), To: NewDate(2026, 11, 30)})
	if err != nil {
		t.Fatal(err)
	}
	m := st.MonthlyTotals()
	if !st.SpansMonths() || len(m) != 2 || m[0].Month != time.October || m[1].Month != time.November {
		t.Fatalf("month totals %+v", m)
	}
	if m[0].Price != 8500 || m[1].Totals != (Totals{30813, 26100, 4713}) {
		t.Errorf("month totals %+v", m)
	}
	if m[0].Price+m[1].Price != st.Totals.Price {
		t.Error("months do not add up to the total")
	}
}
