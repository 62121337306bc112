package ui

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/ui/print"
)

// statementTab is the Omavastuuerittely tab (DOMAIN.md §5): choose the
// service (or Kaikki palvelut), the period (a month or a free range) and
// the statement's language, make the statement, then open, print, save
// or export it.
//
// What is opened, printed, saved or exported is always the statement of
// what the form says now: a change of the service or the period clears
// the statement shown (and disables those buttons) until it is made
// again. The language is read from the form when a button is pressed:
// the statement on screen is the same in every language.
type statementTab struct {
	v *customerView

	services []data.Service // the customer's services (of their grants), by name
	allIndex int            // index of Kaikki palvelut in sel's options; -1 when not offered
	sel      *widget.Select
	months   []data.Date // first days of the months offered, newest first
	month    *widget.Select
	from, to *dateEntry
	langs    []string // statement language codes, in langSel's order
	langSel  *widget.Select
	makeBtn  *keyButton // Enter taps it too (Alt+6, Enter)
	errLabel *widget.Label

	result *fyne.Container
	// The buttons that use the statement shown: enabled only while one is
	// shown and none of them is at work.
	printBtn, printerBtn, saveBtn, csvBtn *widget.Button
	// printMsg is the short note under the buttons: writing, opened,
	// saved. Failures get a dialog (printDialog) instead.
	printMsg    *widget.Label
	printDialog dialog.Dialog // the last failure dialog, for tests

	content *fyne.Container

	st     *data.Statement // the statement shown, nil before the first
	makes  int             // UI goroutine only: drops stale results
	busy   bool            // a file is being written
	making bool            // a statement is being made
	// printWhenMade: Ctrl+P came while the statement was being made; its
	// printable version follows when it is shown.
	printWhenMade bool
	setting       bool // the form is being set by the program, not the user
	loaded        bool // the defaults of the customer's data are set
}

// statementLanguages are the languages a statement prints in.
var statementLanguages = []string{"fi", "sv", "en"}

func newStatementTab(v *customerView) *statementTab {
	s := &statementTab{v: v, allIndex: -1, langs: statementLanguages}
	s.sel = widget.NewSelect(nil, func(string) { s.formChanged() })
	s.sel.PlaceHolder = lang.L("Choose a service")
	today := v.d.opt.Today()
	s.months = recentMonths(today, 24)
	names := make([]string, len(s.months))
	for i, m := range s.months {
		names[i] = monthName(m)
	}
	s.month = widget.NewSelect(names, func(string) { s.monthChosen() })
	s.month.PlaceHolder = lang.L("Own range")
	s.from = newDateEntry(v.d.opt.Today)
	s.to = newDateEntry(v.d.opt.Today)
	s.from.OnChanged = func(string) { s.datesChanged() }
	s.to.OnChanged = func(string) { s.datesChanged() }
	s.from.OnSubmitted = func(string) { s.make() }
	s.to.OnSubmitted = func(string) { s.make() }
	langNames := make([]string, len(s.langs))
	for i, c := range s.langs {
		langNames[i] = languageName(c)
	}
	s.langSel = widget.NewSelect(langNames, nil)
	// The previous calendar month, the monthly routine's; the customer's
	// language and service follow with their data (setServices).
	s.setting = true
	s.setLanguage("fi")
	s.month.SetSelectedIndex(1)
	s.from.SetText(s.months[1].Format())
	s.to.SetText(monthEnd(s.months[1]).Format())
	s.usePeriod() // the period last used, if any
	s.setting = false

	s.makeBtn = newKeyButton(lang.L("Make co-payment statement"), theme.DocumentIcon(), s.make)
	s.makeBtn.Importance = widget.HighImportance

	s.errLabel = widget.NewLabel("")
	s.errLabel.Importance = widget.DangerImportance
	s.errLabel.Wrapping = fyne.TextWrapWord
	s.errLabel.Hide()

	s.printBtn = widget.NewButtonWithIcon(lang.L("Open printable version"), theme.DocumentIcon(), s.print)
	s.printerBtn = widget.NewButtonWithIcon(lang.L("Print"), theme.DocumentPrintIcon(), s.sendToPrinter)
	s.saveBtn = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), s.save)
	s.csvBtn = widget.NewButtonWithIcon(lang.L("Export CSV"), theme.DownloadIcon(), s.exportCSV)
	s.printMsg = widget.NewLabel("")
	s.printMsg.Wrapping = fyne.TextWrapWord
	s.printMsg.Hide()
	s.result = container.NewVBox()
	s.updateButtons()

	h := widget.NewEntry().MinSize().Height
	field := func(label string, w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVBox(
			widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewGridWrap(fyne.NewSize(w, h), o))
	}
	form := container.New(&flowLayout{},
		field(lang.L("Service"), 200, s.sel),
		field(lang.L("Month"), 165, s.month),
		field(lang.L("Start date"), dateFieldWidth, s.from),
		field(lang.L("End date"), dateFieldWidth, s.to),
		field(lang.L("Statement language"), 110, s.langSel),
	)
	// The buttons at the top, under the form, so the printable version is
	// reachable without scrolling past the statement; its note right below.
	// In a narrow window the row goes on on a second line (flowLayout).
	buttons := container.New(&flowLayout{}, s.makeBtn, s.printBtn, s.printerBtn, s.saveBtn, s.csvBtn)
	s.content = container.NewVBox(form, buttons, s.printMsg, s.errLabel, widget.NewSeparator(), s.result)
	return s
}

