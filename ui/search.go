package ui

import (
	"errors"
	"image/color"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data/cache"
	"psopdesk/data/hetu"
)

// searchDelay is how long typing must pause before a search runs.
const searchDelay = 150 * time.Millisecond

// searchPage is the Asiakkaat page: one search field and the results
// (DOMAIN.md §3).
//
// Keyboard: the field has the focus when the window opens and after
// Ctrl+F. One row of the results is the cursor's, highlighted: the first
// row of every new result list. Enter in the field opens the cursor's
// customer, so a unique hit opens with Enter straight from the field; when
// the results shown are not yet those of the text typed, Enter searches at
// once and opens the first hit when it arrives (unless the text changes
// first). Down moves the cursor to the next row and the focus into the
// results; there Up and Down move the cursor (Up on the first row goes
// back to the field), Home and End go to the first and last row, Enter or
// Space opens the customer, Escape goes back to the field, and typing goes
// on in the field.
//
// Searches run off the Fyne goroutine, so typing never waits for one;
// gen drops a result when a newer search has started.
type searchPage struct {
	d      *Desk
	entry  *searchEntry
	list   *resultList
	status *widget.Label
	// bar is the title and the search field (across the window); content
	// is the status line and the results.
	bar, content fyne.CanvasObject

	// UI goroutine only.
	results []cache.Hit
	rows    []resultRow // what each result's row shows, as results
	cursor  int         // the row Enter opens; 0 on every new result list
	tall    map[int]bool
	timer   *time.Timer
	query   string // the text in the field
	shown   string // the query the results are of
	// openGen is the search whose first hit Enter asked to open when its
	// result arrives (0: none).
	openGen uint64
	// twoLines and threeLines are the heights of a row without and with
	// its line of the voucher that matched.
	twoLines, threeLines float32

	// gen counts searches started; a result applies only if its gen is
	// still the newest (stale results are dropped).
	gen atomic.Uint64
}

// resultRow is what a result's row shows besides the name: the birth date
// and customer number line, and the voucher line ("" when the customer was
// not found by a voucher).
type resultRow struct {
	detail, voucher string
}

// threeLines tells a row that needs a third text line.
func (r resultRow) threeLines() bool { return r.detail != "" && r.voucher != "" }

func newSearchPage(d *Desk) *searchPage {
	p := &searchPage{d: d, tall: map[int]bool{}}
	p.entry = newSearchEntry(p)
	p.entry.SetPlaceHolder(lang.L("Search by name, personal identity code, voucher or customer number"))
	p.entry.OnChanged = p.changed
	p.entry.OnSubmitted = func(string) { p.submit() }

	p.status = widget.NewLabel(lang.L("Type a customer's name, personal identity code, voucher number or customer number."))
	p.status.Wrapping = fyne.TextWrapWord

	p.list = newResultList(p)
	probe := p.newRow()
	p.twoLines = probe.MinSize().Height
	_, _, _, voucher, _ := rowParts(probe)
	voucher.Show()
	p.threeLines = probe.MinSize().Height

	title := widget.NewLabelWithStyle(lang.L("Customers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	p.bar = container.NewBorder(nil, nil, title, nil, p.entry)
	p.content = container.NewBorder(p.status, nil, nil, nil, p.list)
	return p
}

// newRow is a result row: the cursor's highlight behind the name (the
// whole width), under it the birth date and customer number, the voucher
// that matched (hidden unless there is one) and, at their right, the quick
// link to the customer's events.
func (p *searchPage) newRow() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = theme.InputRadiusSize()
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Truncation = fyne.TextTruncateEllipsis
	detail := widget.NewLabel("")
	detail.Truncation = fyne.TextTruncateEllipsis
	detail.SizeName = theme.SizeNameCaptionText
	voucher := widget.NewLabel("")
	voucher.Truncation = fyne.TextTruncateEllipsis
	voucher.SizeName = theme.SizeNameCaptionText
	voucher.Hide()
	// An icon (Fyne has no tooltips: the keyboard help says what it does),
	// so the detail line keeps its width.
	events := widget.NewButtonWithIcon("", theme.ListIcon(), nil)
	events.Importance = widget.LowImportance
	lines := container.New(&vCenter{}, container.New(&tightVBox{}, detail, voucher))
	under := container.NewBorder(nil, nil, nil, container.NewCenter(events), lines)
	return container.NewStack(bg, container.New(&tightVBox{}, name, under))
}

// rowParts takes a row of newRow apart.
func rowParts(o fyne.CanvasObject) (bg *canvas.Rectangle, name, detail, voucher *widget.Label, events *widget.Button) {
	stack := o.(*fyne.Container)
	bg = stack.Objects[0].(*canvas.Rectangle)
	rows := stack.Objects[1].(*fyne.Container)
	under := rows.Objects[1].(*fyne.Container)
	lines := under.Objects[0].(*fyne.Container).Objects[0].(*fyne.Container)
	events = under.Objects[1].(*fyne.Container).Objects[0].(*widget.Button)
	return bg, rows.Objects[0].(*widget.Label), lines.Objects[0].(*widget.Label), lines.Objects[1].(*widget.Label), events
}

func (p *searchPage) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i < 0 || i >= len(p.results) {
		return
	}
	h, r := p.results[i], p.rows[i]
	bg, name, detail, voucher, events := rowParts(o)
	name.SetText(h.Customer.FullName())
	detail.SetText(r.detail)
	voucher.SetText(r.voucher)
	if showOnly(detail, r.detail != "") || showOnly(voucher, r.voucher != "") {
		o.(*fyne.Container).Refresh() // lay the lines out again
	}
	c := h.Customer
	events.OnTapped = func() {
		p.cursor = i
		p.list.Refresh()
		p.d.openCustomer(c, tabEvents)
	}
	p.paintCursor(i, bg)
}

