// Package ui is PSOP Desk's window: the Asiakkaat page (customer search) and
// the customer view with its six tabs (DOMAIN.md §2, §3, §5). It shows what
// the cache holds and calls data/ for every rule; it owns no rule itself.
//
// Widgets change only on the Fyne goroutine: searches, cache reads and
// printing run on their own goroutines and hand their results over with
// fyne.Do. Every UI string goes through lang (assets/translations).
package ui

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/unicode/norm"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
	"psopdesk/sync/client"
	"psopdesk/ui/print"
)

// Source is what the window reads and where it stores the user's changes:
// the local cache (*cache.Cache implements it). Every method may be called
// from any goroutine.
type Source interface {
	// SearchHits finds customers by name prefix, henkilötunnus, voucher
	// number or the provider's customer number (DOMAIN.md §3); at most
	// limit (0: all), in Finnish order of last name, first names. A hit
	// found by a voucher names that voucher. A query that looks like a
	// henkilötunnus but is not a valid one gives the *hetu.Error saying
	// what is wrong, and no hits.
	SearchHits(q string, limit int) ([]cache.Hit, error)
	// CustomerView reads everything the customer tabs show of customer
	// id in one read (one sync state), the user's pending changes applied
	// and listed; reservations valid on today. An error wrapping
	// cache.ErrNotFound when the cache has no such customer.
	CustomerView(id string, today data.Date) (cache.CustomerView, error)
	// StatementSource: Statement makes the co-payment statement of the
	// customer's service for from..to (inclusive; serviceID "" over all
	// the customer's services, Kaikki palvelut), StatementCustomers the
	// customers a month's batch of statements is made for.
	print.StatementSource
	// Services gives every service the cache holds, in Finnish order of
	// their names.
	Services() ([]data.Service, error)
	// SetCustomerNumber stores in the outbox the change of the customer's
	// number (DOMAIN.md §6), made at now. Refused at once with a
	// *data.Error (nothing stored): an invalid number, a number another
	// customer holds, a customer not in the cache.
	SetCustomerNumber(customerID, number string, now time.Time) (cache.Entry, error)
	// RemoveCustomerNumber stores in the outbox the removal of the
	// customer's number, made at now.
	RemoveCustomerNumber(customerID string, now time.Time) (cache.Entry, error)

	// EventPreview prices and classifies the event the user is about to
	// record against reservation reservationID at now (DOMAIN.md §4): the
	// event and the review outcome, or the *data.Error the rules refuse it
	// with.
	EventPreview(customerID, reservationID string, in data.EventInput, now time.Time) (data.ServiceEvent, data.ReviewOutcome, error)
	// RecordEvent stores in the outbox a new event (Uusi tapahtuma, Kirjaa).
	// Refused at once with a *data.Error, nothing stored.
	RecordEvent(customerID, reservationID string, in data.EventInput, now time.Time) (cache.Entry, data.ReviewOutcome, error)
	// EditEvent stores the edit (Kirjaa) of event eventID seen at version.
	// Refused at once with a *data.Error, nothing stored.
	EditEvent(eventID string, version int64, in data.EventInput, now time.Time) (cache.Entry, error)
	// DeleteEvent stores the deletion (Poista) of event eventID seen at
	// version. Refused at once with a *data.Error, nothing stored.
	DeleteEvent(eventID string, version int64, now time.Time) (cache.Entry, error)
	// RequestCredit stores the credit request (Ilmoita virheestä) of a
	// locked event: a reason of data.CreditReasons and an explanation.
	// Refused at once with a *data.Error, nothing stored.
	RequestCredit(eventID, reason, explanation string, now time.Time) (cache.Entry, error)
	// MonthStatus gives, for the provider's events dated in month (any
	// day of it), the instant they lock and how many are still Kirjattu.
	MonthStatus(month data.Date) (locks time.Time, recorded int, err error)
}

