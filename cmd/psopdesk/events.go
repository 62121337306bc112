package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/ui"
)

// eventCommands are the subcommands of psopdesk events, each on the
// cache's event API (the window's code path).
var eventCommands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"list":           cmdEventsList,
	"reservations":   cmdEventsReservations,
	"record":         cmdEventsRecord,
	"edit":           cmdEventsEdit,
	"delete":         cmdEventsDelete,
	"credit-request": cmdEventsCreditRequest,
	"import":         cmdEventsImport,
}

// cmdEvents runs psopdesk events SUBCOMMAND.
func cmdEvents(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || eventCommands[args[0]] == nil {
		return usageError{lang.L("usage: psopdesk events [list|reservations|record|edit|delete|credit-request|import] ...")}
	}
	return eventCommands[args[0]](args[1:], stdout, stderr)
}

// eventFlags are the flags every events subcommand takes: -cache, -now,
// -server and -api-key-file.
type eventFlags struct {
	dir *string
	now *clock
	sf  serverFlags
}

func addEventFlags(fs *flag.FlagSet) eventFlags {
	return eventFlags{
		dir: fs.String("cache", defaultCacheDir(), lang.L("cache folder")),
		now: nowFlag(fs),
		sf:  addServerFlags(fs),
	}
}

// check refuses -server without -api-key-file (or the other way round)
// and a -server that is not an address.
func (ef eventFlags) check() error {
	if (*ef.sf.server == "") != (*ef.sf.keyFile == "") {
		return usageError{lang.L("give -server and -api-key-file together")}
	}
	return ef.sf.check()
}

// today is the -now clock's day in Helsinki.
func (ef eventFlags) today() data.Date { return ef.now.Today() }

// newFlagSet makes the flag set of events subcommand name.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("events "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// given reports the names of the flags set on the command line.
func given(fs *flag.FlagSet) map[string]bool {
	m := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { m[f.Name] = true })
	return m
}

// refused prints the sentence of a rule's refusal (*data.Error) and ends
// the command with exit 1; other errors are returned as they are.
func refused(stderr io.Writer, err error) error {
	var de *data.Error
	if errors.As(err, &de) {
		fmt.Fprintln(stderr, ui.Sentence(err))
		return refusedError{}
	}
	return err
}

// amount is cents as "1234,50": a decimal comma, no € sign, no grouping.
func amount(c data.Cents) string {
	sign, v := "", int64(c)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d,%02d", sign, v/100, v%100)
}

// quantityText is "10,25 h".
func quantityText(q data.Quantity, u data.Unit) string { return q.String() + " " + ui.UnitLabel(u, q) }

// monthFor is the month as the object of "granted for": "marraskuulle".
func monthFor(m time.Month) string {
	names := [...]string{lang.L("month.1.for"), lang.L("month.2.for"), lang.L("month.3.for"), lang.L("month.4.for"),
		lang.L("month.5.for"), lang.L("month.6.for"), lang.L("month.7.for"), lang.L("month.8.for"),
		lang.L("month.9.for"), lang.L("month.10.for"), lang.L("month.11.for"), lang.L("month.12.for")}
	if m < 1 || m > 12 {
		return ""
	}
	return names[m-1]
}

// reviewWhy is the review outcome's figures or reason: "10,25 h / 10 h
// myönnetty marraskuulle", "saldoa jäljellä 12,40 €", or that the
// organizer reviews every event of the service.
func reviewWhy(out data.ReviewOutcome, g data.Grant, unit data.Unit) string {
	switch {
	case out.Reason == data.ReviewAll:
		return lang.L("the organizer reviews every event of this service")
	case g.Kind == data.KindBalancePurchasingPower:
		return lang.L("balance remaining {{.Amount}}", map[string]any{"Amount": out.Remaining.String()})
	}
	p := map[string]any{"Used": quantityText(out.Used, unit), "Granted": quantityText(out.Granted, unit)}
	switch g.Period {
	case data.PeriodWeek:
		p["From"], p["To"] = out.PeriodFrom.Format(), out.PeriodTo.Format()
		return lang.L("{{.Used}} / {{.Granted}} granted for the week {{.From}}–{{.To}}", p)
	case data.PeriodTotal:
		return lang.L("{{.Used}} / {{.Granted}} granted in total", p)
	}
	p["Month"] = monthFor(out.PeriodFrom.Month)
	return lang.L("{{.Used}} / {{.Granted}} granted for {{.Month}}", p)
}