// showOnly shows o when show, else hides it; it reports whether that
// changed anything.
func showOnly(o fyne.CanvasObject, show bool) bool {
	if o.Visible() == show {
		return false
	}
	if show {
		o.Show()
	} else {
		o.Hide()
	}
	return true
}

// paintCursor highlights the cursor's row: in the focus colour while the
// results have the keyboard, else in the hover colour (what Enter in the
// field opens).
func (p *searchPage) paintCursor(i int, bg *canvas.Rectangle) {
	var c color.Color = color.Transparent
	if i == p.cursor && len(p.results) > 0 {
		th := p.list.Theme()
		v := fyne.CurrentApp().Settings().ThemeVariant()
		if p.list.focused {
			c = th.Color(theme.ColorNameFocus, v)
		} else {
			c = th.Color(theme.ColorNameSelection, v)
		}
	}
	if bg.FillColor != c {
		bg.FillColor = c
		bg.Refresh()
	}
}

// describe makes the rows' texts of hits: the birth date read from the
// henkilötunnus (never the code itself), the customer number and the
// voucher that matched.
func describe(hits []cache.Hit) []resultRow {
	rows := make([]resultRow, len(hits))
	for i, h := range hits {
		var parts []string
		if id, err := hetu.Parse(h.Customer.Hetu); err == nil {
			parts = append(parts, lang.L("Born {{.Date}}", map[string]any{"Date": id.BirthDate().Format()}))
		}
		if n := h.Customer.CustomerNumber; n != "" && !hetu.Looks(n) {
			parts = append(parts, n)
		}
		rows[i].detail = strings.Join(parts, " · ")
		if h.Voucher != "" {
			rows[i].voucher = lang.L("Voucher {{.Number}}", map[string]any{"Number": h.Voucher})
		}
	}
	return rows
}

// changed restarts the debounce timer on every keystroke. A pending
// Enter is dropped: it was for the text before.
func (p *searchPage) changed(q string) {
	p.query = q
	p.openGen = 0
	if p.timer != nil {
		p.timer.Stop()
	}
	gen := p.gen.Add(1)
	p.timer = time.AfterFunc(searchDelay, func() { p.run(gen, q, false) })
}

// submit is Enter in the field: it opens the cursor's customer when the
// results are those of the text typed, else searches at once and opens
// the first hit when it arrives.
func (p *searchPage) submit() {
	if p.shown == p.query {
		p.openCursor(tabInfo)
		return
	}
	p.openGen = p.start(false)
}

