package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"psopdesk/cmd/psopdesk/instance"
	"psopdesk/cmd/psopdesk/logging"
	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
	"psopdesk/sync/client"
	"psopdesk/ui"
	"psopdesk/ui/print"
)

// commands are the headless subcommands, each on the same code path as the
// window (the cache, the outbox, the sync engine).
var commands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"sync":            cmdSync,
	"statement":       cmdStatement,
	"statements":      cmdStatements,
	"search":          cmdSearch,
	"customer-number": cmdCustomerNumber,
	"outbox":          cmdOutbox,
	"events":          cmdEvents,
	"check":           cmdCheck,
}

func isCommand(name string) bool { _, ok := commands[name]; return ok }

// runCLI runs a headless subcommand: args[0] names it. It returns the
// process exit code: 0 done, 1 failed or refused, 2 bad usage.
func runCLI(args []string) int {
	slog.SetDefault(slog.New(logging.Handler(os.Stderr, slog.LevelWarn)))
	return runCLIWith(args, os.Stdout, os.Stderr)
}

func runCLIWith(args []string, stdout, stderr io.Writer) int {
	// The sentences come from the one catalog the window uses, in the
	// system's language (Finnish when it is none of fi, sv, en).
	if err := ui.UseLanguage(""); err != nil {
		fmt.Fprintln(stderr, "psopdesk:", err)
		return 2
	}
	if len(args) == 0 || !isCommand(args[0]) {
		fmt.Fprintln(stderr, lang.L("usage: psopdesk [sync|check|statement|statements|search|customer-number|outbox|events] ..."))
		return 2
	}
	err := commands[args[0]](args[1:], stdout, stderr)
	var ue usageError
	var re refusedError
	var fe failure
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 2
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "psopdesk %s: %v\n", args[0], err)
		return 2
	case errors.As(err, &re):
		return 1 // already printed
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "psopdesk %s: %s\n", args[0], fe.msg)
		return 1
	case errors.Is(err, cache.ErrDamaged):
		slog.Error("the cache is damaged", "command", args[0], "err", err)
		fmt.Fprintf(stderr, "psopdesk %s: %s\n", args[0], damagedCLISentence(cacheFlag(args[1:])))
		return 1
	default:
		slog.Debug("command failed", "command", args[0], "err", err)
		fmt.Fprintf(stderr, "psopdesk %s: %s\n", args[0], ui.Sentence(err))
		return 1
	}
}

// usageError is a wrong or missing flag.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// failure is a failed command whose sentence is msg (in the user's
// language).
type failure struct{ msg string }

func (e failure) Error() string { return e.msg }

// refusedError ends a command whose change was refused; the sentence has
// been printed.
type refusedError struct{}

func (refusedError) Error() string { return "refused" }

func defaultCacheDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "psopdesk-cache"
	}
	return filepath.Join(dir, "psopdesk")
}

// serverFlags are -server and -api-key-file of the commands that sync.
type serverFlags struct {
	server, keyFile *string
}

func addServerFlags(fs *flag.FlagSet) serverFlags {
	return serverFlags{
		server:  fs.String("server", "", lang.L("organizer server URL, e.g. https://psop.example.fi")),
		keyFile: fs.String("api-key-file", "", lang.L("file holding the API key")),
	}
}

// check refuses a -server that is not an http(s) URL.
func (sf serverFlags) check() error {
	if *sf.server == "" {
		return nil
	}
	if err := client.CheckServerURL(*sf.server); err != nil {
		return usageError{"-server " + *sf.server + ": " + ui.Sentence(err)}
	}
	return nil
}

// engine makes the sync engine of the command line: the same engine the
// window runs, on the client of -server and the key of -api-key-file.
func (sf serverFlags) engine(c *cache.Cache, now func() time.Time) (*client.Engine, error) {
	key, err := client.LoadAPIKey(*sf.keyFile)
	if err != nil {
		return nil, err
	}
	cl := client.NewClient(*sf.server, key)
	return client.NewEngine(c, func(context.Context) (*client.Client, error) { return cl, nil }, now), nil
}

// nowFlag adds -now to fs.
func nowFlag(fs *flag.FlagSet) *clock {
	var c clock
	fs.Var(&c, "now", lang.L("the clock starts at this RFC 3339 instant (tests)"))
	return &c
}

