package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// keyDriver presses keys as the GLFW driver delivers them, and counts the
// presses: a shortcut with Ctrl or Alt runs the main menu's item with that
// shortcut first, else goes to the focused widget, else to the canvas; a
// key goes to the focused widget, else to the canvas's OnTypedKey.
type keyDriver struct {
	t       *testing.T
	w       fyne.Window
	presses int
}

func newKeyDriver(t *testing.T, f *fixture) *keyDriver {
	return &keyDriver{t: t, w: f.d.Window()}
}

func menuFires(items []*fyne.MenuItem, sc fyne.Shortcut) bool {
	for _, it := range items {
		if it.Shortcut != nil && it.Shortcut.ShortcutName() == sc.ShortcutName() && it.Action != nil {
			it.Action()
			return true
		}
		if it.ChildMenu != nil && menuFires(it.ChildMenu.Items, sc) {
			return true
		}
	}
	return false
}

// shortcut presses a key with a modifier: mod+key.
func (k *keyDriver) shortcut(mod fyne.KeyModifier, key fyne.KeyName) {
	k.t.Helper()
	k.presses++
	sc := &desktop.CustomShortcut{KeyName: key, Modifier: mod}
	if m := k.w.MainMenu(); m != nil {
		for _, menu := range m.Items {
			if menuFires(menu.Items, sc) {
				return
			}
		}
	}
	c := k.w.Canvas()
	if s, ok := c.Focused().(fyne.Shortcutable); ok {
		s.TypedShortcut(sc)
		return
	}
	if s, ok := c.(fyne.Shortcutable); ok {
		s.TypedShortcut(sc)
	}
}

// key presses a key without a modifier.
func (k *keyDriver) key(name fyne.KeyName) {
	k.t.Helper()
	k.presses++
	c := k.w.Canvas()
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// typeText types s into the focused widget (not counted as presses).
func (k *keyDriver) typeText(s string) {
	k.t.Helper()
	f := k.w.Canvas().Focused()
	if f == nil {
		k.t.Fatalf("typing %q with nothing focused", s)
	}
	for _, r := range s {
		f.TypedRune(r)
	}
}

const (
	ctrlMod = fyne.KeyModifierShortcutDefault
	altMod  = fyne.KeyModifierAlt
)

// TestKeyboardPathToPrintedStatement walks the path at 1024 × 700:
// from a started program to the printed statement of a customer's
// previous month with Ctrl+F, the name, Enter, Alt+6, Enter, Ctrl+P (five
// presses; at most eight allowed), no mouse.
func TestKeyboardPathToPrintedStatement(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, Options{DataDir: dir, Today: func() data.Date { return data.NewDate(2026, time.December, 3) }})
	f.d.Window().Resize(fyne.NewSize(1024, 700))
	k := newKeyDriver(t, f)

	f.d.Window().Canvas().Unfocus() // wherever the keyboard is at the start
	k.shortcut(ctrlMod, fyne.KeyF)
	k.typeText("Ääp")
	f.wait(t, "search:Ääp")
	k.key(fyne.KeyReturn)
	f.wait(t, "customer:cust-1")
	k.shortcut(altMod, fyne.Key6)
	k.key(fyne.KeyReturn)
	k.shortcut(ctrlMod, fyne.KeyP) // before the statement is ready: it follows
	f.wait(t, "pdf:cust-1")

	if k.presses > 8 {
		t.Errorf("%d key presses, want at most 8", k.presses)
	}
	t.Logf("keyboard path: %d key presses plus the name", k.presses)
	want := filepath.Join(dir, "tulosteet", "omavastuuerittely_A-1001_Kotihoito_2026-11.pdf")
	f.mu.Lock()
	opened := append([]string(nil), f.opened...)
	f.mu.Unlock()
	if len(opened) != 1 || opened[0] != want {
		t.Fatalf("opened %q, want %q (November, the previous month)", opened, want)
	}
	if b, err := os.ReadFile(want); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("no PDF at %s: %v", want, err)
	}
}