var (
	_ Source          = (*cache.Cache)(nil)
	_ client.Reporter = (*Desk)(nil)
)

// Options tune a Desk. The zero Options work.
type Options struct {
	// DataDir is the folder under which printable statements are written,
	// in DataDir/tulosteet. Empty: the user's home folder.
	DataDir string
	// WriteStatementPDF writes st as a PDF with the labels of language
	// ("fi", "sv" or "en": the statement's language, chosen on the form)
	// and gives the file's path. It runs off the Fyne goroutine. Default:
	// print.StatementFile into DataDir/tulosteet, named by
	// StatementFileName, never over an earlier file (UniquePath).
	WriteStatementPDF func(st data.Statement, language string) (path string, err error)
	// OpenFile opens a written file for the user (the system's PDF viewer).
	// Default: fyne.CurrentApp().OpenURL with a file:// URL.
	OpenFile func(path string) error
	// PrintFile sends a written PDF to the default printer (Tulosta). It
	// runs off the Fyne goroutine. ErrNoPrintCommand when the system
	// offers no way to print from a program: the statement tab then opens
	// the file (OpenFile) for the user to print from the viewer. Default:
	// PrintFile (lp on Linux and macOS, the print verb on Windows).
	PrintFile func(path string) error
	// SaveAs asks the user where to save a file (Tallenna, Vie CSV),
	// offering name in folder dir, and calls done with the chosen path, or
	// "" when the user cancels. Called on the Fyne goroutine; done runs on
	// it too. Default: Fyne's save dialog over the window, which asks
	// before replacing an existing file.
	SaveAs func(dir, name string, done func(path string))
	// Now is the clock: the time of the user's changes and of the status
	// line. Default: time.Now.
	Now func() time.Time
	// Today is the current day. Default: Now's day in Europe/Helsinki.
	Today func() data.Date
	// Language is the UI language code ("fi", "en", "sv"); the UI itself
	// follows lang. A statement is printed in its own language, the
	// customer's (fi or sv, else fi) unless changed on its form. Default "fi".
	Language string
	// Resync asks for a sync (client.Engine.Request): the menu item
	// "Synkronoi nyt" (Ctrl+R, F5), the button "Yritä uudelleen" after a
	// failed sync, and every change the user saves (so that it is sent at
	// once) call it on the Fyne goroutine, so it must not block. The sync
	// it starts reports through SyncProgress, SyncDone and SyncFailed.
	// Nil: neither the menu item nor the button is offered, and changes
	// wait in the outbox.
	Resync func()
	// CancelSync cancels the sync under way (client.Engine.Cancel): the
	// Peruuta button of a first sync's progress. Called on the Fyne
	// goroutine; must not block. Nil: no Peruuta.
	CancelSync func()
	// Connection, when set, lets the user connect to an organizer's
	// server (the menu item and the dialog asked for by a missing or
	// refused API key). Nil: demo or a fixed key file, nothing asked.
	Connection *Connection
	// LogDir is the log's folder, opened by Ohje → Avaa lokikansio
	// (OpenFile). Empty: no such menu item.
	LogDir string
	// SyncInterval sets how often the sync runs by itself
	// (client.Engine.SetInterval): the saved setting at start and the one
	// chosen in Asetukset. It must not block. Nil: no such setting.
	SyncInterval func(time.Duration)
}

// searchLimit is the number of search results shown at most.
const searchLimit = 200

