package ui

import (
	"errors"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/data/cache"
)

// The customer tabs in order (DOMAIN.md §2).
const (
	tabInfo = iota
	tabPurchasingPower
	tabBalance
	tabReservations
	tabEvents
	tabStatement
)

// customerView is one open customer: a DocTabs item holding the six tabs.
type customerView struct {
	d    *Desk
	cust data.Customer // as last loaded (or as found by the search)

	tab  *container.TabItem
	tabs *container.AppTabs

	info, purchasing, balance, reservations *fyne.Container
	eventsBox                               *fyne.Container // holds events.content, or a read error
	events                                  *eventsTab
	statement                               *statementTab
	number                                  *numberEditor // on the info tab

	loads int // UI goroutine only: counts loads, to drop stale ones
}

// customerData is everything a customer view shows, read off the UI
// goroutine in one read of the cache (one sync state, the user's pending
// changes applied).
type customerData struct {
	cache.CustomerView
	services map[string]data.Service // Services by id
	err      error
}

func newCustomerView(d *Desk, c data.Customer, selected int) *customerView {
	v := &customerView{d: d, cust: c}
	loading := func() *fyne.Container {
		return container.NewVBox(widget.NewLabel(lang.L("Loading…")))
	}
	v.info, v.purchasing, v.balance = loading(), loading(), loading()
	v.reservations = loading()
	v.eventsBox = container.NewStack(loading())
	v.events = newEventsTab(v)
	v.statement = newStatementTab(v)
	v.number = newNumberEditor(v)
	scroll := func(o fyne.CanvasObject) fyne.CanvasObject { return container.NewScroll(container.NewPadded(o)) }
	v.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("tab.info"), scroll(v.info)),
		container.NewTabItem(lang.L("tab.purchasing"), scroll(v.purchasing)),
		container.NewTabItem(lang.L("tab.balance"), scroll(v.balance)),
		container.NewTabItem(lang.L("tab.reservations"), scroll(v.reservations)),
		// The events list scrolls itself; the tab scrolls sideways only.
		container.NewTabItem(lang.L("tab.events"), container.NewHScroll(container.NewPadded(v.eventsBox))),
		container.NewTabItem(lang.L("tab.statement"), scroll(v.statement.content)),
	)
	v.tabs.SelectIndex(selected)
	v.tab = container.NewTabItem(c.FullName(), v.tabs)
	return v
}

// load reads the customer's data off the UI goroutine and shows it.
func (v *customerView) load() {
	v.loads++
	n, id, today := v.loads, v.cust.ID, v.d.opt.Today()
	src := v.d.src
	go func() {
		cd := readCustomer(src, id, today)
		v.d.do(func() {
			if n != v.loads {
				return
			}
			v.show(cd)
			v.d.told("customer:" + id)
		})
	}()
}

func readCustomer(src Source, id string, today data.Date) customerData {
	cv, err := src.CustomerView(id, today)
	cd := customerData{CustomerView: cv, err: err, services: make(map[string]data.Service, len(cv.Services))}
	for _, s := range cv.Services {
		cd.services[s.ID] = s
	}
	return cd
}

// show fills the tabs from cd. On an error every tab says so; the
// statement form keeps what the user typed.
func (v *customerView) show(cd customerData) {
	if cd.err != nil {
		slog.Error("reading customer failed", "customer", v.cust.ID, "err", cd.err)
		msg := lang.L("The customer's data could not be read from the local cache. The customer may no longer be visible to you; search again.")
		if errors.Is(cd.err, cache.ErrDamaged) {
			msg = Sentence(cd.err)
		}
		for _, c := range []*fyne.Container{v.info, v.purchasing, v.balance, v.reservations, v.eventsBox} {
			l := widget.NewLabel(msg)
			l.Wrapping = fyne.TextWrapWord
			l.Importance = widget.DangerImportance
			c.Objects = []fyne.CanvasObject{l}
			c.Refresh()
		}
		// A refusal stays readable, e.g. of a customer who fell out of sight.
		v.info.Objects = append(v.info.Objects, v.number.errText)
		v.info.Refresh()
		return
	}
	v.cust = cd.Customer
	v.tab.Text = cd.Customer.FullName()
	v.d.tabs.Refresh()
	setObjects(v.info, v.infoContent(cd))
	setObjects(v.purchasing, v.purchasingContent(cd))
	setObjects(v.balance, v.balanceContent(cd))
	setObjects(v.reservations, v.reservationsContent(cd))
	setObjects(v.eventsBox, v.events.content)
	v.events.show(cd)
	v.statement.setServices(cd)
}