func TestAltDigitsAndCtrlTabSwitchTabs(t *testing.T) {
	f := newFixture(t, Options{})
	s := openStatementTab(t, f)
	v := f.d.views["cust-1"]
	k := newKeyDriver(t, f)
	// From inside an entry too: the menu's shortcuts come first.
	f.d.Window().Canvas().Focus(s.from)
	for i := 1; i <= 6; i++ {
		k.shortcut(altMod, digitKeys[i-1])
		if got := v.tabs.SelectedIndex(); got != i-1 {
			t.Errorf("Alt+%d shows tab %d, want %d", i, got, i-1)
		}
	}
	if f.d.Window().Canvas().Focused() != s.makeBtn {
		t.Errorf("Alt+6 left the keyboard on %T, want the make button", f.d.Window().Canvas().Focused())
	}
	k.shortcut(ctrlMod, fyne.KeyTab) // from the last round to the first
	if got := v.tabs.SelectedIndex(); got != tabInfo {
		t.Errorf("Ctrl+Tab from the last tab shows %d, want the first", got)
	}
	k.shortcut(ctrlMod, fyne.KeyTab)
	if got := v.tabs.SelectedIndex(); got != tabPurchasingPower {
		t.Errorf("Ctrl+Tab shows %d, want %d", got, tabPurchasingPower)
	}
	k.shortcut(ctrlMod|fyne.KeyModifierShift, fyne.KeyTab)
	k.shortcut(ctrlMod|fyne.KeyModifierShift, fyne.KeyTab)
	if got := v.tabs.SelectedIndex(); got != tabStatement {
		t.Errorf("Ctrl+Shift+Tab twice shows %d, want the last", got)
	}
	// The menu names the tabs with their keys.
	view := f.d.Window().MainMenu().Items[2]
	if view.Label != "Näytä" || view.Items[5].Label != "Omavastuuerittely" || shortcutText(view.Items[5].Shortcut) != "Alt+6" {
		t.Errorf("Näytä menu %q: item 6 %q %q", view.Label, view.Items[5].Label, shortcutText(view.Items[5].Shortcut))
	}
}

func TestCustomersByKeyboard(t *testing.T) {
	f := newFixture(t, Options{})
	k := newKeyDriver(t, f)
	f.search(t, "Ääp")
	f.d.openCustomer(f.d.search.results[0].Customer, tabInfo)
	f.wait(t, "customer:cust-1")
	f.search(t, "Virtanen")
	f.d.openCustomer(f.d.search.results[0].Customer, tabEvents)
	f.wait(t, "customer:cust-2")
	if got := f.openedTab(t); got != "cust-2" {
		t.Fatalf("open %q", got)
	}
	var open []string
	for _, it := range f.d.openMenu.Items {
		open = append(open, it.Label+" "+shortcutText(it.Shortcut))
	}
	if strings.Join(open, "|") != "1  Ääpälä Sinikka Ctrl+1|2  Virtanen Matti Ctrl+2" {
		t.Errorf("Avoimet asiakkaat %q", open)
	}
	k.shortcut(ctrlMod, fyne.Key1)
	if got := f.openedTab(t); got != "cust-1" {
		t.Errorf("Ctrl+1 shows %q", got)
	}
	k.shortcut(ctrlMod, fyne.KeyPageDown)
	if got := f.openedTab(t); got != "cust-2" {
		t.Errorf("Ctrl+PgDn shows %q", got)
	}
	if f.d.views["cust-2"].tabs.SelectedIndex() != tabEvents {
		t.Error("the customer's tab was not kept")
	}
	k.shortcut(ctrlMod, fyne.KeyPageDown) // round
	if got := f.openedTab(t); got != "cust-1" {
		t.Errorf("Ctrl+PgDn from the last shows %q", got)
	}
	k.shortcut(ctrlMod, fyne.KeyPageUp)
	if got := f.openedTab(t); got != "cust-2" {
		t.Errorf("Ctrl+PgUp shows %q", got)
	}
	k.shortcut(ctrlMod, fyne.KeyW)
	if _, ok := f.d.views["cust-2"]; ok || len(f.d.tabs.Items) != 1 || f.openedTab(t) != "cust-1" {
		t.Errorf("Ctrl+W left %d tabs, showing %q", len(f.d.tabs.Items), f.openedTab(t))
	}
	k.shortcut(ctrlMod, fyne.KeyW)
	if len(f.d.views) != 0 || len(f.d.tabs.Items) != 0 || !f.d.noneOpen.Visible() {
		t.Error("Ctrl+W did not close the last customer")
	}
	if f.d.Window().Canvas().Focused() != f.d.search.entry {
		t.Error("the search field has not the keyboard after the last customer closed")
	}
	if len(f.d.openMenu.Items) != 1 || !f.d.openMenu.Items[0].Disabled {
		t.Error("Avoimet asiakkaat still lists customers")
	}
	k.shortcut(ctrlMod, fyne.KeyW) // nothing open: nothing happens
}

