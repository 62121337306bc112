package ui

import (
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
)

// dateEntry is an entry for a date as a Finnish office worker types it:
// d.m.yyyy, or a short form data.ParseFinnishDateIn reads ("1.11.",
// "1.11.26", "011126"), written out in full when the focus leaves. Its
// calendar button, or F4 (or Alt+Down) in the entry, opens a month
// calendar with the months and weekdays in the user's language (Fyne's
// DateEntry and Calendar speak English), Monday first.
type dateEntry struct {
	keyEntry
	today func() data.Date
	pop   *widget.PopUp
	body  *fyne.Container // the pop-up's content: the month shown
	// shown is the month the open calendar shows (its first day).
	shown data.Date
}

// dateFieldWidth is the width of a date entry in a form, px: "30.11.2026"
// and the calendar button fit.
const dateFieldWidth = 140

// newDateEntry makes a date entry; today gives the day that short forms
// and the calendar start from.
func newDateEntry(today func() data.Date) *dateEntry {
	e := &dateEntry{today: today}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(lang.L("d.m.yyyy"))
	open := widget.NewButtonWithIcon("", theme.CalendarIcon(), e.openCalendar)
	open.Importance = widget.LowImportance
	e.ActionItem = open
	return e
}

// Date is the entry's date: ok false when the text is not a date.
func (e *dateEntry) Date() (data.Date, error) { return data.ParseFinnishDateIn(e.Text, e.today()) }

// FocusLost writes a short form out in full (1.11. → 1.11.2026).
func (e *dateEntry) FocusLost() {
	if d, err := e.Date(); err == nil && d.Format() != e.Text {
		e.SetText(d.Format())
	}
	e.Entry.FocusLost()
}

// TypedKey opens the calendar on F4, passes on Escape and F1 (passOn);
// other keys are the entry's.
func (e *dateEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyF4 {
		e.openCalendar()
		return
	}
	if passOn(e, k) {
		return
	}
	e.Entry.TypedKey(k)
}

// TypedShortcut opens the calendar on Alt+Down; other shortcuts are the
// entry's.
func (e *dateEntry) TypedShortcut(s fyne.Shortcut) {
	if ks, ok := s.(fyne.KeyboardShortcut); ok && ks.Key() == fyne.KeyDown && ks.Mod() == fyne.KeyModifierAlt {
		e.openCalendar()
		return
	}
	e.Entry.TypedShortcut(s)
}

// openCalendar shows the month of the entry's date (today's when it has
// none) below the entry.
func (e *dateEntry) openCalendar() {
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if c == nil {
		return
	}
	d, err := e.Date()
	if err != nil {
		d = e.today()
	}
	e.shown = data.NewDate(d.Year, d.Month, 1)
	e.body = container.NewStack(e.calendar(d))
	e.pop = widget.NewPopUp(e.body, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e)
	e.pop.ShowAtPosition(pos.Add(fyne.NewPos(0, e.Size().Height)))
	// Escape closes it: with nothing focused the canvas takes the key and
	// gives it to the top overlay's keys (keys.go).
	c.Unfocus()
	keyedDialogs.Lock()
	keyedDialogs.m[e.pop] = dialogKeys{enter: func() {}, escape: e.closeCalendar}
	keyedDialogs.Unlock()
}

// pick sets the date and closes the calendar.
func (e *dateEntry) pick(d data.Date) {
	e.SetText(d.Format())
	e.closeCalendar()
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
		c.Focus(e)
	}
}

func (e *dateEntry) closeCalendar() {
	if e.pop != nil {
		keyedDialogs.Lock()
		delete(keyedDialogs.m, e.pop)
		keyedDialogs.Unlock()
		e.pop.Hide()
		e.pop = nil
	}
}

// move shows the month months away from the one shown.
func (e *dateEntry) move(months int, chosen data.Date) {
	e.shown = data.NewDate(e.shown.Year, e.shown.Month+time.Month(months), 1)
	if e.pop != nil {
		e.body.Objects = []fyne.CanvasObject{e.calendar(chosen)}
		e.body.Refresh()
		e.pop.Resize(e.pop.MinSize())
	}
}

// calendar is the shown month: its name and year between the previous and
// next month buttons, the weekdays Monday first, and a button a day (the
// chosen day highlighted, today marked).
func (e *dateEntry) calendar(chosen data.Date) fyne.CanvasObject {
	first := e.shown
	prev := widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { e.move(-1, chosen) })
	next := widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { e.move(1, chosen) })
	title := widget.NewLabelWithStyle(monthName(first), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	head := container.NewBorder(nil, nil, prev, next, title)

	cells := make([]fyne.CanvasObject, 0, 7*7)
	for _, wd := range weekdayKeys {
		cells = append(cells, widget.NewLabelWithStyle(lang.L(wd+".short"), fyne.TextAlignCenter, fyne.TextStyle{}))
	}
	// Monday first: blanks before the 1st.
	lead := (int(first.Time(data.Helsinki).Weekday()) + 6) % 7
	for range lead {
		cells = append(cells, widget.NewLabel(""))
	}
	today := e.today()
	for d := first; d.Month == first.Month; d = data.NewDate(d.Year, d.Month, d.Day+1) {
		day := d
		b := widget.NewButton(strconv.Itoa(d.Day), func() { e.pick(day) })
		switch {
		case d == chosen:
			b.Importance = widget.HighImportance
		case d == today:
			b.Importance = widget.MediumImportance
		default:
			b.Importance = widget.LowImportance
		}
		cells = append(cells, b)
	}
	cancel := widget.NewButton(lang.L("Cancel"), e.closeCalendar)
	todayB := widget.NewButton(fmt.Sprintf("%s %s", lang.L("Today"), today.Format()), func() { e.pick(today) })
	return container.NewVBox(head, container.NewGridWithColumns(7, cells...), container.NewHBox(todayB, cancel))
}

// weekdayKeys are Fyne's translation keys of the weekdays, Monday first
// (the Finnish week); "monday.short" etc. are in the translation files.
var weekdayKeys = [...]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
