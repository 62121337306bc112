package ui

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// menuItem runs the main menu's item labelled label (in any menu).
func menuItem(t *testing.T, d *Desk, label string) *fyne.MenuItem {
	t.Helper()
	var labels []string
	for _, m := range d.Window().MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == label {
				return it
			}
			labels = append(labels, it.Label)
		}
	}
	t.Fatalf("no menu item %q in %q", label, labels)
	return nil
}

// pressKey sends key to the focused widget, as the window does.
func pressKey(t *testing.T, d *Desk, key fyne.KeyName) {
	t.Helper()
	f := d.Window().Canvas().Focused()
	if f == nil {
		t.Fatalf("nothing has the keyboard for %s", key)
	}
	f.TypedKey(&fyne.KeyEvent{Name: key})
}

// openSettings opens Asetukset from the menu (Ctrl+,).
func openSettings(t *testing.T, f *fixture) *settingsDialog {
	t.Helper()
	it := menuItem(t, f.d, "Asetukset…")
	if sc, ok := it.Shortcut.(fyne.KeyboardShortcut); !ok || sc.Key() != fyne.KeyComma {
		t.Errorf("Asetukset… shortcut %v, want Ctrl+,", it.Shortcut)
	}
	it.Action()
	f.wait(t, "settings:shown")
	if f.d.settings == nil {
		t.Fatal("no settings dialog")
	}
	return f.d.settings
}

// The settings dialog shows the saved settings; Enter saves the choices
// and applies them at once (theme, sync interval, folder of printed
// statements), the language at the next start; a new desk on the same
// preferences starts with them.
func TestSettingsSavedAndApplied(t *testing.T) {
	var intervals []time.Duration
	f := newFixture(t, Options{DataDir: t.TempDir(), SyncInterval: func(d time.Duration) { intervals = append(intervals, d) },
		Connection: &Connection{Server: "https://psop.example.fi"}})
	if len(intervals) != 0 {
		t.Errorf("nothing saved, yet the interval was set: %v", intervals)
	}
	f.d.app.Settings().SetTheme(theme.DefaultTheme()) // the real app's, which follows the system's variant
	s := openSettings(t, f)
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Asetukset", "Kieli", "Järjestelmän kieli",
		"Uusi kieli tulee käyttöön, kun PSOP Desk käynnistetään uudelleen.", "Teema", "Järjestelmän mukaan",
		"Palvelunjärjestäjän palvelin", "https://psop.example.fi", "Yhdistä palvelimeen…",
		"Taustasynkronointi", "3 minuutin välein", "Tulosteiden kansio", "OK", "Peruuta")
	if want := filepath.Join(f.d.opt.DataDir, "tulosteet"); s.printsDir.Text != want {
		t.Errorf("folder shown %q, want the default %q", s.printsDir.Text, want)
	}
	s.language.SetSelected("svenska")
	s.theme.SetSelected("Tumma")
	s.interval.SetSelected("10 minuutin välein")
	chosen := t.TempDir()
	s.printsDir.SetText(chosen)
	f.d.Window().Canvas().Focus(s.theme)
	pressKey(t, f.d, fyne.KeyReturn)
	f.wait(t, "settings:saved")

	if f.d.settings != nil || f.d.Window().Canvas().Overlays().Top() != nil {
		t.Error("Enter did not close the dialog")
	}
	if got := SavedLanguage(f.d.app); got != "sv" {
		t.Errorf("saved language %q, want sv", got)
	}
	if !slices.Equal(intervals, []time.Duration{10 * time.Minute}) {
		t.Errorf("intervals set %v, want 10 min", intervals)
	}
	th := f.d.app.Settings().Theme()
	dark := theme.DefaultTheme().Color(theme.ColorNameBackground, theme.VariantDark)
	if th.Color(theme.ColorNameBackground, theme.VariantLight) != dark {
		t.Error("the dark theme is not in use under a light system")
	}
	if dir, _ := f.d.printsDir(); dir != chosen {
		t.Errorf("printed statements go to %q, want %q", dir, chosen)
	}

	// The next start reads them back.
	d2 := NewDesk(f.d.app, f.d.src, Options{SyncInterval: func(d time.Duration) { intervals = append(intervals, d) }})
	defer d2.Window().Close()
	if intervals[len(intervals)-1] != 10*time.Minute {
		t.Errorf("a new desk set the intervals %v, want 10 min last", intervals)
	}
	s2 := openSettingsOn(t, f, d2)
	if s2.language.Selected != "svenska" || s2.theme.Selected != "Tumma" || s2.interval.Selected != "10 minuutin välein" ||
		s2.printsDir.Text != chosen {
		t.Errorf("read back %q %q %q %q", s2.language.Selected, s2.theme.Selected, s2.interval.Selected, s2.printsDir.Text)
	}
	// The system's theme again: the variant is the system's.
	s2.theme.SetSelected("Järjestelmän mukaan")
	s2.printsDir.SetText(filepath.Join(d2.opt.DataDir, "tulosteet")) // "" DataDir: the default under home
	test.Tap(s2.ok)
	f.wait(t, "settings:saved")
	if th := f.d.app.Settings().Theme(); th.Color(theme.ColorNameBackground, theme.VariantLight) == dark {
		t.Error("the dark theme stayed forced")
	}
	if def, _ := d2.defaultPrintsDir(); filepath.Dir(def) != "." {
		if dir, _ := d2.printsDir(); dir == chosen {
			t.Errorf("folder still %q", dir)
		}
	}
}

