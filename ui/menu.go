package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// mainMenu is the window's menu: Tiedosto, Muokkaa, Näytä and Ohje, each
// item with its shortcut beside it. The shortcuts with Ctrl or Alt work
// from anywhere in the window (the driver runs a menu's shortcuts before
// the focused widget); while a dialog is open, those that act on the
// window behind it wait.
func (d *Desk) mainMenu() *fyne.MainMenu {
	item := func(label string, sc fyne.Shortcut, action func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, action)
		it.Shortcut = sc
		return it
	}
	// unlessModal runs fn only while no dialog is open.
	unlessModal := func(fn func()) func() {
		return func() {
			if !d.modal() {
				fn()
			}
		}
	}

	file := []*fyne.MenuItem{item(lang.L("Find a customer"), ctrl(fyne.KeyF), unlessModal(d.focusSearch))}
	if d.opt.Resync != nil {
		// F5 too: a key without a modifier cannot be a menu shortcut, so
		// the window's key handler takes it (typedKey).
		file = append(file, item(lang.L("Sync now (F5)"), ctrl(fyne.KeyR), unlessModal(d.resync)))
	}
	if d.opt.Connection != nil {
		file = append(file, fyne.NewMenuItem(lang.L("Connect to a server…"), unlessModal(func() { d.showConnect(connectAsked) })))
	}
	file = append(file,
		fyne.NewMenuItemSeparator(),
		item(lang.L("Open printable version"), ctrl(fyne.KeyP), unlessModal(d.printStatement)),
		item(lang.L("Co-payment statements of a month…"), ctrl(fyne.KeyE), unlessModal(d.showBatch)),
		fyne.NewMenuItemSeparator(),
		item(lang.L("Close customer"), ctrl(fyne.KeyW), unlessModal(d.closeCustomer)),
	)
	settingsFile, settingsHelp := settingsMenuItems(d)
	file = append(append(file, fyne.NewMenuItemSeparator()), settingsFile...)
	// Lopeta (Ctrl+Q): the habits are saved as the app stops (habits.go).
	quit := item(lang.L("Quit"), ctrl(fyne.KeyQ), d.app.Quit)
	quit.IsQuit = true
	file = append(file, fyne.NewMenuItemSeparator(), quit)

	edit := []*fyne.MenuItem{
		item(lang.L("Cut"), &fyne.ShortcutCut{}, func() { d.toFocused(&fyne.ShortcutCut{Clipboard: d.app.Clipboard()}) }),
		item(lang.L("Copy"), &fyne.ShortcutCopy{}, func() { d.toFocused(&fyne.ShortcutCopy{Clipboard: d.app.Clipboard()}) }),
		item(lang.L("Paste"), &fyne.ShortcutPaste{}, func() { d.toFocused(&fyne.ShortcutPaste{Clipboard: d.app.Clipboard()}) }),
		item(lang.L("Select all"), &fyne.ShortcutSelectAll{}, func() { d.toFocused(&fyne.ShortcutSelectAll{}) }),
	}

	names := customerTabNames()
	var view []*fyne.MenuItem
	for i, name := range names {
		view = append(view, item(name, alt(digitKeys[i]), unlessModal(func() { d.showTab(i) })))
	}
	d.openMenu = fyne.NewMenu(lang.L("Open customers"))
	openItem := fyne.NewMenuItem(lang.L("Open customers"), nil)
	openItem.ChildMenu = d.openMenu
	view = append(view,
		fyne.NewMenuItemSeparator(),
		item(lang.L("Next tab"), ctrl(fyne.KeyTab), unlessModal(func() { d.stepTab(1) })),
		item(lang.L("Previous tab"), ctrlShift(fyne.KeyTab), unlessModal(func() { d.stepTab(-1) })),
		fyne.NewMenuItemSeparator(),
		item(lang.L("Next customer"), ctrl(fyne.KeyPageDown), unlessModal(func() { d.stepCustomer(1) })),
		item(lang.L("Previous customer"), ctrl(fyne.KeyPageUp), unlessModal(func() { d.stepCustomer(-1) })),
		openItem,
	)
	d.fillOpenMenu()

	help := []*fyne.MenuItem{item(lang.L("Keyboard shortcuts"), plain(fyne.KeyF1), unlessModal(d.showHelp))}
	help = append(append(help, fyne.NewMenuItemSeparator()), settingsHelp...)

	d.menu = fyne.NewMainMenu(
		fyne.NewMenu(lang.L("menu.file"), file...),
		fyne.NewMenu(lang.L("menu.edit"), edit...),
		fyne.NewMenu(lang.L("menu.view"), view...),
		fyne.NewMenu(lang.L("menu.help"), help...),
	)
	return d.menu
}