// start stops the debounce timer and searches the field's text at once;
// it gives the search's gen. keep keeps the cursor on its customer (a
// rerun after a sync).
func (p *searchPage) start(keep bool) uint64 {
	if p.timer != nil {
		p.timer.Stop()
	}
	gen := p.gen.Add(1)
	q := p.query
	go p.run(gen, q, keep)
	return gen
}

// rerun repeats the current search (after a sync brought new data); the
// cursor stays on its customer when the customer is still found, and an
// Enter waiting for the results still opens the first hit.
func (p *searchPage) rerun() {
	waiting := p.openGen != 0
	gen := p.start(true)
	if waiting {
		p.openGen = gen
	}
}

// run searches off the UI goroutine and applies the result unless a newer
// search has started meanwhile.
func (p *searchPage) run(gen uint64, q string, keep bool) {
	var (
		found []cache.Hit
		err   error
	)
	if strings.TrimSpace(q) != "" {
		found, err = p.d.src.SearchHits(q, searchLimit+1)
	}
	p.d.do(func() {
		if p.gen.Load() != gen {
			return
		}
		p.apply(q, found, err, keep)
		p.d.told("search:" + q)
		if p.openGen == gen {
			p.openGen = 0
			p.openCursor(tabInfo)
		}
	})
}

// apply shows the results of the search for q. A new list starts at its
// first row; keep (a rerun) keeps the cursor on its customer.
func (p *searchPage) apply(q string, found []cache.Hit, err error, keep bool) {
	more := len(found) > searchLimit
	if more {
		found = found[:searchLimit]
	}
	var was string
	if keep && p.shown == q && p.cursor < len(p.results) {
		was = p.results[p.cursor].Customer.ID
	}
	p.results, p.rows, p.shown = found, describe(found), q
	p.cursor = 0
	for i, h := range found {
		if was != "" && h.Customer.ID == was {
			p.cursor = i
			break
		}
	}
	p.setHeights()
	p.list.UnselectAll()
	p.list.Refresh()
	if p.cursor == 0 {
		p.list.ScrollToTop()
	} else {
		p.list.ScrollTo(p.cursor)
	}
	if len(found) == 0 && p.list.focused {
		p.focusField()
	}

	p.status.Importance = widget.MediumImportance
	var bad *hetu.Error
	switch {
	case errors.As(err, &bad):
		// Not a henkilötunnus: say what is wrong, not "no customers".
		p.status.Importance = widget.DangerImportance
		p.status.SetText(Sentence(err))
	case err != nil:
		slog.Error("search failed", "err", err)
		p.status.Importance = widget.DangerImportance
		p.status.SetText(lang.L("Search failed: {{.Err}}", map[string]any{"Err": Sentence(err)}))
	case strings.TrimSpace(q) == "":
		p.status.SetText(lang.L("Type a customer's name, personal identity code, voucher number or customer number."))
	case len(found) == 0:
		p.status.SetText(lang.L("No customers match the search."))
	case more:
		p.status.SetText(lang.L("Showing the first {{.N}} customers: refine the search.", map[string]any{"N": searchLimit}))
	default:
		p.status.SetText(lang.N("{{.N}} customers found.", len(found), map[string]any{"N": len(found)}))
	}
	p.status.Refresh()
	if strings.TrimSpace(q) != "" && err == nil {
		slog.Info("search results: " + strconv.Itoa(len(found)))
	}
}

// setHeights gives the rows with both a detail and a voucher line their
// third line, and the rows that had one in the list before their two lines
// back.
func (p *searchPage) setHeights() {
	for i := range p.tall {
		if i >= len(p.rows) || !p.rows[i].threeLines() {
			p.list.SetItemHeight(i, p.twoLines)
			delete(p.tall, i)
		}
	}
	for i, r := range p.rows {
		if r.threeLines() && !p.tall[i] {
			p.list.SetItemHeight(i, p.threeLines)
			p.tall[i] = true
		}
	}
}

// openCursor opens the cursor's customer at tab; nothing without results.
func (p *searchPage) openCursor(tab int) {
	if p.cursor >= 0 && p.cursor < len(p.results) {
		p.d.openCustomer(p.results[p.cursor].Customer, tab)
	}
}