// openSettingsOn opens Asetukset on another desk of the fixture's app.
func openSettingsOn(t *testing.T, f *fixture, d *Desk) *settingsDialog {
	t.Helper()
	d.do = f.d.do
	d.notify = f.d.notify
	menuItem(t, d, "Asetukset…").Action()
	f.wait(t, "settings:shown")
	return d.settings
}

// Escape cancels: nothing chosen is saved or applied, from a list or
// from the folder field.
func TestSettingsEscapeCancels(t *testing.T) {
	var intervals []time.Duration
	f := newFixture(t, Options{SyncInterval: func(d time.Duration) { intervals = append(intervals, d) }})
	for _, field := range []string{"language", "folder"} {
		s := openSettings(t, f)
		menuItem(t, f.d, "Asetukset…").Action() // Ctrl+, again
		if n := len(f.d.Window().Canvas().Overlays().List()); n != 1 || f.d.settings != s {
			t.Fatalf("%d dialogs after a second Ctrl+,", n)
		}
		s.language.SetSelected("English")
		s.theme.SetSelected("Tumma")
		s.interval.SetSelected("1 minuutin välein")
		s.printsDir.SetText(t.TempDir())
		if field == "folder" {
			f.d.Window().Canvas().Focus(s.printsDir)
		}
		pressKey(t, f.d, fyne.KeyEscape)
		f.wait(t, "settings:cancelled")
		if f.d.settings != nil || f.d.Window().Canvas().Overlays().Top() != nil {
			t.Errorf("%s: Escape did not close the dialog", field)
		}
		if SavedLanguage(f.d.app) != "" || f.d.app.Preferences().String(prefTheme) != "" || len(intervals) != 0 ||
			f.d.app.Preferences().String(prefPrintsDir) != "" {
			t.Errorf("%s: Escape saved something", field)
		}
	}
	// Enter with nothing focused (after a click on a label) is OK too.
	openSettings(t, f)
	f.d.Window().Canvas().Unfocus()
	f.d.Window().Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.wait(t, "settings:saved")
	// Enter in the folder field is OK.
	s := openSettings(t, f)
	f.d.Window().Canvas().Focus(s.printsDir)
	pressKey(t, f.d, fyne.KeyReturn)
	f.wait(t, "settings:saved")
}

// The open customers are remembered by id (never a name or a
// henkilötunnus) and reopened by the next desk, those still in the cache,
// the selected one selected.
func TestOpenCustomersReopened(t *testing.T) {
	f := newFixture(t, Options{})
	f.search(t, "Ääp")
	f.d.openCustomer(f.d.search.results[0].Customer, tabInfo)
	f.wait(t, "customer:cust-1")
	f.search(t, "Virtanen")
	f.d.openCustomer(f.d.search.results[0].Customer, tabInfo)
	f.wait(t, "customer:cust-2")
	f.d.tabs.Select(f.d.views["cust-1"].tab)
	f.d.saveHabits() // as when the window closes: the selected customer too
	p := f.d.app.Preferences()
	ids := p.StringList(f.d.cachePref(prefOpenCustomers))
	if !slices.Equal(ids, []string{"cust-1", "cust-2"}) {
		t.Fatalf("remembered %q", ids)
	}
	for _, v := range append(ids, p.String(f.d.cachePref(prefOpenSelected))) {
		if strings.Contains(v, "Ääpälä") || strings.Contains(v, scenarioHetu) {
			t.Fatalf("a name or henkilötunnus in the preferences: %q", v)
		}
	}
	// One no longer in the cache is left out.
	// Another cache folder (the demo's beside a server's) keeps its own.
	other := &Desk{opt: Options{DataDir: "/tmp/another-cache"}}
	if got := p.StringList(other.cachePref(prefOpenCustomers)); len(got) != 0 {
		t.Errorf("another cache folder's open customers: %q", got)
	}
	p.SetStringList(f.d.cachePref(prefOpenCustomers), []string{"cust-gone", "cust-1", "cust-2"})

	d2 := NewDesk(f.d.app, f.d.src, f.d.opt)
	defer d2.Window().Close()
	d2.do, d2.notify = f.d.do, f.d.notify
	d2.RestoreOpenCustomers()
	f.wait(t, "restored")
	var names []string
	for _, it := range d2.tabs.Items {
		names = append(names, it.Text)
	}
	if !slices.Equal(names, []string{"Ääpälä Sinikka", "Virtanen Matti"}) {
		t.Errorf("reopened tabs %q", names)
	}
	if v := d2.views["cust-1"]; v == nil || d2.tabs.Selected() != v.tab {
		t.Error("the selected customer is not selected again")
	}
	if got := p.StringList(f.d.cachePref(prefOpenCustomers)); !slices.Equal(got, []string{"cust-1", "cust-2"}) {
		t.Errorf("after the restore remembered %q", got)
	}
	// Closing a tab forgets it.
	d2.tabs.Remove(d2.views["cust-2"].tab)
	d2.tabs.OnClosed(d2.tabs.Items[0]) // as DocTabs' close button calls it: cust-1 closed too
	if got := p.StringList(f.d.cachePref(prefOpenCustomers)); len(got) != 0 {
		t.Errorf("after closing remembered %q", got)
	}
}

