package ui

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
)

// statementTab is the Omavastuuerittely tab (DOMAIN.md §5): choose the
// service and the period, make the statement, open its printable version.
type statementTab struct {
	v *customerView

	services []data.Service // the customer's services (of their grants), by name
	sel      *widget.Select
	from, to *widget.Entry
	makeBtn  *widget.Button
	errLabel *widget.Label

	result   *fyne.Container
	printBtn *widget.Button // enabled only while a statement is shown
	// printMsg is the short note under the buttons: writing, opened,
	// saved. Failures get a dialog (printDialog) instead.
	printMsg    *widget.Label
	printDialog dialog.Dialog // the last failure dialog, for tests

	content fyne.CanvasObject

	st    *data.Statement // the statement shown, nil before the first
	makes int             // UI goroutine only: drops stale results
}

func newStatementTab(v *customerView) *statementTab {
	s := &statementTab{v: v}
	s.sel = widget.NewSelect(nil, nil)
	s.sel.PlaceHolder = lang.L("Choose a service")
	today := v.d.opt.Today()
	s.from = widget.NewEntry()
	s.from.SetText(data.NewDate(today.Year, today.Month, 1).Format())
	s.from.SetPlaceHolder(lang.L("d.m.yyyy"))
	s.to = widget.NewEntry()
	s.to.SetText(data.NewDate(today.Year, today.Month+1, 0).Format())
	s.to.SetPlaceHolder(lang.L("d.m.yyyy"))
	s.from.OnSubmitted = func(string) { s.make() }
	s.to.OnSubmitted = func(string) { s.make() }
	s.makeBtn = widget.NewButtonWithIcon(lang.L("Make co-payment statement"), theme.DocumentIcon(), s.make)
	s.makeBtn.Importance = widget.HighImportance

	s.errLabel = widget.NewLabel("")
	s.errLabel.Importance = widget.DangerImportance
	s.errLabel.Wrapping = fyne.TextWrapWord
	s.errLabel.Hide()

	s.printBtn = widget.NewButtonWithIcon(lang.L("Open printable version"), theme.DocumentPrintIcon(), s.print)
	s.printBtn.Disable()
	s.printMsg = widget.NewLabel("")
	s.printMsg.Wrapping = fyne.TextWrapWord
	s.printMsg.Hide()
	s.result = container.NewVBox()

	h := widget.NewEntry().MinSize().Height
	field := func(label string, w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewVBox(
			widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewGridWrap(fyne.NewSize(w, h), o))
	}
	form := container.NewHBox(
		field(lang.L("Service"), 240, s.sel),
		field(lang.L("Start date"), 130, s.from),
		field(lang.L("End date"), 130, s.to),
	)
	// The buttons at the top, under the form, so the printable version is
	// reachable without scrolling past the statement; its note right below.
	buttons := container.NewHBox(s.makeBtn, s.printBtn)
	s.content = container.NewVBox(form, buttons, s.printMsg, s.errLabel, widget.NewSeparator(), s.result)
	return s
}

// setServices offers the services of the customer's grants, keeping the
// user's choice when it is still offered, else choosing the first.
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
	names := make([]string, len(s.services))
	for i, svc := range s.services {
		names[i] = svc.Name
	}
	chosen := s.sel.Selected
	s.sel.Options = names
	s.sel.ClearSelected()
	for _, n := range names {
		if n == chosen {
			s.sel.SetSelected(n)
		}
	}
	if s.sel.Selected == "" && len(names) > 0 {
		s.sel.SetSelected(names[0])
	}
	s.sel.Refresh()
}

func (s *statementTab) fail(msg string) {
	s.errLabel.SetText(msg)
	s.errLabel.Show()
	s.clear()
}

// clear removes the statement shown (and with it the print button's use).
func (s *statementTab) clear() {
	s.st = nil
	s.printBtn.Disable()
	s.printMsg.Hide()
	s.result.Objects = nil
	s.result.Refresh()
}

// make checks the form and makes the statement off the UI goroutine.
// Errors show next to the form; the form keeps its text.
func (s *statementTab) make() {
	idx := s.sel.SelectedIndex()
	if idx < 0 || idx >= len(s.services) {
		s.fail(lang.L("Choose the service of the statement."))
		return
	}
	svc := s.services[idx]
	from, err := data.ParseFinnishDate(s.from.Text)
	if err != nil {
		s.fail(dateError(err, s.from.Text, lang.L("The start date {{.D}} is not a date. Write it as d.m.yyyy, for example 1.11.2026.",
			map[string]any{"D": quote(s.from.Text)})))
		return
	}
	to, err := data.ParseFinnishDate(s.to.Text)
	if err != nil {
		s.fail(dateError(err, s.to.Text, lang.L("The end date {{.D}} is not a date. Write it as d.m.yyyy, for example 30.11.2026.",
			map[string]any{"D": quote(s.to.Text)})))
		return
	}
	s.errLabel.Hide()
	s.clear()
	s.makes++
	n, id, made := s.makes, s.v.cust.ID, s.v.d.opt.Today()
	src := s.v.d.src
	s.makeBtn.Disable()
	go func() {
		st, err := src.Statement(id, svc.ID, from, to, made)
		s.v.d.do(func() {
			if n != s.makes {
				return
			}
			s.makeBtn.Enable()
			switch {
			case errors.Is(err, data.ErrEndBeforeStart):
				s.fail(lang.L("The end date {{.To}} is before the start date {{.From}}.",
					map[string]any{"To": to.Format(), "From": from.Format()}))
			case err != nil:
				slog.Error("statement failed", "customer", id, "err", err)
				s.fail(lang.L("The statement could not be made: {{.Err}}", map[string]any{"Err": Sentence(err)}))
			default:
				s.show(st)
			}
			s.v.d.told("statement:" + id)
		})
	}()
}

