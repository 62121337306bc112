package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
)

// eventsNow is the events tests' clock: 30.11.2026 12.00 in Helsinki.
var eventsNow = time.Date(2026, time.November, 30, 12, 0, 0, 0, data.Helsinki)

// eventRows gives the cells of the events list's rows, in order.
func eventRows(t *eventsTab) [][]string {
	var out [][]string
	for _, r := range t.rows {
		out = append(out, r.cells)
	}
	return out
}

// newEventsFixture is the scenario with the organizer's settlement day 7
// and the provider's prices (home care 42,50 €/h, cleaning 35,00 €/h), at
// now, opened on Ääpälä Sinikka's Tapahtumat tab.
func newEventsFixture(t *testing.T, now time.Time, opt Options) (*fixture, *customerView) {
	t.Helper()
	opt.Now = func() time.Time { return now }
	f := newFixture(t, opt)
	c := f.d.src.(*cache.Cache)
	cursor, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	var changes []wire.Change
	put := func(kind wire.Kind, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		cursor++
		changes = append(changes, wire.Change{Seq: cursor, Kind: kind, Op: wire.OpPut, ID: id, Data: b})
	}
	put(wire.KindOrganizer, "org-1", data.Organizer{ID: "org-1", Name: "Esimerkin hyvinvointialue", SettlementDay: 7, Timezone: "Europe/Helsinki"})
	put(wire.KindPrice, "svc-home@2026-01-01", data.ServicePrice{ID: "svc-home@2026-01-01", ServiceID: "svc-home",
		From: data.NewDate(2026, 1, 1), Cents: 4250})
	put(wire.KindPrice, "svc-clean@2026-01-01", data.ServicePrice{ID: "svc-clean@2026-01-01", ServiceID: "svc-clean",
		From: data.NewDate(2026, 1, 1), Cents: 3500})
	if err := c.ApplyPage(changes, cursor); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
	f.search(t, "Ääp")
	f.d.openCustomer(f.d.search.results[0].Customer, tabEvents)
	f.wait(t, "customer:cust-1")
	f.wait(t, "countdown:cust-1")
	return f, f.d.views["cust-1"]
}

