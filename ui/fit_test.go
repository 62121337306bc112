package ui

import (
	"encoding/json"
	"psopdesk/sync/wire"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"psopdesk/assets"
	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/ui/print"
)

// addLongCustomer adds to f's cache a customer with many grants and long
// texts, like the demo's: "Omaishoidon vapaa" counted in days on four
// vouchers (one income-based), a home nursing visit with a long content,
// a balance; events on two of the vouchers.
func addLongCustomer(t *testing.T, f *fixture) {
	t.Helper()
	c := f.d.src.(*cache.Cache)
	seq, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.Change
	put := func(kind wire.Kind, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		out = append(out, wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b})
	}
	year := func(m time.Month, d int) data.Date { return data.NewDate(2026, m, d) }
	relief := data.Service{ID: "svc-relief", Name: "Omaishoidon vapaa", Content: "Omaishoidon vapaan hoitopäivä", Unit: data.UnitDay}
	nurse := data.Service{ID: "svc-nurse", Name: "Kotisairaanhoito ilta- ja viikonloppuisin",
		Content: "Kotisairaanhoidon käynti ilta- ja viikonloppuaikaan, lääkehoito mukaan lukien", Unit: data.UnitVisit}
	put(wire.KindService, relief.ID, relief)
	put(wire.KindService, nurse.ID, nurse)
	put(wire.KindCustomer, "cust-3", data.Customer{ID: "cust-3", FirstNames: "Anna-Maria Kristiina", LastName: "Korhonen-Virtanen",
		Hetu: "010101A9998", Address: "Tähtitorninkatu 73 A 22, 33100 Tampere", Language: "sv"})
	for i, number := range []string{"410082165", "410082188", "410082225", "410082251"} {
		vt := data.ValueFixed
		if i == 1 {
			vt = data.ValueIncomeBased
		}
		put(wire.KindVoucher, number, data.Voucher{Number: number, CustomerID: "cust-3", ServiceID: relief.ID,
			ValidFrom: year(1, 1), ValidTo: year(12, 31), ValueType: vt})
		g := data.Grant{ID: "g-" + number, CustomerID: "cust-3", Kind: data.KindPurchasingPower, VoucherNumber: number,
			ServiceID: relief.ID, GrantedQuantity: data.Quantity(300 + 100*i), Period: data.PeriodMonth, VoucherUnitValue: 12345,
			ValidFrom: year(1, 1), ValidTo: year(12, 31)}
		put(wire.KindGrant, g.ID, g)
		put(wire.KindReservation, "r-"+number, data.Reservation{ID: "r-" + number, CustomerID: "cust-3", GrantID: g.ID,
			From: year(11, 1), To: year(12, 31), Quantity: data.Quantity(250)})
	}
	put(wire.KindVoucher, "410099999", data.Voucher{Number: "410099999", CustomerID: "cust-3", ServiceID: nurse.ID,
		ValidFrom: year(1, 1), ValidTo: year(12, 31), ValueType: data.ValueIncomeBased})
	put(wire.KindGrant, "g-nurse", data.Grant{ID: "g-nurse", CustomerID: "cust-3", Kind: data.KindPurchasingPower,
		VoucherNumber: "410099999", ServiceID: nurse.ID, GrantedQuantity: 2000, Period: data.PeriodTotal,
		VoucherUnitValue: 123456, ValidFrom: year(1, 1), ValidTo: year(12, 31)})
	put(wire.KindGrant, "g-bal", data.Grant{ID: "g-bal", CustomerID: "cust-3", Kind: data.KindBalancePurchasingPower,
		VoucherNumber: "410088888", ServiceID: nurse.ID, Amount: 12345678, ValidFrom: year(1, 1), ValidTo: year(12, 31)})
	for i, number := range []string{"410082165", "410082188", "410082165"} {
		st := data.StatusApproved
		if i == 2 {
			st = data.StatusInReview
		}
		id := "ev-" + string(rune('a'+i))
		put(wire.KindEvent, id, data.ServiceEvent{ID: id, CustomerID: "cust-3", GrantID: "g-" + number,
			ServiceID: relief.ID, Content: relief.Content, Date: year(11, 3+7*i), Quantity: 150, Status: st,
			Start: "08:00", End: "16:00", UnitPrice: 123456, VoucherUnitValue: 12345,
			RecordedAt: time.Date(2026, 11, 1, 8, i, 0, 0, data.Helsinki), Version: 1})
	}
	if err := c.ApplyPage(out, seq); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
}

