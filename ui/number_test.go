package ui

import (
	"encoding/json"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
)

// findButton gives the visible button under o whose text is text.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Button:
			if v.Text == text {
				found = v
			}
		case *keyButton:
			if v.Text == text {
				found = &v.Button
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return found
}

// tapButton taps the button labelled text under o.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	if o == nil {
		t.Fatalf("no %q button: nothing shown", text)
	}
	b := findButton(o, text)
	if b == nil {
		t.Fatalf("no %q button in %q", text, texts(o))
	}
	if b.Disabled() {
		t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
}

// openInfo opens Ääpälä Sinikka (cust-1, A-1001) on Asiakkaan tiedot.
func openInfo(t *testing.T, f *fixture) *customerView {
	t.Helper()
	f.search(t, "Ääp")
	f.d.openCustomer(f.d.search.results[0].Customer, tabInfo)
	f.wait(t, "customer:cust-1")
	return f.d.views["cust-1"]
}

// typeNumber replaces the customer number entry's text, as a user who
// selects it and types.
func typeNumber(v *customerView, number string) {
	e := v.number.entry
	e.SetText("")
	test.Type(e, number)
}

func outboxEntries(t *testing.T, f *fixture) []cache.Entry {
	t.Helper()
	es, err := f.d.src.(*cache.Cache).Outbox().Entries()
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestSetCustomerNumber(t *testing.T) {
	asked := 0
	f := newFixture(t, Options{Resync: func() { asked++ }})
	v := openInfo(t, f)
	assertTexts(t, v.info, "Asiakasnumero", "A-1001", "Tallenna", "Poista asiakasnumero")
	assertNoText(t, v.info, "odottaa lähetystä")
	if !findButton(v.info, "Tallenna").Disabled() {
		t.Error("Tallenna enabled before the number was changed")
	}

	typeNumber(v, "77-042")
	tapButton(t, v.info, "Tallenna")
	f.wait(t, "number:cust-1")
	f.wait(t, "customer:cust-1")
	assertTexts(t, v.info, "77-042", "odottaa lähetystä")
	assertNoText(t, v.info, "A-1001")
	if asked != 1 {
		t.Errorf("saving asked for %d syncs, want 1 (sent at once)", asked)
	}
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Type != wire.SetCustomerNumber || es[0].Command.CustomerID != "cust-1" ||
		es[0].Command.CustomerNumber != "77-042" || es[0].State != cache.StatePending {
		t.Fatalf("outbox %+v, want one pending set_customer_number 77-042 of cust-1", es)
	}

	// The send fails for want of a connection: the mark says why, the
	// status line how many changes wait.
	if err := f.d.src.(*cache.Cache).Outbox().MarkFailed(es[0].Command.ID, client.Unreachable.String(), time.Now()); err != nil {
		t.Fatal(err)
	}
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable}, client.Result{Pending: 1})
	f.wait(t, "sync:failed")
	f.wait(t, "customer:cust-1")
	assertTexts(t, v.info, "77-042", "odottaa lähetystä (ei yhteyttä palvelimeen)")
	assertTexts(t, f.d.syncBox, "Ei yhteyttä – 1 muutos odottaa lähetystä")
}

// TestCustomerNumberRefusedAtOnce: a number another customer holds (Matti
// Virtanen has A-1002) or one with characters a number may not have is
// explained under the entry, which keeps the text; nothing is queued.
func TestCustomerNumberRefusedAtOnce(t *testing.T) {
	asked := 0
	f := newFixture(t, Options{Resync: func() { asked++ }})
	v := openInfo(t, f)
	cases := []struct{ typed, want string }{
		{"a-1002", "Asiakasnumero a-1002 on jo käytössä toisella asiakkaalla. Valitse toinen numero."},
		{"A 1001!", "Asiakasnumerossa voi olla vain kirjaimia, numeroita ja merkkejä - / . _ (esimerkiksi A-1001). Poista muut merkit."},
		{"A-10000000000000000000", "Asiakasnumero on yli 20 merkkiä pitkä. Lyhennä sitä."},
		{" ", "Asiakasnumero on tyhjä. Kirjoita numero; jos haluat poistaa asiakkaan numeron, käytä poistoa."},
	}
	for _, tc := range cases {
		t.Run(tc.typed, func(t *testing.T) {
			typeNumber(v, tc.typed)
			v.number.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter saves
			f.wait(t, "number:cust-1")
			assertTexts(t, v.info, tc.want)
			assertNoText(t, v.info, "Virtanen")
			assertNoText(t, v.info, "odottaa lähetystä")
			if v.number.entry.Text != tc.typed {
				t.Errorf("entry lost the text: %q", v.number.entry.Text)
			}
			if es := outboxEntries(t, f); len(es) != 0 {
				t.Errorf("queued %+v", es)
			}
		})
	}
	if asked != 0 {
		t.Errorf("a refused change asked for %d syncs", asked)
	}
	// A good number clears the sentence.
	typeNumber(v, "A-1003")
	tapButton(t, v.info, "Tallenna")
	f.wait(t, "number:cust-1")
	f.wait(t, "customer:cust-1")
	assertTexts(t, v.info, "A-1003", "odottaa lähetystä")
	assertNoText(t, v.info, "käytössä")
}