// previewShares is the money of a previewed event: its price, the voucher
// share (purchasing power: min(price, qty × voucher value); balance:
// min(price, the balance remaining before it)) and the co-payment.
func previewShares(ev data.ServiceEvent, out data.ReviewOutcome, g data.Grant) data.Shares {
	price := ev.Price()
	share := min(price, ev.Quantity.Times(ev.VoucherUnitValue))
	if g.Kind == data.KindBalancePurchasingPower {
		share = min(price, max(out.Remaining, 0))
	}
	return data.Shares{Price: price, VoucherShare: share, CoPayment: price - share, Remaining: out.Remaining}
}

// customerContext is what the events commands read of one customer: the
// window's view (pending changes applied) and all their reservations.
type customerContext struct {
	view         cache.CustomerView
	reservations []data.Reservation
}

// loadCustomer reads customer id; a customer not in the cache is a
// sentence (problem), not an error.
func loadCustomer(c *cache.Cache, id string, today data.Date) (cc *customerContext, problem string, err error) {
	v, err := c.CustomerView(id, today)
	if errors.Is(err, cache.ErrNotFound) {
		return nil, lang.L("no customer {{.Who}} in the cache: find the customer with psopdesk search", map[string]any{"Who": id}), nil
	}
	if err != nil {
		return nil, "", err
	}
	rs, err := c.Reservations(id)
	if err != nil {
		return nil, "", err
	}
	return &customerContext{view: v, reservations: rs}, "", nil
}

// reservationProblem is the sentence for a reservation the customer does
// not have, naming the ones they have; "" when they have it.
func (cc *customerContext) reservationProblem(id string) string {
	var ids []string
	for _, r := range cc.reservations {
		if r.ID == id {
			return ""
		}
		ids = append(ids, r.ID)
	}
	if len(ids) == 0 {
		return lang.L("customer {{.Customer}} has no reservations in the cache, so no event can be recorded", map[string]any{"Customer": cc.view.Customer.ID})
	}
	return lang.L("customer {{.Customer}} has no reservation {{.Reservation}} in the cache; their reservations: {{.All}}",
		map[string]any{"Customer": cc.view.Customer.ID, "Reservation": id, "All": strings.Join(ids, ", ")})
}

// grantOf gives the grant grantID of the customer and its service.
func (cc *customerContext) grantOf(grantID string) (data.Grant, data.Service) {
	var g data.Grant
	for _, x := range cc.view.Grants {
		if x.ID == grantID {
			g = x
		}
	}
	for _, s := range cc.view.Services {
		if s.ID == g.ServiceID {
			return g, s
		}
	}
	return g, data.Service{}
}

// shares computes every event's money: data.GrantShares over the
// customer's events, per grant (balances consumed in order).
func (cc *customerContext) shares() map[string]data.Shares {
	out := map[string]data.Shares{}
	for _, g := range cc.view.Grants {
		maps.Copy(out, data.GrantShares(g, cc.view.Events))
	}
	for _, ev := range cc.view.Events { // a grant no longer in the cache
		if _, ok := out[ev.ID]; !ok {
			out[ev.ID] = data.GrantShares(data.Grant{ID: ev.GrantID, Kind: data.KindPurchasingPower}, []data.ServiceEvent{ev})[ev.ID]
		}
	}
	return out
}

// quantityProblem is the sentence for a quantity that is not one.
func quantityProblem(s string) string {
	return lang.L("the quantity {{.Q}} is not a number with at most two decimals: write it as 2,75 or 2.75", map[string]any{"Q": s})
}

