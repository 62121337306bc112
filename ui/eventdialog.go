package ui

import (
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
)

// eventDialog is Tarkastele tapahtumaa: everything about one event, its
// editable fields while the rules allow (Kirjaa), Poista after a
// confirmation, and after the lock Ilmoita virheestä. What the rules
// forbid is disabled and says why. UI goroutine only.
type eventDialog struct {
	t  *eventsTab
	ev data.ServiceEvent

	info, money            *fyne.Container // the data: two form columns
	date                   *dateEntry
	start, end, qty, note  *keyEntry
	editWhy, deleteWhy     *widget.Label
	errText                *widget.Label
	save, del, credit, cls *keyButton // Enter taps the focused one
	dlg                    *dialog.CustomDialog

	saving    bool
	confirm   *dialog.ConfirmDialog
	creditDlg *creditDialog
}

// openEvent opens Tarkastele tapahtumaa of event id.
func (t *eventsTab) openEvent(id string) {
	var ev data.ServiceEvent
	found := false
	for _, e := range t.cd.Events {
		if e.ID == id {
			ev, found = e, true
		}
	}
	if !found {
		return
	}
	e := &eventDialog{t: t, ev: ev}
	e.info = container.New(layout.NewFormLayout())
	e.money = container.New(layout.NewFormLayout())
	e.date = newDateEntry(e.t.v.d.opt.Today)
	e.start, e.end, e.qty = newKeyEntry(), newKeyEntry(), newKeyEntry()
	e.start.SetPlaceHolder("9.00")
	e.end.SetPlaceHolder("10.00")
	e.note = newKeyMultiLineEntry()
	e.note.Wrapping = fyne.TextWrapWord
	e.note.SetMinRowsVisible(3)
	e.fillEntries()
	for _, en := range []*keyEntry{&e.date.keyEntry, e.start, e.end, e.qty} {
		en.OnSubmitted = func(string) { e.saveEdit() }
	}
	e.editWhy = widget.NewLabel("")
	e.editWhy.Importance = widget.WarningImportance
	e.editWhy.Wrapping = fyne.TextWrapWord
	e.deleteWhy = widget.NewLabel("")
	e.deleteWhy.Importance = widget.WarningImportance
	e.deleteWhy.Wrapping = fyne.TextWrapWord
	e.errText = widget.NewLabel("")
	e.errText.Importance = widget.DangerImportance
	e.errText.Wrapping = fyne.TextWrapWord
	e.errText.Hide()

	e.save = newKeyButton(lang.L("Record"), theme.DocumentSaveIcon(), e.saveEdit)
	e.save.Importance = widget.HighImportance
	e.del = newKeyButton(lang.L("Delete"), theme.DeleteIcon(), e.askDelete)
	e.credit = newKeyButton(lang.L("Report an error"), theme.MailSendIcon(), e.openCredit)
	e.cls = newKeyButton(lang.L("Close"), nil, func() { e.dlg.Hide() })

	times := container.NewHBox(
		container.NewGridWrap(fyne.NewSize(90, e.start.MinSize().Height), e.start), widget.NewLabel("–"),
		container.NewGridWrap(fyne.NewSize(90, e.end.MinSize().Height), e.end))
	bold := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	form := container.New(layout.NewFormLayout(),
		bold(lang.L("Date")), container.NewGridWrap(fyne.NewSize(130, e.date.MinSize().Height), e.date),
		bold(lang.L("Time")), times,
		bold(lang.L("Quantity")), container.NewGridWrap(fyne.NewSize(130, e.qty.MinSize().Height), e.qty),
		bold(lang.L("Event note")), e.note,
	)
	edit := widget.NewCard("", lang.L("Editable data"), container.NewVBox(form, e.editWhy, e.deleteWhy))
	content := container.NewVBox(container.NewGridWithColumns(2, e.info, container.NewVBox(e.money)), edit, e.errText)
	e.dlg = dialog.NewCustomWithoutButtons(lang.L("View event"), content, t.v.d.win)
	e.dlg.SetButtons([]fyne.CanvasObject{e.cls, e.credit, e.del, e.save})
	e.dlg.SetOnClosed(func() {
		if t.dialog == e {
			t.dialog = nil
		}
	})
	e.refresh()
	t.dialog = e
	sz := t.v.d.win.Canvas().Size()
	e.dlg.Resize(fyne.NewSize(min(880, sz.Width-40), 0))
	e.dlg.Show()
	keyed(t.v.d.win, e.dlg, e.enter, tap(e.cls))
}