// TestShortcutsWaitForDialogs: while a dialog is open, Ctrl+W does not
// close the customer behind it.
func TestShortcutsWaitForDialogs(t *testing.T) {
	f, v := newEventsFixture(t, eventsNow, Options{})
	k := newKeyDriver(t, f)
	openRow(t, v.events, rowOf(t, v.events, "23.11.2026", "Kirjattu"))
	k.shortcut(ctrlMod, fyne.KeyW)
	k.shortcut(altMod, fyne.Key1)
	if len(f.d.views) != 1 || v.tabs.SelectedIndex() != tabEvents {
		t.Error("a shortcut acted behind the open dialog")
	}
}

func TestHelpListsEveryShortcut(t *testing.T) {
	f := newFixture(t, Options{Resync: func() {}})
	k := newKeyDriver(t, f)
	k.key(fyne.KeyF1) // the search field has the keyboard: it passes F1 on
	top := f.d.Window().Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("F1 opened no help")
	}
	assertTexts(t, top, "Pikanäppäimet", "Ctrl+F", "Hae asiakasta", "Ctrl+R", "Ctrl+P", "Avaa tulostettava versio",
		"Ctrl+W", "Sulje asiakas", "Alt+1", "Asiakastiedot", "Alt+6", "Omavastuuerittely", "Ctrl+Tab",
		"Ctrl+Shift+Tab", "Ctrl+PgDn", "Ctrl+PgUp", "Ctrl+1 … Ctrl+9", "Ctrl+E", "Ctrl+C", "Esc", "F1")
	k.key(fyne.KeyEscape)
	if f.d.Window().Canvas().Overlays().Top() != nil {
		t.Error("Escape did not close the help")
	}
	help := f.d.Window().MainMenu().Items[3]
	if help.Label != "Ohje" || help.Items[0].Label != "Pikanäppäimet" || shortcutText(help.Items[0].Shortcut) != "F1" {
		t.Errorf("Ohje menu %q %q", help.Label, help.Items[0].Label)
	}
	var labels []string
	for _, m := range f.d.Window().MainMenu().Items {
		labels = append(labels, m.Label)
	}
	if strings.Join(labels, ",") != "Tiedosto,Muokkaa,Näytä,Ohje" {
		t.Errorf("menus %q", labels)
	}
}