func TestRemoveCustomerNumber(t *testing.T) {
	f := newFixture(t, Options{})
	v := openInfo(t, f)
	const question = "Poistetaanko asiakasnumero A-1001? Numero vapautuu heti toiselle asiakkaalle."
	overlays := f.d.Window().Canvas().Overlays()

	// Peruuta: nothing happens.
	tapButton(t, v.info, "Poista asiakasnumero")
	assertTexts(t, overlays.Top(), "Poista asiakasnumero", question, "Peruuta", "Poista")
	tapButton(t, overlays.Top(), "Peruuta")
	if overlays.Top() != nil || len(outboxEntries(t, f)) != 0 {
		t.Fatal("cancelled removal queued a command or left the dialog")
	}

	tapButton(t, v.info, "Poista asiakasnumero")
	tapButton(t, overlays.Top(), "Poista")
	f.wait(t, "number:cust-1")
	f.wait(t, "customer:cust-1")
	assertTexts(t, v.info, "poisto odottaa lähetystä")
	assertNoText(t, v.info, "A-1001")
	if v.number.entry.Text != "" || v.number.entry.PlaceHolder != "Ei asiakasnumeroa" {
		t.Errorf("entry %q (placeholder %q) after the removal", v.number.entry.Text, v.number.entry.PlaceHolder)
	}
	if !findButton(v.info, "Poista asiakasnumero").Disabled() {
		t.Error("Poista asiakasnumero enabled with no number")
	}
	es := outboxEntries(t, f)
	if len(es) != 1 || es[0].Command.Type != wire.RemoveCustomerNumber || es[0].Command.CustomerID != "cust-1" {
		t.Fatalf("outbox %+v, want one remove_customer_number of cust-1", es)
	}
}