// cleanField keeps a text on one line of a tab-separated output.
func cleanField(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// customerOfCommand is the start of the events commands about one
// customer (-customer ID): flags parsed, the cache opened (synced first
// with -server), the customer's view read, the cache closed again.
func customerOfCommand(name string, args []string, stderr io.Writer) (*customerContext, error) {
	fs := newFlagSet(name, stderr)
	ef := addEventFlags(fs)
	id := fs.String("customer", "", lang.L("the customer's id (first column of psopdesk search)"))
	if err := parseFlags(fs, args, false); err != nil {
		return nil, err
	}
	if *id == "" {
		return nil, usageError{lang.L("give -customer")}
	}
	if err := ef.check(); err != nil {
		return nil, err
	}
	c, err := openCacheCLI(*ef.dir, false)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if *ef.sf.server != "" {
		if err := syncQuietly(c, ef, stderr); err != nil {
			return nil, err
		}
	}
	cc, problem, err := loadCustomer(c, *id, ef.today())
	if err != nil {
		return nil, err
	}
	if problem != "" {
		return nil, failure{problem}
	}
	return cc, nil
}

// cmdEventsReservations lists the customer's service reservations, the
// ones events record -reservation takes (an event's date must be within
// one's from..to), a line each: id, voucher number, service, from, to
// (empty: open-ended), reserved quantity (in the service's unit),
// tab-separated.
func cmdEventsReservations(args []string, stdout, stderr io.Writer) error {
	cc, err := customerOfCommand("reservations", args, stderr)
	if err != nil {
		return err
	}
	for _, r := range cc.reservations {
		g, svc := cc.grantOf(r.GrantID)
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, g.VoucherNumber, cleanField(svc.Name),
			r.From.Format(), r.To.Format(), r.Quantity.String())
	}
	return nil
}

// cmdEventsList prints the customer's events, pending changes applied,
// newest first, one per line, tab-separated: id, date, start, end,
// content, quantity, price, voucher share, co-payment, status code, the
// lock instant (d.m.yyyy H.MM, Helsinki; times as data.ClockShown) and "pending" when a change of
// it waits to be sent. With -server it syncs first.
func cmdEventsList(args []string, stdout, stderr io.Writer) error {
	cc, err := customerOfCommand("list", args, stderr)
	if err != nil {
		return err
	}
	shares := cc.shares()
	day := cc.view.Organizer.SettlementDay
	for _, ev := range cc.view.Events {
		s := shares[ev.ID]
		pending := ""
		if _, ok := cc.view.PendingEvents[ev.ID]; ok {
			pending = "pending"
		}
		// An event that no longer counts (deleted, rejected, credited) has
		// no voucher share or co-payment: empty, as the window shows "–".
		voucher, copay := amount(s.VoucherShare), amount(s.CoPayment)
		if !ev.Status.OnStatement() {
			voucher, copay = "", ""
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			ev.ID, ev.Date.Format(), data.ClockShown(ev.Start), data.ClockShown(ev.End), cleanField(ev.Content), ev.Quantity.String(),
			amount(s.Price), voucher, copay, ev.Status,
			formatInstant(data.SettlementLock(ev.Date, day)), pending)
	}
	return nil
}

// syncQuietly runs the engine once before a listing: refusals and a
// failure are told on stderr, and the listing shows the cache as it is.
func syncQuietly(c *cache.Cache, ef eventFlags, stderr io.Writer) error {
	e, err := ef.sf.engine(c, ef.now.Now)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := e.Once(ctx, nil)
	printRefusals(stderr, "events", res.Refused)
	if err != nil {
		fmt.Fprintln(stderr, lang.L("not synced: {{.Why}}; the list is from the local cache", map[string]any{"Why": ui.Sentence(err)}))
	}
	return nil
}

// sent is one command a command line queued, for sendNow: its id and the
// label its lines start with ("" when it is the only one).
type sent struct{ id, label string }

