package ui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
)

const scenarioHetu = "010594Y9021"

// scenarioChanges is the change feed of ../../shared/fixtures/scenario-small.json
// (Sinikka Ääpälä A-1001, grants pp-1 and bp-1, events e1..e7 and c1..c3),
// plus a second customer, a valid and an expired reservation.
func scenarioChanges(t *testing.T) []wire.Change {
	t.Helper()
	var seq uint64
	var out []wire.Change
	put := func(kind wire.Kind, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		out = append(out, wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b})
	}
	d := func(s string) data.Date {
		v, err := data.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	q := func(s string) data.Quantity {
		v, err := data.ParseQuantity(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	put(wire.KindOrganizer, "org-1", data.Organizer{ID: "org-1", Name: "Esimerkin hyvinvointialue", SettlementDay: 5, Timezone: "Europe/Helsinki"})
	put(wire.KindProvider, "prov-1", data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy", BusinessID: "1234567-1"})
	home := data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour}
	clean := data.Service{ID: "svc-clean", Name: "Siivous", Content: "Siivouspalvelu", Unit: data.UnitHour}
	put(wire.KindService, home.ID, home)
	put(wire.KindService, clean.ID, clean)
	put(wire.KindCustomer, "cust-1", data.Customer{ID: "cust-1", FirstNames: "Sinikka", LastName: "Ääpälä",
		Hetu: scenarioHetu, CustomerNumber: "A-1001", Address: "Esimerkkitie 1 A 2, 00100 Helsinki", Language: "fi"})
	put(wire.KindCustomer, "cust-2", data.Customer{ID: "cust-2", FirstNames: "Matti", LastName: "Virtanen",
		Hetu: "131052-308T", CustomerNumber: "A-1002", Address: "Kotikatu 3, 00200 Helsinki", Language: "sv"})
	put(wire.KindVoucher, "400123456", data.Voucher{Number: "400123456", CustomerID: "cust-1", ServiceID: "svc-home",
		ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31"), ValueType: data.ValueFixed})
	put(wire.KindVoucher, "400123457", data.Voucher{Number: "400123457", CustomerID: "cust-1", ServiceID: "svc-clean",
		ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31"), ValueType: data.ValueFixed})
	pp := data.Grant{ID: "pp-1", CustomerID: "cust-1", Kind: data.KindPurchasingPower, VoucherNumber: "400123456",
		ServiceID: "svc-home", GrantedQuantity: q("10"), Period: data.PeriodMonth, VoucherUnitValue: 3600,
		ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31")}
	bp := data.Grant{ID: "bp-1", CustomerID: "cust-1", Kind: data.KindBalancePurchasingPower, VoucherNumber: "400123457",
		ServiceID: "svc-clean", Amount: 20000, ValidFrom: d("2026-01-01"), ValidTo: d("2026-12-31")}
	put(wire.KindGrant, pp.ID, pp)
	put(wire.KindGrant, bp.ID, bp)
	put(wire.KindReservation, "r-valid", data.Reservation{ID: "r-valid", CustomerID: "cust-1", GrantID: "pp-1",
		From: d("2026-11-01"), To: d("2026-12-31"), Quantity: q("8")})
	put(wire.KindReservation, "r-old", data.Reservation{ID: "r-old", CustomerID: "cust-1", GrantID: "pp-1",
		From: d("2026-01-01"), To: d("2026-03-31"), Quantity: q("5")})
	events := []struct {
		id, grant, date, qty string
		status               data.Status
	}{
		{"e1", "pp-1", "2026-11-02", "2.0", data.StatusRecorded},
		{"e2", "pp-1", "2026-11-09", "1.5", data.StatusApproved},
		{"e3", "pp-1", "2026-11-16", "3.0", data.StatusInReview},
		{"e4", "pp-1", "2026-11-18", "2.0", data.StatusRejected},
		{"e5", "pp-1", "2026-11-23", "0.75", data.StatusRecorded},
		{"e6", "pp-1", "2026-11-27", "1.0", data.StatusDeleted},
		{"e7", "pp-1", "2026-10-30", "2.0", data.StatusSettled},
		{"c1", "bp-1", "2026-11-03", "3.0", data.StatusApproved},
		{"c2", "bp-1", "2026-11-10", "2.0", data.StatusApproved},
		{"c3", "bp-1", "2026-11-17", "1.5", data.StatusRecorded},
	}
	for i, e := range events {
		ev := data.ServiceEvent{ID: e.id, CustomerID: "cust-1", GrantID: e.grant, Date: d(e.date),
			Quantity: q(e.qty), Status: e.status, Start: "09:00", End: "11:00",
			RecordedAt: time.Date(2026, 11, 1, 8, i, 0, 0, data.Helsinki), Version: 1}
		if e.grant == "pp-1" {
			ev.ServiceID, ev.Content, ev.UnitPrice, ev.VoucherUnitValue = home.ID, home.Content, 4250, 3600
		} else {
			ev.ServiceID, ev.Content, ev.UnitPrice = clean.ID, clean.Content, 3500
		}
		put(wire.KindEvent, e.id, ev)
	}
	return out
}

// fixture is a Desk over a real cache holding the scenario, in Finnish.
// What the Desk hands to the Fyne goroutine is queued and run by the test
// goroutine in wait, as the GLFW driver runs it on the main goroutine: so
// widgets are touched by one goroutine only.
type fixture struct {
	d      *Desk
	queue  chan func()
	events []string // told while running queued work (test goroutine only)

	mu     sync.Mutex
	opened []string // paths OpenFile was given

	bound time.Duration // how long wait waits at most; 0: 10 s
}

func newFixture(t *testing.T, opt Options) *fixture {
	t.Helper()
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	changes := scenarioChanges(t)
	if err := c.ApplyPage(changes, changes[len(changes)-1].Seq); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, c, opt)
}

// newFixtureOn is a Desk over c in opt's language (Finnish by default),
// today 20.11.2026 unless opt says otherwise, its window 1400 × 900.
func newFixtureOn(t testing.TB, c *cache.Cache, opt Options) *fixture {
	t.Helper()
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANG", "C")
	code := opt.Language
	if code == "" {
		code = "fi"
	}
	if err := UseLanguage(code); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	f := &fixture{queue: make(chan func(), 1000)}
	if opt.Today == nil && opt.Now == nil {
		opt.Today = func() data.Date { return data.NewDate(2026, time.November, 20) }
	}
	if opt.OpenFile == nil {
		opt.OpenFile = func(path string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.opened = append(f.opened, path)
			return nil
		}
	}
	f.d = NewDesk(a, c, opt)
	f.d.do = func(fn func()) { f.queue <- fn }
	f.d.notify = func(e string) { f.events = append(f.events, e) }
	f.d.Window().Resize(fyne.NewSize(1400, 900))
	f.d.Window().Show()
	t.Cleanup(func() { f.d.Window().Close() })
	return f
}

// wait runs the queued UI work until the background work named event has
// been applied to the widgets. The bound only stops a broken test.
func (f *fixture) wait(t testing.TB, event string) {
	t.Helper()
	bound := f.bound
	if bound == 0 {
		bound = 10 * time.Second
	}
	timeout := time.After(bound)
	for {
		for i, e := range f.events {
			if e == event {
				f.events = f.events[i+1:]
				return
			}
		}
		select {
		case fn := <-f.queue:
			fn()
		case <-timeout:
			t.Fatalf("waited %v for %q; saw %q", bound, event, f.events)
		}
	}
}

// search types q into an empty search field and waits for its results.
func (f *fixture) search(t *testing.T, q string) {
	t.Helper()
	if f.d.search.entry.Text != "" {
		f.d.search.entry.SetText("")
		f.wait(t, "search:")
	}
	test.Type(f.d.search.entry, q)
	f.wait(t, "search:"+q)
}

// texts collects the visible texts under o: labels, rich texts, buttons,
// canvas texts, a select's choice.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
			return
		case *widget.RichText:
			out = append(out, v.String())
			return
		case *widget.Button:
			out = append(out, v.Text)
			return
		case *canvas.Text:
			out = append(out, v.Text)
			return
		case *widget.Select:
			out = append(out, v.Selected)
			return
		case *widget.Entry:
			out = append(out, v.Text)
			return
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

func hasText(o fyne.CanvasObject, want string) bool {
	for _, s := range texts(o) {
		if s == want {
			return true
		}
	}
	return false
}

func assertTexts(t *testing.T, o fyne.CanvasObject, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !hasText(o, w) {
			t.Errorf("%q not shown; shown: %q", w, texts(o))
		}
	}
}

func assertNoText(t *testing.T, o fyne.CanvasObject, unwanted string) {
	t.Helper()
	for _, s := range texts(o) {
		if strings.Contains(s, unwanted) {
			t.Errorf("%q shown in %q", unwanted, s)
		}
	}
}

// gridRows gives the rows (header first) of the first grid table under o.
func gridRows(o fyne.CanvasObject) [][]string {
	var rows [][]string
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *fyne.Container:
			if g, ok := v.Layout.(*gridLayout); ok {
				cells := v.Objects[g.bg:]
				for i := 0; i < len(cells); i += g.cols {
					var row []string
					for _, c := range cells[i : i+g.cols] {
						row = append(row, c.(*widget.Label).Text)
					}
					rows = append(rows, row)
				}
				return true
			}
			for _, c := range v.Objects {
				if walk(c) {
					return true
				}
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	walk(o)
	return rows
}

func TestSearchFindsCustomer(t *testing.T) {
	f := newFixture(t, Options{})
	assertTexts(t, f.d.Window().Canvas().Content(), "Asiakkaat",
		"Kirjoita asiakkaan nimi, henkilötunnus, palvelusetelin numero tai asiakasnumero.")
	if got := f.d.search.entry.PlaceHolder; got != "Hae nimellä, henkilötunnuksella, palvelusetelin tai asiakasnumerolla" {
		t.Errorf("placeholder %q", got)
	}
	cases := []struct {
		q         string
		want      []string
		notWanted string
	}{
		{"Ääp", []string{"Ääpälä Sinikka", "s. 1.5.1994 · A-1001", "Löytyi 1 asiakas."}, "Virtanen Matti"},
		{"aapala", []string{"Ääpälä Sinikka"}, "Virtanen Matti"},
		{scenarioHetu, []string{"Ääpälä Sinikka"}, "Virtanen Matti"},
		{"400123456", []string{"Ääpälä Sinikka"}, "Virtanen Matti"},
		{"A-1002", []string{"Virtanen Matti"}, "Ääpälä Sinikka"},
		{"virt", []string{"Virtanen Matti"}, "Ääpälä Sinikka"},
		{"Nobody", []string{"Haulla ei löytynyt asiakkaita."}, "Ääpälä Sinikka"},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			f.search(t, tc.q)
			assertTexts(t, f.d.search.content, tc.want...)
			assertNoText(t, f.d.search.content, tc.notWanted)
			// The list never shows the henkilötunnus.
			assertNoText(t, f.d.search.list, scenarioHetu)
		})
	}
}

func TestCustomerTabs(t *testing.T) {
	f := newFixture(t, Options{})
	f.search(t, "Ääp")
	f.d.search.list.Select(0)
	f.wait(t, "customer:cust-1")
	v := f.d.views["cust-1"]
	if v == nil {
		t.Fatal("customer not opened")
	}
	want := []string{"Asiakastiedot", "Ostovoimat", "Saldo-ostovoimat", "Varaukset", "Tapahtumat", "Omavastuuerittely"}
	if len(v.tabs.Items) != len(want) {
		t.Fatalf("%d tabs, want %d", len(v.tabs.Items), len(want))
	}
	for i, w := range want {
		if got := v.tabs.Items[i].Text; got != w {
			t.Errorf("tab %d is %q, want %q", i, got, w)
		}
	}
	if f.d.tabs.Selected() != v.tab || v.tab.Text != "Ääpälä Sinikka" {
		t.Errorf("customer tab %q not selected", v.tab.Text)
	}
	if v.tabs.SelectedIndex() != tabInfo {
		t.Errorf("opened on tab %d, want Asiakkaan tiedot", v.tabs.SelectedIndex())
	}

	assertTexts(t, v.info, "Ääpälä Sinikka", scenarioHetu, "Esimerkkitie 1 A 2, 00100 Helsinki", "suomi", "A-1001")

	v.tabs.SelectIndex(tabPurchasingPower)
	assertTexts(t, v.purchasing, "400123456", "Kotihoito", "Kotihoidon käynti", "tunti", "10 h / kuukausi",
		"36,00 € / h", "1.1.2026–31.12.2026")
	assertNoText(t, v.purchasing, "400123457")

	v.tabs.SelectIndex(tabBalance)
	rows := gridRows(v.balance)
	wantBalance := [][]string{
		{"Palveluseteli", "Palvelu", "Summa", "Käytetty", "Jäljellä", "Voimassa"},
		{"400123457", "Siivous", "200,00 €", "200,00 €", "0,00 €", "1.1.2026–31.12.2026"},
	}
	assertRows(t, rows, wantBalance)

	v.tabs.SelectIndex(tabReservations)
	assertRows(t, gridRows(v.reservations), [][]string{
		{"Palveluseteli", "Palvelu", "Alkaa", "Päättyy", "Varattu määrä"},
		{"400123456", "Kotihoito", "1.11.2026", "31.12.2026", "8 h"},
	})

	v.tabs.SelectIndex(tabEvents)
	ev := eventRows(v.events)
	if len(ev) != 10 {
		t.Fatalf("events list has %d rows, want 10: %q", len(ev), ev)
	}
	wantFirst := []string{"27.11.2026", "9.00–11.00", "Kotihoidon käynti", "1 h", "42,50 €", "–", "–", "Poistettu", "5.12.2026", ""}
	assertRows(t, ev[0:1], [][]string{wantFirst})
	statuses := map[string]string{}
	for _, r := range ev {
		statuses[r[0]] = r[evColStatus]
	}
	for date, st := range map[string]string{"16.11.2026": "Tarkastettavana", "18.11.2026": "Hylätty",
		"30.10.2026": "Tilitetty", "9.11.2026": "Hyväksytty", "2.11.2026": "Kirjattu"} {
		if statuses[date] != st {
			t.Errorf("event of %s has status %q, want %q", date, statuses[date], st)
		}
	}
}

func TestCtrlFFocusesSearch(t *testing.T) {
	f := newFixture(t, Options{})
	s := openStatementTab(t, f)
	c := f.d.Window().Canvas()
	c.Focus(s.from)
	menu := f.d.Window().MainMenu()
	if menu == nil || len(menu.Items) == 0 || len(menu.Items[0].Items) == 0 {
		t.Fatal("no main menu")
	}
	item := menu.Items[0].Items[0]
	sc, ok := item.Shortcut.(*desktop.CustomShortcut)
	if item.Label != "Hae asiakasta" || !ok || sc.KeyName != fyne.KeyF || sc.Modifier != fyne.KeyModifierShortcutDefault {
		t.Fatalf("menu item %q %v, want Hae asiakasta with Ctrl+F", item.Label, item.Shortcut)
	}
	item.Action()
	if c.Focused() != f.d.search.entry {
		t.Errorf("focus on %T after Ctrl+F, want the search field", c.Focused())
	}
}

func assertRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("table has %d rows, want %d:\n got %q\nwant %q", len(got), len(want), got, want)
		return
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestQuickLinkOpensEvents(t *testing.T) {
	f := newFixture(t, Options{})
	f.search(t, "aapala")
	var link *widget.Button
	var find func(o fyne.CanvasObject)
	find = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Button:
			if v.Icon == theme.ListIcon() && link == nil {
				link = v
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				find(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				find(c)
			}
		}
	}
	find(f.d.search.list)
	if link == nil {
		t.Fatalf("no Tapahtumat quick link in the results: %q", texts(f.d.search.list))
	}
	test.Tap(link)
	f.wait(t, "customer:cust-1")
	v := f.d.views["cust-1"]
	if v == nil || v.tabs.SelectedIndex() != tabEvents {
		t.Fatalf("quick link did not open the Tapahtumat tab")
	}
	assertTexts(t, v.eventsBox, "Tarkastettavana")
}

// openStatementTab opens the scenario customer on Omavastuuerittely.
func openStatementTab(t *testing.T, f *fixture) *statementTab {
	t.Helper()
	f.search(t, "Ääp")
	f.d.openCustomer(f.d.search.results[0].Customer, tabStatement)
	f.wait(t, "customer:cust-1")
	return f.d.views["cust-1"].statement
}

func TestStatement(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, Options{DataDir: dir})
	s := openStatementTab(t, f)
	// Prefilled with the previous month.
	if s.from.Text != "1.10.2026" || s.to.Text != "31.10.2026" || s.month.Selected != "lokakuu 2026" {
		t.Errorf("period prefilled %q %q–%q, want the previous month", s.month.Selected, s.from.Text, s.to.Text)
	}
	if got := s.sel.Options; strings.Join(got, ",") != "Kotihoito,Siivous,Kaikki palvelut" {
		t.Errorf("services offered %q", got)
	}
	if !s.printBtn.Disabled() {
		t.Error("print button enabled before a statement is shown")
	}
	s.sel.SetSelected("Kotihoito")
	s.from.SetText("1.11.2026")
	s.to.SetText("30.11.2026")
	if s.month.Selected != "marraskuu 2026" {
		t.Errorf("month shows %q for 1.11.2026–30.11.2026", s.month.Selected)
	}
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")

	assertTexts(t, s.content, "308,13 €", "261,00 €", "47,13 €", "Hoivapalvelu Esimerkki Oy", "1234567-1",
		"1.11.2026–30.11.2026", "Avaa tulostettava versio")
	assertNoText(t, s.content, scenarioHetu)
	if s.printBtn.Disabled() {
		t.Error("print button disabled with a statement shown")
	}
	// The print button is at the top, next to the make button, visible
	// without scrolling past the statement.
	drv := fyne.CurrentApp().Driver()
	btn, res := drv.AbsolutePositionForObject(s.printBtn), drv.AbsolutePositionForObject(s.result)
	if btn.Y >= res.Y || btn.Y+s.printBtn.Size().Height > f.d.Window().Canvas().Size().Height/2 {
		t.Errorf("print button at y=%v (statement at y=%v): not at the top", btn.Y, res.Y)
	}
	if mk := drv.AbsolutePositionForObject(s.makeBtn); mk.Y != btn.Y || mk.X >= btn.X {
		t.Errorf("print button at %v is not right of the make button at %v", btn, mk)
	}
	assertRows(t, gridRows(s.result), [][]string{
		{"Päivä", "Palvelusisältö", "Määrä", "Yksikköhinta", "Hinta", "Setelin osuus", "Omavastuu", "Huomautus"},
		{"2.11.2026", "Kotihoidon käynti", "2 h", "42,50 € / h", "85,00 €", "72,00 €", "13,00 €", ""},
		{"9.11.2026", "Kotihoidon käynti", "1,5 h", "42,50 € / h", "63,75 €", "54,00 €", "9,75 €", ""},
		{"16.11.2026", "Kotihoidon käynti", "3 h", "42,50 € / h", "127,50 €", "108,00 €", "19,50 €", "Tarkastettavana"},
		{"23.11.2026", "Kotihoidon käynti", "0,75 h", "42,50 € / h", "31,88 €", "27,00 €", "4,88 €", ""},
		{"Yhteensä", "", "", "", "308,13 €", "261,00 €", "47,13 €", ""},
	})

	// The printable version: written off the UI goroutine and opened.
	test.Tap(s.printBtn)
	f.wait(t, "pdf:cust-1")
	f.mu.Lock()
	opened := append([]string(nil), f.opened...)
	f.mu.Unlock()
	wantPath := filepath.Join(dir, "tulosteet", "omavastuuerittely_A-1001_Kotihoito_2026-11.pdf")
	if len(opened) != 1 || opened[0] != wantPath {
		t.Fatalf("opened %q, want %q", opened, wantPath)
	}
	if strings.Contains(opened[0], scenarioHetu) {
		t.Errorf("file name %q carries the henkilötunnus", opened[0])
	}
	b, err := os.ReadFile(wantPath)
	if err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("no PDF written at %s: %v", wantPath, err)
	}
	// A short note names the file; no dialog.
	assertTexts(t, s.content, "Tulostettava versio avattiin: omavastuuerittely_A-1001_Kotihoito_2026-11.pdf")
	if s.printDialog != nil || f.d.Window().Canvas().Overlays().Top() != nil {
		t.Error("a dialog after the viewer opened")
	}

	// A failed form hides the statement and disables printing again.
	s.to.SetText("1.10.2026")
	test.Tap(s.makeBtn)
	if !s.printBtn.Disabled() || len(s.result.Objects) != 0 {
		t.Error("print button enabled with no statement shown")
	}
}

func TestStatementFormErrors(t *testing.T) {
	f := newFixture(t, Options{})
	s := openStatementTab(t, f)
	cases := []struct {
		service, from, to string
		want              string
		made              bool // refused by data.MakeStatement (off the UI goroutine), not by the form
	}{
		{"Kotihoito", "31.2.2026", "30.11.2026", "Alkupäivä: Päivää 31.2.2026 ei ole kalenterissa.", false},
		{"Kotihoito", "1.11.2026", "29.2.2027.", "Loppupäivä: Päivää 29.2.2027 ei ole kalenterissa.", false},
		{"Kotihoito", "1/11/2026", "30.11.2026",
			"Alkupäivä ”1/11/2026” ei ole päivämäärä. Kirjoita se muodossa p.k.vvvv, esimerkiksi 1.11.2026.", false},
		{"Kotihoito", "1.11.2026", "marraskuu",
			"Loppupäivä ”marraskuu” ei ole päivämäärä. Kirjoita se muodossa p.k.vvvv, esimerkiksi 30.11.2026.", false},
		{"Kotihoito", "30.11.2026", "1.11.2026", "Loppupäivä 1.11.2026 on ennen alkupäivää 30.11.2026.", true},
		{"", "1.11.2026", "30.11.2026", "Valitse erittelyn palvelu.", false},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if tc.service == "" {
				s.sel.ClearSelected()
			} else {
				s.sel.SetSelected(tc.service)
			}
			s.from.SetText(tc.from)
			s.to.SetText(tc.to)
			test.Tap(s.makeBtn)
			if tc.made {
				f.wait(t, "statement:cust-1")
			}
			if !s.errLabel.Visible() || s.errLabel.Text != tc.want {
				t.Errorf("error shown %v %q, want %q", s.errLabel.Visible(), s.errLabel.Text, tc.want)
			}
			if s.from.Text != tc.from || s.to.Text != tc.to || s.sel.Selected != tc.service {
				t.Errorf("form lost its text: %q %q %q", s.sel.Selected, s.from.Text, s.to.Text)
			}
			if len(s.result.Objects) != 0 {
				t.Errorf("a statement is still shown next to the error")
			}
		})
	}
	// Fixing the date clears the error.
	s.sel.SetSelected("Siivous")
	s.from.SetText("1.11.2026")
	s.to.SetText("30.11.2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	if s.errLabel.Visible() {
		t.Errorf("error still shown: %q", s.errLabel.Text)
	}
	assertTexts(t, s.content, "227,50 €", "200,00 €", "27,50 €")
}