// TestRefusalRollsBack: the server refuses the new number (another
// customer, one this desk could not see, holds it): after the sync the
// view shows the server's number again and why, in the user's language,
// until the next change there.
func TestRefusalRollsBack(t *testing.T) {
	want := map[string]string{
		"fi": "Asiakasnumero 77-042 on jo käytössä toisella asiakkaalla. Muutosta ei tallennettu: valitse toinen numero.",
		"sv": "Kundnumret 77-042 används redan av en annan kund. Ändringen sparades inte: välj ett annat nummer.",
		"en": "The customer number 77-042 is already in use by another customer. The change was not saved: choose another number.",
	}
	pending := map[string]string{"fi": "odottaa lähetystä", "sv": "väntar på att skickas", "en": "waiting to be sent"}
	for _, code := range []string{"fi", "sv", "en"} {
		t.Run(code, func(t *testing.T) {
			f := newFixture(t, Options{Language: code})
			v := openInfo(t, f)
			typeNumber(v, "77-042")
			test.Tap(v.number.save)
			f.wait(t, "number:cust-1")
			f.wait(t, "customer:cust-1")
			assertTexts(t, v.info, "77-042", pending[code])

			out := f.d.src.(*cache.Cache).Outbox()
			es := outboxEntries(t, f)
			ref, err := out.Refuse(es[0].Command.ID, wire.Answer{Status: wire.StatusRefused, Code: wire.CodeCustomerNumberTaken,
				Message: "customer number is in use"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			f.d.SyncDone(client.Result{Refused: []cache.Refusal{ref}})
			f.wait(t, "sync:done")
			f.wait(t, "customer:cust-1")
			assertTexts(t, v.info, "A-1001", want[code])
			assertNoText(t, v.info, pending[code])
			assertNoText(t, v.info, "Virtanen")
			if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
				t.Errorf("a dialog for an open customer's refusal: %q", texts(top))
			}

			// Another sync keeps the sentence; the next change clears it.
			f.d.SyncDone(client.Result{})
			f.wait(t, "sync:done")
			f.wait(t, "customer:cust-1")
			assertTexts(t, v.info, want[code])
			typeNumber(v, "77-043")
			test.Tap(v.number.save)
			f.wait(t, "number:cust-1")
			f.wait(t, "customer:cust-1")
			assertNoText(t, v.info, "77-042")
			assertTexts(t, v.info, "77-043", pending[code])
		})
	}
}

// TestRefusalOfCustomerNotOpen: a refused change of a customer whose tab
// is not open is explained in a dialog that names the customer.
func TestRefusalOfCustomerNotOpen(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.d.src.(*cache.Cache)
	e, err := c.SetCustomerNumber("cust-2", "B-7", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ref, err := c.Outbox().Refuse(e.Command.ID, wire.Answer{Status: wire.StatusRefused, Code: wire.CodeForbidden}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable}, client.Result{Refused: []cache.Refusal{ref}})
	f.wait(t, "refusals")
	var dlg fyne.CanvasObject
	for _, o := range f.d.Window().Canvas().Overlays().List() {
		if hasText(o, "Muutosta ei tallennettu") {
			dlg = o
		}
	}
	if dlg == nil {
		t.Fatal("no dialog for the refused change")
	}
	assertTexts(t, dlg, "Virtanen Matti",
		"Sinulla ei ole oikeutta tähän muutokseen, joten sitä ei tallennettu. Pyydä oikeutta palveluntuottajasi pääkäyttäjältä.")
}

// TestAppliedThenFetched: the server applied the change; until the cache
// has fetched it the mark says it is saved on the server, and once the
// replica shows it no mark is left.
func TestAppliedThenFetched(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.d.src.(*cache.Cache)
	v := openInfo(t, f)
	typeNumber(v, "77-042")
	test.Tap(v.number.save)
	f.wait(t, "number:cust-1")
	f.wait(t, "customer:cust-1")

	cursor, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	es := outboxEntries(t, f)
	if err := c.Outbox().MarkApplied(es[0].Command.ID, cursor+1); err != nil {
		t.Fatal(err)
	}
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable}, client.Result{Applied: es})
	f.wait(t, "sync:failed")
	f.wait(t, "customer:cust-1")
	assertTexts(t, v.info, "77-042", "tallennettu palvelimelle")
	assertNoText(t, v.info, "odottaa lähetystä")

	cust := data.Customer{ID: "cust-1", FirstNames: "Sinikka", LastName: "Ääpälä", Hetu: scenarioHetu,
		CustomerNumber: "77-042", Address: "Esimerkkitie 1 A 2, 00100 Helsinki", Language: "fi"}
	b, err := json.Marshal(cust)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplyPage([]wire.Change{{Seq: cursor + 1, Kind: wire.KindCustomer, Op: wire.OpPut, ID: "cust-1", Data: b}}, cursor+1); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Outbox().Settle(cursor+1, true); err != nil || n != 1 {
		t.Fatalf("settled %d, %v", n, err)
	}
	f.d.SyncDone(client.Result{Pull: client.Progress{Changes: 1, Cursor: cursor + 1, Done: true}})
	f.wait(t, "sync:done")
	f.wait(t, "customer:cust-1")
	assertTexts(t, v.info, "77-042")
	assertNoText(t, v.info, "odottaa lähetystä")
	assertNoText(t, v.info, "tallennettu palvelimelle")
	if !v.number.save.Disabled() {
		t.Error("Tallenna enabled with the number unchanged")
	}
}

// TestTypingSurvivesReload: a sync that reloads the view keeps what the
// user is typing in the number's entry.
func TestTypingSurvivesReload(t *testing.T) {
	f := newFixture(t, Options{})
	v := openInfo(t, f)
	typeNumber(v, "77-0")
	f.d.SyncDone(client.Result{})
	f.wait(t, "sync:done")
	f.wait(t, "customer:cust-1")
	if v.number.entry.Text != "77-0" || v.number.save.Disabled() {
		t.Errorf("entry %q (Tallenna disabled %v) after a reload", v.number.entry.Text, v.number.save.Disabled())
	}
}

// TestTodayFollowsNow: without Options.Today the day is Now's in
// Helsinki: 30.11.2026 23.30 UTC is already December there.
func TestTodayFollowsNow(t *testing.T) {
	now := time.Date(2026, time.November, 30, 23, 30, 0, 0, time.UTC)
	f := newFixture(t, Options{Now: func() time.Time { return now }})
	s := openStatementTab(t, f)
	// The form offers December as the current month and prefills the
	// previous one, November.
	if s.month.Options[0] != "joulukuu 2026" || s.from.Text != "1.11.2026" || s.to.Text != "30.11.2026" {
		t.Errorf("months from %q, period prefilled %q–%q, want December 2026 the latest, November prefilled",
			s.month.Options[0], s.from.Text, s.to.Text)
	}
}