// recentMonths gives the first days of the n months up to today's,
// newest first.
func recentMonths(today data.Date, n int) []data.Date {
	out := make([]data.Date, n)
	for i := range out {
		out[i] = data.NewDate(today.Year, today.Month-time.Month(i), 1)
	}
	return out
}

func monthEnd(first data.Date) data.Date { return data.NewDate(first.Year, first.Month+1, 0) }

// monthName is a month as a choice: "marraskuu 2026".
func monthName(first data.Date) string {
	names := [...]string{lang.L("month.1"), lang.L("month.2"), lang.L("month.3"), lang.L("month.4"),
		lang.L("month.5"), lang.L("month.6"), lang.L("month.7"), lang.L("month.8"),
		lang.L("month.9"), lang.L("month.10"), lang.L("month.11"), lang.L("month.12")}
	return fmt.Sprintf("%s %d", names[first.Month-1], first.Year)
}

// setLanguage chooses the statement language code (fi, sv, en; any other
// gives fi).
func (s *statementTab) setLanguage(code string) {
	i := slices.Index(s.langs, code)
	if i < 0 {
		i = 0
	}
	s.langSel.SetSelectedIndex(i)
}

// language is the statement language chosen on the form.
func (s *statementTab) language() string {
	if i := s.langSel.SelectedIndex(); i >= 0 && i < len(s.langs) {
		return s.langs[i]
	}
	return "fi"
}

// monthChosen fills the range with the month chosen.
func (s *statementTab) monthChosen() {
	if s.setting {
		return
	}
	i := s.month.SelectedIndex()
	if i < 0 || i >= len(s.months) {
		return
	}
	s.setting = true
	s.from.SetText(s.months[i].Format())
	s.to.SetText(monthEnd(s.months[i]).Format())
	s.setting = false
	s.formChanged()
}

// datesChanged follows a typed range: the month choice shows the month
// the range is, or none; the statement shown is no longer the form's.
func (s *statementTab) datesChanged() {
	if s.setting {
		return
	}
	idx := -1
	from, err1 := data.ParseFinnishDateIn(s.from.Text, s.v.d.opt.Today())
	to, err2 := data.ParseFinnishDateIn(s.to.Text, s.v.d.opt.Today())
	if err1 == nil && err2 == nil {
		for i, m := range s.months {
			if from == m && to == monthEnd(m) {
				idx = i
			}
		}
	}
	if idx != s.month.SelectedIndex() {
		s.setting = true
		if idx < 0 {
			s.month.ClearSelected()
		} else {
			s.month.SetSelectedIndex(idx)
		}
		s.setting = false
	}
	s.formChanged()
}