// tabBar gives the texts of the customer tabs' bar (the tab names that
// fit) and whether AppTabs put some tabs behind its "…" overflow button.
func tabBar(tabs *container.AppTabs) (names []string, overflow bool) {
	contents := map[fyne.CanvasObject]bool{}
	for _, it := range tabs.Items {
		contents[it.Content] = true
	}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() || contents[o] {
			return
		}
		if b, ok := o.(*widget.Button); ok && b.Text == "" && b.Icon != nil {
			overflow = true
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			names = append(names, texts(v)...)
		}
	}
	for _, o := range test.WidgetRenderer(tabs).Objects() {
		walk(o)
	}
	return names, overflow
}

// TestEverythingFitsAt1280x800 opens a customer with many grants and long
// texts in a window of 1280 × 800 (less the title bar and the menu) in
// each language: every tab name shows (none behind "…"), and every tab's
// content, tables included, is no wider than the tab, so no column is cut
// off on the right.
func TestEverythingFitsAt1280x800(t *testing.T) {
	want := map[string][]string{
		"fi": {"Asiakastiedot", "Ostovoimat", "Saldo-ostovoimat", "Varaukset", "Tapahtumat", "Omavastuuerittely"},
		"en": {"Customer", "Purchasing power", "Balances", "Reservations", "Events", "Statement"},
		"sv": {"Kunduppgifter", "Köpkraft", "Saldoköpkraft", "Reservationer", "Händelser", "Specifikation"},
	}
	for _, code := range assets.Languages {
		t.Run(code, func(t *testing.T) {
			f := newFixture(t, Options{Language: code})
			addLongCustomer(t, f)
			f.d.Window().Resize(fyne.NewSize(1260, 750))
			f.search(t, "Korhonen")
			if len(f.d.search.results) != 1 {
				t.Fatalf("search found %d", len(f.d.search.results))
			}
			f.d.openCustomer(f.d.search.results[0].Customer, tabInfo)
			f.wait(t, "customer:cust-3")
			v := f.d.views["cust-3"]

			names, overflow := tabBar(v.tabs)
			if overflow || strings.Join(names, "|") != strings.Join(want[code], "|") {
				t.Errorf("tab bar shows %q (overflow %v), want %q", names, overflow, want[code])
			}

			fits := func(i int) {
				t.Helper()
				v.tabs.SelectIndex(i)
				sc := v.tabs.Items[i].Content.(*container.Scroll)
				if need, have := sc.Content.MinSize().Width, sc.Size().Width; need > have || have < 700 {
					t.Errorf("tab %q needs %v px, has %v", v.tabs.Items[i].Text, need, have)
				}
			}
			for i := range v.tabs.Items {
				fits(i)
			}
			v.tabs.SelectIndex(tabPurchasingPower)
			if rows := gridRows(v.purchasing); len(rows) != 6 {
				t.Errorf("purchasing powers %d rows, want header + 5", len(rows))
			}
			s := v.statement
			s.sel.SetSelected("Omaishoidon vapaa")
			s.month.SetSelectedIndex(0) // November 2026, the events' month
			test.Tap(s.makeBtn)
			f.wait(t, "statement:cust-3")
			if rows := gridRows(s.result); len(rows) != 5 || len(rows[0]) != 9 {
				t.Errorf("statement table %q, want header, 3 events and total in 9 columns", rows)
			}
			fits(tabStatement)
		})
	}
}

// TestUnitWordsMatchPrint: the screen says the units as the printed
// statement does (ui/print), after 1, after other quantities and per unit.
func TestUnitWordsMatchPrint(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANG", "C")
	units := []data.Unit{data.UnitHour, data.UnitVisit, data.UnitDay, data.UnitPiece}
	for _, code := range assets.Languages {
		if err := UseLanguage(code); err != nil {
			t.Fatal(err)
		}
		labels := print.LabelsFor(code)
		for _, u := range units {
			words := labels.Units[u]
			for _, c := range []struct{ got, want string }{
				{quantityText(100, u), "1 " + words.One},
				{quantityText(250, u), "2,5 " + words.Many},
				{quantityText(200, u), "2 " + words.Many},
				{perUnitText(9000, u), "90,00 € / " + words.Per},
			} {
				if c.got != c.want {
					t.Errorf("%s %s: %q, want %q", code, u, c.got, c.want)
				}
			}
		}
	}
	if err := UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	if got := quantityText(300, data.UnitDay); got != "3 pv" {
		t.Errorf("3 days in Finnish: %q, want 3 pv", got)
	}
}

