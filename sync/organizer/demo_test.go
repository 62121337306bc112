package organizer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/hetu"
)

// demoNow is the fixed "now" of the tests: the scenario's month is open.
var demoNow = time.Date(2026, 11, 30, 12, 0, 0, 0, data.Helsinki)

func TestDemoIsDeterministic(t *testing.T) {
	a := Demo(150, 7, demoNow)
	b := Demo(150, 7, demoNow)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed and now gave different data")
	}
	c := Demo(150, 8, demoNow)
	if reflect.DeepEqual(a.Customers, c.Customers) {
		t.Fatal("another seed gave the same customers")
	}
}

func TestDemoHoldsScenarioExactly(t *testing.T) {
	small := loadSmall(t)
	d := Demo(20, DemoSeed, demoNow)
	if !reflect.DeepEqual(d.Organizer, small.Organizer) || !reflect.DeepEqual(d.Providers[0], small.Providers[0]) {
		t.Errorf("organizer/provider differ from scenario-small")
	}
	find := func(evs []Event, id string) (Event, bool) {
		for _, e := range evs {
			if e.ID == id {
				return e, true
			}
		}
		return Event{}, false
	}
	for _, want := range small.Events {
		got, ok := find(d.Events, want.ID)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("event %s = %+v, want %+v", want.ID, got, want)
		}
	}
	if !reflect.DeepEqual(d.Customers[0], small.Customers[0]) || !reflect.DeepEqual(d.Grants[:2], small.Grants) {
		t.Error("cust-1 or its grants differ from scenario-small")
	}
}

func TestDemoData(t *testing.T) {
	d := Demo(2000, DemoSeed, demoNow)
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(d.Customers) != 2001 {
		t.Fatalf("%d customers, want 2001", len(d.Customers))
	}
	signs := map[byte]int{}
	seen := map[string]bool{}
	for _, c := range d.Customers {
		h, err := hetu.Parse(c.Hetu)
		if err != nil || h.String() != c.Hetu {
			t.Fatalf("customer %s: henkilötunnus not valid and canonical: %v", c.ID, err)
		}
		if seen[c.Hetu] {
			t.Fatalf("customer %s: henkilötunnus used twice", c.ID)
		}
		seen[c.Hetu] = true
		signs[c.Hetu[6]]++
	}
	for _, s := range []byte("+-YXWVUABCDEF") {
		if signs[s] == 0 {
			t.Errorf("no henkilötunnus with century sign %c", s)
		}
	}
	for _, p := range d.Providers {
		if !data.ValidBusinessID(p.BusinessID) {
			t.Errorf("provider %s: Business ID %s has a wrong check digit", p.ID, p.BusinessID)
		}
	}
	if len(d.Providers) != 2 || d.Providers[1].ID != DemoProvider2 || d.Providers[1].Name == d.Providers[0].Name {
		t.Errorf("providers = %+v", d.Providers)
	}
	var accented int
	for _, c := range d.Customers {
		if strings.ContainsAny(c.FirstNames+c.LastName, "äöåÄÖÅ") {
			accented++
		}
	}
	if accented < 200 {
		t.Errorf("only %d names with ä, ö or å", accented)
	}
	for _, v := range d.Vouchers {
		if len(v.Number) != 9 || strings.Trim(v.Number, "0123456789") != "" {
			t.Errorf("voucher number %q is not 9 digits", v.Number)
		}
	}
	kinds := map[data.GrantKind]int{}
	for _, g := range d.Grants {
		kinds[g.Kind]++
	}
	if kinds[data.KindPurchasingPower] == 0 || kinds[data.KindBalancePurchasingPower] == 0 {
		t.Errorf("grant kinds %v", kinds)
	}
	numbered := map[string]int{}
	for _, n := range d.Numbers {
		numbered[n.ProviderID]++
	}
	if numbered[DemoProvider1] < 1000 || numbered[DemoProvider2] < 100 {
		t.Errorf("customer numbers per provider %v", numbered)
	}

	// Statuses: every one occurs, and each fits the settlement lock.
	statuses := map[data.Status]int{}
	years := map[int]bool{}
	perCustomer := map[string]map[string]bool{}
	for _, e := range d.Events {
		statuses[e.Status]++
		years[e.Date.Year] = true
		locked := data.Locked(e.Date, d.Organizer.SettlementDay, demoNow)
		switch e.Status {
		case data.StatusRecorded, data.StatusInReview:
			if locked && e.CustomerID != "cust-1" {
				t.Fatalf("event %s dated %s is %s after its settlement lock", e.ID, e.Date, e.Status)
			}
		case data.StatusSettled, data.StatusPaid, data.StatusCredited:
			if !locked {
				t.Fatalf("event %s dated %s is %s before its settlement lock", e.ID, e.Date, e.Status)
			}
		}
		if !e.Date.Before(data.DateOf(demoNow)) && e.CustomerID != "cust-1" {
			t.Fatalf("event %s dated %s is not in the past", e.ID, e.Date)
		}
		if perCustomer[e.CustomerID] == nil {
			perCustomer[e.CustomerID] = map[string]bool{}
		}
		perCustomer[e.CustomerID][e.ProviderID] = true
	}
	for _, s := range data.Statuses {
		if statuses[s] == 0 {
			t.Errorf("no event in status %s", s)
		}
	}
	for y := 2023; y <= 2026; y++ {
		if !years[y] {
			t.Errorf("no events in %d", y)
		}
	}
	var shared, only2 int
	for _, ps := range perCustomer {
		switch {
		case ps[DemoProvider1] && ps[DemoProvider2]:
			shared++
		case ps[DemoProvider2]:
			only2++
		}
	}
	if shared == 0 || only2 == 0 {
		t.Errorf("shared customers %d, prov-2's own %d", shared, only2)
	}
}

// The next day's demo keeps every customer, grant and event of today's
// (same ids and content; statuses may move on) and adds only new events:
// a store re-filled with a later day's demo feeds the desktop plain
// updates.
func TestDemoNextDayExtendsToday(t *testing.T) {
	today := Demo(150, DemoSeed, demoNow)
	next := Demo(150, DemoSeed, demoNow.AddDate(0, 0, 7))
	if !reflect.DeepEqual(today.Customers, next.Customers) || !reflect.DeepEqual(today.Grants, next.Grants) ||
		!reflect.DeepEqual(today.Numbers, next.Numbers) || !reflect.DeepEqual(today.Reservations, next.Reservations) {
		t.Fatal("customers, grants, numbers or reservations depend on the day")
	}
	later := map[string]Event{}
	for _, e := range next.Events {
		later[e.ID] = e
	}
	for _, e := range today.Events {
		n, ok := later[e.ID]
		if !ok || n.CustomerID != e.CustomerID || n.GrantID != e.GrantID || n.Date != e.Date || n.Quantity != e.Quantity {
			t.Fatalf("event %s changed its content the next week: %+v → %+v", e.ID, e.ServiceEvent, n.ServiceEvent)
		}
	}
	if len(next.Events) <= len(today.Events) {
		t.Errorf("a week later %d events, today %d", len(next.Events), len(today.Events))
	}
}
