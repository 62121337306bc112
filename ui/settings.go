package ui

import (
	"fmt"
	"image/color"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/assets"
	"psopdesk/sync/client"
)

// The user's settings (Asetukset) in the app's Fyne preferences. Ids
// only: never a customer's name or henkilötunnus.
const (
	prefLanguage    = "settings.language"    // "" (the system's), fi, sv, en
	prefTheme       = "settings.theme"       // "" (the system's), light, dark
	prefSyncMinutes = "settings.syncMinutes" // 0: client.Interval
	prefPrintsDir   = "settings.printsDir"   // "": DataDir/tulosteet
)

// Theme choices, as stored.
const (
	themeSystem = ""
	themeLight  = "light"
	themeDark   = "dark"
)

// syncMinutes are the background sync intervals offered, in minutes.
var syncMinutes = []int{1, 3, 5, 10, 30}

// uiLanguages are the UI language choices: the system's, then each
// language named in itself.
var uiLanguages = []struct{ code, name string }{
	{"", ""}, {"fi", "suomi"}, {"sv", "svenska"}, {"en", "English"},
}

// SavedLanguage is the UI language chosen in the settings ("" for the
// system's), for UseLanguage at the next start. An unknown value gives "".
func SavedLanguage(a fyne.App) string {
	code := a.Preferences().String(prefLanguage)
	if !slices.Contains(assets.Languages, code) {
		return ""
	}
	return code
}

// variantTheme forces a light or dark variant on any theme: whatever the
// system's variant, its colours are base's of variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t *variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// applyTheme makes choice (themeSystem, themeLight, themeDark) the app's
// theme: the theme in use, with its variant forced or not.
func applyTheme(a fyne.App, choice string) {
	base := a.Settings().Theme()
	if vt, ok := base.(*variantTheme); ok {
		base = vt.Theme
	}
	if base == nil {
		base = theme.DefaultTheme()
	}
	switch choice {
	case themeLight:
		a.Settings().SetTheme(&variantTheme{Theme: base, variant: theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(&variantTheme{Theme: base, variant: theme.VariantDark})
	default:
		a.Settings().SetTheme(base)
	}
}

// syncInterval is the saved background sync interval (client.Interval
// when none).
func syncInterval(p fyne.Preferences) time.Duration {
	if m := p.Int(prefSyncMinutes); m > 0 {
		return time.Duration(m) * time.Minute
	}
	return client.Interval
}

// useSettings applies the saved settings as the desk starts: the theme,
// the sync interval (Options.SyncInterval), and remembers the window's
// size when it closes.
func (d *Desk) useSettings() {
	p := d.app.Preferences()
	slog.Info("settings in use", "settings", settingsSummary(p))
	if t := p.String(prefTheme); t != themeSystem {
		applyTheme(d.app, t)
	}
	if d.opt.SyncInterval != nil && p.Int(prefSyncMinutes) > 0 {
		d.opt.SyncInterval(syncInterval(p))
	}
	d.rememberWindow()
}

// settingsMenuItems are the menu items of the settings and habits:
// Asetukset… (Ctrl+,) for the Tiedosto menu, and Avaa lokikansio and
// Tietoja PSOP Deskistä for the Ohje menu.
func settingsMenuItems(d *Desk) (file, help []*fyne.MenuItem) {
	settings := fyne.NewMenuItem(lang.L("Settings…"), d.showSettings)
	settings.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyComma, Modifier: fyne.KeyModifierShortcutDefault}
	file = []*fyne.MenuItem{settings}
	if d.opt.LogDir != "" {
		help = append(help, fyne.NewMenuItem(lang.L("Open the log folder"), d.openLogDir))
	}
	help = append(help, fyne.NewMenuItem(lang.L("About PSOP Desk"), d.showAbout))
	return file, help
}

// openLogDir opens Options.LogDir in the system's file manager (Ohje →
// Avaa lokikansio), or says why it cannot.
func (d *Desk) openLogDir() {
	dir := d.opt.LogDir
	if err := os.MkdirAll(dir, 0o700); err == nil {
		err = d.opt.OpenFile(dir)
		if err == nil {
			d.told("logdir:opened")
			return
		}
		slog.Warn("opening the log folder failed", "err", err)
	}
	dialog.ShowInformation(lang.L("Open the log folder"),
		lang.L("The log folder could not be opened. It is {{.Dir}}", map[string]any{"Dir": dir}), d.win)
	d.told("logdir:failed")
}

// settingsDialog is the open Asetukset dialog.
type settingsDialog struct {
	d         *Desk
	dlg       *dialog.CustomDialog
	language  *keySelect
	theme     *keySelect
	interval  *keySelect // nil without Options.SyncInterval
	printsDir *keyEntry
	ok        *keyButton
	restart   *widget.Label // the note that a new language needs a restart
}

// showSettings opens the Asetukset dialog with the saved settings. OK
// (Enter) saves and applies them; Peruuta (Escape) leaves them as they
// were.
func (d *Desk) showSettings() {
	if d.settings != nil { // Ctrl+, again: the open one
		d.win.Canvas().Focus(d.settings.language)
		return
	}
	p := d.app.Preferences()
	s := &settingsDialog{d: d}
	s.ok = newKeyButton(lang.L("OK"), nil, s.save)
	s.ok.Importance = widget.HighImportance
	cancel := newKeyButton(lang.L("Cancel"), nil, s.cancel)

	names := make([]string, len(uiLanguages))
	for i, l := range uiLanguages {
		names[i] = l.name
	}
	names[0] = lang.L("The system's language")
	s.language = newKeySelect(names, nil)
	s.language.SetSelectedIndex(max(0, slices.IndexFunc(uiLanguages, func(l struct{ code, name string }) bool {
		return l.code == SavedLanguage(d.app)
	})))
	s.restart = widget.NewLabel(lang.L("A new language is used when PSOP Desk is started again."))
	s.restart.Wrapping = fyne.TextWrapWord
	s.restart.Importance = widget.LowImportance

	themes := []string{themeSystem, themeLight, themeDark}
	s.theme = newKeySelect([]string{lang.L("The system's theme"), lang.L("Light"), lang.L("Dark")}, nil)
	s.theme.SetSelectedIndex(max(0, slices.Index(themes, p.String(prefTheme))))

	rows := []fyne.CanvasObject{
		widget.NewLabel(lang.L("Language")), container.NewVBox(s.language, s.restart),
		widget.NewLabel(lang.L("Theme")), s.theme,
	}

	server := lang.L("Demo mode: no server")
	if c := d.opt.Connection; c != nil && c.Server != "" {
		server = c.Server
	}
	var serverRow fyne.CanvasObject = widget.NewLabel(server)
	if d.opt.Connection != nil {
		connect := newKeyButton(lang.L("Connect to a server…"), nil, func() { d.showConnect(connectAsked) })
		serverRow = container.NewBorder(nil, nil, nil, connect, serverRow)
	}
	rows = append(rows, widget.NewLabel(lang.L("Organizer's server")), serverRow)

	if d.opt.SyncInterval != nil {
		mins := make([]string, len(syncMinutes))
		for i, m := range syncMinutes {
			mins[i] = lang.N("Every {{.N}} minutes", m, map[string]any{"N": m})
		}
		s.interval = newKeySelect(mins, nil)
		cur := int(syncInterval(p) / time.Minute)
		s.interval.SetSelectedIndex(max(0, slices.Index(syncMinutes, cur)))
		rows = append(rows, widget.NewLabel(lang.L("Background sync")), s.interval)
	}

	s.printsDir = newKeyEntry()
	s.printsDir.OnSubmitted = func(string) { s.save() }
	dir, _ := d.printsDir()
	s.printsDir.SetText(dir)
	choose := newKeyButton(lang.L("Choose…"), nil, s.chooseFolder)
	rows = append(rows, widget.NewLabel(lang.L("Folder of printed statements")),
		container.NewBorder(nil, nil, nil, choose, s.printsDir))

	body := container.New(layout.NewFormLayout(), rows...)
	s.dlg = dialog.NewCustomWithoutButtons(lang.L("Settings"), body, d.win)
	s.dlg.SetButtons([]fyne.CanvasObject{cancel, s.ok})
	d.settings = s
	s.dlg.Resize(fyne.NewSize(min(640, d.win.Canvas().Size().Width-40), 0))
	s.dlg.Show()
	keyedClosed(d.win, s.dlg, s.save, s.cancel, func() {
		if d.settings == s {
			d.settings = nil
		}
	})
	d.win.Canvas().Focus(s.language)
	d.told("settings:shown")
}

// chooseFolder picks the folder of printed statements with Fyne's folder
// dialog, starting from the one in the field.
func (s *settingsDialog) chooseFolder() {
	dlg := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		s.printsDir.SetText(u.Path())
	}, s.d.win)
	if dir := strings.TrimSpace(s.printsDir.Text); dir != "" {
		if _, err := os.Stat(dir); err == nil {
			if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
				dlg.SetLocation(l)
			}
		}
	}
	dlg.Resize(fyne.NewSize(min(900, s.d.win.Canvas().Size().Width-40), min(600, s.d.win.Canvas().Size().Height-40)))
	dlg.Show()
}