// TestResync: "Synkronoi nyt" (Ctrl+R, F5) asks for a sync any time; after a
// failed sync "Yritä uudelleen" shows next to the status line, asks for
// one and hides; the new sync's progress shows again.
func TestResync(t *testing.T) {
	asked := 0
	f := newFixture(t, Options{Resync: func() { asked++ }})
	menu := f.d.Window().MainMenu().Items[0]
	var refresh *fyne.MenuItem
	for _, it := range menu.Items {
		if it.Label == "Synkronoi nyt (F5)" {
			refresh = it
		}
	}
	if refresh == nil {
		t.Fatalf("no Synkronoi nyt in the menu")
	}
	if sc, ok := refresh.Shortcut.(*desktop.CustomShortcut); !ok || sc.KeyName != fyne.KeyR || sc.Modifier != fyne.KeyModifierShortcutDefault {
		t.Errorf("Synkronoi nyt shortcut %v, want Ctrl+R", refresh.Shortcut)
	}
	refresh.Action()
	if asked != 1 {
		t.Errorf("menu asked for %d syncs, want 1", asked)
	}

	f.d.SyncProgress(client.Progress{})
	f.wait(t, "sync:progress")
	if f.d.syncRetry.Visible() {
		t.Error("Yritä uudelleen shown while syncing")
	}
	// The sync the user asked for finds no connection: told in a dialog.
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable}, client.Result{Pending: 2})
	f.wait(t, "sync:failed")
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Palvelimeen ei saada yhteyttä. Tarkista verkkoyhteys ja yritä uudelleen; välimuistin tiedot ovat tallessa.")
	tapButton(t, f.d.Window().Canvas().Overlays().Top(), "OK")
	// The engine's own retries without a connection: the status line says
	// so and no dialog gets in the way (changes wait in the outbox).
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable}, client.Result{Pending: 2})
	f.wait(t, "sync:failed")
	if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
		t.Errorf("a dialog for an automatic retry without a connection: %q", texts(top))
	}
	assertTexts(t, f.d.syncBox, "Ei yhteyttä – 2 muutosta odottaa lähetystä",
		"Yritä uudelleen")
	// Failures that need the user get a dialog.
	unreachable := &client.Error{Kind: client.Unauthorized}
	server := &client.Error{Kind: client.BadReply}
	const (
		unreachableText = "Palvelin ei hyväksynyt API-avainta. Tarkista avain tai luo uusi avain palvelunjärjestäjän järjestelmässä. Välimuistin tiedot ovat tallessa."
		serverText      = "Palvelimen vastaus oli virheellinen, eikä sitä otettu käyttöön. Yritä myöhemmin uudelleen; jos vika jatkuu, ota yhteys palvelunjärjestäjän tukeen. Välimuistin tiedot ovat tallessa."
	)
	f.d.SyncFailed(unreachable, client.Result{})
	f.wait(t, "sync:failed")
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), unreachableText)
	f.d.SyncFailed(server, client.Result{})
	f.wait(t, "sync:failed")
	// One dialog, the latest failure's: a retry that fails again does not
	// pile dialogs up.
	if n := len(f.d.Window().Canvas().Overlays().List()); n != 1 {
		t.Errorf("%d dialogs after two failures, want 1", n)
	}
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), serverText)
	if !f.d.syncRetry.Visible() || f.d.syncRetry.Text != "Yritä uudelleen" {
		t.Fatalf("no Yritä uudelleen after a failed sync: %q", texts(f.d.syncBox))
	}
	assertTexts(t, f.d.syncBox, "Tietojen haku epäonnistui: näytetään aiemmin haetut tiedot.", "Yritä uudelleen")
	// Closed by the user, the dialog stays closed while the engine's own
	// retries fail the same way; the status line still says it.
	tapButton(t, f.d.Window().Canvas().Overlays().Top(), "OK")
	f.d.SyncFailed(server, client.Result{})
	f.wait(t, "sync:failed")
	if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
		t.Errorf("an automatic retry's same failure opened a dialog again: %q", texts(top))
	}
	assertTexts(t, f.d.syncBox, "Tietojen haku epäonnistui: näytetään aiemmin haetut tiedot.")
	test.Tap(f.d.syncRetry)
	if asked != 2 || f.d.syncRetry.Visible() {
		t.Errorf("retry: asked %d syncs (want 2), button visible %v", asked, f.d.syncRetry.Visible())
	}
	// The sync the user asked for fails the same way: told again.
	f.d.SyncFailed(server, client.Result{})
	f.wait(t, "sync:failed")
	if top := f.d.Window().Canvas().Overlays().Top(); top == nil || !hasText(top, serverText) {
		t.Error("no dialog after the retry the user asked for failed")
	}
	test.Tap(f.d.syncRetry)
	f.d.SyncProgress(client.Progress{Pages: 1, Changes: 12})
	f.wait(t, "sync:progress")
	assertTexts(t, f.d.syncBox, "Haetaan tietoja palvelimelta… 12 muutosta")
	f.d.SyncDone(client.Result{Pull: client.Progress{Changes: 12}})
	f.wait(t, "sync:done")
	if f.d.syncRetry.Visible() {
		t.Error("Yritä uudelleen shown after a sync succeeded")
	}
	if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
		t.Errorf("the failure's dialog still open after a sync succeeded: %q", texts(top))
	}
}