// until runs the queued UI work until cond holds.
func (f *fixture) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for !cond() {
		select {
		case fn := <-f.queue:
			fn()
		case <-timeout:
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

// rowOf gives the index of the row of the event dated date with status.
func rowOf(t *testing.T, et *eventsTab, date, status string) int {
	t.Helper()
	for i, r := range et.rows {
		if r.cells[evColDate] == date && r.cells[evColStatus] == status {
			return i
		}
	}
	t.Fatalf("no %s row of %s in %q", status, date, eventRows(et))
	return -1
}

// openRow selects the row and opens it with Enter.
func openRow(t *testing.T, et *eventsTab, i int) *eventDialog {
	t.Helper()
	et.list.Select(i)
	et.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if et.dialog == nil {
		t.Fatal("Enter opened no dialog")
	}
	return et.dialog
}

func TestEventsTabList(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	rows := eventRows(et)
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 10: %q", len(rows), rows)
	}
	assertRows(t, rows[:2], [][]string{
		{"27.11.2026", "9.00–11.00", "Kotihoidon käynti", "1 h", "42,50 €", "–", "–", "Poistettu", "7.12.2026", ""},
		{"23.11.2026", "9.00–11.00", "Kotihoidon käynti", "0,75 h", "31,88 €", "27,00 €", "4,88 €", "Kirjattu", "7.12.2026", ""},
	})
	if got := rows[len(rows)-1]; got[evColDate] != "30.10.2026" || got[evColLocks] != "7.11.2026" {
		t.Errorf("last row %q, want the event of 30.10.2026 locking 7.11.2026", got)
	}
	assertTexts(t, v.eventsBox, "Marraskuun tapahtumat lukittuvat ma 7.12.2026 klo 0.00 – 6 päivää. 3 tapahtumistanne on vielä tilassa Kirjattu.",
		"Uusi tapahtuma", "Tarkastele tapahtumaa")
	if !et.open.Disabled() {
		t.Error("Tarkastele tapahtumaa enabled with no row selected")
	}

	// Deleted and rejected rows are greyed and italic.
	r := newEventRow(et)
	r.set(0)
	if !r.labels[0].TextStyle.Italic || r.labels[evColStatus].Text != "Poistettu" {
		t.Errorf("deleted row not greyed: italic %v, status %q", r.labels[0].TextStyle.Italic, r.labels[evColStatus].Text)
	}
	r.set(1)
	if r.labels[0].TextStyle.Italic {
		t.Error("a recorded row in italics")
	}

	// The filter: status, then period, then service.
	et.status.SetSelected("Kirjattu")
	if got := len(et.rows); got != 3 {
		t.Errorf("Kirjattu: %d rows, want 3 (%q)", got, eventRows(et))
	}
	et.from.SetText("10.11.2026")
	if got := len(et.rows); got != 2 {
		t.Errorf("Kirjattu from 10.11.2026: %d rows, want 2", got)
	}
	et.service.SetSelected("Siivous")
	if got := eventRows(et); len(got) != 1 || got[0][evColDate] != "17.11.2026" {
		t.Errorf("Siivous, Kirjattu, from 10.11.: %q", got)
	}
	et.to.SetText("1.13.2026")
	assertTexts(t, v.eventsBox, "Loppupäivä: Päivää ei ole kalenterissa. Tarkista päivä ja kuukausi.")
	et.to.SetText("")
	et.status.SetSelected("Kaikki tilat")
	et.service.SetSelected("Kaikki palvelut")
	et.from.SetText("")
	if len(et.rows) != 10 {
		t.Errorf("filter cleared: %d rows", len(et.rows))
	}

	// A double-click opens the row.
	r.set(rowOf(t, et, "9.11.2026", "Hyväksytty"))
	r.DoubleTapped(&fyne.PointEvent{})
	if et.dialog == nil || et.dialog.ev.ID != "e2" {
		t.Fatal("double-click did not open the event")
	}
	_ = f
}

func TestEditEventPending(t *testing.T) {
	asked := 0
	f, v := newEventsFixture(t, eventsNow, Options{Resync: func() { asked++ }})
	et := v.events
	e := openRow(t, et, rowOf(t, et, "2.11.2026", "Kirjattu"))
	top := f.d.Window().Canvas().Overlays().Top()
	assertTexts(t, top, "Tarkastele tapahtumaa", "Kotihoito", "400123456", "Kirjattu", "7.12.2026 klo 0.00", "1", "Kirjaa", "Poista")
	if e.save.Disabled() || e.del.Disabled() || e.qty.Disabled() {
		t.Fatal("a recorded event before its lock is not editable")
	}
	if e.credit.Visible() {
		t.Error("Ilmoita virheestä shown before the lock")
	}
	e.qty.SetText("2,5")
	tapButton(t, top, "Kirjaa")
	f.wait(t, "event:cust-1")
	f.wait(t, "customer:cust-1")
	if et.dialog != nil {
		t.Error("dialog still open after Kirjaa")
	}
	i := rowOf(t, et, "2.11.2026", "Kirjattu")
	if got := et.rows[i].cells; got[evColQuantity] != "2,5 h" || got[evColPending] != "odottaa lähetystä" {
		t.Errorf("row after the edit %q, want 2,5 h odottaa lähetystä", got)
	}
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Type != wire.EditEvent || es[0].Command.EventID != "e1" ||
		es[0].Command.Quantity != "2.5" || es[0].Command.Version != 1 {
		t.Fatalf("outbox %+v, want one edit_event of e1 at version 1 to 2.5", es)
	}
	if asked != 1 {
		t.Errorf("Kirjaa asked for %d syncs, want 1", asked)
	}
	// The dialog shows the change pending.
	e = openRow(t, et, i)
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "odottaa lähetystä", "2")

	// The server refuses it: rolled back and explained.
	ref, err := f.d.src.(*cache.Cache).Outbox().Refuse(es[0].Command.ID, wire.Answer{Status: wire.StatusRefused,
		Code: wire.CodeVersionConflict}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.dlg.Hide()
	v.tabs.SelectIndex(tabEvents)
	f.d.SyncDone(client.Result{Refused: []cache.Refusal{ref}})
	f.wait(t, "sync:done")
	f.wait(t, "customer:cust-1")
	i = rowOf(t, et, "2.11.2026", "Kirjattu")
	if got := et.rows[i].cells; got[evColQuantity] != "2 h" || got[evColPending] != "" {
		t.Errorf("row after the refusal %q, want 2 h with no mark", got)
	}
	assertTexts(t, v.eventsBox, "Tapahtumaa on muutettu toisaalla: tarkista tiedot ja tee muutos uudelleen.")
	if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
		t.Errorf("a dialog for the refusal in sight: %q", texts(top))
	}
}