// sendNow sends the outbox with -server's engine and tells, for each of
// ours, whether the organizer applied it, refused it (the sentence, on
// stderr) or it waits (and why). It returns refusedError when the
// organizer refused one of ours, and the engine's error when it could not
// be made (the changes wait).
func sendNow(c *cache.Cache, sf serverFlags, now func() time.Time, command string, ours []sent, stdout, stderr io.Writer) error {
	say := func(w io.Writer, label, msg string) {
		if label != "" {
			msg = label + ": " + msg
		}
		fmt.Fprintln(w, msg)
	}
	queued := lang.L("queued: the change waits to be sent (psopdesk sync, or open PSOP Desk)")
	e, err := sf.engine(c, now)
	if err != nil {
		for _, s := range ours {
			say(stdout, s.label, queued)
		}
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := e.Once(ctx, nil)
	label := map[string]string{}
	for _, s := range ours {
		label[s.id] = s.label
	}
	refusedOurs := map[string]bool{}
	var others []cache.Refusal
	for _, r := range res.Refused {
		if l, ok := label[r.Command.ID]; ok {
			say(stderr, l, ui.RefusalSentence(r))
			refusedOurs[r.Command.ID] = true
		} else {
			others = append(others, r)
		}
	}
	printRefusals(stderr, command, others)
	if len(refusedOurs) > 0 && len(ours) == 1 {
		return refusedError{}
	}
	applied := map[string]bool{}
	for _, a := range res.Applied {
		applied[a.Command.ID] = true
	}
	anyApplied := false
	for _, s := range ours {
		switch {
		case refusedOurs[s.id]:
		case applied[s.id]:
			anyApplied = true
			say(stdout, s.label, lang.L("applied: the organizer accepted the change"))
		case err != nil:
			say(stdout, s.label, lang.L("queued: not sent: {{.Why}}", map[string]any{"Why": ui.Sentence(err)}))
		default:
			// Not answered in this run although it ended well: an earlier
			// command of the outbox failed to be sent (kept in order).
			say(stdout, s.label, queued)
		}
	}
	if anyApplied && err != nil {
		fmt.Fprintln(stderr, ui.Sentence(err))
	}
	if len(refusedOurs) > 0 {
		return refusedError{}
	}
	return nil
}

// queuedOrSent ends a command that queued entry: queued, or with -server
// sent at once.
func queuedOrSent(c *cache.Cache, ef eventFlags, entry cache.Entry, stdout, stderr io.Writer) error {
	if *ef.sf.server == "" {
		fmt.Fprintln(stdout, lang.L("queued: the change waits to be sent (psopdesk sync, or open PSOP Desk)"))
		return nil
	}
	return sendNow(c, ef.sf, ef.now.Now, "events", []sent{{id: entry.Command.ID}}, stdout, stderr)
}

// cmdEventsRecord previews a new event (review outcome, price, voucher
// share, co-payment), then queues it (Cache.RecordEvent).
func cmdEventsRecord(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("record", stderr)
	ef := addEventFlags(fs)
	custID := fs.String("customer", "", lang.L("the customer's id (first column of psopdesk search)"))
	resID := fs.String("reservation", "", lang.L("the reservation's id"))
	dateS := fs.String("date", "", lang.L("the event's day, d.m.yyyy"))
	start := fs.String("start", "", lang.L("start time, e.g. 8.00 (8:00 and 800 work too)"))
	end := fs.String("end", "", lang.L("end time, e.g. 16.15 (16:15 and 1615 work too)"))
	qtyS := fs.String("quantity", "", lang.L("quantity in the service's unit, e.g. 2,75"))
	note := fs.String("note", "", lang.L("a note (lisätieto)"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *custID == "" || *resID == "" || *dateS == "" || *qtyS == "" {
		return usageError{lang.L("give -customer, -reservation, -date and -quantity")}
	}
	if err := ef.check(); err != nil {
		return err
	}
	in := data.EventInput{Start: data.ClockText(*start), End: data.ClockText(*end), Note: *note}
	var err error
	if in.Date, err = data.ParseFinnishDateIn(*dateS, ef.today()); err != nil {
		return usageError{"-date: " + ui.Sentence(err)}
	}
	if in.Quantity, err = data.ParseQuantity(*qtyS); err != nil {
		return usageError{"-quantity: " + quantityProblem(*qtyS)}
	}
	c, err := openCacheCLI(*ef.dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	now := ef.now.Now()
	cc, problem, err := loadCustomer(c, *custID, ef.today())
	if err != nil {
		return err
	}
	if problem == "" {
		problem = cc.reservationProblem(*resID)
	}
	if problem != "" {
		return failure{problem}
	}
	ev, out, err := c.EventPreview(*custID, *resID, in, now)
	if err != nil {
		return refused(stderr, err)
	}
	g, svc := cc.grantOf(ev.GrantID)
	if out.InReview {
		fmt.Fprintln(stdout, lang.L("In review: {{.Why}}", map[string]any{"Why": reviewWhy(out, g, svc.Unit)}))
	} else {
		fmt.Fprintln(stdout, lang.L("Recorded, no review: {{.Why}}", map[string]any{"Why": reviewWhy(out, g, svc.Unit)}))
	}
	s := previewShares(ev, out, g)
	fmt.Fprintln(stdout, lang.L("price {{.Price}} ({{.Quantity}} × {{.UnitPrice}}), voucher share {{.Voucher}}, co-payment {{.CoPayment}}",
		map[string]any{"Price": s.Price.String(), "Quantity": quantityText(ev.Quantity, svc.Unit), "UnitPrice": ev.UnitPrice.String(),
			"Voucher": s.VoucherShare.String(), "CoPayment": s.CoPayment.String()}))
	entry, _, err := c.RecordEvent(*custID, *resID, in, now)
	if err != nil {
		return refused(stderr, err)
	}
	fmt.Fprintln(stdout, lang.L("event {{.ID}}", map[string]any{"ID": entry.Command.EventID}))
	return queuedOrSent(c, ef, entry, stdout, stderr)
}

// openEvent opens the cache and reads event id with the pending changes
// applied; an event not in the cache is a failure with a sentence.
func openEvent(ef eventFlags, id string) (*cache.Cache, data.ServiceEvent, error) {
	c, err := openCacheCLI(*ef.dir, false)
	if err != nil {
		return nil, data.ServiceEvent{}, err
	}
	ev, _, _, err := c.Event(id)
	var de *data.Error
	if errors.As(err, &de) || errors.Is(err, cache.ErrNotFound) {
		c.Close()
		return nil, ev, failure{lang.L("no event {{.ID}} in the cache: see the customer's events with psopdesk events list", map[string]any{"ID": id})}
	}
	if err != nil {
		c.Close()
		return nil, ev, err
	}
	return c, ev, nil
}

// cmdEventsEdit queues an edit (Kirjaa) of an event: the fields not given
// keep the event's current values.
func cmdEventsEdit(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("edit", stderr)
	ef := addEventFlags(fs)
	id := fs.String("event", "", lang.L("the event's id (first column of psopdesk events list)"))
	dateS := fs.String("date", "", lang.L("the event's day, d.m.yyyy"))
	start := fs.String("start", "", lang.L("start time, e.g. 8.00 (8:00 and 800 work too)"))
	end := fs.String("end", "", lang.L("end time, e.g. 16.15 (16:15 and 1615 work too)"))
	qtyS := fs.String("quantity", "", lang.L("quantity in the service's unit, e.g. 2,75"))
	note := fs.String("note", "", lang.L("a note (lisätieto)"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	set := given(fs)
	if *id == "" || !(set["date"] || set["start"] || set["end"] || set["quantity"] || set["note"]) {
		return usageError{lang.L("give -event and what to change: -date, -start, -end, -quantity or -note")}
	}
	if err := ef.check(); err != nil {
		return err
	}
	var date data.Date
	var qty data.Quantity
	var err error
	if set["date"] {
		if date, err = data.ParseFinnishDateIn(*dateS, ef.today()); err != nil {
			return usageError{"-date: " + ui.Sentence(err)}
		}
	}
	if set["quantity"] {
		if qty, err = data.ParseQuantity(*qtyS); err != nil {
			return usageError{"-quantity: " + quantityProblem(*qtyS)}
		}
	}
	c, ev, err := openEvent(ef, *id)
	if err != nil {
		return err
	}
	defer c.Close()
	in := ev.Input()
	if set["date"] {
		in.Date = date
	}
	if set["start"] {
		in.Start = data.ClockText(*start)
	}
	if set["end"] {
		in.End = data.ClockText(*end)
	}
	if set["quantity"] {
		in.Quantity = qty
	}
	if set["note"] {
		in.Note = *note
	}
	entry, err := c.EditEvent(*id, ev.Version, in, ef.now.Now())
	if err != nil {
		return refused(stderr, err)
	}
	return queuedOrSent(c, ef, entry, stdout, stderr)
}

// cmdEventsDelete queues the deletion (Poista) of an event.
func cmdEventsDelete(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("delete", stderr)
	ef := addEventFlags(fs)
	id := fs.String("event", "", lang.L("the event's id (first column of psopdesk events list)"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *id == "" {
		return usageError{lang.L("give -event")}
	}
	if err := ef.check(); err != nil {
		return err
	}
	c, ev, err := openEvent(ef, *id)
	if err != nil {
		return err
	}
	defer c.Close()
	entry, err := c.DeleteEvent(*id, ev.Version, ef.now.Now())
	if err != nil {
		return refused(stderr, err)
	}
	return queuedOrSent(c, ef, entry, stdout, stderr)
}

// cmdEventsCreditRequest queues a credit request (Ilmoita virheestä) of a
// locked event: a reason code of data.CreditReasons and an explanation.
func cmdEventsCreditRequest(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("credit-request", stderr)
	ef := addEventFlags(fs)
	id := fs.String("event", "", lang.L("the event's id (first column of psopdesk events list)"))
	reasons := strings.Join(data.CreditReasons, ", ")
	reason := fs.String("reason", "", lang.L("the reason code: {{.Codes}}", map[string]any{"Codes": reasons}))
	expl := fs.String("explanation", "", lang.L("the explanation (selite)"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *id == "" || *reason == "" || strings.TrimSpace(*expl) == "" {
		return usageError{lang.L("give -event, -reason and -explanation")}
	}
	if !slices.Contains(data.CreditReasons, *reason) {
		return usageError{lang.L("-reason {{.Reason}} is not a reason code; the codes: {{.Codes}}", map[string]any{"Reason": *reason, "Codes": reasons})}
	}
	if err := ef.check(); err != nil {
		return err
	}
	c, _, err := openEvent(ef, *id)
	if err != nil {
		return err
	}
	defer c.Close()
	entry, err := c.RequestCredit(*id, *reason, *expl, ef.now.Now())
	if err != nil {
		return refused(stderr, err)
	}
	return queuedOrSent(c, ef, entry, stdout, stderr)
}

// Import columns, by their English names.
const (
	colCustomer    = "customer"
	colReservation = "reservation"
	colDate        = "date"
	colStart       = "start"
	colEnd         = "end"
	colQuantity    = "quantity"
	colNote        = "note"
)

// importColumns maps a header name (lower case) to its column: English
// and Finnish names, with or without ä and ö.
var importColumns = map[string]string{
	"customer": colCustomer, "asiakas": colCustomer,
	"reservation": colReservation, "varaus": colReservation,
	"date": colDate, "päivä": colDate, "paiva": colDate,
	"start": colStart, "alku": colStart,
	"end": colEnd, "loppu": colEnd,
	"quantity": colQuantity, "määrä": colQuantity, "maara": colQuantity,
	"note": colNote, "lisätieto": colNote, "lisatieto": colNote,
}

// importRow is one row of an import file: where it is, what it records,
// or why it cannot (problem, a sentence).
type importRow struct {
	line                  int
	customer, reservation string
	in                    data.EventInput
	problem               string
}

// readImport reads a shift-planning export: UTF-8 with or without a BOM,
// ';', ',' or tab separated (the header line's most frequent), a header
// row naming the columns. A bad row is a row with a problem; a file that
// cannot be read at all is a failure. Unknown columns are told on stderr.
func readImport(path string, today data.Date, stderr io.Writer) ([]importRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, failure{lang.L("the file {{.Path}} cannot be read: check its name and that you may read it", map[string]any{"Path": path})}
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if !utf8.Valid(b) {
		return nil, failure{lang.L("the file {{.Path}} is not UTF-8 text: save it as UTF-8 (CSV UTF-8) and try again", map[string]any{"Path": path})}
	}
	head, _, _ := bytes.Cut(b, []byte("\n"))
	sep := ';'
	for _, r := range []rune{',', '\t'} {
		if bytes.Count(head, []byte(string(r))) > bytes.Count(head, []byte(string(sep))) {
			sep = r
		}
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma, r.FieldsPerRecord, r.TrimLeadingSpace = sep, -1, true
	header, err := r.Read()
	names := lang.L("customer, reservation, date, start, end, quantity, note (or asiakas, varaus, päivä, alku, loppu, määrä, lisätieto)")
	if err != nil {
		return nil, failure{lang.L("the file {{.Path}} has no header row; its columns: {{.Names}}", map[string]any{"Path": path, "Names": names})}
	}
	idx := map[string]int{}
	for i, h := range header {
		col, ok := importColumns[strings.ToLower(strings.TrimSpace(h))]
		if !ok {
			fmt.Fprintln(stderr, lang.L("the column {{.Name}} is not used", map[string]any{"Name": strings.TrimSpace(h)}))
			continue
		}
		if _, dup := idx[col]; dup {
			return nil, failure{lang.L("the column {{.Name}} is twice in the header row", map[string]any{"Name": strings.TrimSpace(h)})}
		}
		idx[col] = i
	}
	var missing []string
	for _, col := range []string{colCustomer, colReservation, colDate, colQuantity} {
		if _, ok := idx[col]; !ok {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, failure{lang.L("the header row of {{.Path}} lacks the columns {{.Missing}}; the columns: {{.Names}}",
			map[string]any{"Path": path, "Missing": strings.Join(missing, ", "), "Names": names})}
	}
	var rows []importRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rows = append(rows, importRow{line: pe.StartLine, problem: lang.L("the row is not valid CSV: check its quotes")})
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		rows = append(rows, parseImportRow(line, rec, idx, len(header), sep, today))
	}
	return rows, nil
}

// parseImportRow reads one record of the import file.
func parseImportRow(line int, rec []string, idx map[string]int, width int, sep rune, today data.Date) importRow {
	row := importRow{line: line}
	if len(rec) > width {
		if sep == ',' {
			row.problem = lang.L("the row has more fields than the header row: in a comma-separated file put a decimal comma in quotes or use a point (2.75)")
		} else {
			row.problem = lang.L("the row has more fields than the header row")
		}
		return row
	}
	get := func(col string) string {
		if i, ok := idx[col]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for _, col := range []string{colCustomer, colReservation, colDate, colQuantity} {
		if get(col) == "" {
			row.problem = lang.L("the column {{.Name}} is empty", map[string]any{"Name": col})
			return row
		}
	}
	row.customer, row.reservation = get(colCustomer), get(colReservation)
	var err error
	if row.in.Date, err = data.ParseFinnishDateIn(get(colDate), today); err != nil {
		row.problem = ui.Sentence(err)
		return row
	}
	if row.in.Quantity, err = data.ParseQuantity(get(colQuantity)); err != nil {
		row.problem = quantityProblem(get(colQuantity))
		return row
	}
	row.in.Start, row.in.End, row.in.Note = data.ClockText(get(colStart)), data.ClockText(get(colEnd)), get(colNote)
	return row
}

// cmdEventsImport records the rows of a shift-planning export: each good
// row is queued (Cache.RecordEvent), each bad one reported with its line
// number; with -dry-run nothing is changed. One line per row: "line N:
// recorded", "line N: to review (why)" or "line N: refused: sentence".
// Exit 1 when any row was refused.
func cmdEventsImport(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", stderr)
	ef := addEventFlags(fs)
	file := fs.String("file", "", lang.L("the CSV file of events"))
	dry := fs.Bool("dry-run", false, lang.L("check the rows and tell what would happen, change nothing"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *file == "" {
		return usageError{lang.L("give -file")}
	}
	if err := ef.check(); err != nil {
		return err
	}
	if *dry && *ef.sf.server != "" {
		return usageError{lang.L("-dry-run sends nothing: leave out -server")}
	}
	c, err := openCacheCLI(*ef.dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	rows, err := readImport(*file, ef.today(), stderr)
	if err != nil {
		return err
	}
	today := ef.today()
	customers := map[string]*customerContext{}
	problems := map[string]string{}
	simulated := map[string][]data.ServiceEvent{} // dry run: the rows before, per customer
	var queued []sent
	nRefused := 0
	refuse := func(line int, why string) {
		nRefused++
		fmt.Fprintln(stdout, lang.L("line {{.N}}: refused: {{.Why}}", map[string]any{"N": line, "Why": why}))
	}
	for _, row := range rows {
		if row.problem != "" {
			refuse(row.line, row.problem)
			continue
		}
		cc, seen := customers[row.customer]
		if !seen {
			var problem string
			if cc, problem, err = loadCustomer(c, row.customer, today); err != nil {
				return err
			}
			customers[row.customer], problems[row.customer] = cc, problem
		}
		if p := problems[row.customer]; p != "" {
			refuse(row.line, p)
			continue
		}
		if p := cc.reservationProblem(row.reservation); p != "" {
			refuse(row.line, p)
			continue
		}
		now := ef.now.Now()
		var out data.ReviewOutcome
		var ev data.ServiceEvent
		if *dry {
			ev, out, err = c.EventPreview(row.customer, row.reservation, row.in, now)
			if err == nil {
				// The rows before this one count as the real run will
				// have queued them.
				g, svc := cc.grantOf(ev.GrantID)
				ev.ID = fmt.Sprintf("dry-run-%09d", row.line)
				out = data.Review(g, svc, append(slices.Clone(cc.view.Events), simulated[row.customer]...), ev)
				ev.Status = data.StatusRecorded
				if out.InReview {
					ev.Status = data.StatusInReview
				}
				simulated[row.customer] = append(simulated[row.customer], ev)
			}
		} else {
			var entry cache.Entry
			entry, out, err = c.RecordEvent(row.customer, row.reservation, row.in, now)
			if err == nil {
				queued = append(queued, sent{id: entry.Command.ID, label: lang.L("line {{.N}}", map[string]any{"N": row.line})})
				ev, _, _, _ = c.Event(entry.Command.EventID)
			}
		}
		var de *data.Error
		if errors.As(err, &de) {
			refuse(row.line, ui.Sentence(err))
			continue
		}
		if err != nil {
			return err
		}
		if out.InReview {
			g, svc := cc.grantOf(ev.GrantID)
			fmt.Fprintln(stdout, lang.L("line {{.N}}: to review ({{.Why}})", map[string]any{"N": row.line, "Why": reviewWhy(out, g, svc.Unit)}))
		} else {
			fmt.Fprintln(stdout, lang.L("line {{.N}}: recorded", map[string]any{"N": row.line}))
		}
	}
	if *dry {
		fmt.Fprintln(stdout, lang.L("dry run: {{.OK}} rows would be queued, {{.Refused}} refused; nothing was changed",
			map[string]any{"OK": len(rows) - nRefused, "Refused": nRefused}))
	} else {
		fmt.Fprintln(stdout, lang.L("{{.OK}} rows queued, {{.Refused}} refused", map[string]any{"OK": len(queued), "Refused": nRefused}))
	}
	var sendErr error
	if len(queued) > 0 && *ef.sf.server != "" {
		sendErr = sendNow(c, ef.sf, ef.now.Now, "events", queued, stdout, stderr)
	}
	if nRefused > 0 {
		if sendErr != nil && !errors.As(sendErr, new(refusedError)) {
			fmt.Fprintln(stderr, ui.Sentence(sendErr))
		}
		return refusedError{}
	}
	return sendErr
}
