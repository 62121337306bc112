package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/assets"
	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
)

// menuBar is the height of the main menu, which the GLFW driver draws
// inside the window on Linux and Windows and the test driver does not.
const menuBar = 30

// findLabel gives the first visible label whose text starts with prefix.
func findLabel(o fyne.CanvasObject, prefix string) *widget.Label {
	var found *widget.Label
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Label:
			if strings.HasPrefix(v.Text, prefix) {
				found = v
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

// TestLayoutAt1024x700: in a window of 1024 × 700 with the sync's status
// line shown, in every language, every customer tab's name shows (none
// behind "…"), a result row shows a name of 30 letters whole, and a
// statement's totals are in sight without scrolling.
func TestLayoutAt1024x700(t *testing.T) {
	want := map[string][]string{
		"fi": {"Asiakastiedot", "Ostovoimat", "Saldo-ostovoimat", "Varaukset", "Tapahtumat", "Omavastuuerittely"},
		"en": {"Customer", "Purchasing power", "Balances", "Reservations", "Events", "Statement"},
		"sv": {"Kunduppgifter", "Köpkraft", "Saldoköpkraft", "Reservationer", "Händelser", "Specifikation"},
	}
	for _, code := range assets.Languages {
		t.Run(code, func(t *testing.T) {
			f := newFixture(t, Options{Language: code})
			addLongCustomer(t, f)
			f.d.Window().Resize(fyne.NewSize(1024, 700-menuBar))
			f.d.SyncDone(client.Result{})
			f.wait(t, "sync:done")
			f.search(t, "Korhonen")
			f.d.openCustomer(f.d.search.results[0].Customer, tabInfo)
			f.wait(t, "customer:cust-3")
			v := f.d.views["cust-3"]
			names, overflow := tabBar(v.tabs)
			if overflow || strings.Join(names, "|") != strings.Join(want[code], "|") {
				t.Errorf("tab bar shows %q (overflow %v), want %q", names, overflow, want[code])
			}

			_, name, _, _, _ := rowParts(visibleRow(f, 0))
			long := fyne.MeasureText("Hämäläinen-Korhonen Aino Maria", theme.TextSize(), fyne.TextStyle{Bold: true}).Width
			if have := name.Size().Width - 2*theme.InnerPadding(); have < long {
				t.Errorf("a result row has %v px for the name, a name of 30 letters needs %v", have, long)
			}

			statementTotalsInSight(t, f)
			// The statement (form, buttons, header, table) and the events
			// (countdown, buttons, filter, list) are no wider than their
			// tabs: nothing cut on the right, no sideways scrolling (see
			// also TestEventsFitAt1024x700). (Tables of many long columns
			// on the other tabs scroll sideways at 1024 px.)
			v1 := f.d.views["cust-1"]
			sc := v1.tabs.Items[tabStatement].Content.(*container.Scroll)
			if need, have := sc.Content.MinSize().Width, sc.Size().Width; need > have {
				t.Errorf("the statement needs %v px, has %v", need, have)
			}
			v1.tabs.SelectIndex(tabEvents)
			if len(v1.events.rows) == 0 {
				t.Fatal("no events listed for cust-1")
			}
			sc = v1.tabs.Items[tabEvents].Content.(*container.Scroll)
			if need, have := sc.Content.MinSize().Width, sc.Size().Width; need > have {
				t.Errorf("the events need %v px, have %v", need, have)
			}
		})
	}
}

// TestStatementTotalsAtDefaultSize: at the window's default size, with
// the sync's status line shown, the totals of a statement are in sight.
func TestStatementTotalsAtDefaultSize(t *testing.T) {
	f := newFixture(t, Options{})
	f.d.Window().Resize(fyne.NewSize(1260, 780-menuBar)) // NewDesk's size
	f.d.SyncDone(client.Result{})
	f.wait(t, "sync:done")
	statementTotalsInSight(t, f)
}

// statementTotalsInSight makes Ääpälä Sinikka's November statement of
// Kotihoito and checks that its totals line is inside the tab's view with
// the tab scrolled to the top.
func statementTotalsInSight(t *testing.T, f *fixture) {
	t.Helper()
	s := openStatementTab(t, f)
	s.sel.SetSelectedIndex(0)
	s.month.SetSelectedIndex(0)
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	total := lang.L("Total")
	l := findLabel(s.result, total+" — ")
	if l == nil {
		t.Fatalf("no totals line in %q", texts(s.result))
	}
	if !strings.Contains(l.Text, s.st.Totals.CoPayment.String()) {
		t.Errorf("totals line %q lacks the co-payment %s", l.Text, s.st.Totals.CoPayment)
	}
	drv := fyne.CurrentApp().Driver()
	view := f.d.views["cust-1"].tabs.Items[tabStatement].Content
	top, bottom := drv.AbsolutePositionForObject(view).Y, drv.AbsolutePositionForObject(view).Y+view.Size().Height
	y := drv.AbsolutePositionForObject(l).Y
	if y < top || y+l.Size().Height > bottom {
		t.Errorf("totals line at y %v–%v, the tab shows %v–%v", y, y+l.Size().Height, top, bottom)
	}
}

// TestFlowLayoutWraps: buttons stay on one line while they fit and go on
// on the next line when the width runs out; the height follows.
func TestFlowLayoutWraps(t *testing.T) {
	test.NewTempApp(t)
	a, b, c := widget.NewButton("Tee omavastuuerittely", nil), widget.NewButton("Avaa tulostettava versio", nil), widget.NewButton("Vie CSV", nil)
	l := &flowLayout{}
	box := container.New(l, a, b, c)
	one := box.MinSize()
	box.Resize(fyne.NewSize(2000, one.Height))
	if a.Position().Y != c.Position().Y || b.Position().X <= a.Position().X {
		t.Errorf("wide: not on one line: %v %v %v", a.Position(), b.Position(), c.Position())
	}
	narrow := a.MinSize().Width + b.MinSize().Width + theme.Padding() + 1
	box.Resize(fyne.NewSize(narrow, one.Height))
	if a.Position().Y != b.Position().Y || c.Position().Y <= a.Position().Y || c.Position().X != 0 {
		t.Errorf("narrow: want a and b on the first line, c on the second: %v %v %v", a.Position(), b.Position(), c.Position())
	}
	if got := box.MinSize(); got.Height <= one.Height || got.Width > narrow {
		t.Errorf("narrow: min size %v, one line was %v", got, one)
	}
}

// TestEventsFitAt1024x700: in a window of 1024 × 700, in every language,
// the Tapahtumat tab (countdown, buttons, filter, the events' table) fits
// its width: it never scrolls sideways, so every column shows its whole
// text (only the service content may end in "…"). The list holds the
// widest cells an event has: a time of two-digit hours, a price over
// 1 000 €, in review and waiting to be sent.
func TestEventsFitAt1024x700(t *testing.T) {
	for _, code := range assets.Languages {
		t.Run(code, func(t *testing.T) {
			f, v := newEventsFixture(t, eventsNow, Options{Language: code})
			putChanges(t, f, func(put func(wire.Kind, string, any)) {
				put(wire.KindEvent, "e-wide", data.ServiceEvent{ID: "e-wide", CustomerID: "cust-1", GrantID: "pp-1", ServiceID: "svc-home",
					Content: "Kotihoidon käynti, lääkkeiden jako ja ulkoilu asiakkaan kanssa", Date: data.NewDate(2026, 11, 25),
					Start: "13:00", End: "15:30", Quantity: 2400, UnitPrice: 4250, VoucherUnitValue: 3600, Status: data.StatusInReview,
					RecordedAt: eventsNow, Version: 1})
			})
			// e1 edited: "odottaa lähetystä" under its status.
			c := f.d.src.(*cache.Cache)
			if _, err := c.EditEvent("e1", 1, data.EventInput{Date: data.NewDate(2026, 11, 2), Start: "09:00", End: "11:30",
				Quantity: 250}, eventsNow); err != nil {
				t.Fatal(err)
			}
			f.d.Window().Resize(fyne.NewSize(1024, 700-menuBar))
			f.d.SyncDone(client.Result{})
			f.wait(t, "sync:done")
			f.wait(t, "customer:cust-1")
			et := v.events
			i := rowOf(t, et, "25.11.2026", statusLabel(data.StatusInReview))
			if cells := et.rows[i].cells; cells[evColTime] != "13.00–15.30" || cells[evColPrice] != "1 020,00 €" {
				t.Errorf("the wide row %q", cells)
			}
			pending := false
			for _, r := range et.rows {
				pending = pending || r.cells[evColDate] == "2.11.2026" && r.cells[evColPending] != ""
			}
			if !pending {
				t.Errorf("the edited row has no pending mark: %q", eventRows(et))
			}
			sc := v.tabs.Items[tabEvents].Content.(*container.Scroll)
			if need, have := sc.Content.MinSize().Width, sc.Size().Width; need > have {
				t.Errorf("the Tapahtumat tab needs %v px, has %v: it scrolls sideways (columns %v, filter and buttons %v)",
					need, have, et.widths, et.content.MinSize().Width)
			}
		})
	}
}