// customerTabNames are the names of the six customer tabs, in order.
func customerTabNames() []string {
	return []string{lang.L("tab.info"), lang.L("tab.purchasing"), lang.L("tab.balance"),
		lang.L("tab.reservations"), lang.L("tab.events"), lang.L("tab.statement")}
}

// fillOpenMenu lists the open customers (at most nine) in Näytä → Avoimet
// asiakkaat, in the order of their tabs, with Ctrl+1 … Ctrl+9.
func (d *Desk) fillOpenMenu() {
	if d.openMenu == nil {
		return
	}
	var items []*fyne.MenuItem
	for i, it := range d.tabs.Items {
		if i >= len(digitKeys) {
			break
		}
		mi := fyne.NewMenuItem(fmt.Sprintf("%d  %s", i+1, it.Text), func() {
			if !d.modal() {
				d.selectCustomer(i)
			}
		})
		mi.Shortcut = ctrl(digitKeys[i])
		items = append(items, mi)
	}
	if len(items) == 0 {
		none := fyne.NewMenuItem(lang.L("No customers open"), nil)
		none.Disabled = true
		items = append(items, none)
	}
	d.openMenu.Items = items
	if d.menu != nil {
		d.menu.Refresh()
	}
}

// toFocused gives the focused widget a shortcut of the Muokkaa menu.
func (d *Desk) toFocused(sc fyne.Shortcut) {
	if s, ok := d.win.Canvas().Focused().(fyne.Shortcutable); ok {
		s.TypedShortcut(sc)
	}
}

// current is the customer whose tab is selected; nil when none is open.
func (d *Desk) current() *customerView {
	sel := d.tabs.Selected()
	if sel == nil || len(d.tabs.Items) == 0 {
		return nil
	}
	for _, v := range d.views {
		if v.tab == sel {
			return v
		}
	}
	return nil
}

// showTab shows the current customer's tab i (Alt+1 … Alt+6) and gives the
// keyboard to the tab's first thing to do: on Omavastuuerittely the button
// that makes the statement, so that Enter makes it.
func (d *Desk) showTab(i int) {
	v := d.current()
	if v == nil || i < 0 || i >= len(v.tabs.Items) {
		return
	}
	v.tabs.SelectIndex(i)
	d.focusTab(v)
}

// stepTab moves delta tabs on in the current customer (Ctrl+Tab,
// Ctrl+Shift+Tab), round.
func (d *Desk) stepTab(delta int) {
	v := d.current()
	if v == nil {
		return
	}
	n := len(v.tabs.Items)
	d.showTab(((v.tabs.SelectedIndex()+delta)%n + n) % n)
}

// focusTab moves the keyboard into customer v's selected tab: the
// statement's make button, the events list; elsewhere off any field, so
// that typing does not go to a field out of sight.
func (d *Desk) focusTab(v *customerView) {
	c := d.win.Canvas()
	switch v.tabs.SelectedIndex() {
	case tabStatement:
		c.Focus(v.statement.makeBtn)
	case tabEvents:
		if v.events.list != nil {
			c.Focus(v.events.list)
		} else {
			c.Unfocus()
		}
	default:
		c.Unfocus()
	}
}

// stepCustomer moves delta customers on (Ctrl+PgDn, Ctrl+PgUp), round.
func (d *Desk) stepCustomer(delta int) {
	n := len(d.tabs.Items)
	if n == 0 {
		return
	}
	d.selectCustomer(((d.tabs.SelectedIndex()+delta)%n + n) % n)
}

// selectCustomer shows the i-th open customer (Ctrl+1 … Ctrl+9), on the
// tab it was left on.
func (d *Desk) selectCustomer(i int) {
	if i < 0 || i >= len(d.tabs.Items) {
		return
	}
	d.tabs.SelectIndex(i)
	if v := d.current(); v != nil {
		d.focusTab(v)
	}
}

// closeCustomer closes the current customer (Ctrl+W) as its tab's close
// button does. With none left the search field gets the keyboard.
func (d *Desk) closeCustomer() {
	item := d.tabs.Selected()
	if item == nil || len(d.tabs.Items) == 0 {
		return
	}
	d.tabs.Remove(item)
	if d.tabs.OnClosed != nil {
		d.tabs.OnClosed(item)
	}
	if v := d.current(); v != nil {
		d.focusTab(v)
	} else {
		d.focusSearch()
	}
}

// printStatement makes the printable version of the current customer's
// statement (Ctrl+P), as Avaa tulostettava versio does: of the statement
// shown, or of the one being made as soon as it is ready. Nothing when
// the customer has none.
func (d *Desk) printStatement() {
	v := d.current()
	if v == nil {
		return
	}
	s := v.statement
	switch {
	case s.st != nil:
		v.tabs.SelectIndex(tabStatement)
		s.print()
	case s.making:
		s.printWhenMade = true
	}
}