// save keeps the settings in the preferences and applies what can be
// applied at once (theme, sync interval, folder); the language at the next
// start.
func (s *settingsDialog) save() {
	p := s.d.app.Preferences()
	if i := s.language.SelectedIndex(); i >= 0 {
		p.SetString(prefLanguage, uiLanguages[i].code)
	}
	themes := []string{themeSystem, themeLight, themeDark}
	if i := s.theme.SelectedIndex(); i >= 0 && themes[i] != p.String(prefTheme) {
		p.SetString(prefTheme, themes[i])
		applyTheme(s.d.app, themes[i])
	}
	if s.interval != nil {
		if i := s.interval.SelectedIndex(); i >= 0 {
			p.SetInt(prefSyncMinutes, syncMinutes[i])
			s.d.opt.SyncInterval(time.Duration(syncMinutes[i]) * time.Minute)
		}
	}
	dir := filepath.Clean(strings.TrimSpace(s.printsDir.Text))
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if def, err := s.d.defaultPrintsDir(); strings.TrimSpace(s.printsDir.Text) == "" || (err == nil && dir == def) {
		p.SetString(prefPrintsDir, "")
	} else {
		p.SetString(prefPrintsDir, dir)
	}
	slog.Info("settings saved", "settings", settingsSummary(p))
	s.dlg.Hide()
	s.d.told("settings:saved")
}

func (s *settingsDialog) cancel() {
	s.dlg.Hide()
	s.d.told("settings:cancelled")
}

// settingsSummary describes the saved settings for the log at start.
func settingsSummary(p fyne.Preferences) string {
	return fmt.Sprintf("language=%q theme=%q syncMinutes=%d printsDirChosen=%t", p.String(prefLanguage),
		p.String(prefTheme), p.Int(prefSyncMinutes), p.String(prefPrintsDir) != "")
}