// formChanged: the service or the period changed. The statement shown is
// not the form's any more: it goes, and a make under way is dropped.
func (s *statementTab) formChanged() {
	if s.setting {
		return
	}
	s.makes++
	s.making, s.printWhenMade = false, false
	s.makeBtn.Enable()
	s.clear()
}

// setServices offers the services of the customer's grants and, with two
// or more, Kaikki palvelut. The first time it chooses the service of the
// grant valid today that began last, and the customer's language (fi or
// sv, else fi); later it keeps the user's choices while still offered.
func (s *statementTab) setServices(cd customerData) {
	granted := map[string]bool{}
	for _, g := range cd.Grants {
		granted[g.ServiceID] = true
	}
	s.services = s.services[:0]
	for _, svc := range cd.Services { // already in Finnish order
		if granted[svc.ID] {
			s.services = append(s.services, svc)
		}
	}
	names := make([]string, len(s.services), len(s.services)+1)
	for i, svc := range s.services {
		names[i] = svc.Name
	}
	s.allIndex = -1
	if len(s.services) > 1 {
		s.allIndex = len(names)
		names = append(names, lang.L("All services"))
	}
	chosen := s.sel.Selected
	if !s.loaded {
		chosen = ""
		if id := defaultService(cd.Grants, s.v.d.opt.Today()); id != "" {
			for _, svc := range s.services {
				if svc.ID == id {
					chosen = svc.Name
				}
			}
		}
		s.setting = true
		s.setLanguage(print.CustomerLanguage(cd.Customer))
		s.setting = false
		s.loaded = true
	}
	if !slices.Contains(names, chosen) {
		chosen = ""
		if len(names) > 0 {
			chosen = names[0]
		}
	}
	changed := chosen != s.sel.Selected
	s.setting = true
	s.sel.Options = names
	if chosen == "" {
		s.sel.ClearSelected()
	} else {
		s.sel.SetSelected(chosen)
	}
	s.setting = false
	s.sel.Refresh()
	if changed {
		s.formChanged()
	}
}

// defaultService is the service of the customer's grant valid on today
// that began last (ties: the one valid longest), "" when none is valid.
func defaultService(grants []data.Grant, today data.Date) string {
	var best *data.Grant
	for i, g := range grants {
		if !g.ValidFrom.IsZero() && g.ValidFrom.After(today) || !g.ValidTo.IsZero() && g.ValidTo.Before(today) {
			continue
		}
		if best == nil || g.ValidFrom.After(best.ValidFrom) ||
			g.ValidFrom == best.ValidFrom && (g.ValidTo.IsZero() || !best.ValidTo.IsZero() && g.ValidTo.After(best.ValidTo)) {
			best = &grants[i]
		}
	}
	if best == nil {
		return ""
	}
	return best.ServiceID
}

func (s *statementTab) fail(msg string) {
	s.errLabel.SetText(msg)
	s.errLabel.Show()
	s.clear()
}

// relayout lays the tab out again after a note or an error was shown or
// hidden, so nothing keeps the place of a hidden one or overlaps.
func (s *statementTab) relayout() {
	if s.content != nil {
		s.content.Refresh()
	}
}

// clear removes the statement shown (and with it the buttons' use).
func (s *statementTab) clear() {
	s.st = nil
	s.printMsg.Hide()
	s.result.Objects = nil
	s.result.Refresh()
	s.updateButtons()
	s.relayout()
}