// Desk is the main window and its state. It is the sync engine's
// client.Reporter: SyncProgress, SyncDone and SyncFailed.
type Desk struct {
	app fyne.App
	src Source
	opt Options
	win fyne.Window

	search *searchPage

	// Customer tabs, by customer id.
	tabs      *container.DocTabs
	views     map[string]*customerView
	noneOpen  *fyne.Container
	rightPane *fyne.Container

	syncLabel *widget.Label
	syncBar   *widget.ProgressBarInfinite
	syncRetry *widget.Button // "Yritä uudelleen", shown after a failed sync
	syncBox   *fyne.Container
	syncErr   dialog.Dialog // the failed sync's dialog while it is open
	synced    bool          // a sync has ended (ok or not): the search page is ready
	// lastFailure is the sentence of the last failed sync's dialog ("" after
	// a sync that worked); asked tells that the user asked for the sync
	// since. An automatic retry that fails the same way shows no dialog
	// again: the status line says it.
	lastFailure string
	asked       bool

	// catchUp is a long sync's progress (the first sync) with Peruuta;
	// keyWarning warns of the API key's expiry; lastSynced is when the
	// last sync worked (Options.Now).
	catchUp    *catchUp
	keyWarning *widget.Label
	lastSynced time.Time
	connect    *connectDialog // open connect dialog, if any

	// Refusals of customers not open, shown in one dialog until closed.
	refusals   []refusalNote
	refusalDlg dialog.Dialog

	// batch is the month's batch dialog last opened (tests read it).
	batch *batchDialog

	// menu is the main menu; openMenu its list of open customers (Ctrl+1 …).
	menu     *fyne.MainMenu
	openMenu *fyne.Menu

	// The damaged cache's dialog while open, the source's rebuild, and
	// whether one is under way (damaged.go).
	damagedDlg dialog.Dialog
	rebuilder  Rebuilder
	rebuilding bool

	settings *settingsDialog // the Asetukset dialog while open
	about    *aboutDialog    // the Tietoja dialog while open

	// do runs fn on the Fyne goroutine: fyne.Do; tests run it on theirs.
	do func(fn func())

	// notify, when set (tests), is told after a background result has been
	// applied to the widgets: "search:"+query, "customer:"+id,
	// "statement:"+id, "pdf:"+id, "printed:"+id, "saved:"+id, "csv:"+id
	// (the statement tab's buttons), "batch:ready", "batch:progress",
	// "batch:done" (the month's batch), "number:"+id (a change stored or
	// refused at once), "refusals" (their dialog shown), "sync:progress",
	// "sync:done", "sync:failed".
	notify func(event string)
}

// NewDesk builds the window over src. Call Window().ShowAndRun (or Show).
func NewDesk(a fyne.App, src Source, opt Options) *Desk {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Today == nil {
		now := opt.Now
		opt.Today = func() data.Date { return data.DateOf(now().In(data.Helsinki)) }
	}
	if opt.Language == "" {
		opt.Language = "fi"
	}
	d := &Desk{app: a, src: src, opt: opt, views: map[string]*customerView{}, do: fyne.Do}
	if d.opt.WriteStatementPDF == nil {
		d.opt.WriteStatementPDF = d.writeStatementPDF
	}
	if d.opt.OpenFile == nil {
		d.opt.OpenFile = openFile
	}
	if d.opt.PrintFile == nil {
		d.opt.PrintFile = PrintFile
	}
	if d.opt.SaveAs == nil {
		d.opt.SaveAs = d.saveAs
	}
	d.win = a.NewWindow(lang.L("PSOP Desk"))
	d.search = newSearchPage(d)

	d.tabs = container.NewDocTabs()
	d.tabs.OnClosed = func(item *container.TabItem) {
		for id, v := range d.views {
			if v.tab == item {
				delete(d.views, id)
			}
		}
		d.updateRightPane()
		d.rememberOpenCustomers()
	}
	hint := widget.NewLabel(lang.L("Choose a customer from the search results."))
	hint.Alignment = fyne.TextAlignCenter
	d.noneOpen = container.NewCenter(hint)
	d.rightPane = container.NewStack(d.noneOpen, d.tabs)
	d.updateRightPane()

	d.syncLabel = widget.NewLabel("")
	d.syncBar = widget.NewProgressBarInfinite()
	d.syncBar.Stop()
	d.syncBar.Hide()
	d.syncRetry = widget.NewButtonWithIcon(lang.L("Try again"), theme.ViewRefreshIcon(), d.resync)
	d.syncRetry.Hide()
	d.syncBox = container.NewBorder(nil, widget.NewSeparator(), container.NewHBox(d.syncLabel, d.syncRetry), nil, d.syncBar)
	d.syncBox.Hide()
	d.catchUp = newCatchUp(d)
	d.keyWarning = newKeyWarning()

	// The results list takes 27 %: at 1024 px wide a name of 30 letters
	// shows whole and the six customer tabs still fit (TestLayoutAt1024x700);
	// the customer's tables need the rest.
	split := container.NewHSplit(d.search.content, d.rightPane)
	split.Offset = 0.27
	top := container.NewVBox(d.syncBox, d.catchUp.box, d.keyWarning, container.NewPadded(d.search.bar))
	d.win.SetContent(container.NewBorder(top, nil, nil, nil, split))
	d.win.Resize(d.savedWindowSize(fyne.NewSize(1260, 780)))
	// The theme shows the focused widget clearly (theme.go); the settings
	// may force its light or dark variant.
	a.Settings().SetTheme(FocusTheme(theme.DefaultTheme()))
	d.useSettings()
	// The search field has the keyboard when the window opens.
	d.win.Canvas().Focus(d.search.entry)

	// The menus and the keyboard (menu.go, keys.go).
	d.win.SetMainMenu(d.mainMenu())
	d.installKeys()
	d.watchDamage(src)
	return d
}