func quote(s string) string { return "”" + strings.TrimSpace(s) + "”" }

// dateError is the sentence for a date the user typed that
// data.ParseFinnishDate refused: a day the calendar lacks (31.2.2026)
// says so; any other error gets formatHint, which tells the form d.m.yyyy.
func dateError(err error, text, formatHint string) string {
	if errors.Is(err, data.ErrNoSuchDay) {
		return lang.L("There is no day {{.D}} in the calendar.", map[string]any{"D": strings.TrimSuffix(strings.TrimSpace(text), ".")})
	}
	return formatHint
}

// show lays out a made statement: header, rows, totals, print button.
func (s *statementTab) show(st data.Statement) {
	s.st = &st
	var objs []fyne.CanvasObject
	title := widget.NewLabelWithStyle(lang.L("Co-payment statement"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	objs = append(objs, title)

	// Header in two columns: who (provider, customer) and what (service,
	// period), then the vouchers across.
	who := []string{lang.L("Service provider"), orDash(st.Provider.Name)}
	if st.Provider.BusinessID != "" {
		who = append(who, lang.L("Business ID"), st.Provider.BusinessID)
	}
	if st.Provider.Contact != "" {
		who = append(who, lang.L("Contact"), st.Provider.Contact)
	}
	who = append(who,
		lang.L("Customer"), st.Customer.FullName(),
		lang.L("Address"), orDash(st.Customer.Address),
		lang.L("Customer number"), orDash(st.Customer.CustomerNumber),
	)
	what := []string{
		lang.L("Service"), st.Service.Name,
		lang.L("Service content"), orDash(st.Service.Content),
		lang.L("Period"), dateRange(st.From, st.To),
		lang.L("Made on"), st.Made.Format(),
	}
	objs = append(objs, container.NewGridWithColumns(2, formGrid(who...), container.NewVBox(formGrid(what...))))
	var vouchers []string
	for _, g := range st.Grants {
		vouchers = append(vouchers, lang.L("Voucher"), grantLine(g, st.Service.Unit))
	}
	if len(vouchers) > 0 {
		objs = append(objs, formGrid(vouchers...))
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
	s.printBtn.Enable()
	objs = append(objs, note)
	s.result.Objects = objs
	s.result.Refresh()
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
		mark := ""
		if r.InReview {
			mark = statusLabel(data.StatusInReview)
		}
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

// print writes the printable version off the UI goroutine and opens it.
// Opened: a short note under the buttons names the file. Saved but not
// opened (no PDF viewer): a dialog gives the full path and asks the user
// to open it. Not saved: a dialog says so. The raw errors go to the log.
func (s *statementTab) print() {
	if s.st == nil {
		return
	}
	st := *s.st
	write, open := s.v.d.opt.WriteStatementPDF, s.v.d.opt.OpenFile
	id := s.v.cust.ID
	s.printBtn.Disable()
	s.printMsg.SetText(lang.L("Writing the printable version…"))
	s.printMsg.Importance = widget.MediumImportance
	s.printMsg.Show()
	go func() {
		path, err := write(st)
		var openErr error
		if err == nil {
			slog.Info("statement written", "file", filepath.Base(path))
			openErr = open(path)
		}
		s.v.d.do(func() {
			if s.st != nil {
				s.printBtn.Enable()
			}
			win := s.v.d.win
			switch {
			case err != nil:
				slog.Error("writing the printable statement failed", "err", err)
				s.printMsg.Hide()
				s.printDialog = dialog.NewError(errors.New(lang.L("The printable version could not be saved. Check that the disk has free space and that you may save files in the printouts folder, then try again.")), win)
				s.printDialog.Show()
			case openErr != nil:
				slog.Error("opening the printable statement failed", "file", filepath.Base(path), "err", openErr)
				s.printMsg.SetText(lang.L("Saved as {{.Path}}", map[string]any{"Path": path}))
				s.printDialog = savedNotOpenedDialog(path, win)
				s.printDialog.Show()
			default:
				s.printMsg.SetText(lang.L("Printable version opened: {{.File}}", map[string]any{"File": filepath.Base(path)}))
			}
			s.printMsg.Refresh()
			s.v.d.told("pdf:" + id)
		})
	}()
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