// TestEventDialogTimes: the event's times show the Finnish way (9.00);
// the same time typed another way (9:00) is no change, so Enter closes
// without storing anything; a time typed as digits (930) is stored as
// 09:30 and listed as 9.30.
func TestEventDialogTimes(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	e := openRow(t, et, rowOf(t, et, "2.11.2026", "Kirjattu"))
	if e.start.Text != "9.00" || e.end.Text != "11.00" {
		t.Errorf("times shown %q–%q, want 9.00–11.00", e.start.Text, e.end.Text)
	}
	e.start.SetText("9:00")
	e.end.SetText("1100")
	e.enter()
	if et.dialog != nil && f.d.Window().Canvas().Overlays().Top() != nil {
		t.Error("Enter with the same times typed another way did not close the dialog")
	}
	if es := outboxEntries(t, f); len(es) != 0 {
		t.Fatalf("the same times queued %+v", es)
	}
	e = openRow(t, et, rowOf(t, et, "2.11.2026", "Kirjattu"))
	e.start.SetText("930")
	e.qty.SetText("1,5")
	e.enter()
	f.wait(t, "event:cust-1")
	f.wait(t, "customer:cust-1")
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Start != "09:30" || es[0].Command.End != "11:00" {
		t.Fatalf("outbox %+v, want the edit to 09:30–11:00", es)
	}
	if got := et.rows[rowOf(t, et, "2.11.2026", "Kirjattu")].cells[evColTime]; got != "9.30–11.00" {
		t.Errorf("time listed %q, want 9.30–11.00", got)
	}
}

func TestEditRefusedAtOnce(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	e := openRow(t, et, rowOf(t, et, "2.11.2026", "Kirjattu"))
	e.start.SetText("11.00")
	e.end.SetText("10.00")
	test.Tap(e.save)
	f.wait(t, "event:cust-1")
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(),
		"Anna alkamis- ja päättymisaika muodossa 9.00 tai 09:00; päättymisajan on oltava alkamisajan jälkeen.")
	if es := outboxEntries(t, f); len(es) != 0 {
		t.Errorf("queued %+v", es)
	}
	e.end.SetText("12.00")
	e.date.SetText("3.12.2027")
	test.Tap(e.save)
	f.wait(t, "event:cust-1")
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(),
		"Päivä ei ole palveluvarauksen tai ostovoiman voimassaoloajalla. Tarkista päivä.")
}

func TestDeleteEvent(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	openRow(t, et, rowOf(t, et, "23.11.2026", "Kirjattu"))
	overlays := f.d.Window().Canvas().Overlays()
	tapButton(t, overlays.Top(), "Poista")
	assertTexts(t, overlays.Top(), "Poistetaanko tapahtuma? Käytä tätä esimerkiksi, kun sama tapahtuma on kirjattu kahdesti.", "Peruuta")
	tapButton(t, overlays.Top(), "Poista")
	f.wait(t, "event:cust-1")
	f.wait(t, "customer:cust-1")
	i := rowOf(t, et, "23.11.2026", "Poistettu")
	if et.rows[i].cells[evColPending] != "odottaa lähetystä" {
		t.Errorf("deleted row %q has no pending mark", et.rows[i].cells)
	}
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Type != wire.DeleteEvent || es[0].Command.EventID != "e5" {
		t.Fatalf("outbox %+v, want delete_event of e5", es)
	}
}