// resync asks Options.Resync for a new sync (menu Päivitä tiedot, Ctrl+R,
// the Yritä uudelleen button). The sync's own progress then shows.
func (d *Desk) resync() {
	if d.opt.Resync == nil {
		return
	}
	d.syncRetry.Hide()
	d.asked = true
	d.opt.Resync()
}

// focusSearch moves the keyboard to the search field, its text selected
// so that typing replaces it (Ctrl+F).
func (d *Desk) focusSearch() {
	d.win.Canvas().Focus(d.search.entry)
	d.search.entry.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// Window is the main window, titled "PSOP Desk".
func (d *Desk) Window() fyne.Window { return d.win }

func (d *Desk) updateRightPane() {
	d.fillOpenMenu()
	if len(d.tabs.Items) == 0 {
		d.tabs.Hide()
		d.noneOpen.Show()
	} else {
		d.noneOpen.Hide()
		d.tabs.Show()
	}
}

func (d *Desk) told(event string) {
	if d.notify != nil {
		d.notify(event)
	}
}

// SyncProgress shows that a sync is running and how far it is: "Haetaan
// tietoja palvelimelta… N muutosta". Safe from any goroutine.
func (d *Desk) SyncProgress(p client.Progress) {
	d.do(func() {
		if d.showCatchUp(p) {
			d.told("sync:progress")
			return
		}
		d.syncLabel.SetText(lang.N("Fetching data from the server… {{.N}} changes", p.Changes, map[string]any{"N": data.GroupDigits(p.Changes)}))
		d.syncRetry.Hide()
		d.syncBar.Show()
		d.syncBar.Start()
		d.syncBox.Show()
		d.told("sync:progress")
	})
}

// SyncDone ends a sync that worked (client.Reporter): the status line
// says the data is up to date, the open customers reload (applied changes
// lose their mark, refused ones show the server's data again) and each
// refused change is explained. Safe from any goroutine.
func (d *Desk) SyncDone(r client.Result) {
	d.do(func() {
		d.syncBar.Stop()
		d.syncBar.Hide()
		d.syncRetry.Hide()
		d.catchUp.end(true)
		line := d.syncedLine(r.Pending)
		if r.Pull.Restarted {
			line += " – " + lang.L("the server's data did not match the cache, so the cache was filled again from the start")
		}
		d.syncLabel.SetText(line)
		d.syncBox.Show()
		d.lastFailure, d.asked = "", false
		if d.syncErr != nil { // the failure it told of is over
			d.syncErr.Hide()
		}
		d.refused(r.Refused)
		d.afterSync()
		d.told("sync:done")
	})
}

// SyncFailed tells the user why the sync failed, in err's Sentence, in a
// dialog, and keeps the window working on what the cache holds (offline);
// the status line says how many changes wait to be sent. With
// Options.Resync, a "Yritä uudelleen" button follows the status line.
// Changes the server refused before the failure are explained as in
// SyncDone. Safe from any goroutine.
func (d *Desk) SyncFailed(err error, r client.Result) {
	d.do(func() {
		if d.syncDamaged(err, r) || d.syncFailedHere(err, r) {
			return
		}
		d.syncBar.Stop()
		d.syncBar.Hide()
		d.catchUp.end(false)
		d.syncLabel.SetText(withPending(lang.L("Fetching data failed: showing the data fetched earlier."), r.Pending))
		if d.opt.Resync != nil {
			d.syncRetry.Show()
		}
		d.syncBox.Show()
		// No connection or a server fault the engine retries by itself: the
		// status line says so, with no dialog in the way of the work
		// (changes wait in the outbox), unless the user asked for this
		// sync. Other failures get one dialog, the latest one's; an
		// automatic retry that fails the same way leaves it as it is.
		var se *client.Error
		transient := errors.As(err, &se) && se.Transient()
		if transient && !d.asked {
			d.syncLabel.SetText(withPending(Sentence(err), r.Pending))
		} else if msg := Sentence(err); msg != d.lastFailure || d.asked {
			if d.syncErr != nil {
				d.syncErr.Hide()
			}
			dlg := dialog.NewError(errors.New(msg), d.win)
			dlg.SetOnClosed(func() {
				if d.syncErr == dlg {
					d.syncErr = nil
				}
			})
			d.syncErr = dlg
			showKeyed(d.win, dlg)
			d.lastFailure = msg
		}
		d.asked = false
		d.refused(r.Refused)
		d.afterSync()
		d.told("sync:failed")
	})
}

// withPending adds to a status line how many changes wait to be sent.
func withPending(line string, pending int) string {
	if pending <= 0 {
		return line
	}
	return line + " " + lang.N("{{.N}} changes wait to be sent.", pending, map[string]any{"N": data.GroupDigits(pending)})
}

// refusalNote is a refused change of a customer not open: whose (the
// name, when the cache still has the customer) and why.
type refusalNote struct {
	customerID, name, sentence string
}

// refused explains the changes the server refused: in the customer's
// Asiakkaan tiedot tab under the number when the customer is open, else
// in a dialog. The sentences are made now, in the current language; the
// names of customers not open are read off the UI goroutine.
func (d *Desk) refused(rs []cache.Refusal) {
	var notes []refusalNote
	for _, r := range rs {
		id := r.Command.CustomerID
		if v, ok := d.views[id]; ok {
			// Shown where the change was made: a customer number under
			// its entry, an event's change above the events.
			where := tabInfo
			if isEventCommand(r.Command.Type) {
				where = tabEvents
				v.events.showError(RefusalSentence(r))
			} else {
				v.number.showError(RefusalSentence(r))
			}
			// In sight: the customer's tab and that tab are selected.
			// Otherwise the dialog tells it too.
			if d.tabs.Selected() == v.tab && v.tabs.SelectedIndex() == where {
				continue
			}
		}
		notes = append(notes, refusalNote{customerID: id, sentence: RefusalSentence(r)})
	}
	if len(notes) == 0 {
		return
	}
	src, today := d.src, d.opt.Today()
	go func() {
		for i, n := range notes {
			if cv, err := src.CustomerView(n.customerID, today); err == nil {
				notes[i].name = cv.Customer.FullName()
			}
		}
		d.do(func() {
			d.refusals = append(d.refusals, notes...)
			d.showRefusals()
			d.told("refusals")
		})
	}()
}

// showRefusals shows (again) the dialog of the refused changes of
// customers not open, the new ones added to those not yet dismissed.
func (d *Desk) showRefusals() {
	if old := d.refusalDlg; old != nil {
		d.refusalDlg = nil
		old.Hide()
	}
	box := container.NewVBox()
	for _, n := range d.refusals {
		name := n.name
		if name == "" {
			name = lang.L("A customer no longer in the local cache")
		}
		box.Add(widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		l := widget.NewLabel(n.sentence)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	dlg := dialog.NewCustom(lang.N("Changes not saved", len(d.refusals)), lang.L("OK"), box, d.win)
	dlg.SetOnClosed(func() {
		if d.refusalDlg == dlg {
			d.refusalDlg, d.refusals = nil, nil
		}
	})
	d.refusalDlg = dlg
	dlg.Resize(fyne.NewSize(min(560, d.win.Canvas().Size().Width-40), 0))
	showKeyed(d.win, dlg)
}

func (d *Desk) afterSync() {
	d.search.rerun()
	for _, v := range d.views {
		v.load()
	}
	if !d.synced {
		d.synced = true
		slog.Info("search page ready")
	}
}

// openCustomer opens c in its own tab (or selects the tab already open)
// and shows the customer tab at index tab (tabInfo, tabEvents …).
func (d *Desk) openCustomer(c data.Customer, tab int) {
	if v, ok := d.views[c.ID]; ok {
		d.tabs.Select(v.tab)
		v.tabs.SelectIndex(tab)
		return
	}
	v := newCustomerView(d, c, tab)
	d.views[c.ID] = v
	d.tabs.Append(v.tab)
	d.tabs.Select(v.tab)
	d.updateRightPane()
	d.rememberOpenCustomers()
	v.load()
}

// printsDir is where printable statements are written: the folder chosen
// in Asetukset, else defaultPrintsDir.
func (d *Desk) printsDir() (string, error) {
	if dir := d.app.Preferences().String(prefPrintsDir); dir != "" {
		return dir, nil
	}
	return d.defaultPrintsDir()
}

// defaultPrintsDir is DataDir/tulosteet (the home folder's when DataDir
// is empty).
func (d *Desk) defaultPrintsDir() (string, error) {
	base := d.opt.DataDir
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", errors.New(lang.L("Your home folder was not found: the printable version cannot be saved."))
		}
		base = home
	}
	return filepath.Join(base, "tulosteet"), nil
}

// writeStatementPDF is the default Options.WriteStatementPDF.
func (d *Desk) writeStatementPDF(st data.Statement, language string) (string, error) {
	dir, err := d.printsDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return writeStatementPDFIn(dir, st, language)
}

// writeStatementPDFIn writes st as a PDF in language into dir under
// StatementFileName, never over an earlier file (print.ReserveFile), and gives
// its path.
func writeStatementPDFIn(dir string, st data.Statement, language string) (string, error) {
	path, err := print.ReserveFile(filepath.Join(dir, StatementFileName(st)))
	if err != nil {
		return "", err
	}
	if err := print.StatementFile(path, st, print.Options{Language: language}); err != nil {
		os.Remove(path) // the empty reserved file
		return "", err
	}
	return path, nil
}

// StatementFileName is the file name of st's printable version:
// "omavastuuerittely_<who>_<service>_<period>.pdf", e.g.
// omavastuuerittely_A-1001_Kotihoito_2026-11.pdf. Who is the provider's
// customer number, or the customer's name when there is none (never an
// internal id, never the henkilötunnus); the service is its name, or
// "kaikki-palvelut" on a statement of all services; the period is
// yyyy-mm for one whole calendar month, else yyyy-mm-dd_yyyy-mm-dd.
// Characters other than letters, digits, '-' and '_' become '-'.
func StatementFileName(st data.Statement) string {
	return statementBaseName(st) + ".pdf"
}

// StatementCSVFileName is StatementFileName with the extension .csv.
func StatementCSVFileName(st data.Statement) string {
	return statementBaseName(st) + ".csv"
}

func statementBaseName(st data.Statement) string {
	svc := "kaikki-palvelut"
	if !st.AllServices() {
		svc = fileSafe(st.Service.Name, "palvelu")
	}
	return fmt.Sprintf("omavastuuerittely_%s_%s_%s", customerFilePart(st.Customer), svc, periodFilePart(st.From, st.To))
}

// customerFilePart names a customer in a file name: the customer number,
// else the name (last name first), file-safe.
func customerFilePart(c data.Customer) string {
	who := c.CustomerNumber
	if who == "" || hetu.Looks(who) { // a number stored before the rule refused such
		who = c.FullName()
	}
	return fileSafe(who, "asiakas")
}

// periodFilePart is "2026-11" for a whole calendar month, else
// "2026-11-01_2026-11-30".
func periodFilePart(from, to data.Date) string {
	if from.Day == 1 && to == data.NewDate(from.Year, from.Month+1, 0) {
		return fmt.Sprintf("%04d-%02d", from.Year, int(from.Month))
	}
	return from.String() + "_" + to.String()
}

// fileSafe keeps of s letters (any script, composed), digits, '-' and
// '_'; any run of other characters becomes one '-'. Empty: empty.
func fileSafe(s, empty string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFC.String(strings.TrimSpace(s)) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r) && r < 0x80, r == '-', r == '_':
			b.WriteRune(r)
			dash = false
		case unicode.IsMark(r):
			b.WriteRune(r)
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return empty
	}
	return out
}