func TestPrintFailureIsExplained(t *testing.T) {
	cases := []struct {
		name        string
		write       func(data.Statement, string) (string, error)
		open        func(string) error
		wantDialog  []string // texts of the dialog
		wantNote    string   // the note under the buttons, "" hidden
		wantOpenRun bool
	}{
		{
			name: "write fails",
			write: func(data.Statement, string) (string, error) {
				return "", errors.New("write /x: no space left on device")
			},
			wantDialog: []string{"Virhe", "Tulostettavaa versiota ei voitu tallentaa. Tarkista, että levyllä on tilaa ja " +
				"että tulosteiden kansioon voi tallentaa tiedostoja, ja yritä uudelleen."},
		},
		{
			name:  "no viewer",
			write: func(data.Statement, string) (string, error) { return "/x/tulosteet/e.pdf", nil },
			open:  func(string) error { return errors.New(`exec: "xdg-open": executable file not found in $PATH`) },
			wantDialog: []string{"Tulostettava versio tallennettiin", "Tulostettava versio (PDF) tallennettiin tiedostoon:",
				"/x/tulosteet/e.pdf", "PDF-katselinta ei voitu avata. Avaa tiedosto itse, esimerkiksi tiedostonhallinnasta, " +
					"katsoaksesi tai tulostaaksesi sen.", "OK"},
			wantNote:    "Tallennettu: /x/tulosteet/e.pdf",
			wantOpenRun: true,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got data.Statement
			opened := false
			f := newFixture(t, Options{
				WriteStatementPDF: func(st data.Statement, l string) (string, error) { got = st; return tc.write(st, l) },
				OpenFile: func(p string) error {
					opened = true
					if tc.open != nil {
						return tc.open(p)
					}
					return nil
				},
			})
			s := openStatementTab(t, f)
			s.sel.SetSelected("Kotihoito")
			s.month.SetSelected("marraskuu 2026")
			test.Tap(s.makeBtn)
			f.wait(t, "statement:cust-1")
			test.Tap(s.printBtn)
			f.wait(t, "pdf:cust-1")
			if got.Customer.ID != "cust-1" || got.Totals.CoPayment != 4713 || got.Customer.Hetu != "" {
				t.Errorf("WriteStatementPDF got %s with totals %+v", got.Customer.ID, got.Totals)
			}
			overlay := f.d.Window().Canvas().Overlays().Top()
			if overlay == nil {
				t.Fatal("no dialog")
			}
			assertTexts(t, overlay, tc.wantDialog...)
			// The raw error reaches the log only.
			assertNoText(t, overlay, "xdg-open")
			assertNoText(t, overlay, "no space")
			if tc.wantNote == "" {
				if s.printMsg.Visible() {
					t.Errorf("note %q shown next to the dialog", s.printMsg.Text)
				}
			} else if !s.printMsg.Visible() || s.printMsg.Text != tc.wantNote {
				t.Errorf("note %v %q, want %q", s.printMsg.Visible(), s.printMsg.Text, tc.wantNote)
			}
			if opened != tc.wantOpenRun {
				t.Errorf("OpenFile called: %v, want %v", opened, tc.wantOpenRun)
			}
			if s.printBtn.Disabled() {
				t.Error("print button left disabled")
			}
		})
	}
}