func TestApprovedEventNotEditable(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	e := openRow(t, et, rowOf(t, et, "9.11.2026", "Hyväksytty"))
	top := f.d.Window().Canvas().Overlays().Top()
	assertTexts(t, top, "Hyväksyttyä tapahtumaa ei voi muokata")
	if !e.save.Disabled() || !e.qty.Disabled() {
		t.Error("Kirjaa enabled on an approved event")
	}
	if e.del.Disabled() {
		t.Error("Poista disabled on an approved event before the lock")
	}
	e.dlg.Hide()
	e = openRow(t, et, rowOf(t, et, "18.11.2026", "Hylätty"))
	if !e.save.Disabled() || !e.del.Disabled() {
		t.Error("a rejected event may be edited or deleted")
	}
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Hylättyä tapahtumaa ei voi muokata", "Hylättyä tapahtumaa ei voi poistaa")
}

func TestLockedEventCreditRequest(t *testing.T) {
	now := time.Date(2026, time.December, 8, 9, 0, 0, 0, data.Helsinki)
	f, v := newEventsFixture(t, now, Options{})
	et := v.events
	assertTexts(t, v.eventsBox, "Joulukuun tapahtumat lukittuvat to 7.1.2027 klo 0.00 – 29 päivää.")
	e := openRow(t, et, rowOf(t, et, "2.11.2026", "Kirjattu"))
	top := f.d.Window().Canvas().Overlays().Top()
	assertTexts(t, top, "Lukittu 7.12.2026 klo 0.00: tilityspäivä on mennyt", "Ilmoita virheestä")
	if !e.save.Disabled() || !e.del.Disabled() {
		t.Error("Kirjaa or Poista enabled after the lock")
	}
	tapButton(t, top, "Ilmoita virheestä")
	c := e.creditDlg
	if got := strings.Join(c.reason.Options, "|"); got != "kirjattu kahdesti|väärä määrä|väärä päivä|väärä asiakas|väärä palvelu|muu" {
		t.Errorf("reasons %q", got)
	}
	test.Tap(c.send)
	f.wait(t, "event:cust-1")
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Valitse virheen syy.")
	c.reason.SetSelected("väärä määrä")
	c.explanation.SetText("Kirjattu 2 h, oikea määrä 1,5 h.")
	test.Tap(c.send)
	f.wait(t, "event:cust-1")
	f.wait(t, "customer:cust-1")
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Type != wire.CreditRequest || es[0].Command.Reason != "wrong_quantity" {
		t.Fatalf("outbox %+v, want credit_request wrong_quantity", es)
	}
	e = openRow(t, et, rowOf(t, et, "2.11.2026", "Kirjattu"))
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Virheestä ilmoitettu (väärä määrä), odottaa palvelunjärjestäjää", "odottaa lähetystä")
	if !e.credit.Disabled() {
		t.Error("Ilmoita virheestä enabled with a request pending")
	}
}

func TestNewEventReviewPreview(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	test.Tap(et.newBtn)
	n := et.newDlg
	if n == nil {
		t.Fatal("Uusi tapahtuma opened no dialog")
	}
	n.date.SetText("30.11.2026")
	n.start.SetText("9.00")
	n.end.SetText("12.00")
	n.qty.SetText("3")
	want := "Tarkastettavana: 10,25 h / 10 h myönnetty marraskuulle"
	f.until(t, "the review preview", func() bool { return n.review.Text == want })
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Hinta 127,50 € · setelin osuus 108,00 € · omavastuu 19,50 €", want)
	n.qty.SetText("2")
	f.until(t, "the preview of 2 h", func() bool {
		return n.review.Text == "Ei tarkastukseen: 9,25 h / 10 h myönnetty marraskuulle"
	})
	n.qty.SetText("3")
	f.until(t, "the review preview", func() bool { return n.review.Text == want })
	test.Tap(n.save)
	f.wait(t, "event:cust-1")
	f.wait(t, "customer:cust-1")
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Type != wire.RecordEvent || es[0].Command.Quantity != "3" || es[0].Command.ReservationID != "r-valid" {
		t.Fatalf("outbox %+v, want record_event of 3 h on r-valid", es)
	}
	i := rowOf(t, et, "30.11.2026", "Tarkastettavana")
	if et.rows[i].cells[evColPending] != "odottaa lähetystä" {
		t.Errorf("new row %q", et.rows[i].cells)
	}
}

