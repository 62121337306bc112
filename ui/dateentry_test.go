package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
)

// calendarTexts gives the labels and button texts of the open calendar.
func calendarTexts(e *dateEntry) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *widget.Button:
			out = append(out, w.Text)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	if e.pop != nil {
		walk(e.pop.Content)
	}
	return out
}

func calendarButtonWithIcon(t *testing.T, e *dateEntry, icon fyne.Resource) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Button:
			if w.Icon == icon {
				found = w
			}
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(e.pop.Content)
	if found == nil {
		t.Fatal("no such calendar button")
	}
	return found
}

func calendarButton(t *testing.T, e *dateEntry, text string) *widget.Button {
	t.Helper()
	b := findButton(e.pop.Content, text)
	if b == nil {
		t.Fatalf("no button %q in the calendar: %q", text, calendarTexts(e))
	}
	return b
}

// The date entry takes the short forms a Finnish office worker types and
// writes them out when the focus leaves; its calendar speaks Finnish,
// starts on Monday, opens from the keyboard and picks a day.
func TestDateEntry(t *testing.T) {
	test.NewTempApp(t)
	if err := UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	today := data.NewDate(2026, 12, 1)
	e := newDateEntry(func() data.Date { return today })
	other := widget.NewEntry()
	w := test.NewWindow(container.NewVBox(e, other))
	defer w.Close()
	w.Resize(fyne.NewSize(400, 300))

	for in, want := range map[string]string{"1.11.": "1.11.2026", "011126": "1.11.2026", "1.11.26": "1.11.2026", "24.12.2026": "24.12.2026", "31.2.": "31.2."} {
		w.Canvas().Focus(e)
		e.SetText("")
		test.Type(e, in)
		w.Canvas().Focus(other)
		if e.Text != want {
			t.Errorf("typed %q: the entry shows %q after the focus left, want %q", in, e.Text, want)
		}
	}

	// F4 opens the calendar on the entry's month.
	w.Canvas().Focus(e)
	e.SetText("1.11.2026")
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF4})
	shown := strings.Join(calendarTexts(e), " ")
	if e.pop == nil || !strings.Contains(shown, "marraskuu 2026") || !strings.HasPrefix(strings.TrimSpace(strings.SplitN(shown, "marraskuu 2026", 2)[1]), "ma ti ke to pe la su") {
		t.Fatalf("calendar: %q, want marraskuu 2026 and the weekdays from Monday", shown)
	}
	for _, english := range []string{"November", "Mon", "Cancel", "Today"} {
		if strings.Contains(shown, english) {
			t.Errorf("English %q in the Finnish calendar: %q", english, shown)
		}
	}
	// 1.11.2026 is a Sunday: six blanks before it.
	labels := calendarTexts(e)
	i := 0
	for i < len(labels) && labels[i] != "su" {
		i++
	}
	if blanks := labels[i+1 : i+7]; strings.Join(blanks, "") != "" || labels[i+7] != "1" {
		t.Errorf("the 1st of November 2026 (a Sunday) is not in the 7th column: %q", labels[i+1:i+9])
	}
	test.Tap(calendarButton(t, e, "15"))
	if e.Text != "15.11.2026" || e.pop != nil {
		t.Errorf("picked the 15th: %q, calendar open %v", e.Text, e.pop != nil)
	}

	// Alt+Down opens it too; the next month button moves on; Tänään picks today.
	e.TypedShortcut(&desktopShortcut{key: fyne.KeyDown, mod: fyne.KeyModifierAlt})
	if e.pop == nil {
		t.Fatal("Alt+Down did not open the calendar")
	}
	test.Tap(calendarButtonWithIcon(t, e, theme.NavigateNextIcon()))
	if texts := strings.Join(calendarTexts(e), " "); !strings.Contains(texts, "joulukuu 2026") {
		t.Errorf("next month: %q", texts)
	}
	// What shows on the canvas is the new month, whole (the pop-up grows
	// or shrinks with its weeks).
	if !strings.Contains(strings.Join(texts(w.Canvas().Overlays().Top()), " "), "joulukuu 2026") {
		t.Errorf("the pop-up still shows the old month: %q", texts(w.Canvas().Overlays().Top()))
	}
	if min := e.pop.Content.MinSize(); e.pop.Content.Size().Height < min.Height {
		t.Errorf("calendar %v smaller than its content %v", e.pop.Content.Size(), min)
	}
	test.Tap(calendarButtonWithIcon(t, e, theme.NavigateBackIcon()))
	test.Tap(calendarButtonWithIcon(t, e, theme.NavigateBackIcon()))
	if got := strings.Join(texts(w.Canvas().Overlays().Top()), " "); !strings.Contains(got, "lokakuu 2026") {
		t.Errorf("two months back: %q", got)
	}
	test.Tap(calendarButtonWithIcon(t, e, theme.NavigateNextIcon()))
	test.Tap(calendarButtonWithIcon(t, e, theme.NavigateNextIcon()))
	// Escape closes it; Tänään picks today.
	dialogKey(w.Canvas(), &fyne.KeyEvent{Name: fyne.KeyEscape})
	if e.pop != nil {
		t.Fatal("Escape did not close the calendar")
	}
	e.openCalendar()
	test.Tap(calendarButton(t, e, "Tänään 1.12.2026"))
	if e.Text != "1.12.2026" {
		t.Errorf("Tänään: %q", e.Text)
	}
}

// desktopShortcut is a keyboard shortcut for tests.
type desktopShortcut struct {
	key fyne.KeyName
	mod fyne.KeyModifier
}

func (s *desktopShortcut) ShortcutName() string  { return "test" }
func (s *desktopShortcut) Key() fyne.KeyName     { return s.key }
func (s *desktopShortcut) Mod() fyne.KeyModifier { return s.mod }
