package ui

import (
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// eventsTab is the Tapahtumat tab (DOMAIN.md §4): the provider's events of
// the customer, newest first, with a filter by service, period and status;
// a row opens Tarkastele tapahtumaa (Enter, double-click or the button);
// Uusi tapahtuma records one; the settlement countdown tells when the next
// month locks. Its widgets outlive the reloads, so a sync keeps the
// filter. UI goroutine only.
type eventsTab struct {
	v *customerView

	service, status *widget.Select
	from, to        *dateEntry
	filterErr       *widget.Label
	countdown       *widget.Label
	errText         *widget.Label // a refusal of an event change, kept until the next change
	open, newBtn    *widget.Button
	newWhy          *widget.Label // why Uusi tapahtuma is greyed out
	header          *fyne.Container
	list            *eventList
	empty           *widget.Label
	content         fyne.CanvasObject

	cd       customerData
	loaded   bool
	rows     []eventRowData // shown, after the filter
	selected int            // index in rows, -1 none
	widths   []float32      // the columns' widths, shared by header and rows

	dialog *eventDialog // the open Tarkastele tapahtumaa, for tests
	newDlg *newEventDialog
}

// eventRowData is one row of the events list.
type eventRowData struct {
	ev      data.ServiceEvent
	shares  data.Shares
	unit    data.Unit
	pending string // "odottaa lähetystä" …
	cells   []string
}

// The events list's columns.
const (
	evColDate = iota
	evColTime
	evColContent // flex: takes the room left
	evColQuantity
	evColPrice
	evColVoucher
	evColCoPay
	evColStatus
	evColLocks
	evCols                // the columns; the pending mark is a second line in the status cell
	evColPending = evCols // its index in eventRowData.cells
)

// eventColumns are the list's columns. The content's and the voucher
// share's headings are short ("Sisältö", "Seteli") and the lock is its
// day (the time, always 0.00, is in the countdown and the event's
// dialog), so that the list fits a 1024 px window without scrolling
// sideways (TestEventsFitAt1024x700).
func eventColumns() []column {
	return []column{
		{title: lang.L("Date")}, {title: lang.L("Time")}, {title: lang.L("events.col.content"), flex: true},
		{title: lang.L("Quantity"), right: true}, {title: lang.L("Price"), right: true},
		{title: lang.L("events.col.voucher"), right: true}, {title: lang.L("Co-payment"), right: true},
		{title: lang.L("Status")}, {title: lang.L("Locks")},
	}
}

func newEventsTab(v *customerView) *eventsTab {
	t := &eventsTab{v: v, selected: -1, widths: make([]float32, evCols)}
	t.service = widget.NewSelect(nil, func(string) { t.refilter() })
	t.status = widget.NewSelect(nil, func(string) { t.refilter() })
	t.from = newDateEntry(t.v.d.opt.Today)
	t.to = newDateEntry(t.v.d.opt.Today)
	t.from.OnChanged = func(string) { t.refilter() }
	t.to.OnChanged = func(string) { t.refilter() }
	t.filterErr = widget.NewLabel("")
	t.filterErr.Importance = widget.DangerImportance
	t.filterErr.Hide()
	t.countdown = widget.NewLabel("")
	t.countdown.Wrapping = fyne.TextWrapWord
	t.errText = widget.NewLabel("")
	t.errText.Importance = widget.DangerImportance
	t.errText.Wrapping = fyne.TextWrapWord
	t.errText.Hide()
	t.open = widget.NewButtonWithIcon(lang.L("View event"), theme.DocumentIcon(), t.openSelected)
	t.newBtn = widget.NewButtonWithIcon(lang.L("New event"), theme.ContentAddIcon(), t.openNew)
	t.newBtn.Importance = widget.HighImportance
	t.empty = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	t.empty.Hide()

	cols := eventColumns()
	heads := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		heads[i] = widget.NewLabelWithStyle(c.title, align(c.right), fyne.TextStyle{Bold: true})
	}
	t.header = container.New(&rowLayout{t: t}, heads...)
	t.list = newEventList(t)

	dateBox := func(e *dateEntry) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(dateFieldWidth, e.MinSize().Height), e)
	}
	selectBox := func(s *widget.Select, w float32) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, s.MinSize().Height), s)
	}
	// In a narrow window the filter goes on on a second line.
	filters := container.New(&flowLayout{},
		container.NewHBox(widget.NewLabel(lang.L("Service")), selectBox(t.service, 190)),
		container.NewHBox(widget.NewLabel(lang.L("Period")), dateBox(t.from), widget.NewLabel("–"), dateBox(t.to)),
		container.NewHBox(widget.NewLabel(lang.L("Status")), selectBox(t.status, 190)),
	)
	buttons := container.NewHBox(t.newBtn, t.open)
	t.newWhy = widget.NewLabel(lang.L("New events need a valid service reservation, and this customer has none with you."))
	t.newWhy.Wrapping = fyne.TextWrapWord
	t.newWhy.Importance = widget.LowImportance
	t.newWhy.Hide()
	top := container.NewVBox(t.countdown, buttons, t.newWhy, filters, t.filterErr, t.errText)
	headBg := container.NewStack(newTableBackground(true), t.header)
	table := container.NewBorder(headBg, nil, nil, nil, container.NewStack(t.list, container.NewVBox(t.empty)))
	t.content = container.NewBorder(top, nil, nil, nil, container.NewThemeOverride(table, listTheme{theme.Current()}))
	t.updateButtons()
	return t
}

