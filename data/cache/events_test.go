package cache

import (
	"errors"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// eventsFixture: a provider's cache with a November purchasing power of
// 10 h (36 €/h voucher value), a reservation, a price of 42,50 €/h and one
// recorded event of 2 h on 2.11.2026; the settlement day is the 7th.
func eventsFixture(t *testing.T) *Cache {
	t.Helper()
	c := openTemp(t)
	applyAll(t, c,
		put(1, wire.KindOrganizer, "org", data.Organizer{ID: "org", SettlementDay: 7}),
		put(2, wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour}),
		put(3, wire.KindPrice, "svc-home", data.ServicePrice{ID: "svc-home", ServiceID: "svc-home", Cents: 4250}),
		put(4, wire.KindPrice, "svc-home@2026-12-01", data.ServicePrice{ID: "svc-home@2026-12-01", ServiceID: "svc-home", From: data.NewDate(2026, 12, 1), Cents: 4400}),
		put(5, wire.KindCustomer, "c1", cust("c1", "Sinikka", "Ääpälä", "010594Y9021", "A-1001")),
		put(6, wire.KindGrant, "pp-1", data.Grant{ID: "pp-1", CustomerID: "c1", Kind: data.KindPurchasingPower, ServiceID: "svc-home",
			GrantedQuantity: data.MustQuantity("10"), Period: data.PeriodMonth, VoucherUnitValue: 3600,
			ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31)}),
		put(7, wire.KindReservation, "r1", data.Reservation{ID: "r1", CustomerID: "c1", GrantID: "pp-1",
			From: data.NewDate(2026, 1, 1), To: data.NewDate(2026, 12, 31), Quantity: data.MustQuantity("10")}),
		put(8, wire.KindEvent, "e1", data.ServiceEvent{ID: "e1", CustomerID: "c1", GrantID: "pp-1", ServiceID: "svc-home",
			Date: data.NewDate(2026, 11, 2), Start: "09:00", End: "11:00", Quantity: data.MustQuantity("2"), UnitPrice: 4250,
			VoucherUnitValue: 3600, Status: data.StatusRecorded, Version: 1, ReservationID: "r1"}),
	)
	return c
}

func codeOf(err error) string {
	var de *data.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

func TestRecordEditDeleteOffline(t *testing.T) {
	c := eventsFixture(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, data.Helsinki)
	in := data.EventInput{Date: data.NewDate(2026, 11, 28), Start: "08:00", End: "16:15", Quantity: data.MustQuantity("8.25")}

	ev, review, err := c.EventPreview("c1", "r1", in, now)
	if err != nil {
		t.Fatal(err)
	}
	if ev.UnitPrice != 4250 || ev.Price() != 35063 || ev.Status != data.StatusInReview ||
		!review.InReview || review.Reason != data.ReviewOverQuantity || review.Used != data.MustQuantity("10.25") {
		t.Fatalf("preview %+v, review %+v: want 42,50 €/h, 350,63 €, in review at 10,25 h / 10 h", ev, review)
	}
	if _, _, err := c.RecordEvent("c1", "r1", in, now); err != nil {
		t.Fatal(err)
	}
	v, err := c.CustomerView("c1", data.DateOf(now))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Events) != 2 || v.Events[0].Date != in.Date || len(v.PendingEvents) != 1 {
		t.Fatalf("view after recording: %d events, %d pending", len(v.Events), len(v.PendingEvents))
	}
	if _, ok := v.PendingEvents[v.Events[0].ID]; !ok {
		t.Error("the new event is not marked pending")
	}

	// Kirjaa on e1 at its version; an old version is refused.
	edit := data.EventInput{Date: data.NewDate(2026, 11, 2), Start: "09:00", End: "10:30", Quantity: data.MustQuantity("1.5")}
	if _, err := c.EditEvent("e1", 0, edit, now); codeOf(err) != data.CodeEventVersion {
		t.Errorf("edit of an old version: %v", err)
	}
	if _, err := c.EditEvent("e1", 1, edit, now); err != nil {
		t.Fatal(err)
	}
	ev, pending, day, err := c.Event("e1")
	if err != nil || !pending || day != 7 || ev.Quantity != data.MustQuantity("1.5") || ev.Version != 2 {
		t.Fatalf("e1 after the edit: %+v pending %v day %d, %v", ev, pending, day, err)
	}
	// The settlement day has come: no edit, no delete, a credit request.
	locked := time.Date(2026, 12, 7, 0, 0, 0, 0, data.Helsinki)
	if _, err := c.EditEvent("e1", 2, edit, locked); codeOf(err) != data.CodeEventLocked {
		t.Errorf("edit after the lock: %v", err)
	}
	if _, err := c.DeleteEvent("e1", 2, locked); codeOf(err) != data.CodeEventLocked {
		t.Errorf("delete after the lock: %v", err)
	}
	if _, err := c.RequestCredit("e1", "wrong_quantity", "", locked); codeOf(err) != data.CodeCreditExplanation {
		t.Errorf("credit request without an explanation: %v", err)
	}
	if _, err := c.RequestCredit("e1", "wrong_quantity", "1,5 h, ei 2 h", locked); err != nil {
		t.Errorf("credit request after the lock: %v", err)
	}
	// Before the lock: Poista.
	if _, err := c.DeleteEvent("e1", 3, now); err != nil {
		t.Fatal(err)
	}
	if ev, _, _, _ := c.Event("e1"); ev.Status != data.StatusDeleted {
		t.Errorf("e1 after Poista: %s", ev.Status)
	}
	lock, recorded, err := c.MonthStatus(data.NewDate(2026, 11, 1))
	if err != nil || !lock.Equal(locked) || recorded != 1 {
		t.Errorf("November: locks %v, %d recorded, %v; want 7.12.2026 00:00 and 1", lock, recorded, err)
	}
	// December's price.
	dec := data.EventInput{Date: data.NewDate(2026, 12, 2), Start: "08:00", End: "09:00", Quantity: data.MustQuantity("1")}
	if ev, _, err := c.EventPreview("c1", "r1", dec, now); err != nil || ev.UnitPrice != 4400 {
		t.Errorf("December preview: %+v, %v; want 44,00 €/h", ev.UnitPrice, err)
	}
}