// moveTo puts the cursor on row i (clamped to the results) and shows it.
func (p *searchPage) moveTo(i int) {
	if len(p.results) == 0 {
		return
	}
	i = max(0, min(i, len(p.results)-1))
	old := p.cursor
	p.cursor = i
	p.list.RefreshItem(old)
	p.list.RefreshItem(i)
	p.list.ScrollTo(i)
}

// down is Down in the field: the cursor to the next row, the keyboard into
// the results.
func (p *searchPage) down() {
	if len(p.results) == 0 || p.shown != p.query {
		return
	}
	p.moveTo(p.cursor + 1)
	if c := p.d.win.Canvas(); c != nil {
		c.Focus(p.list)
	}
}

// focusField gives the keyboard back to the search field, its caret at
// the end of the text.
func (p *searchPage) focusField() {
	p.entry.CursorColumn = len([]rune(p.entry.Text))
	p.entry.CursorRow = 0
	p.d.win.Canvas().Focus(p.entry)
	p.entry.Refresh()
}

// searchEntry is the search field: an Entry whose Down moves into the
// results.
type searchEntry struct {
	widget.Entry
	p *searchPage
}

func newSearchEntry(p *searchPage) *searchEntry {
	e := &searchEntry{p: p}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey moves into the results on Down; other keys are the Entry's.
func (e *searchEntry) TypedKey(k *fyne.KeyEvent) {
	if e.p.d.syncKey(k) {
		return
	}
	if k.Name == fyne.KeyDown {
		e.p.down()
		return
	}
	if passOn(e, k) { // F1
		return
	}
	e.Entry.TypedKey(k)
}

// resultList is the results: a List whose keyboard cursor is the page's
// (searchPage.cursor), so that it starts at the first row of every new
// result list, and whose Enter opens the customer.
type resultList struct {
	widget.List
	p       *searchPage
	focused bool
}

func newResultList(p *searchPage) *resultList {
	l := &resultList{p: p}
	l.Length = func() int { return len(p.results) }
	l.CreateItem = p.newRow
	l.UpdateItem = p.updateRow
	l.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(p.results) {
			p.moveTo(i)
			p.openCursor(tabInfo)
		}
		l.UnselectAll()
	}
	l.ExtendBaseWidget(l)
	return l
}

// FocusGained shows the cursor's row in the focus colour.
func (l *resultList) FocusGained() {
	l.focused = true
	l.Refresh()
}

// FocusLost shows the cursor's row in the hover colour.
func (l *resultList) FocusLost() {
	l.focused = false
	l.Refresh()
}

// TypedKey moves the cursor and opens its customer.
func (l *resultList) TypedKey(k *fyne.KeyEvent) {
	p := l.p
	if p.d.syncKey(k) {
		return
	}
	switch k.Name {
	case fyne.KeyDown:
		p.moveTo(p.cursor + 1)
	case fyne.KeyUp:
		if p.cursor == 0 {
			p.focusField()
			return
		}
		p.moveTo(p.cursor - 1)
	case fyne.KeyPageDown:
		p.moveTo(p.cursor + 10)
	case fyne.KeyPageUp:
		p.moveTo(p.cursor - 10)
	case fyne.KeyHome:
		p.moveTo(0)
	case fyne.KeyEnd:
		p.moveTo(len(p.results) - 1)
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		p.openCursor(tabInfo)
	case fyne.KeyEscape:
		p.focusField()
	default:
		passOn(l, k) // F1
	}
}

// TypedRune goes on typing in the search field.
func (l *resultList) TypedRune(r rune) {
	p := l.p
	p.focusField()
	p.entry.TypedRune(r)
}

// tightVBox stacks the visible objects vertically without padding (the
// text lines of one list row).
type tightVBox struct{}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - theme.Padding()
	}
	return s
}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		h := o.MinSize().Height - theme.Padding()
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h+theme.Padding()))
		y += h
	}
}

// vCenter gives its objects the whole width and their minimum height,
// centred vertically (the text lines beside the quick link's button).
type vCenter struct{}

func (vCenter) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height = max(s.Height, m.Height)
	}
	return s
}

func (vCenter) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, (size.Height-h)/2))
		o.Resize(fyne.NewSize(size.Width, h))
	}
}