// show fills the tab from cd, keeping the filter and, when it is still
// shown, the selected event.
func (t *eventsTab) show(cd customerData) {
	var keep string
	if t.selected >= 0 && t.selected < len(t.rows) {
		keep = t.rows[t.selected].ev.ID
	}
	t.cd, t.loaded = cd, true

	svcOpts := []string{lang.L("All services")}
	seen := map[string]bool{}
	for _, s := range cd.Services {
		for _, ev := range cd.Events {
			if ev.ServiceID == s.ID && !seen[s.ID] {
				seen[s.ID] = true
				svcOpts = append(svcOpts, s.Name)
			}
		}
	}
	t.service.Options = svcOpts
	if t.service.Selected == "" || !contains(svcOpts, t.service.Selected) {
		t.service.Selected = svcOpts[0]
	}
	t.service.Refresh()
	stOpts := []string{lang.L("All statuses")}
	for _, s := range data.Statuses {
		stOpts = append(stOpts, statusLabel(s))
	}
	t.status.Options = stOpts
	if t.status.Selected == "" || !contains(stOpts, t.status.Selected) {
		t.status.Selected = stOpts[0]
	}
	t.status.Refresh()

	t.showCountdown()
	t.refilter()
	for i, r := range t.rows {
		if r.ev.ID == keep {
			t.selected = i
			t.list.Select(i)
		}
	}
	if t.dialog != nil {
		t.dialog.reload(cd)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// showCountdown reads the settlement countdown (MonthStatus) off the UI
// goroutine and shows it.
func (t *eventsTab) showCountdown() {
	d := t.v.d
	now := d.opt.Now()
	month := countdownMonth(now, t.cd.Organizer.SettlementDay)
	src := d.src
	go func() {
		locks, recorded, err := src.MonthStatus(month)
		d.do(func() {
			if err != nil {
				t.countdown.SetText("")
				return
			}
			text := countdownText(month, locks, now)
			if recorded > 0 {
				text += ". " + lang.N("{{.N}} of your events of the month are still Recorded.", recorded, map[string]any{"N": data.GroupDigits(recorded)})
			} else {
				text += "."
			}
			t.countdown.SetText(text)
			d.told("countdown:" + t.v.cust.ID)
		})
	}()
}

// refilter applies the filter to the events and shows the rows.
func (t *eventsTab) refilter() {
	if !t.loaded {
		return
	}
	cd := t.cd
	var from, to data.Date
	var errs []string
	for _, p := range []struct {
		e     *dateEntry
		d     *data.Date
		field string
	}{{t.from, &from, lang.L("Start date")}, {t.to, &to, lang.L("End date")}} {
		if s := strings.TrimSpace(p.e.Text); s != "" {
			d, err := data.ParseFinnishDateIn(s, t.v.d.opt.Today())
			if err != nil {
				errs = append(errs, fieldSentence(p.field, err))
				continue
			}
			*p.d = d
		}
	}
	if len(errs) > 0 {
		t.filterErr.SetText(errs[0])
		t.filterErr.Show()
	} else {
		t.filterErr.Hide()
	}
	shares := map[string]data.Shares{}
	for _, g := range cd.Grants {
		for id, s := range data.GrantShares(g, cd.Events) {
			shares[id] = s
		}
	}
	evs := append([]data.ServiceEvent(nil), cd.Events...)
	sort.SliceStable(evs, func(i, j int) bool { // newest first
		if c := evs[i].Date.Compare(evs[j].Date); c != 0 {
			return c > 0
		}
		return evs[i].Start > evs[j].Start
	})
	t.rows = t.rows[:0]
	for _, ev := range evs {
		svc := cd.services[ev.ServiceID]
		if t.service.SelectedIndex() > 0 && svc.Name != t.service.Selected {
			continue
		}
		if t.status.SelectedIndex() > 0 && statusLabel(ev.Status) != t.status.Selected {
			continue
		}
		if !ev.Date.Within(from, to) {
			continue
		}
		e, ok := cd.PendingEvents[ev.ID]
		r := eventRowData{ev: ev, shares: shares[ev.ID], unit: svc.Unit, pending: eventPendingMark(e, ok, true)}
		if _, ok := shares[ev.ID]; !ok {
			p := ev.Price()
			r.shares = data.Shares{Price: p, CoPayment: p}
		}
		tm := ""
		if ev.Start != "" || ev.End != "" {
			tm = data.ClockShown(ev.Start) + "–" + data.ClockShown(ev.End)
		}
		voucher, copay := shareTexts(ev, r.shares)
		r.cells = []string{ev.Date.Format(), tm, orDash(ev.Content), quantityText(ev.Quantity, svc.Unit),
			r.shares.Price.String(), voucher, copay,
			statusLabel(ev.Status), lockDayText(ev.Date, cd.Organizer.SettlementDay), r.pending}
		t.rows = append(t.rows, r)
	}
	t.measure()
	t.selected = -1
	t.list.UnselectAll()
	t.list.Refresh()
	t.header.Refresh()
	switch {
	case len(cd.Events) == 0:
		t.empty.SetText(lang.L("No events have been recorded for the customer."))
		t.empty.Show()
	case len(t.rows) == 0:
		t.empty.SetText(lang.L("No events match the filter."))
		t.empty.Show()
	default:
		t.empty.Hide()
	}
	t.updateButtons()
}

// measure sets the columns' widths: each as wide as its widest text, the
// content column at least its heading.
func (t *eventsTab) measure() {
	cols := eventColumns()
	th := listTheme{theme.Current()}
	pad := 2 * th.Size(theme.SizeNameInnerPadding)
	for i, c := range cols {
		size := fyne.MeasureText(c.title, th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true})
		t.widths[i] = size.Width + pad + 1
	}
	for id, r := range t.rows {
		for i, s := range r.cells {
			col := i
			if i == evColPending {
				col = evColStatus
			}
			if col == evColContent {
				continue
			}
			size := fyne.MeasureText(s, th.Size(theme.SizeNameText), fyne.TextStyle{})
			t.widths[col] = max(t.widths[col], size.Width+pad+1)
		}
		// A row with a pending mark has it as a second line.
		line := fyne.MeasureText("Åg", th.Size(theme.SizeNameText), fyne.TextStyle{}).Height + pad
		if r.pending != "" {
			t.list.SetItemHeight(id, 2*line)
		} else {
			t.list.SetItemHeight(id, line)
		}
	}
}

func (t *eventsTab) updateButtons() {
	if t.selected >= 0 && t.selected < len(t.rows) {
		t.open.Enable()
	} else {
		t.open.Disable()
	}
	if t.loaded && len(t.cd.Reservations) > 0 {
		t.newBtn.Enable()
	} else {
		t.newBtn.Disable()
	}
	if t.loaded && len(t.cd.Reservations) == 0 {
		t.newWhy.Show()
	} else {
		t.newWhy.Hide()
	}
}

// showError shows a refusal's sentence above the list.
func (t *eventsTab) showError(sentence string) {
	t.errText.SetText(sentence)
	t.errText.Show()
}

// openSelected opens the selected event (Tarkastele tapahtumaa, Enter,
// double-click).
func (t *eventsTab) openSelected() {
	if t.selected < 0 || t.selected >= len(t.rows) {
		return
	}
	t.openEvent(t.rows[t.selected].ev.ID)
}

// rowLayout places a row's cells in the tab's column widths; the content
// column takes what is left.
type rowLayout struct{ t *eventsTab }

func (l *rowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		if i < len(l.t.widths) {
			s.Width += max(l.t.widths[i], m.Width)
		}
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (l *rowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	widths := make([]float32, len(objs))
	var total float32
	for i, o := range objs {
		if i < len(l.t.widths) {
			widths[i] = max(l.t.widths[i], o.MinSize().Width)
		}
		total += widths[i]
	}
	if extra := size.Width - total; extra > 0 && evColContent < len(widths) {
		widths[evColContent] += extra
	}
	var x float32
	for i, o := range objs {
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(widths[i], size.Height))
		x += widths[i]
	}
}

// eventList is the events' list: a widget.List whose selection follows
// the arrow keys and that opens the selected event with Enter or Space.
type eventList struct {
	widget.List
	t *eventsTab
}

func newEventList(t *eventsTab) *eventList {
	l := &eventList{t: t}
	l.Length = func() int { return len(t.rows) }
	l.CreateItem = func() fyne.CanvasObject { return newEventRow(t) }
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) { o.(*eventRow).set(id) }
	l.OnSelected = func(id widget.ListItemID) {
		t.selected = id
		t.updateButtons()
	}
	l.OnUnselected = func(widget.ListItemID) {
		t.selected = -1
		t.updateButtons()
	}
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey: Down and Up move the selection, Enter and Space open it.
func (l *eventList) TypedKey(e *fyne.KeyEvent) {
	t := l.t
	if t.v.d.syncKey(e) {
		return
	}
	switch e.Name {
	case fyne.KeyDown:
		if t.selected < len(t.rows)-1 {
			l.Select(t.selected + 1)
		}
	case fyne.KeyUp:
		if t.selected > 0 {
			l.Select(t.selected - 1)
		} else if t.selected < 0 && len(t.rows) > 0 {
			l.Select(0)
		}
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if t.selected < 0 && len(t.rows) > 0 {
			l.Select(0)
			return
		}
		t.openSelected()
	default:
		l.List.TypedKey(e)
	}
}

// eventRow is one row of the list: selected by a tap, opened by a double
// tap.
type eventRow struct {
	widget.BaseWidget
	t       *eventsTab
	id      widget.ListItemID
	labels  []*widget.Label // per column
	pending *widget.Label   // under the status
	box     *fyne.Container
}

func newEventRow(t *eventsTab) *eventRow {
	r := &eventRow{t: t, id: -1}
	cols := eventColumns()
	objs := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		l := widget.NewLabel("")
		l.Alignment = align(c.right)
		if c.flex {
			l.Truncation = fyne.TextTruncateEllipsis
		}
		r.labels = append(r.labels, l)
		objs[i] = l
	}
	r.pending = widget.NewLabel("")
	r.pending.Importance = widget.WarningImportance
	r.pending.Hide()
	objs[evColStatus] = container.New(layout.NewCustomPaddedVBoxLayout(0), r.labels[evColStatus], r.pending)
	r.box = container.New(&rowLayout{t: t}, objs...)
	r.ExtendBaseWidget(r)
	return r
}

