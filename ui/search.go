package ui

import (
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
)

// searchDelay is how long typing must pause before a search runs.
const searchDelay = 150 * time.Millisecond

// searchPage is the Asiakkaat page: one search field and the results.
type searchPage struct {
	d      *Desk
	entry  *widget.Entry
	list   *widget.List
	status *widget.Label
	// bar is the title and the search field (across the window); content
	// is the status line and the results.
	bar, content fyne.CanvasObject

	// UI goroutine only.
	results []data.Customer
	timer   *time.Timer
	query   string

	// gen counts searches started; a result applies only if its gen is
	// still the newest (stale results are dropped).
	gen atomic.Uint64
}

func newSearchPage(d *Desk) *searchPage {
	p := &searchPage{d: d}
	p.entry = widget.NewEntry()
	p.entry.SetPlaceHolder(lang.L("Search by name, personal identity code, voucher or customer number"))
	p.entry.OnChanged = p.changed
	p.entry.OnSubmitted = func(string) { p.runNow() }

	p.status = widget.NewLabel(lang.L("Type a customer's name, personal identity code, voucher number or customer number."))
	p.status.Wrapping = fyne.TextWrapWord

	p.list = widget.NewList(
		func() int { return len(p.results) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			detail := widget.NewLabel("")
			detail.Truncation = fyne.TextTruncateEllipsis
			detail.SizeName = theme.SizeNameCaptionText
			events := widget.NewButtonWithIcon(lang.L("Events"), theme.ListIcon(), nil)
			events.Importance = widget.LowImportance
			return container.NewBorder(nil, nil, nil, events,
				container.New(&tightVBox{}, name, detail))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(p.results) {
				return
			}
			c := p.results[i]
			row := o.(*fyne.Container)
			texts := row.Objects[0].(*fyne.Container)
			texts.Objects[0].(*widget.Label).SetText(c.FullName())
			texts.Objects[1].(*widget.Label).SetText(customerLine(c))
			row.Objects[1].(*widget.Button).OnTapped = func() { p.d.openCustomer(c, tabEvents) }
		},
	)
	p.list.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(p.results) {
			p.d.openCustomer(p.results[i], tabInfo)
		}
		p.list.UnselectAll()
	}

	title := widget.NewLabelWithStyle(lang.L("Customers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	p.bar = container.NewBorder(nil, nil, title, nil, p.entry)
	p.content = container.NewBorder(p.status, nil, nil, nil, p.list)
	return p
}

// customerLine is the second line of a result: the customer number (the
// provider's asiakasnumero) and the address.
func customerLine(c data.Customer) string {
	var parts []string
	if c.CustomerNumber != "" {
		parts = append(parts, c.CustomerNumber)
	}
	if c.Address != "" {
		parts = append(parts, c.Address)
	}
	return strings.Join(parts, " · ")
}

// changed restarts the debounce timer on every keystroke.
func (p *searchPage) changed(q string) {
	p.query = q
	if p.timer != nil {
		p.timer.Stop()
	}
	gen := p.gen.Add(1)
	p.timer = time.AfterFunc(searchDelay, func() { p.run(gen, q) })
}

// runNow searches at once (Enter).
func (p *searchPage) runNow() {
	if p.timer != nil {
		p.timer.Stop()
	}
	gen := p.gen.Add(1)
	q := p.query
	go p.run(gen, q)
}

// rerun repeats the current search (after a sync brought new data).
func (p *searchPage) rerun() { p.runNow() }

// run searches off the UI goroutine and applies the result unless a newer
// search has started meanwhile.
func (p *searchPage) run(gen uint64, q string) {
	var (
		found []data.Customer
		err   error
	)
	if strings.TrimSpace(q) != "" {
		found, err = p.d.src.Search(q, searchLimit+1)
	}
	p.d.do(func() {
		if p.gen.Load() != gen {
			return
		}
		p.apply(q, found, err)
		p.d.told("search:" + q)
	})
}

func (p *searchPage) apply(q string, found []data.Customer, err error) {
	more := len(found) > searchLimit
	if more {
		found = found[:searchLimit]
	}
	p.results = found
	p.list.UnselectAll()
	p.list.ScrollToTop()
	p.list.Refresh()
	switch {
	case err != nil:
		slog.Error("search failed", "err", err)
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
	if strings.TrimSpace(q) != "" && err == nil {
		slog.Info("search results: " + strconv.Itoa(len(found)))
	}
}

// tightVBox stacks objects vertically without padding (two text lines of
// one list row).
type tightVBox struct{}

func (tightVBox) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width = max(s.Width, m.Width)
		s.Height += m.Height - theme.Padding()
	}
	return s
}

func (tightVBox) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height - theme.Padding()
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h+theme.Padding()))
		y += h
	}
}