// cmdSync pushes the outbox and pulls the change feed of -server into the
// cache at -cache.
func cmdSync(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addServerFlags(fs)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	now := nowFlag(fs)
	rebuild := fs.Bool("rebuild", false, lang.L("make the cache anew (a damaged one is removed) and fetch everything; the changes waiting to be sent are kept and sent"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *sf.server == "" || *sf.keyFile == "" {
		return usageError{lang.L("give -server and -api-key-file")}
	}
	if err := sf.check(); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	c, err := openCacheCLI(*dir, true)
	if *rebuild {
		c, err = rebuildCacheCLI(c, err, *dir, stderr)
	}
	if err != nil {
		return err
	}
	defer c.Close()
	// A window started meanwhile on this cache says a sync holds it.
	if h, err := instance.Listen(*dir, instance.Sync, nil); err == nil {
		defer h.Close()
	}
	e, err := sf.engine(c, now.Now)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := e.Once(ctx, nil)
	printRefusals(stderr, "sync", res.Refused)
	if res.Pull.Restarted {
		fmt.Fprintf(stderr, "psopdesk sync: %s\n", lang.L("the server's data did not match the cache (another server, or its data was reset or restored from a backup): the cache was filled again from the start"))
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, lang.L("synced: {{.Sent}}, {{.Fetched}}, position {{.Cursor}}", map[string]any{
		"Sent":    lang.N("{{.N}} changes sent", len(res.Applied), map[string]any{"N": len(res.Applied)}),
		"Fetched": lang.N("{{.N}} changes fetched", res.Pull.Changes, map[string]any{"N": res.Pull.Changes}),
		"Cursor":  res.Pull.Cursor}))
	if len(res.Refused) > 0 {
		return refusedError{}
	}
	return nil
}

// printRefusals tells each refused change: the command, the customer and
// the reason, one line each.
func printRefusals(w io.Writer, command string, rs []cache.Refusal) {
	for _, r := range rs {
		fmt.Fprintf(w, "psopdesk %s: %s\n", command, lang.L("{{.Type}} of customer {{.Customer}} refused: {{.Why}}",
			map[string]any{"Type": string(r.Command.Type), "Customer": r.Command.CustomerID, "Why": ui.RefusalSentence(r)}))
	}
}

// parseFlags parses args into fs: a wrong flag (or, unless withArgs, an
// argument after the flags) is a usageError (exit 2).
func parseFlags(fs *flag.FlagSet, args []string, withArgs bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if !withArgs && fs.NArg() > 0 {
		return usageError{lang.L("unexpected argument {{.Arg}}", map[string]any{"Arg": fs.Arg(0)})}
	}
	return nil
}

// openCacheCLI opens the cache folder dir for a command. Only sync
// (create) may start a new cache: the others refuse a folder without one,
// so a mistyped -cache is told, not silently made. A cache held by the
// window gets a sentence for a script's user.
func openCacheCLI(dir string, create bool) (*cache.Cache, error) {
	if !create {
		if _, err := os.Stat(filepath.Join(dir, cache.FileName)); err != nil {
			return nil, failure{lang.L("there is no PSOP Desk cache in {{.Dir}}: fetch the data first with psopdesk sync, or give the folder with -cache (the demo's is {{.Demo}})",
				map[string]any{"Dir": dir, "Demo": demoCacheDir()})}
		}
	}
	c, err := cache.Open(dir)
	if errors.Is(err, cache.ErrLocked) {
		return nil, failure{lang.L("the cache {{.Dir}} is in use by a running PSOP Desk: close the window, or run the command when it is closed",
			map[string]any{"Dir": dir})}
	}
	return c, err
}

// cmdSearch prints the customers found by a name, henkilötunnus, voucher
// number or customer number: id, "last name, first names", birth date,
// customer number and, when a voucher number matched, that voucher,
// tab-separated, one per line, in Finnish order. The henkilötunnus is never
// printed; an invalid one is an error saying what is wrong.
func cmdSearch(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	limit := fs.Int("limit", 0, lang.L("at most this many customers (0: all)"))
	if err := parseFlags(fs, args, true); err != nil {
		return err
	}
	q := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q) == "" {
		return usageError{lang.L("give a name, personal identity code, voucher number or customer number to search for")}
	}
	c, err := openCacheCLI(*dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	found, err := c.SearchHits(q, *limit)
	if err != nil {
		return err // an invalid henkilötunnus: ui.Sentence says what is wrong
	}
	for _, h := range found {
		cu := h.Customer
		birth := ""
		if h, err := hetu.Parse(cu.Hetu); err == nil {
			birth = h.BirthDate().Format()
		}
		fmt.Fprintf(stdout, "%s\t%s, %s\t%s\t%s", cu.ID, cu.LastName, cu.FirstNames, birth, cu.CustomerNumber)
		if h.Voucher != "" {
			fmt.Fprintf(stdout, "\t%s", h.Voucher)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

// cmdCustomerNumber stores a change of a customer's customer number in the
// outbox and, with -server, sends it and syncs.
func cmdCustomerNumber(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("customer-number", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	id := fs.String("customer", "", lang.L("the customer's id (first column of psopdesk search)"))
	set := fs.String("set", "", lang.L("the new customer number"))
	remove := fs.Bool("remove", false, lang.L("remove the customer number"))
	sf := addServerFlags(fs)
	now := nowFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	setGiven := false
	fs.Visit(func(f *flag.Flag) { setGiven = setGiven || f.Name == "set" })
	if *id == "" || setGiven == *remove {
		return usageError{lang.L("give -customer and either -set NUMBER or -remove")}
	}
	if (*sf.server == "") != (*sf.keyFile == "") {
		return usageError{lang.L("give -server and -api-key-file together")}
	}
	if err := sf.check(); err != nil {
		return err
	}
	c, err := openCacheCLI(*dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	var entry cache.Entry
	if *remove {
		entry, err = c.RemoveCustomerNumber(*id, now.Now())
	} else {
		entry, err = c.SetCustomerNumber(*id, *set, now.Now())
	}
	var de *data.Error
	if errors.As(err, &de) {
		fmt.Fprintln(stderr, ui.Sentence(err))
		return refusedError{}
	}
	if err != nil {
		return err
	}
	if *sf.server == "" {
		fmt.Fprintln(stdout, lang.L("queued: the change waits to be sent (psopdesk sync, or open PSOP Desk)"))
		return nil
	}
	return sendNow(c, sf, now.Now, "customer-number", []sent{{id: entry.Command.ID}}, stdout, stderr)
}

// cmdOutbox prints the changes waiting to be sent, one per line: id,
// type, created (d.m.yyyy H.MM, Helsinki) and the kind of the last
// failed send (client.ErrorKind's name: unreachable, server, …; empty when
// none), tab-separated, oldest first.
func cmdOutbox(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("outbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	c, err := openCacheCLI(*dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	pending, err := c.Outbox().Pending()
	if err != nil {
		return err
	}
	for _, e := range pending {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", e.Command.ID, e.Command.Type, formatInstant(e.Created), e.LastError)
	}
	return nil
}

// formatInstant is t as "1.12.2026 9.05" in Helsinki.
func formatInstant(t time.Time) string {
	h := t.In(data.Helsinki)
	return data.DateOf(h).Format() + " " + data.ClockOf(h)
}

// cmdStatement writes a co-payment statement from the cache: a PDF, or
// CSV when -o ends in .csv (print.StatementCSVFile). -service all (or
// kaikki) makes the statement of all the customer's services.
func cmdStatement(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("statement", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	number := fs.String("customer-number", "", lang.L("the provider's customer number, e.g. A-1001"))
	custID := fs.String("customer", "", lang.L("the customer's id (first column of psopdesk search), instead of -customer-number"))
	service := fs.String("service", "", lang.L("the service's name, e.g. Kotihoito, or all for all services"))
	fromS := fs.String("from", "", lang.L("first day, d.m.yyyy"))
	toS := fs.String("to", "", lang.L("last day, d.m.yyyy"))
	out := fs.String("o", "", lang.L("the file to write: a PDF, or CSV when the name ends in .csv"))
	pdfLang := fs.String("lang", "", lang.L("the statement's language: fi, sv or en (default: the customer's own)"))
	now := nowFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if (*number == "") == (*custID == "") || *service == "" || *fromS == "" || *toS == "" || *out == "" {
		return usageError{lang.L("give -customer-number (or -customer), -service, -from, -to and -o")}
	}
	today := now.Today()
	from, err := data.ParseFinnishDateIn(*fromS, today)
	if err != nil {
		return usageError{"-from: " + ui.Sentence(err)}
	}
	to, err := data.ParseFinnishDateIn(*toS, today)
	if err != nil {
		return usageError{"-to: " + ui.Sentence(err)}
	}
	if err := checkStatementLang(*pdfLang, true); err != nil {
		return err
	}
	c, err := openCacheCLI(*dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := requireData(c, *dir); err != nil {
		return err
	}
	var cust data.Customer
	if *custID != "" {
		cust, err = c.Customer(*custID)
	} else {
		cust, err = c.CustomerByNumber(*number)
	}
	if errors.Is(err, cache.ErrNotFound) {
		who := *custID
		if who == "" {
			who = *number
		}
		return failure{lang.L("no customer {{.Who}} in the cache: find the customer with psopdesk search", map[string]any{"Who": who})}
	}
	if err != nil {
		return err
	}
	svc, err := findService(c, *service)
	if err != nil {
		return err
	}
	st, err := c.Statement(cust.ID, svc.ID, from, to, today)
	if err != nil {
		return err
	}
	opt := print.Options{Language: customerLang(*pdfLang, cust)}
	if strings.EqualFold(filepath.Ext(*out), ".csv") {
		err = print.StatementCSVFile(*out, st, opt)
	} else {
		err = print.StatementFile(*out, st, opt)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, lang.L("co-payment statement: {{.Rows}} rows, co-payment in total {{.Total}} -> {{.File}}",
		map[string]any{"Rows": len(st.Rows), "Total": st.Totals.CoPayment.String(), "File": *out}))
	return nil
}