// TestCountdownBeforeSettlementDay: on 6.12. the lock that comes next is
// still November's.
func TestCountdownBeforeSettlementDay(t *testing.T) {
	now := time.Date(2026, time.December, 6, 18, 0, 0, 0, data.Helsinki)
	_, v := newEventsFixture(t, now, Options{})
	assertTexts(t, v.eventsBox, "Marraskuun tapahtumat lukittuvat ma 7.12.2026 klo 0.00 – 6 tuntia. 3 tapahtumistanne on vielä tilassa Kirjattu.")
}

func TestEventSentences(t *testing.T) {
	useLanguage(t, "fi")
	codes := []string{data.CodeEventLocked, data.CodeEventStatus, data.CodeEventVersion, data.CodeEventQuantity,
		data.CodeEventTimes, data.CodeEventOutsideReservation, data.CodeEventNoteTooLong, data.CodeCreditNotLocked,
		data.CodeCreditReason, data.CodeCreditExplanation, data.CodeCreditPending, data.CodeEventPriceMissing}
	general := Sentence(&data.Error{Code: "no such code"})
	seen := map[string]bool{}
	for _, c := range codes {
		s := Sentence(&data.Error{Code: c})
		if s == general || seen[s] {
			t.Errorf("%s: %q", c, s)
		}
		seen[s] = true
	}
	ref := func(code wire.RefusalCode, reason string) string {
		return RefusalSentence(cache.Refusal{Command: wire.Command{Type: wire.EditEvent, EventID: "e1"},
			Answer: wire.Answer{Status: wire.StatusRefused, Code: code, Reason: reason}})
	}
	if got := ref(wire.CodeVersionConflict, ""); got != "Tapahtumaa on muutettu toisaalla: tarkista tiedot ja tee muutos uudelleen." {
		t.Errorf("version_conflict: %q", got)
	}
	if got := ref(wire.CodeValidation, data.CodeEventQuantity); got != "Palvelin ei hyväksynyt tapahtuman muutosta. Määrän on oltava suurempi kuin nolla." {
		t.Errorf("validation: %q", got)
	}
	for _, c := range []wire.RefusalCode{wire.CodeSettlementLocked, wire.CodeForbidden, wire.CodeNotFound} {
		if got := ref(c, ""); !strings.Contains(got, "Tapahtuma") {
			t.Errorf("%s: %q", c, got)
		}
	}
	for _, code := range []string{"sv", "en"} {
		useLanguage(t, code)
		if got := ref(wire.CodeVersionConflict, ""); strings.Contains(got, "Tapahtuma") || got == "" {
			t.Errorf("%s: %q", code, got)
		}
	}
}

// Uusi tapahtuma greyed out says why: no valid service reservation.
func TestNewEventNeedsReservationSaysWhy(t *testing.T) {
	_, v := newEventsFixture(t, eventsNow, Options{})
	et := v.events
	if et.newBtn.Disabled() || et.newWhy.Visible() {
		t.Errorf("with a reservation: button disabled %v, why shown %v", et.newBtn.Disabled(), et.newWhy.Visible())
	}
	et.cd.Reservations = nil // the customer's reservations have ended
	et.updateButtons()
	if !et.newBtn.Disabled() || !et.newWhy.Visible() ||
		!strings.Contains(et.newWhy.Text, "voimassa olevaa palveluvarausta") {
		t.Errorf("no reservation: button disabled %v, why shown %v %q", et.newBtn.Disabled(), et.newWhy.Visible(), et.newWhy.Text)
	}
}