func setObjects(c *fyne.Container, o fyne.CanvasObject) {
	c.Objects = []fyne.CanvasObject{o}
	c.Refresh()
}

func emptyNote(text string) fyne.CanvasObject {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
}

// formGrid is a two-column "label: value" block.
func formGrid(pairs ...string) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		objs = append(objs,
			widget.NewLabelWithStyle(pairs[i], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(pairs[i+1]))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// infoContent is the Asiakkaan tiedot tab: the customer's data, and the
// provider's customer number as an editor (DOMAIN.md §6).
func (v *customerView) infoContent(cd customerData) fyne.CanvasObject {
	c := cd.Customer
	grid := formGrid(
		lang.L("Name"), c.FullName(),
		lang.L("Personal identity code"), orDash(c.Hetu),
		lang.L("Address"), orDash(c.Address),
		lang.L("Language"), languageName(c.Language),
	)
	v.number.show(cd)
	grid.Add(widget.NewLabelWithStyle(lang.L("Customer number"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	grid.Add(v.number.content)
	return grid
}

func (cd customerData) voucher(number string) (data.Voucher, bool) {
	for _, vo := range cd.Vouchers {
		if vo.Number == number {
			return vo, true
		}
	}
	return data.Voucher{}, false
}

func (v *customerView) purchasingContent(cd customerData) fyne.CanvasObject {
	cols := []column{
		{title: lang.L("Voucher")}, {title: lang.L("Service"), flex: true}, {title: lang.L("Service content"), flex: true},
		{title: lang.L("Unit")}, {title: lang.L("Granted"), right: true},
		{title: lang.L("Voucher value"), right: true}, {title: lang.L("Valid")},
	}
	var rows [][]cell
	for _, g := range cd.Grants {
		if g.Kind != data.KindPurchasingPower {
			continue
		}
		svc := cd.services[g.ServiceID]
		value := perUnitText(g.VoucherUnitValue, svc.Unit)
		if vo, ok := cd.voucher(g.VoucherNumber); ok && vo.ValueType == data.ValueIncomeBased {
			value = lang.L("{{.V}} (income-based)", map[string]any{"V": value})
		}
		rows = append(rows, []cell{
			{text: g.VoucherNumber}, {text: orDash(svc.Name)}, {text: orDash(svc.Content)},
			{text: unitName(svc.Unit)}, {text: grantedText(g, svc.Unit)},
			{text: value}, {text: dateRange(g.ValidFrom, g.ValidTo)},
		})
	}
	if len(rows) == 0 {
		return emptyNote(lang.L("The customer has no purchasing powers."))
	}
	return newGridTable(cols, rows, 2)
}

func (v *customerView) balanceContent(cd customerData) fyne.CanvasObject {
	cols := []column{
		{title: lang.L("Voucher")}, {title: lang.L("Service"), flex: true}, {title: lang.L("Amount"), right: true},
		{title: lang.L("Used"), right: true}, {title: lang.L("Remaining"), right: true}, {title: lang.L("Valid")},
	}
	var rows [][]cell
	for _, g := range cd.Grants {
		if g.Kind != data.KindBalancePurchasingPower {
			continue
		}
		used, remaining := data.BalanceUsage(g, cd.Events)
		svc := cd.services[g.ServiceID]
		rows = append(rows, []cell{
			{text: g.VoucherNumber}, {text: orDash(svc.Name)}, {text: g.Amount.String()},
			{text: used.String()}, {text: remaining.String()}, {text: dateRange(g.ValidFrom, g.ValidTo)},
		})
	}
	if len(rows) == 0 {
		return emptyNote(lang.L("The customer has no balance purchasing powers."))
	}
	return newGridTable(cols, rows, 1)
}

func (v *customerView) reservationsContent(cd customerData) fyne.CanvasObject {
	grants := make(map[string]data.Grant, len(cd.Grants))
	for _, g := range cd.Grants {
		grants[g.ID] = g
	}
	cols := []column{
		{title: lang.L("Voucher")}, {title: lang.L("Service"), flex: true}, {title: lang.L("From")},
		{title: lang.L("To")}, {title: lang.L("Reserved quantity"), right: true},
	}
	var rows [][]cell
	for _, r := range cd.Reservations {
		g := grants[r.GrantID]
		svc := cd.services[g.ServiceID]
		rows = append(rows, []cell{
			{text: orDash(g.VoucherNumber)}, {text: orDash(svc.Name)}, {text: r.From.Format()},
			{text: orDash(r.To.Format())}, {text: quantityText(r.Quantity, svc.Unit)},
		})
	}
	if len(rows) == 0 {
		return emptyNote(lang.L("The customer has no valid service reservations."))
	}
	return newGridTable(cols, rows, 1)
}
