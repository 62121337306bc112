package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// The keyboard. Shortcuts with Ctrl or Alt are main menu items (menu.go):
// the GLFW driver runs those before the focused widget, so they work from
// inside an entry too. Keys without a modifier (Enter, Escape, F1) reach
// the focused widget, or the canvas's OnTypedKey when nothing is focused:
// the canvas hands them to the top dialog (keyed) or the window
// (Desk.typedKey), and the entries of our dialogs (keyEntry) and the search
// field pass on the ones they have no use for.

// ctrl is Ctrl (Cmd on macOS) + key.
func ctrl(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}
}

// ctrlShift is Ctrl (Cmd on macOS) + Shift + key.
func ctrlShift(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
}

// alt is Alt + key.
func alt(k fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierAlt}
}

// plain is a key alone (F1), shown beside a menu item; the window's key
// handler runs it, as a menu shortcut needs a modifier.
func plain(k fyne.KeyName) fyne.Shortcut { return &desktop.CustomShortcut{KeyName: k} }

// digitKeys are the keys 1 … 9.
var digitKeys = []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7, fyne.Key8, fyne.Key9}

// dialogKeys is what Enter and Escape do in one dialog.
type dialogKeys struct{ enter, escape func() }

// keyedDialogs holds the keys of the dialogs shown, by their overlay
// (the dialog's pop-up). Tests run windows side by side, hence the lock.
var keyedDialogs = struct {
	sync.Mutex
	m map[fyne.CanvasObject]dialogKeys
}{m: map[fyne.CanvasObject]dialogKeys{}}

// keyed makes Enter call enter and Escape call escape while dlg, just
// shown over win, is the window's top overlay. A nil enter or escape
// closes the dialog (Hide: its "no" answer). Call it right after
// dlg.Show().
func keyed(win fyne.Window, dlg dialog.Dialog, enter, escape func()) {
	keyedClosed(win, dlg, enter, escape, nil)
}

// keyedClosed is keyed, with closed (when not nil) run as the dialog
// closes: keyed takes the dialog's OnClosed.
func keyedClosed(win fyne.Window, dlg dialog.Dialog, enter, escape, closed func()) {
	top := win.Canvas().Overlays().Top()
	if top == nil {
		return
	}
	if enter == nil {
		enter = dlg.Hide
	}
	if escape == nil {
		escape = dlg.Hide
	}
	keyedDialogs.Lock()
	keyedDialogs.m[top] = dialogKeys{enter: enter, escape: escape}
	keyedDialogs.Unlock()
	dlg.SetOnClosed(func() {
		keyedDialogs.Lock()
		delete(keyedDialogs.m, top)
		keyedDialogs.Unlock()
		if closed != nil {
			closed()
		}
	})
}

// showKeyed shows dlg over win, Enter and Escape both closing it (an
// error or a message with one button).
func showKeyed(win fyne.Window, dlg dialog.Dialog) {
	dlg.Show()
	keyed(win, dlg, nil, nil)
}

// confirmKeyed shows a confirmation: Enter answers yes, Escape no.
func confirmKeyed(win fyne.Window, dlg *dialog.ConfirmDialog) {
	dlg.Show()
	keyed(win, dlg, dlg.Confirm, dlg.Dismiss)
}

// tap gives a func that taps b when it is shown and enabled (a dialog's
// default or cancel button for Enter or Escape).
func tap(b *keyButton) func() {
	return func() {
		if b.Visible() && !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	}
}

// dialogKey runs the top dialog's Enter or Escape on canvas c. It reports
// whether a keyed dialog is on top (which then takes every such key).
func dialogKey(c fyne.Canvas, k *fyne.KeyEvent) bool {
	if c == nil {
		return false
	}
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	keyedDialogs.Lock()
	keys, ok := keyedDialogs.m[top]
	keyedDialogs.Unlock()
	if !ok {
		return false
	}
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		keys.enter()
	case fyne.KeyEscape:
		keys.escape()
	default:
		return false
	}
	return true
}