// updateButtons enables the buttons that use the statement while one is
// shown and no file is being written.
func (s *statementTab) updateButtons() {
	for _, b := range []*widget.Button{s.printBtn, s.printerBtn, s.saveBtn, s.csvBtn} {
		if s.st != nil && !s.busy {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// make checks the form and makes the statement off the UI goroutine.
// Errors show next to the form; the form keeps its text.
func (s *statementTab) make() {
	idx := s.sel.SelectedIndex()
	var serviceID string
	switch {
	case idx >= 0 && idx == s.allIndex:
		serviceID = ""
	case idx >= 0 && idx < len(s.services):
		serviceID = s.services[idx].ID
	default:
		s.fail(lang.L("Choose the service of the statement."))
		return
	}
	from, err := data.ParseFinnishDateIn(s.from.Text, s.v.d.opt.Today())
	if err != nil {
		s.fail(dateError(err, lang.L("Start date"), s.from.Text, lang.L("The start date {{.D}} is not a date. Write it as d.m.yyyy, for example 1.11.2026.",
			map[string]any{"D": quote(s.from.Text)})))
		return
	}
	to, err := data.ParseFinnishDateIn(s.to.Text, s.v.d.opt.Today())
	if err != nil {
		s.fail(dateError(err, lang.L("End date"), s.to.Text, lang.L("The end date {{.D}} is not a date. Write it as d.m.yyyy, for example 30.11.2026.",
			map[string]any{"D": quote(s.to.Text)})))
		return
	}
	s.errLabel.Hide()
	s.clear()
	s.rememberPeriod(from, to)
	s.makes++
	n, id, made := s.makes, s.v.cust.ID, s.v.d.opt.Today()
	src := s.v.d.src
	s.makeBtn.Disable()
	s.making = true
	go func() {
		st, err := src.Statement(id, serviceID, from, to, made)
		s.v.d.do(func() {
			if n != s.makes {
				return
			}
			s.makeBtn.Enable()
			s.making = false
			printNow := s.printWhenMade
			s.printWhenMade = false
			switch {
			case errors.Is(err, data.ErrEndBeforeStart):
				s.fail(lang.L("The end date {{.To}} is before the start date {{.From}}.",
					map[string]any{"To": to.Format(), "From": from.Format()}))
			case err != nil:
				slog.Error("statement failed", "customer", id, "err", err)
				s.fail(lang.L("The statement could not be made: {{.Err}}", map[string]any{"Err": Sentence(err)}))
			default:
				s.show(st)
				if printNow {
					s.print()
				}
			}
			s.v.d.told("statement:" + id)
		})
	}()
}

func quote(s string) string { return "”" + strings.TrimSpace(s) + "”" }

// dateError is the sentence for a date the user typed that
// data.ParseFinnishDate refused: a day the calendar lacks (31.2.2026)
// says so after the field's name; any other error gets formatHint, which
// names the field and tells the form d.m.yyyy.
func dateError(err error, field, text, formatHint string) string {
	if errors.Is(err, data.ErrNoSuchDay) {
		return field + ": " + lang.L("There is no day {{.D}} in the calendar.", map[string]any{"D": strings.TrimSuffix(strings.TrimSpace(text), ".")})
	}
	return formatHint
}

// fieldSentence is err's Sentence after the name of the field it is
// about: "Alkupäivä: Päivää ei ole kalenterissa …".
func fieldSentence(field string, err error) string { return field + ": " + Sentence(err) }

// show lays out a made statement: header, rows, totals.
func (s *statementTab) show(st data.Statement) {
	s.st = &st
	var objs []fyne.CanvasObject
	title := widget.NewLabelWithStyle(lang.L("Co-payment statement"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	// The totals right under the title too: in sight without scrolling,
	// however many rows the month has.
	objs = append(objs, title, totalsLine(st))

	// Header in two columns: who (provider, customer) and what (service,
	// period), then the vouchers across.
	who := []string{lang.L("Service provider"), orDash(st.Provider.Name)}
	if st.Provider.BusinessID != "" {
		who = append(who, lang.L("Business ID"), st.Provider.BusinessID)
	}
	if st.Provider.Address != "" {
		who = append(who, lang.L("Address"), st.Provider.Address)
	}
	if st.Provider.Contact != "" {
		who = append(who, lang.L("Contact"), st.Provider.Contact)
	}
	who = append(who,
		lang.L("Customer"), st.Customer.FullName(),
		lang.L("Address"), orDash(st.Customer.Address),
		lang.L("Customer number"), orDash(st.Customer.CustomerNumber),
	)
	var what []string
	if st.AllServices() {
		names := make([]string, 0, len(st.Services))
		for _, svc := range st.Services {
			names = append(names, svc.Name)
		}
		what = append(what, lang.L("Service"), lang.L("All services")+": "+orDash(strings.Join(names, ", ")))
	} else {
		what = append(what,
			lang.L("Service"), st.Service.Name,
			lang.L("Service content"), orDash(st.Service.Content))
	}
	what = append(what,
		lang.L("Period"), dateRange(st.From, st.To),
		lang.L("Made on"), st.Made.Format(),
	)
	objs = append(objs, container.NewGridWithColumns(2, wrapGrid(who...), container.NewVBox(wrapGrid(what...))))
	var vouchers []string
	for _, g := range st.Grants {
		svc, _ := st.ServiceByID(g.ServiceID)
		line := grantLine(g, svc.Unit)
		if st.AllServices() && svc.Name != "" {
			line = svc.Name + ": " + line
		}
		vouchers = append(vouchers, lang.L("Voucher"), line)
	}
	if len(vouchers) > 0 {
		objs = append(objs, wrapGrid(vouchers...))
	}

	if len(st.Rows) == 0 {
		objs = append(objs, emptyNote(lang.L("No events in the period.")))
	} else {
		objs = append(objs, statementTable(st))
	}
	note := widget.NewLabelWithStyle(lang.L("Services paid with a service voucher, the co-payment included, give no household tax deduction."),
		fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	note.Wrapping = fyne.TextWrapWord
	s.printMsg.Hide()
	objs = append(objs, note)
	s.result.Objects = objs
	s.result.Refresh()
	s.updateButtons()
	s.relayout()
}

// grantLine describes a statement's voucher: number, validity, value per
// unit and granted quantity, or the balance.
func grantLine(g data.Grant, u data.Unit) string {
	parts := []string{g.VoucherNumber, lang.L("valid {{.R}}", map[string]any{"R": dateRange(g.ValidFrom, g.ValidTo)})}
	switch g.Kind {
	case data.KindBalancePurchasingPower:
		parts = append(parts, lang.L("balance {{.A}}", map[string]any{"A": g.Amount.String()}))
	default:
		parts = append(parts,
			lang.L("voucher value {{.V}}", map[string]any{"V": perUnitText(g.VoucherUnitValue, u)}),
			lang.L("granted {{.Q}}", map[string]any{"Q": grantedText(g, u)}))
	}
	return strings.Join(parts, ", ")
}

func statementTable(st data.Statement) fyne.CanvasObject {
	withVoucher := len(st.Grants) > 1
	cols := []column{{title: lang.L("Date")}}
	if withVoucher {
		cols = append(cols, column{title: lang.L("Voucher")})
	}
	cols = append(cols,
		column{title: lang.L("Service content"), flex: true},
		column{title: lang.L("Quantity"), right: true},
		column{title: lang.L("Unit price"), right: true},
		column{title: lang.L("Price"), right: true},
		column{title: lang.L("Voucher share"), right: true},
		column{title: lang.L("Co-payment"), right: true},
		column{title: lang.L("Note")},
	)
	rows := make([][]cell, 0, len(st.Rows)+1)
	for _, r := range st.Rows {
		row := []cell{{text: r.Date.Format()}}
		if withVoucher {
			row = append(row, cell{text: r.VoucherNumber})
		}
		var marks []string
		if r.InReview {
			marks = append(marks, statusLabel(data.StatusInReview))
		}
		if r.BalanceUsedUp {
			marks = append(marks, lang.L("balance used up"))
		}
		mark := strings.Join(marks, ", ")
		row = append(row,
			cell{text: r.Content},
			cell{text: quantityText(r.Quantity, r.Unit)},
			cell{text: perUnitText(r.UnitPrice, r.Unit)},
			cell{text: r.Price.String()},
			cell{text: r.VoucherShare.String()},
			cell{text: r.CoPayment.String()},
			cell{text: mark, warn: r.InReview},
		)
		rows = append(rows, row)
	}
	total := []cell{{text: lang.L("Total"), bold: true}}
	if withVoucher {
		total = append(total, cell{})
	}
	total = append(total, cell{}, cell{}, cell{},
		cell{text: st.Totals.Price.String(), bold: true},
		cell{text: st.Totals.VoucherShare.String(), bold: true},
		cell{text: st.Totals.CoPayment.String(), bold: true},
		cell{})
	rows = append(rows, total)
	content := 1
	if withVoucher {
		content = 2
	}
	return newGridTable(cols, rows, content)
}

// output is what a button hands to its work off the UI goroutine: the
// statement shown and the language chosen, at the press.
func (s *statementTab) output() (data.Statement, string, bool) {
	if s.st == nil || s.busy {
		return data.Statement{}, "", false
	}
	return *s.st, s.language(), true
}

// working marks a file being written: the buttons wait, the note says so.
func (s *statementTab) working(note string) {
	s.busy = true
	s.updateButtons()
	s.printMsg.SetText(note)
	s.printMsg.Importance = widget.MediumImportance
	s.printMsg.Show()
	s.relayout()
}

// done ends working and tells the test hooks (event).
func (s *statementTab) done(event string) {
	s.busy = false
	s.updateButtons()
	s.printMsg.Refresh()
	s.relayout()
	s.v.d.told(event + ":" + s.v.cust.ID)
}

// writeFailed tells in a dialog that a file could not be written.
func (s *statementTab) writeFailed(err error) {
	slog.Error("writing the statement failed", "err", err)
	s.printMsg.Hide()
	s.printDialog = dialog.NewError(errors.New(lang.L("The printable version could not be saved. Check that the disk has free space and that you may save files in the printouts folder, then try again.")), s.v.d.win)
	showKeyed(s.v.d.win, s.printDialog)
}

// print writes the printable version off the UI goroutine and opens it
// (Avaa tulostettava versio). Opened: a short note under the buttons
// names the file. Saved but not opened (no PDF viewer): a dialog gives the
// full path and asks the user to open it. Not saved: a dialog says so.
// The raw errors go to the log.
func (s *statementTab) print() {
	st, language, ok := s.output()
	if !ok {
		return
	}
	write, open := s.v.d.opt.WriteStatementPDF, s.v.d.opt.OpenFile
	s.working(lang.L("Writing the printable version…"))
	go func() {
		path, err := write(st, language)
		var openErr error
		if err == nil {
			slog.Info("statement written", "file", filepath.Base(path))
			openErr = open(path)
		}
		s.v.d.do(func() {
			s.opened(path, err, openErr, lang.L("Printable version opened: {{.File}}", map[string]any{"File": filepath.Base(path)}))
			s.done("pdf")
		})
	}()
}

// opened shows the outcome of writing path (err) and opening it (openErr).
func (s *statementTab) opened(path string, err, openErr error, note string) {
	switch {
	case err != nil:
		s.writeFailed(err)
	case openErr != nil:
		slog.Error("opening the printable statement failed", "file", filepath.Base(path), "err", openErr)
		s.printMsg.SetText(lang.L("Saved as {{.Path}}", map[string]any{"Path": path}))
		s.printDialog = savedNotOpenedDialog(path, s.v.d.win)
		showKeyed(s.v.d.win, s.printDialog)
	default:
		s.printMsg.SetText(note)
	}
}

// sendToPrinter writes the printable version and sends it to the default
// printer (Tulosta). Where the system offers no way to print from a
// program, it opens the file instead, for the user to print it from the
// viewer, and says so.
func (s *statementTab) sendToPrinter() {
	st, language, ok := s.output()
	if !ok {
		return
	}
	write, printFile, open := s.v.d.opt.WriteStatementPDF, s.v.d.opt.PrintFile, s.v.d.opt.OpenFile
	s.working(lang.L("Sending the statement to the printer…"))
	go func() {
		path, err := write(st, language)
		var printErr, openErr error
		opened := false
		if err == nil {
			printErr = printFile(path)
			if errors.Is(printErr, ErrNoPrintCommand) {
				opened, openErr = true, open(path)
			}
		}
		s.v.d.do(func() {
			switch {
			case err != nil || opened:
				s.opened(path, err, openErr, lang.L("This computer cannot print straight from PSOP Desk: the printable version was opened, print it from the viewer."))
			case printErr != nil:
				slog.Error("printing the statement failed", "file", filepath.Base(path), "err", printErr)
				s.printMsg.SetText(lang.L("Saved as {{.Path}}", map[string]any{"Path": path}))
				s.printDialog = dialog.NewError(errors.New(lang.L("The statement could not be sent to the printer. Check that a printer is set as the default, or open the printable version and print it from the viewer. It was saved as {{.Path}}.",
					map[string]any{"Path": path})), s.v.d.win)
				showKeyed(s.v.d.win, s.printDialog)
			default:
				s.printMsg.SetText(lang.L("Sent to the printer: {{.File}}", map[string]any{"File": filepath.Base(path)}))
			}
			s.done("printed")
		})
	}()
}

// save asks where to save the printable version (Tallenna) and writes it
// there.
func (s *statementTab) save() {
	s.saveAs(StatementFileName, "saved", func(path string, st data.Statement, language string) error {
		return print.StatementFile(path, st, print.Options{Language: language})
	})
}

// exportCSV asks where to save the statement's rows as CSV (Vie CSV) and
// writes them there: UTF-8 with BOM, ';', decimal comma (ui/print).
func (s *statementTab) exportCSV() {
	s.saveAs(StatementCSVFileName, "csv", func(path string, st data.Statement, language string) error {
		return print.StatementCSVFile(path, st, print.Options{Language: language})
	})
}

// saveAs asks (Options.SaveAs) where to save the statement shown, offering
// name(st) in the printouts folder, and writes it there off the UI
// goroutine with write. The event told at the end is event+":"+customer.
func (s *statementTab) saveAs(name func(data.Statement) string, event string, write func(path string, st data.Statement, language string) error) {
	st, language, ok := s.output()
	if !ok {
		return
	}
	dir, err := s.v.d.printsDir()
	if err != nil {
		dir = ""
	}
	suggested := name(st)
	if dir != "" {
		suggested = filepath.Base(UniquePath(filepath.Join(dir, suggested)))
	}
	s.busy = true
	s.updateButtons()
	s.v.d.opt.SaveAs(dir, suggested, func(path string) {
		if path == "" { // cancelled
			s.done(event)
			return
		}
		s.working(lang.L("Saving…"))
		go func() {
			err := write(path, st, language)
			s.v.d.do(func() {
				if err != nil {
					s.writeFailed(err)
				} else {
					slog.Info("statement saved", "file", filepath.Base(path))
					s.printMsg.SetText(lang.L("Saved as {{.Path}}", map[string]any{"Path": path}))
				}
				s.done(event)
			})
		}()
	})
}

// savedNotOpenedDialog tells that the PDF was saved at path (selectable,
// to copy) but no PDF viewer could be opened, so the user opens it.
func savedNotOpenedDialog(path string, win fyne.Window) dialog.Dialog {
	saved := widget.NewLabel(lang.L("The printable version was saved to the file"))
	file := widget.NewLabelWithStyle(path, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	file.Selectable = true
	file.Wrapping = fyne.TextWrapBreak
	hint := widget.NewLabel(lang.L("No PDF viewer could be opened. Open the file yourself, for example from your file manager, to view or print it."))
	hint.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(saved, file, hint)
	d := dialog.NewCustom(lang.L("Printable version saved"), lang.L("OK"), content, win)
	d.Resize(fyne.NewSize(min(640, win.Canvas().Size().Width-40), 0))
	return d
}

// totalsLine is the statement's totals in one line, for the top of the
// statement: "Yhteensä — Hinta 308,13 € · Setelin osuus 261,00 € ·
// Omavastuu 47,13 €".
func totalsLine(st data.Statement) fyne.CanvasObject {
	text := lang.L("Total") + " — " + strings.Join([]string{
		lang.L("Price") + " " + st.Totals.Price.String(),
		lang.L("Voucher share") + " " + st.Totals.VoucherShare.String(),
		lang.L("Co-payment") + " " + st.Totals.CoPayment.String(),
	}, " · ")
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}