func TestSync(t *testing.T) {
	f := newFixture(t, Options{})
	f.d.SyncProgress(client.Progress{Pages: 1, Changes: 1})
	f.wait(t, "sync:progress")
	assertTexts(t, f.d.syncBox, "Haetaan tietoja palvelimelta… 1 muutos")
	f.d.SyncProgress(client.Progress{Pages: 9, Changes: 4200})
	f.wait(t, "sync:progress")
	assertTexts(t, f.d.syncBox, "Haetaan tietoja palvelimelta… 4 200 muutosta")
	if !f.d.syncBar.Visible() {
		t.Error("no progress bar while syncing")
	}
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable, Err: errors.New("dial tcp 10.0.0.1:443: connect: connection refused")},
		client.Result{Pending: 3})
	f.wait(t, "sync:failed")
	f.wait(t, "search:") // the search reruns on what the cache holds
	if f.d.syncBar.Visible() {
		t.Error("progress bar still shown after the sync ended")
	}
	// No connection: the status line tells it (the engine retries by
	// itself), without a dialog in the way, never the detail.
	assertTexts(t, f.d.syncBox, "Ei yhteyttä – 3 muutosta odottaa lähetystä")
	assertNoText(t, f.d.syncBox, "connection refused") // the detail is for the log
	if overlay := f.d.Window().Canvas().Overlays().Top(); overlay != nil {
		t.Errorf("a dialog for a failure the engine retries: %q", texts(overlay))
	}
	// Offline: the cache still answers.
	f.search(t, "Ääp")
	assertTexts(t, f.d.search.content, "Ääpälä Sinikka")
}