// passOn gives key k, which the focused widget o has no use for (Escape,
// F1, F5), to o's canvas as if nothing were focused: to the top dialog, else
// the window (installKeys). It reports whether it did.
func passOn(o fyne.CanvasObject, k *fyne.KeyEvent) bool {
	if k.Name != fyne.KeyEscape && k.Name != fyne.KeyF1 && k.Name != fyne.KeyF5 {
		return false
	}
	return toCanvas(o, k)
}

// toCanvas gives key k to o's canvas as if nothing were focused.
func toCanvas(o fyne.CanvasObject, k *fyne.KeyEvent) bool {
	app := fyne.CurrentApp()
	if app == nil {
		return false
	}
	c := app.Driver().CanvasForObject(o)
	if c == nil || c.OnTypedKey() == nil {
		return false
	}
	c.OnTypedKey()(k)
	return true
}

// installKeys lets the window's canvas take the keys no widget has:
// Enter and Escape for the top dialog, F1 for the keyboard help.
func (d *Desk) installKeys() {
	c := d.win.Canvas()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if !dialogKey(c, k) {
			d.typedKey(k)
		}
	})
}

// typedKey is a key no widget and no dialog took. F1: the keyboard help.
func (d *Desk) typedKey(k *fyne.KeyEvent) {
	if d.modal() {
		return
	}
	if k.Name == fyne.KeyF1 {
		d.showHelp()
		return
	}
	d.syncKey(k)
}

// modal tells that a dialog (or another pop-up) is over the window: the
// shortcuts that act on the window behind it then wait.
func (d *Desk) modal() bool {
	return d.win.Canvas().Overlays().Top() != nil
}

// keyEntry is an Entry that passes on Escape (the dialog's cancel) and F1.
type keyEntry struct {
	widget.Entry
}

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func newKeyMultiLineEntry() *keyEntry {
	e := &keyEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey passes on Escape and F1; the rest are the Entry's.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	if passOn(e, k) {
		return
	}
	e.Entry.TypedKey(k)
}

// keySelect is a Select (of a dialog) that passes on Escape, F1 and
// Enter (the dialog's default button); Space and the arrows stay its own.
type keySelect struct {
	widget.Select
}

func newKeySelect(options []string, changed func(string)) *keySelect {
	s := &keySelect{}
	s.Options, s.OnChanged = options, changed
	s.PlaceHolder = widget.NewSelect(nil, nil).PlaceHolder // Fyne's own "(Select one)"
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey passes on Escape, F1 and Enter; the rest are the Select's.
func (s *keySelect) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && toCanvas(s, k) || passOn(s, k) {
		return
	}
	s.Select.TypedKey(k)
}

// keyButton is a Button that Enter taps too (Fyne's taps on Space only),
// and that passes on Escape and F1.
type keyButton struct {
	widget.Button
}

func newKeyButton(label string, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey taps the button on Enter and Space.
func (b *keyButton) TypedKey(k *fyne.KeyEvent) {
	switch {
	case k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter:
		if !b.Disabled() {
			b.Tapped(nil)
		}
	case passOn(b, k):
	default:
		b.Button.TypedKey(k)
	}
}

// enter is Enter in Tarkastele tapahtumaa: Kirjaa when the fields were
// changed and may be, else Sulje.
func (e *eventDialog) enter() {
	if e.edited() && !e.save.Disabled() {
		e.saveEdit()
		return
	}
	e.dlg.Hide()
}

// enter is Enter in the month's batch: start it, or close the dialog
// when it has run (a second Enter does not make the month again).
func (b *batchDialog) enter() {
	r := b.result
	ran := r.Made+r.Skipped+len(r.Failed) > 0 || r.Cancelled || r.err != nil
	switch {
	case b.running:
	case !ran && b.startBtn.Visible() && !b.startBtn.Disabled():
		b.startBtn.OnTapped()
	default:
		b.dlg.Hide()
	}
}

// escape is Escape in the month's batch: stop a running batch, else close.
func (b *batchDialog) escape() {
	if b.running {
		tap(b.cancelBtn)()
		return
	}
	b.dlg.Hide()
}
