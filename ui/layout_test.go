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
	"psopdesk/sync/client"
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
			// The statement (form, buttons, header, table) is no wider
			// than its tab: nothing cut on the right. (Tables of many long
			// columns on the other tabs scroll sideways at 1024 px.)
			sc := f.d.views["cust-1"].tabs.Items[tabStatement].Content.(*container.Scroll)
			if need, have := sc.Content.MinSize().Width, sc.Size().Width; need > have {
				t.Errorf("the statement needs %v px, has %v", need, have)
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