func (r *eventRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

func (r *eventRow) set(id widget.ListItemID) {
	r.id = id
	if id < 0 || id >= len(r.t.rows) {
		return
	}
	row := r.t.rows[id]
	gone := !row.ev.Status.ConsumesGrant() // deleted, rejected, credited: greyed, italic
	for i, l := range r.labels {
		text := ""
		if i < len(row.cells) {
			text = row.cells[i]
		}
		l.Text = text
		l.TextStyle = fyne.TextStyle{Italic: gone}
		l.Importance = widget.MediumImportance
		switch {
		case gone:
			l.Importance = widget.LowImportance
		case i == evColStatus && row.ev.Status == data.StatusInReview:
			l.Importance = widget.WarningImportance
		}
		l.Refresh()
	}
	r.pending.Text = row.pending
	r.pending.Hidden = row.pending == ""
	r.pending.TextStyle = fyne.TextStyle{Italic: gone}
	r.pending.Refresh()
	r.box.Refresh()
}

// Tapped selects the row and gives the list the keyboard.
func (r *eventRow) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(r.t.list); c != nil {
		c.Focus(r.t.list)
	}
	r.t.list.Select(r.id)
}

// DoubleTapped opens the row's event.
func (r *eventRow) DoubleTapped(*fyne.PointEvent) {
	r.t.list.Select(r.id)
	r.t.openSelected()
}

// newTableBackground is the stripe behind a table's header (header) or a
// row.
func newTableBackground(header bool) fyne.CanvasObject {
	if header {
		return canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	}
	return canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
}

// isEventCommand tells the commands of the Tapahtumat tab.
func isEventCommand(t wire.CommandType) bool {
	switch t {
	case wire.RecordEvent, wire.EditEvent, wire.DeleteEvent, wire.CreditRequest:
		return true
	}
	return false
}

// shareTexts are an event's voucher share and co-payment as shown: "–" for
// an event that no longer counts (deleted, rejected, credited), which the
// organizer pays nothing for and the customer owes nothing of.
func shareTexts(ev data.ServiceEvent, s data.Shares) (voucher, copay string) {
	if !ev.Status.OnStatement() {
		return "–", "–"
	}
	return s.VoucherShare.String(), s.CoPayment.String()
}