func (e *eventDialog) fillEntries() {
	e.date.SetText(e.ev.Date.Format())
	e.start.SetText(data.ClockShown(e.ev.Start))
	e.end.SetText(data.ClockShown(e.ev.End))
	e.qty.SetText(e.ev.Quantity.String())
	e.note.SetText(e.ev.Note)
}

// reload shows the event as cd has it (after a sync), keeping what the
// user has typed.
func (e *eventDialog) reload(cd customerData) {
	for _, ev := range cd.Events {
		if ev.ID == e.ev.ID {
			edited := e.edited()
			e.ev = ev
			if !edited {
				e.fillEntries()
			}
			e.refresh()
			return
		}
	}
}

// edited reports whether an entry differs from the event shown (a time
// typed another way, "9:00" for 9.00, is no change).
func (e *eventDialog) edited() bool {
	return e.date.Text != e.ev.Date.Format() || data.ClockText(e.start.Text) != e.ev.Start || data.ClockText(e.end.Text) != e.ev.End ||
		e.qty.Text != e.ev.Quantity.String() || e.note.Text != e.ev.Note
}

// refresh shows the event's data and what the rules allow at now.
func (e *eventDialog) refresh() {
	cd, ev := e.t.cd, e.ev
	day := cd.Organizer.SettlementDay
	now := e.t.v.d.opt.Now()
	svc := cd.services[ev.ServiceID]
	var g data.Grant
	for _, x := range cd.Grants {
		if x.ID == ev.GrantID {
			g = x
		}
	}
	shares := data.GrantShares(g, cd.Events)[ev.ID]
	if g.ID == "" {
		shares = data.Shares{Price: ev.Price(), CoPayment: ev.Price()}
	}
	grant := "–"
	switch g.Kind {
	case data.KindPurchasingPower:
		grant = grantedText(g, svc.Unit) + ", " + perUnitText(g.VoucherUnitValue, svc.Unit)
	case data.KindBalancePurchasingPower:
		grant = lang.L("Balance purchasing power {{.Amount}}", map[string]any{"Amount": g.Amount.String()})
	}
	voucherText, copayText := shareTexts(ev, shares)
	pe, ok := cd.PendingEvents[ev.ID]
	recorded := instantText(ev.RecordedAt)
	if ev.RecordedBy != "" {
		recorded = ev.RecordedBy + ", " + recorded
	}
	// The date, times, quantity and note show in their fields below.
	pairs := []string{
		lang.L("Service"), orDash(svc.Name),
		lang.L("Service content"), orDash(ev.Content),
		lang.L("Voucher"), orDash(g.VoucherNumber),
		lang.L("Grant"), grant,
		lang.L("Status"), statusLabel(ev.Status),
		lang.L("Locks"), lockText(ev.Date, day),
		lang.L("Recorded by"), recorded,
		lang.L("Version"), strconv.FormatInt(ev.Version, 10),
	}
	money := []string{
		lang.L("Quantity"), quantityText(ev.Quantity, svc.Unit),
		lang.L("Unit price"), perUnitText(ev.UnitPrice, svc.Unit),
		lang.L("Price"), shares.Price.String(),
		lang.L("Voucher share"), voucherText,
		lang.L("Co-payment"), copayText,
	}
	if mark := eventPendingMark(pe, ok, false); mark != "" {
		pairs = append(pairs, lang.L("Sending"), mark)
	}
	if c := creditText(ev); c != "" {
		pairs = append(pairs, lang.L("Error report"), c)
	}
	e.money.Objects = nil
	for i := 0; i+1 < len(money); i += 2 {
		e.money.Add(widget.NewLabelWithStyle(money[i], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		e.money.Add(widget.NewLabelWithStyle(money[i+1], fyne.TextAlignTrailing, fyne.TextStyle{}))
	}
	e.money.Refresh()
	e.info.Objects = nil
	for i := 0; i+1 < len(pairs); i += 2 {
		v := widget.NewLabel(pairs[i+1])
		v.Wrapping = fyne.TextWrapWord
		switch {
		case pairs[i] == lang.L("Sending"):
			v.Importance = widget.WarningImportance
		case pairs[i] == lang.L("Status") && !ev.Status.ConsumesGrant():
			v.TextStyle.Italic = true
			v.Importance = widget.LowImportance
		}
		e.info.Add(widget.NewLabelWithStyle(pairs[i], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		e.info.Add(v)
	}
	e.info.Refresh()

	editBlock := data.EditBlock(ev, day, now)
	deleteBlock := data.DeleteBlock(ev, day, now)
	why := editBlockText(editBlock, ev, day)
	e.editWhy.SetText(why)
	e.editWhy.Hidden = why == ""
	dwhy := deleteBlockText(deleteBlock, ev, day)
	e.deleteWhy.SetText(dwhy)
	e.deleteWhy.Hidden = dwhy == "" || dwhy == why
	e.editWhy.Refresh()
	e.deleteWhy.Refresh()
	for _, en := range []*keyEntry{&e.date.keyEntry, e.start, e.end, e.qty, e.note} {
		if editBlock == "" {
			en.Enable()
		} else {
			en.Disable()
		}
	}
	enable(e.save, editBlock == "" && !e.saving)
	enable(e.del, deleteBlock == "" && !e.saving)
	locked := data.Locked(ev.Date, day, now)
	e.credit.Hidden = !locked || !ev.Status.ConsumesGrant()
	enable(e.credit, !e.saving && (ev.CreditRequest == nil || ev.CreditRequest.State != data.CreditRequestPending))
	e.credit.Refresh()
}

func enable(b fyne.Disableable, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// input reads the edited fields; a field that does not parse gives the
// sentence to show.
func readEventInput(today data.Date, date, start, end, qty, note string) (data.EventInput, string) {
	in := data.EventInput{Start: strings.TrimSpace(start), End: strings.TrimSpace(end), Note: note}
	d, err := data.ParseFinnishDateIn(date, today)
	if err != nil {
		return in, fieldSentence(lang.L("Date"), err)
	}
	in.Date = d
	q, err := data.ParseQuantity(qty)
	if err != nil {
		return in, lang.L("The quantity is not a number. Write it as 1,5 for example.")
	}
	in.Quantity = q
	return in, ""
}

// saveEdit stores the edit (Kirjaa) of the version shown.
func (e *eventDialog) saveEdit() {
	if e.saving || e.save.Disabled() {
		return
	}
	in, msg := readEventInput(e.t.v.d.opt.Today(), e.date.Text, e.start.Text, e.end.Text, e.qty.Text, e.note.Text)
	if msg != "" {
		e.showErr(msg)
		return
	}
	id, version := e.ev.ID, e.ev.Version
	e.store(func(src Source, now time.Time) error {
		_, err := src.EditEvent(id, version, in, now)
		return err
	})
}

// askDelete asks before Poista.
func (e *eventDialog) askDelete() {
	if e.saving {
		return
	}
	id, version := e.ev.ID, e.ev.Version
	e.confirm = dialog.NewConfirm(lang.L("Delete event"),
		lang.L("Delete the event? Use this for example when the same event has been recorded twice."),
		func(ok bool) {
			if !ok {
				return
			}
			e.store(func(src Source, now time.Time) error {
				_, err := src.DeleteEvent(id, version, now)
				return err
			})
		}, e.t.v.d.win)
	e.confirm.SetConfirmText(lang.L("Delete"))
	e.confirm.SetDismissText(lang.L("Cancel"))
	e.confirm.SetConfirmImportance(widget.DangerImportance)
	confirmKeyed(e.t.v.d.win, e.confirm)
}

func (e *eventDialog) showErr(msg string) {
	e.errText.SetText(msg)
	e.errText.Show()
}

// store runs a change of the event off the UI goroutine. Stored: the
// dialog closes, the view reloads showing it pending, and the engine is
// asked to send it. Refused at once: the sentence shows in the dialog.
func (e *eventDialog) store(fn func(src Source, now time.Time) error) {
	e.saving = true
	e.errText.Hide()
	e.refresh()
	storeEventChange(e.t, fn, func(msg string) {
		e.saving = false
		if msg != "" {
			e.showErr(msg)
			e.refresh()
			return
		}
		e.dlg.Hide()
	})
}

// storeEventChange stores a change through fn off the UI goroutine, then
// on it calls done with "" (stored: the view reloads and a sync is asked
// for) or the sentence of the refusal.
func storeEventChange(t *eventsTab, fn func(src Source, now time.Time) error, done func(msg string)) {
	v := t.v
	src, now, id := v.d.src, v.d.opt.Now(), v.cust.ID
	go func() {
		err := fn(src, now)
		v.d.do(func() {
			var de *data.Error
			switch {
			case errors.As(err, &de):
				slog.Info("event change refused", "customer", id, "code", de.Code)
				done(Sentence(err))
			case err != nil:
				slog.Error("storing the event change failed", "customer", id, "err", err)
				done(Sentence(err))
			default:
				t.errText.Hide()
				done("")
				v.load()
				if v.d.opt.Resync != nil {
					v.d.opt.Resync()
				}
			}
			v.d.told("event:" + id)
		})
	}()
}

// creditDialog is Ilmoita virheestä: a reason and an explanation sent to
// the organizer, who may credit the locked event.
type creditDialog struct {
	reason      *keySelect
	explanation *keyEntry
	errText     *widget.Label
	send        *keyButton
	dlg         *dialog.CustomDialog
}

func (e *eventDialog) openCredit() {
	c := &creditDialog{}
	labels := make([]string, len(data.CreditReasons))
	for i, r := range data.CreditReasons {
		labels[i] = creditReasonLabel(r)
	}
	c.reason = newKeySelect(labels, nil)
	c.reason.PlaceHolder = lang.L("Choose the reason")
	c.explanation = newKeyMultiLineEntry()
	c.explanation.Wrapping = fyne.TextWrapWord
	c.explanation.SetMinRowsVisible(4)
	c.explanation.SetPlaceHolder(lang.L("What is wrong in the event, and what would be right"))
	c.errText = widget.NewLabel("")
	c.errText.Importance = widget.DangerImportance
	c.errText.Wrapping = fyne.TextWrapWord
	c.errText.Hide()
	intro := widget.NewLabel(lang.L("The event is locked. The organizer's main user can credit it: tell what is wrong."))
	intro.Wrapping = fyne.TextWrapWord
	form := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle(lang.L("Reason"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), c.reason,
		widget.NewLabelWithStyle(lang.L("Explanation"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), c.explanation)
	id := e.ev.ID
	c.send = newKeyButton(lang.L("Send"), theme.MailSendIcon(), func() {
		reason := ""
		if i := c.reason.SelectedIndex(); i >= 0 {
			reason = data.CreditReasons[i]
		}
		explanation := c.explanation.Text
		c.send.Disable()
		c.errText.Hide()
		storeEventChange(e.t, func(src Source, now time.Time) error {
			_, err := src.RequestCredit(id, reason, explanation, now)
			return err
		}, func(msg string) {
			c.send.Enable()
			if msg != "" {
				c.errText.SetText(msg)
				c.errText.Show()
				return
			}
			c.dlg.Hide()
			e.dlg.Hide()
		})
	})
	c.send.Importance = widget.HighImportance
	cancel := newKeyButton(lang.L("Cancel"), nil, func() { c.dlg.Hide() })
	c.dlg = dialog.NewCustomWithoutButtons(lang.L("Report an error"), container.NewVBox(intro, form, c.errText), e.t.v.d.win)
	c.dlg.SetButtons([]fyne.CanvasObject{cancel, c.send})
	c.dlg.Resize(fyne.NewSize(min(600, e.t.v.d.win.Canvas().Size().Width-40), 0))
	e.creditDlg = c
	c.dlg.Show()
	keyed(e.t.v.d.win, c.dlg, tap(c.send), tap(cancel))
}

// newEventDialog is Uusi tapahtuma: one of the customer's valid
// reservations, the date, the times for hour units, the quantity and a
// note; the price, the voucher share and the review preview follow what
// is typed. Kirjaa stores it (RecordEvent).
type newEventDialog struct {
	t        *eventsTab
	res      *keySelect
	resIDs   []string
	date     *dateEntry
	start    *keyEntry
	end      *keyEntry
	qty      *keyEntry
	note     *keyEntry
	timeRow  []fyne.CanvasObject
	price    *widget.Label
	review   *widget.Label
	errText  *widget.Label
	save     *keyButton
	dlg      *dialog.CustomDialog
	previews int
	saving   bool
}

func (t *eventsTab) openNew() {
	cd := t.cd
	if len(cd.Reservations) == 0 {
		return
	}
	n := &newEventDialog{t: t}
	grants := map[string]data.Grant{}
	for _, g := range cd.Grants {
		grants[g.ID] = g
	}
	var labels []string
	for _, r := range cd.Reservations {
		g := grants[r.GrantID]
		svc := cd.services[g.ServiceID]
		labels = append(labels, g.VoucherNumber+" · "+orDash(svc.Name)+" · "+dateRange(r.From, r.To))
		n.resIDs = append(n.resIDs, r.ID)
	}
	n.res = newKeySelect(labels, func(string) { n.changed() })
	n.date = newDateEntry(t.v.d.opt.Today)
	n.date.SetText(t.v.d.opt.Today().Format())
	n.start, n.end, n.qty = newKeyEntry(), newKeyEntry(), newKeyEntry()
	n.start.SetPlaceHolder("9.00")
	n.end.SetPlaceHolder("10.00")
	n.qty.SetPlaceHolder("1,5")
	n.note = newKeyMultiLineEntry()
	n.note.Wrapping = fyne.TextWrapWord
	n.note.SetMinRowsVisible(2)
	for _, en := range []*keyEntry{&n.date.keyEntry, n.start, n.end, n.qty, n.note} {
		en.OnChanged = func(string) { n.changed() }
	}
	for _, en := range []*keyEntry{&n.date.keyEntry, n.start, n.end, n.qty} {
		en.OnSubmitted = func(string) { n.record() }
	}
	n.price = widget.NewLabel("")
	n.review = widget.NewLabel("")
	n.review.Wrapping = fyne.TextWrapWord
	n.errText = widget.NewLabel("")
	n.errText.Importance = widget.DangerImportance
	n.errText.Wrapping = fyne.TextWrapWord
	n.errText.Hide()
	bold := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	timeLabel := bold(lang.L("Time"))
	times := container.NewHBox(
		container.NewGridWrap(fyne.NewSize(90, n.start.MinSize().Height), n.start), widget.NewLabel("–"),
		container.NewGridWrap(fyne.NewSize(90, n.end.MinSize().Height), n.end))
	n.timeRow = []fyne.CanvasObject{timeLabel, times}
	form := container.New(layout.NewFormLayout(),
		bold(lang.L("Service reservation")), n.res,
		bold(lang.L("Date")), container.NewGridWrap(fyne.NewSize(130, n.date.MinSize().Height), n.date),
		timeLabel, times,
		bold(lang.L("Quantity")), container.NewGridWrap(fyne.NewSize(130, n.qty.MinSize().Height), n.qty),
		bold(lang.L("Event note")), n.note,
	)
	preview := widget.NewCard("", lang.L("Before recording"), container.NewVBox(n.price, n.review))
	n.save = newKeyButton(lang.L("Record"), theme.DocumentSaveIcon(), n.record)
	n.save.Importance = widget.HighImportance
	cancel := newKeyButton(lang.L("Cancel"), nil, func() { n.dlg.Hide() })
	n.dlg = dialog.NewCustomWithoutButtons(lang.L("New event"), container.NewVBox(form, preview, n.errText), t.v.d.win)
	n.dlg.SetButtons([]fyne.CanvasObject{cancel, n.save})
	n.dlg.SetOnClosed(func() {
		if t.newDlg == n {
			t.newDlg = nil
		}
	})
	t.newDlg = n
	// The reservation running today first; else the first (newest).
	sel := 0
	today := t.v.d.opt.Today()
	for i, r := range cd.Reservations {
		if !r.From.After(today) && (r.To.IsZero() || !r.To.Before(today)) {
			sel = i
			break
		}
	}
	n.res.SetSelectedIndex(sel)
	n.dlg.Resize(fyne.NewSize(min(680, t.v.d.win.Canvas().Size().Width-40), 0))
	n.dlg.Show()
	keyed(t.v.d.win, n.dlg, n.record, tap(cancel))
}

// reservation gives the chosen reservation, its grant and service.
func (n *newEventDialog) reservation() (string, data.Grant, data.Service) {
	i := n.res.SelectedIndex()
	if i < 0 || i >= len(n.resIDs) {
		return "", data.Grant{}, data.Service{}
	}
	cd := n.t.cd
	var g data.Grant
	for _, r := range cd.Reservations {
		if r.ID == n.resIDs[i] {
			for _, x := range cd.Grants {
				if x.ID == r.GrantID {
					g = x
				}
			}
		}
	}
	return n.resIDs[i], g, cd.services[g.ServiceID]
}

// changed updates the time fields and the preview (off the UI goroutine).
func (n *newEventDialog) changed() {
	resID, g, svc := n.reservation()
	hour := svc.Unit == data.UnitHour || svc.Unit == ""
	for _, o := range n.timeRow {
		if hour {
			o.Show()
		} else {
			o.Hide()
		}
	}
	n.previews++
	seq := n.previews
	in, msg := readEventInput(n.t.v.d.opt.Today(), n.date.Text, n.start.Text, n.end.Text, n.qty.Text, n.note.Text)
	if resID == "" || strings.TrimSpace(n.qty.Text) == "" || msg != "" {
		n.price.SetText(lang.L("Price: –"))
		n.review.SetText(lang.L("Type the date, the times and the quantity to see the price and whether the event goes to review."))
		n.review.Importance = widget.LowImportance
		n.review.Refresh()
		n.t.v.d.told("preview")
		return
	}
	d := n.t.v.d
	src, now, cust := d.src, d.opt.Now(), n.t.v.cust.ID
	go func() {
		ev, out, err := src.EventPreview(cust, resID, in, now)
		d.do(func() {
			if seq != n.previews {
				return
			}
			if err != nil {
				n.price.SetText(lang.L("Price: –"))
				n.review.SetText(Sentence(err))
				n.review.Importance = widget.LowImportance
			} else {
				gg := g
				if g.Kind == data.KindBalancePurchasingPower {
					gg.Amount = out.Remaining
				}
				s := data.GrantShares(gg, []data.ServiceEvent{ev})[ev.ID]
				n.price.SetText(lang.L("Price {{.Price}} · voucher share {{.Voucher}} · co-payment {{.CoPay}}",
					map[string]any{"Price": s.Price.String(), "Voucher": s.VoucherShare.String(), "CoPay": s.CoPayment.String()}))
				n.review.SetText(reviewText(out, g, svc.Unit))
				n.review.Importance = widget.SuccessImportance
				if out.InReview {
					n.review.Importance = widget.WarningImportance
				}
			}
			n.review.Refresh()
			d.told("preview")
		})
	}()
}

// record stores the new event (Kirjaa).
func (n *newEventDialog) record() {
	if n.saving {
		return
	}
	resID, _, svc := n.reservation()
	if resID == "" {
		n.showErr(lang.L("Choose the service reservation."))
		return
	}
	start, end := n.start.Text, n.end.Text
	if svc.Unit != data.UnitHour {
		start, end = "", ""
	}
	in, msg := readEventInput(n.t.v.d.opt.Today(), n.date.Text, start, end, n.qty.Text, n.note.Text)
	if msg != "" {
		n.showErr(msg)
		return
	}
	n.saving = true
	n.save.Disable()
	n.errText.Hide()
	cust := n.t.v.cust.ID
	storeEventChange(n.t, func(src Source, now time.Time) error {
		_, _, err := src.RecordEvent(cust, resID, in, now)
		return err
	}, func(msg string) {
		n.saving = false
		n.save.Enable()
		if msg != "" {
			n.showErr(msg)
			return
		}
		n.dlg.Hide()
	})
}

func (n *newEventDialog) showErr(msg string) {
	n.errText.SetText(msg)
	n.errText.Show()
}