func TestStatementFileName(t *testing.T) {
	st := func(number, svc string, from, to data.Date) data.Statement {
		return data.Statement{Customer: data.Customer{ID: "cust-1", CustomerNumber: number, Hetu: scenarioHetu,
			FirstNames: "Sinikka", LastName: "Ääpälä"},
			Service: data.Service{ID: "svc-1", Name: svc}, From: from, To: to}
	}
	nov1, nov30 := data.NewDate(2026, 11, 1), data.NewDate(2026, 11, 30)
	cases := []struct {
		st   data.Statement
		want string
	}{
		{st("A-1001", "Kotihoito", nov1, nov30), "omavastuuerittely_A-1001_Kotihoito_2026-11.pdf"},
		// No number: the name, never the internal id.
		{st("", "Kotihoito", nov1, nov30), "omavastuuerittely_Ääpälä-Sinikka_Kotihoito_2026-11.pdf"},
		{st("Ä/1 2", "Siivous: ikkunat", nov1, nov30), "omavastuuerittely_Ä-1-2_Siivous-ikkunat_2026-11.pdf"},
		// All services; a range that is not one whole month.
		{st("A-1001", "", nov1, data.NewDate(2026, 12, 15)), "omavastuuerittely_A-1001_kaikki-palvelut_2026-11-01_2026-12-15.pdf"},
		{st("A-1001", "Kotihoito", data.NewDate(2026, 11, 2), nov30), "omavastuuerittely_A-1001_Kotihoito_2026-11-02_2026-11-30.pdf"},
		// A henkilötunnus stored as a number (before the rule refused it)
		// never reaches a file name.
		{st("220830Y912T", "Kotihoito", nov1, nov30), "omavastuuerittely_Ääpälä-Sinikka_Kotihoito_2026-11.pdf"},
	}
	cases[3].st.Service = data.Service{}
	for _, tc := range cases {
		if got := StatementFileName(tc.st); got != tc.want {
			t.Errorf("StatementFileName = %q, want %q", got, tc.want)
		}
		if got := StatementFileName(tc.st); strings.Contains(got, "cust-1") || strings.Contains(got, scenarioHetu) {
			t.Errorf("StatementFileName = %q carries an id or the henkilötunnus", got)
		}
	}
}