// TestDialogsEnterEscape: Enter confirms and Escape cancels every kind of
// dialog, with nothing focused in it and from inside its fields.
func TestDialogsEnterEscape(t *testing.T) {
	top := func(f *fixture) fyne.CanvasObject { return f.d.Window().Canvas().Overlays().Top() }

	t.Run("error", func(t *testing.T) {
		f := newFixture(t, Options{WriteStatementPDF: func(data.Statement, string) (string, error) { return "", errors.New("disk full") }})
		s := openStatementTab(t, f)
		k := newKeyDriver(t, f)
		for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
			s.month.SetSelectedIndex(0)
			k.shortcut(altMod, fyne.Key6)
			k.key(fyne.KeyReturn)
			k.shortcut(ctrlMod, fyne.KeyP)
			f.wait(t, "pdf:cust-1")
			if top(f) == nil {
				t.Fatal("no error dialog")
			}
			k.key(key)
			if top(f) != nil {
				t.Errorf("%s did not close the error dialog", key)
			}
		}
	})

	t.Run("confirmation", func(t *testing.T) {
		f := newFixture(t, Options{})
		v := openInfo(t, f)
		k := newKeyDriver(t, f)
		tapButton(t, v.info, "Poista asiakasnumero")
		k.key(fyne.KeyEscape)
		if top(f) != nil || len(outboxEntries(t, f)) != 0 {
			t.Fatal("Escape did not cancel the removal")
		}
		tapButton(t, v.info, "Poista asiakasnumero")
		k.key(fyne.KeyReturn)
		f.wait(t, "number:cust-1")
		if es := outboxEntries(t, f); top(f) != nil || len(es) != 1 || es[0].Command.Type != wire.RemoveCustomerNumber {
			t.Fatalf("Enter did not confirm the removal: %+v", es)
		}
	})

	t.Run("view event", func(t *testing.T) {
		f, v := newEventsFixture(t, eventsNow, Options{})
		k := newKeyDriver(t, f)
		et := v.events
		openRow(t, et, rowOf(t, et, "23.11.2026", "Kirjattu"))
		k.key(fyne.KeyEscape)
		if top(f) != nil || et.dialog != nil {
			t.Fatal("Escape did not close Tarkastele tapahtumaa")
		}
		e := openRow(t, et, rowOf(t, et, "23.11.2026", "Kirjattu"))
		k.key(fyne.KeyReturn) // nothing changed: closes
		if top(f) != nil {
			t.Fatal("Enter with nothing changed did not close")
		}
		e = openRow(t, et, rowOf(t, et, "23.11.2026", "Kirjattu"))
		f.d.Window().Canvas().Focus(e.note) // a multi-line field: Escape still cancels
		k.typeText("x")
		k.key(fyne.KeyEscape)
		if top(f) != nil || len(outboxEntries(t, f)) != 0 {
			t.Fatal("Escape in the note field did not cancel")
		}
		e = openRow(t, et, rowOf(t, et, "23.11.2026", "Kirjattu"))
		e.qty.SetText("1")
		f.d.Window().Canvas().Focus(e.cls) // Enter taps the focused button: Sulje
		k.key(fyne.KeyReturn)
		if top(f) != nil || len(outboxEntries(t, f)) != 0 {
			t.Fatal("Enter on Sulje did not close without recording")
		}
		e = openRow(t, et, rowOf(t, et, "23.11.2026", "Kirjattu"))
		e.qty.SetText("1")
		k.key(fyne.KeyReturn)
		f.wait(t, "event:cust-1")
		if es := outboxEntries(t, f); len(es) != 1 || es[0].Command.Type != wire.EditEvent {
			t.Fatalf("Enter did not record the edit: %+v", es)
		}
	})

	t.Run("delete confirmation", func(t *testing.T) {
		f, v := newEventsFixture(t, eventsNow, Options{})
		k := newKeyDriver(t, f)
		e := openRow(t, v.events, rowOf(t, v.events, "23.11.2026", "Kirjattu"))
		event := top(f)
		e.askDelete()
		k.key(fyne.KeyEscape)
		if top(f) != event || len(outboxEntries(t, f)) != 0 {
			t.Fatal("Escape did not cancel only the confirmation")
		}
		e.askDelete()
		k.key(fyne.KeyReturn)
		f.wait(t, "event:cust-1")
		if es := outboxEntries(t, f); len(es) != 1 || es[0].Command.Type != wire.DeleteEvent {
			t.Fatalf("Enter did not delete: %+v", es)
		}
	})

	t.Run("new event", func(t *testing.T) {
		f, v := newEventsFixture(t, eventsNow, Options{})
		k := newKeyDriver(t, f)
		et := v.events
		et.openNew()
		f.d.Window().Canvas().Focus(et.newDlg.qty)
		k.key(fyne.KeyEscape)
		if top(f) != nil || et.newDlg != nil {
			t.Fatal("Escape in the quantity field did not cancel Uusi tapahtuma")
		}
		et.openNew()
		n := et.newDlg
		n.date.SetText("24.11.2026")
		n.start.SetText("9.00")
		n.end.SetText("10.00")
		n.qty.SetText("1")
		f.d.Window().Canvas().Focus(n.res) // Enter on a drop-down: the dialog's
		k.key(fyne.KeyReturn)
		f.wait(t, "event:cust-1")
		if es := outboxEntries(t, f); len(es) != 1 || es[0].Command.Type != wire.RecordEvent {
			t.Fatalf("Enter did not record: %+v", es)
		}
	})

	t.Run("credit request", func(t *testing.T) {
		now := time.Date(2026, time.December, 8, 9, 0, 0, 0, data.Helsinki)
		f, v := newEventsFixture(t, now, Options{})
		k := newKeyDriver(t, f)
		e := openRow(t, v.events, rowOf(t, v.events, "2.11.2026", "Kirjattu"))
		event := top(f)
		e.openCredit()
		k.key(fyne.KeyEscape)
		if top(f) != event {
			t.Fatal("Escape did not close only Ilmoita virheestä")
		}
		e.openCredit()
		f.d.Window().Canvas().Focus(e.creditDlg.reason) // a drop-down passes Escape on
		k.key(fyne.KeyEscape)
		if top(f) != event {
			t.Fatal("Escape on the reason did not close Ilmoita virheestä")
		}
		e.openCredit()
		c := e.creditDlg
		c.reason.SetSelected("väärä määrä")
		f.d.Window().Canvas().Focus(c.explanation)
		k.typeText("Oikea määrä 1,5 h.")
		f.d.Window().Canvas().Unfocus()
		k.key(fyne.KeyReturn)
		f.wait(t, "event:cust-1")
		if es := outboxEntries(t, f); len(es) != 1 || es[0].Command.Type != wire.CreditRequest {
			t.Fatalf("Enter did not send: %+v", es)
		}
	})

	t.Run("batch", func(t *testing.T) {
		dir := t.TempDir()
		f := newFixture(t, Options{DataDir: dir})
		k := newKeyDriver(t, f)
		openBatch(t, f)
		k.key(fyne.KeyEscape)
		if top(f) != nil {
			t.Fatal("Escape did not close the batch dialog")
		}
		k.shortcut(ctrlMod, fyne.KeyE)
		f.wait(t, "batch:ready")
		k.key(fyne.KeyReturn)
		f.wait(t, "batch:done")
		if f.d.batch.result.Made == 0 {
			t.Errorf("Enter made no statements: %+v", f.d.batch.result)
		}
		k.key(fyne.KeyReturn) // done: Enter closes
		if top(f) != nil {
			t.Fatal("Enter did not close the finished batch")
		}
	})
}

// TestFocusVisibleOnBlueButton: the focus colour differs clearly from the
// primary (blue) colour in light and dark, so a focused blue button shows.
func TestFocusVisibleOnBlueButton(t *testing.T) {
	f := newFixture(t, Options{})
	th := f.d.app.Settings().Theme()
	for _, v := range []fyne.ThemeVariant{theme.VariantDark, theme.VariantLight} {
		fr, fg, fb, _ := th.Color(theme.ColorNameFocus, v).RGBA()
		pr, pg, pb, _ := th.Color(theme.ColorNamePrimary, v).RGBA()
		dist := absDiff(fr, pr) + absDiff(fg, pg) + absDiff(fb, pb)
		if dist < 0x8000*3/2 {
			t.Errorf("variant %d: focus %v too close to primary %v", v, th.Color(theme.ColorNameFocus, v), th.Color(theme.ColorNamePrimary, v))
		}
	}
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