// The statement period last used is the next statement tab's: a month by
// its place among the months offered (the previous month stays the
// previous month), an own range as it was.
func TestStatementPeriodRemembered(t *testing.T) {
	f := newFixture(t, Options{WriteStatementPDF: (&writes{}).hook(t.TempDir())})
	s := openStatementTab(t, f)
	s.from.SetText("3.9.2026")
	s.to.SetText("17.9.2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	f.d.tabs.OnClosed(f.d.views["cust-1"].tab)
	delete(f.d.views, "cust-1")

	s = openStatementTab(t, f)
	if s.from.Text != "3.9.2026" || s.to.Text != "17.9.2026" || s.month.Selected != "" {
		t.Errorf("own range %q %q–%q, want 3.9.2026–17.9.2026 and no month", s.month.Selected, s.from.Text, s.to.Text)
	}
	s.month.SetSelected("elokuu 2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	if got := f.d.app.Preferences().String(prefPeriod); got != "month:3" {
		t.Errorf("remembered %q, want month:3", got)
	}
	delete(f.d.views, "cust-1")
	s = openStatementTab(t, f)
	if s.month.Selected != "elokuu 2026" || s.from.Text != "1.8.2026" || s.to.Text != "31.8.2026" {
		t.Errorf("month %q %q–%q, want elokuu 2026", s.month.Selected, s.from.Text, s.to.Text)
	}
}

// The window's size is remembered when it closes and used by the next
// desk; a size too small to use is not.
func TestWindowSizeRemembered(t *testing.T) {
	f := newFixture(t, Options{})
	f.d.Window().Resize(fyne.NewSize(1100, 720))
	f.d.saveWindowSize()
	d2 := NewDesk(f.d.app, f.d.src, f.d.opt)
	defer d2.Window().Close()
	if got := d2.Window().Canvas().Size(); got != fyne.NewSize(1100, 720) {
		t.Errorf("new window %v, want 1100×720", got)
	}
	f.d.app.Preferences().SetFloat(prefWindowWidth, 100)
	if got := f.d.savedWindowSize(fyne.NewSize(1260, 780)); got != fyne.NewSize(1260, 780) {
		t.Errorf("from a 100 px width %v, want the default", got)
	}
}

// Tietoja PSOP Deskistä lists the version and the licences of the font
// and the main libraries with their texts; Escape closes it.
func TestAboutListsLicences(t *testing.T) {
	f := newFixture(t, Options{})
	menuItem(t, f.d, "Tietoja PSOP Deskistä").Action()
	f.wait(t, "about:shown")
	a := f.d.about
	if a == nil {
		t.Fatal("no About dialog")
	}
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(), "Tietoja PSOP Deskistä", "Sulje")
	var titles []string
	for _, it := range a.licences.Items {
		titles = append(titles, it.Title)
	}
	all := strings.Join(titles, "\n")
	for _, want := range []string{"Noto Sans — SIL Open Font License 1.1", "Fyne (fyne.io/fyne/v2) — BSD 3-Clause",
		"bbolt", "resty", "gopdf", "golang.org/x/text", "go-keyring", "lumberjack"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the licences:\n%s", want, all)
		}
	}
	if l, ok := a.licences.Items[0].Detail.(*widget.Label); !ok || !strings.Contains(l.Text, "SIL OPEN FONT LICENSE Version 1.1") {
		t.Error("the font's licence text is not shown")
	}
	// After a click on a licence nothing has the keyboard: Escape still closes.
	f.d.Window().Canvas().Unfocus()
	f.d.Window().Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if f.d.about != nil || f.d.Window().Canvas().Overlays().Top() != nil {
		t.Error("Escape did not close the About dialog")
	}
}

// Ohje → Avaa lokikansio opens the log folder with the file opener.
func TestOpenLogFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	f := newFixture(t, Options{LogDir: dir})
	menuItem(t, f.d, "Avaa lokikansio").Action()
	f.wait(t, "logdir:opened")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.opened, []string{dir}) {
		t.Errorf("opened %q, want %q", f.opened, dir)
	}
}

// The version line has the FyneApp.toml version and build.
func TestVersionLine(t *testing.T) {
	got := versionLine(fyne.AppMetadata{Version: "0.1.0", Build: 4})
	if !strings.HasPrefix(got, "0.1.0 (4), ") || !strings.Contains(got, "go1.") {
		t.Errorf("version line %q", got)
	}
}