// TestNoResync: without Options.Resync neither the menu item nor the
// button is offered.
func TestNoResync(t *testing.T) {
	f := newFixture(t, Options{})
	for _, it := range f.d.Window().MainMenu().Items[0].Items {
		if it.Label == "Synkronoi nyt (F5)" {
			t.Error("Synkronoi nyt offered without Resync")
		}
	}
	f.d.SyncFailed(errInTest("x"), client.Result{})
	f.wait(t, "sync:failed")
	if f.d.syncRetry.Visible() {
		t.Error("Yritä uudelleen offered without Resync")
	}
}

type errInTest string

func (e errInTest) Error() string { return string(e) }

// rendered gives the texts a label draws: its text, or the text cut with
// "…" when it is truncated.
func rendered(l *widget.Label) []string {
	var out []string
	for _, o := range test.WidgetRenderer(l).Objects() {
		if rt, ok := o.(*widget.RichText); ok {
			for _, c := range test.WidgetRenderer(rt).Objects() {
				if tx, ok := c.(*canvas.Text); ok {
					out = append(out, tx.Text)
				}
			}
		}
	}
	return out
}

// TestGridTableNarrows: with room, every cell shows its whole text; in a
// narrow window only the flex column's texts end in "…", and the table
// never gets narrower than its other columns need.
func TestGridTableNarrows(t *testing.T) {
	test.NewTempApp(t)
	cols := []column{{title: "Voucher"}, {title: "Service", flex: true}, {title: "Content", flex: true}, {title: "Price", right: true}}
	rows := [][]cell{
		{{text: "410082165"}, {text: "Omaishoidon vapaa"}, {text: "Omaishoidon vapaan hoitopäivä, pitkä kuvaus"}, {text: "1 234,56 €"}},
		{{text: "410082188"}, {text: "Kotihoito"}, {text: "Käynti"}, {text: "12,00 €"}},
	}
	cases := []struct {
		width float32
		want  [][]string // rendered texts of the two rows
	}{
		{900, [][]string{
			{"410082165", "Omaishoidon vapaa", "Omaishoidon vapaan hoitopäivä, pitkä kuvaus", "1 234,56 €"},
			{"410082188", "Kotihoito", "Käynti", "12,00 €"}}},
		{360, [][]string{
			{"410082165", "Omaishoidon…", "Omaishoidon vapaan…", "1 234,56 €"},
			{"410082188", "Kotihoito", "Käynti", "12,00 €"}}},
	}
	for _, tc := range cases {
		o := newGridTable(cols, rows, 2)
		w := test.NewWindow(o)
		w.Resize(fyne.NewSize(tc.width, 200))
		g := o.(*container.ThemeOverride).Content.(*fyne.Container)
		cells := g.Objects[g.Layout.(*gridLayout).bg+len(cols):]
		for r, want := range tc.want {
			var got []string
			for c := range cols {
				got = append(got, strings.Join(rendered(cells[r*len(cols)+c].(*widget.Label)), ""))
			}
			for c := range want {
				if c == 1 || c == 2 { // flex: a prefix and "…", or whole
					if got[c] != want[c] && !(strings.HasSuffix(got[c], "…") && strings.HasPrefix(want[c], strings.TrimSuffix(got[c], "…"))) {
						t.Errorf("width %v row %d column %d: %q, want %q", tc.width, r, c, got[c], want[c])
					}
					if strings.HasSuffix(want[c], "…") != strings.HasSuffix(got[c], "…") {
						t.Errorf("width %v row %d column %d: %q, want it cut: %v", tc.width, r, c, got[c], strings.HasSuffix(want[c], "…"))
					}
				} else if got[c] != want[c] {
					t.Errorf("width %v row %d column %d: %q, want %q", tc.width, r, c, got[c], want[c])
				}
			}
		}
		// The minimum: the fixed columns whole, the flex ones as their headings.
		header := func(s string) float32 {
			return widget.NewLabelWithStyle(s, 0, fyne.TextStyle{Bold: true}).MinSize().Width
		}
		if min, most := o.MinSize().Width, 2*header("Content")+300; min > most || min < header("Service")+header("Content") {
			t.Errorf("table min width %v", min)
		}
		w.Close()
	}
}
