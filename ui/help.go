package ui

import (
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// helpKey is one line of the keyboard help: the keys and what they do.
type helpKey struct{ keys, does string }

// helpKeys lists every shortcut: those of the menus, menu by menu, then the
// keys that work where the keyboard is (fields, lists, dialogs).
func (d *Desk) helpKeys() (groups []string, lines [][]helpKey) {
	if d.menu != nil {
		for _, m := range d.menu.Items {
			var ls []helpKey
			var walk func(items []*fyne.MenuItem)
			walk = func(items []*fyne.MenuItem) {
				for _, it := range items {
					if it.Shortcut != nil && !it.Disabled {
						ls = append(ls, helpKey{shortcutText(it.Shortcut), strings.TrimSpace(it.Label)})
					}
					if it.ChildMenu != nil && it.ChildMenu != d.openMenu {
						walk(it.ChildMenu.Items)
					}
				}
			}
			walk(m.Items)
			if m == d.menu.Items[2] { // Näytä: the open customers as one line
				ls = append(ls, helpKey{shortcutText(ctrl(fyne.Key1)) + " … " + shortcutText(ctrl(fyne.Key9)), lang.L("The 1st … 9th open customer")})
			}
			if len(ls) > 0 {
				groups = append(groups, m.Label)
				lines = append(lines, ls)
			}
		}
	}
	groups = append(groups, lang.L("Fields, lists and dialogs"))
	lines = append(lines, []helpKey{
		{"Tab, Shift+Tab", lang.L("The next or previous field or button")},
		{lang.L("Space"), lang.L("Press the button with the focus")},
		{"↓", lang.L("From the search field to the results")},
		{"Enter", lang.L("In the results: open the customer; in the statement tab: make the statement")},
		{"Enter", lang.L("In a dialog: confirm (Record, Send, OK)")},
		{"Esc", lang.L("In a dialog: cancel or close")},
		{"☰", lang.L("The list button of a search result opens the customer's events")},
	})
	return groups, lines
}

// showHelp opens the keyboard help (F1, Ohje → Pikanäppäimet).
func (d *Desk) showHelp() {
	groups, lines := d.helpKeys()
	// One grid, so the keys of every group line up; a group's title
	// stands in the column of the descriptions.
	box := container.New(layout.NewFormLayout())
	for i, g := range groups {
		title := widget.NewLabelWithStyle(g, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.SizeName = theme.SizeNameSubHeadingText
		box.Add(layout.NewSpacer())
		box.Add(title)
		for _, l := range lines[i] {
			box.Add(widget.NewLabelWithStyle(l.keys, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true}))
			does := widget.NewLabel(l.does)
			does.Wrapping = fyne.TextWrapWord
			box.Add(does)
		}
	}
	sz := d.win.Canvas().Size()
	scroll := container.NewVScroll(box)
	scroll.SetMinSize(fyne.NewSize(min(640, sz.Width-80), min(760, sz.Height-180)))
	dlg := dialog.NewCustom(lang.L("Keyboard shortcuts"), lang.L("Close"), scroll, d.win)
	showKeyed(d.win, dlg)
}

// shortcutText is a shortcut as written on the keys: "Ctrl+Shift+Tab",
// "Alt+1", "F1" (Cmd for Ctrl on macOS).
func shortcutText(sc fyne.Shortcut) string {
	cs, ok := sc.(*desktop.CustomShortcut)
	if !ok {
		key := map[string]fyne.KeyName{"Cut": fyne.KeyX, "Copy": fyne.KeyC, "Paste": fyne.KeyV, "SelectAll": fyne.KeyA,
			"Undo": fyne.KeyZ, "Redo": fyne.KeyY}[sc.ShortcutName()]
		if key == "" {
			return sc.ShortcutName()
		}
		cs = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
	}
	var parts []string
	m := cs.Modifier
	if m&fyne.KeyModifierControl != 0 {
		parts = append(parts, "Ctrl")
	}
	if m&fyne.KeyModifierSuper != 0 {
		if runtime.GOOS == "darwin" {
			parts = append(parts, "Cmd")
		} else {
			parts = append(parts, "Super")
		}
	}
	if m&fyne.KeyModifierAlt != 0 {
		parts = append(parts, "Alt")
	}
	if m&fyne.KeyModifierShift != 0 {
		parts = append(parts, "Shift")
	}
	name := string(cs.KeyName)
	switch cs.KeyName {
	case fyne.KeyPageUp:
		name = "PgUp"
	case fyne.KeyPageDown:
		name = "PgDn"
	case fyne.KeyEscape:
		name = "Esc"
	case fyne.KeyReturn:
		name = "Enter"
	}
	return strings.Join(append(parts, name), "+")
}