// UniquePath gives path when no file is there, else the first free of
// "name (2).ext", "name (3).ext" …: a new file never replaces an earlier
// one silently.
func UniquePath(path string) string {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return path
	}
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for n := 2; ; n++ {
		p := fmt.Sprintf("%s (%d)%s", stem, n, ext)
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p
		}
	}
}

// ErrNoPrintCommand: the system offers no way to send a file to the
// printer from a program (PrintFile).
var ErrNoPrintCommand = errors.New("no print command on this system")

// PrintFile sends the PDF at path to the default printer: `lp FILE` on
// Linux, macOS and the BSDs, the shell's print verb on Windows
// (PowerShell Start-Process -Verb Print). ErrNoPrintCommand when there
// is no such command; otherwise the command's error with its output.
func PrintFile(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		ps, err := exec.LookPath("powershell")
		if err != nil {
			return ErrNoPrintCommand
		}
		quoted := "'" + strings.ReplaceAll(abs, "'", "''") + "'"
		cmd = exec.Command(ps, "-NoProfile", "-NonInteractive", "-Command", "Start-Process -FilePath "+quoted+" -Verb Print")
	case "android", "ios", "js", "wasip1", "plan9":
		return ErrNoPrintCommand
	default:
		lp, err := exec.LookPath("lp")
		if err != nil {
			return ErrNoPrintCommand
		}
		cmd = exec.Command(lp, abs) // absolute: never read as an option
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// saveAs is the default Options.SaveAs: Fyne's save dialog, in dir,
// offering name.
func (d *Desk) saveAs(dir, name string, done func(path string)) {
	dlg := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			done("")
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		done(path)
	}, d.win)
	dlg.SetFileName(name)
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err == nil {
			if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
				dlg.SetLocation(l)
			}
		}
	}
	dlg.Resize(fyne.NewSize(min(900, d.win.Canvas().Size().Width-40), min(600, d.win.Canvas().Size().Height-40)))
	dlg.Show()
}

// openFile is the default Options.OpenFile.
func openFile(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	app := fyne.CurrentApp()
	if app == nil {
		return errors.New(lang.L("No program was found to open the file."))
	}
	return app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)})
}
