// Command psopdesk is PSOP Desk, the service provider's desktop program for
// service vouchers (palvelusetelit).
//
//	psopdesk [-cache DIR] [-server URL -api-key-file FILE] [-lang fi|en|sv] [-now T]
//	psopdesk sync ...             headless: push the outbox, pull the change feed
//	psopdesk statement ...        headless: write a co-payment statement PDF
//	psopdesk search ...           headless: find customers
//	psopdesk customer-number ...  headless: set or remove a customer number
//	psopdesk outbox ...           headless: list the changes waiting to be sent
//	psopdesk events ...           headless: list, record, correct, delete events
//	psopdesk check ...            headless: check the cache (sync -rebuild rebuilds it)
//	psopdesk help                 print the usage
//
// main.go only wires: flags, open the cache, start the sync engine
// (psopdesk/sync/client), run the window (psopdesk/ui).
//
// Without -server it runs in demo mode: it starts the reference organizer
// with generated data, its store kept in the demo cache folder (so a
// restart keeps the user's changes and syncs only what is new;
// -demo-reset starts over), and syncs from it over real HTTP. The default
// -cache is os.UserConfigDir()/psopdesk with -server and .../psopdesk/demo
// without, so the demo's data never replaces the real server's. The menu
// item "Synkronoi nyt" (Ctrl+R, F5) and the "Yritä uudelleen" button run the
// sync again; a change the user makes runs it at once; the first sync
// shows its progress and can be cancelled.
//
// With -server and no -api-key-file the key is read from the system's
// keyring; the window asks for it (Yhdistä palvelimeen) when there is
// none or the server refuses it, and where the system has no keyring it
// asks for a key file instead. A second launch on the same cache brings
// the running window forward (package instance).
//
// It logs to stderr with log/slog, never a henkilötunnus or an API key. A
// line "search page ready" tells that the first sync has ended and search
// works; "search results: N" is logged each time results are shown.
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
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/cmd/psopdesk/instance"
	"psopdesk/cmd/psopdesk/logging"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/ui"
)

// appID is the application's unique id (FyneApp.toml ID).
const appID = "fi.psopdesk.desk"

func main() {
	if len(os.Args) > 1 && isCommand(os.Args[1]) {
		os.Exit(runCLI(os.Args[1:]))
	}
	os.Exit(runGUI(os.Args[1:], os.Stderr))
}

// usageHead is the top of `psopdesk -h` and `psopdesk help`; the flags
// of the desktop program follow it.
const usageHead = `PSOP Desk: service vouchers (palvelusetelit) for service providers.

Usage:
  psopdesk [flags]          the desktop program (demo mode without -server)
  psopdesk sync ...         headless: send the waiting changes, then pull
                            the change feed into the cache
                            (psopdesk sync -h for its flags)
  psopdesk statement ...    headless: write a co-payment statement PDF
                            (psopdesk statement -h for its flags)
  psopdesk statements -service NAME|all -month YYYY-MM -out DIR
                            headless: a month's statements, one PDF per
                            customer, kaikki.pdf and yhteenveto.csv
                            (psopdesk statements -h)
  psopdesk search -cache DIR QUERY
                            headless: find customers (id, name, birth date,
                            customer number; tab-separated)
  psopdesk customer-number -cache DIR -customer ID (-set NUMBER | -remove)
                           [-server URL -api-key-file FILE]
                            headless: set or remove the provider's customer
                            number (queued in the outbox; sent with -server)
  psopdesk outbox -cache DIR
                            headless: the changes waiting to be sent
  psopdesk events list|record|edit|delete|credit-request|import ...
                            headless: the customer's service events
                            (psopdesk events -h)
  psopdesk check -cache DIR headless: check the cache; "ok DIGEST" or what
                            is wrong (psopdesk sync -rebuild rebuilds it)
  psopdesk help             this text

Flags of the desktop program:
`

// guiFlags are the flags of the desktop program.
type guiFlags struct {
	cacheDir      string
	server        string
	keyFile       string
	lang          string
	demoCustomers int
	demoReset     bool
	demo          bool
	now           clock
}

// parseGUIFlags parses the desktop program's flags. "help" as the only
// argument, like -h, prints the usage to stderr and gives flag.ErrHelp.
// Without -cache the cache folder is defaultCacheDir() with -server and
// demoCacheDir() without.
func parseGUIFlags(args []string, stderr io.Writer) (guiFlags, error) {
	var f guiFlags
	fs := flag.NewFlagSet("psopdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.cacheDir, "cache", "", "folder of the local cache (and of printed statements, in tulosteet/);\n"+
		"default "+defaultCacheDir()+" with -server,\n"+demoCacheDir()+" in demo mode")
	fs.StringVar(&f.server, "server", "", "organizer server URL; without it, demo mode with generated data")
	fs.StringVar(&f.keyFile, "api-key-file", "", "file holding the provider's API key (with -server; without it the key is\n"+
		"read from the system's keyring, or asked for)")
	fs.BoolVar(&f.demo, "demo", false, "demo mode even when a server has been connected to from the window")
	fs.StringVar(&f.lang, "lang", "", `UI language: fi, en or sv ("": the one chosen in the settings, else the system's if supported, else fi)`)
	fs.IntVar(&f.demoCustomers, "demo-customers", 2000, "number of generated customers in demo mode")
	fs.BoolVar(&f.demoReset, "demo-reset", false, "demo mode: start over with fresh demo data (discards the demo's changes)")
	fs.Var(&f.now, "now", "the program's clock starts at this instant (RFC 3339, e.g. 2026-12-01T09:00:00+02:00) and runs on; for tests and demos")
	if len(args) == 1 && args[0] == "help" {
		fs.Usage()
		return f, flag.ErrHelp
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q (psopdesk help lists the commands)", fs.Arg(0))
	}
	if f.server != "" {
		if err := client.CheckServerURL(f.server); err != nil {
			return f, fmt.Errorf("-server %s: %s", f.server, ui.Sentence(err))
		}
	}
	if f.cacheDir == "" {
		f.cacheDir = defaultCacheDir()
		if f.server == "" {
			f.cacheDir = demoCacheDir()
		}
	}
	return f, nil
}

// demoCacheDir is demo mode's default cache folder: "demo" inside the
// real server's (defaultCacheDir), so switching between the demo and a
// server never starts either cache over.
func demoCacheDir() string { return filepath.Join(defaultCacheDir(), "demo") }

func runGUI(args []string, stderr io.Writer) int {
	handler := logging.Handler(stderr, slog.LevelInfo)
	slog.SetDefault(slog.New(handler))
	f, err := parseGUIFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		// The log: stderr and a size-capped rotating file (logging.Dir),
		// with the detail of every failure and no henkilötunnus.
		if w, lerr := logging.Open(logging.Dir()); lerr == nil {
			defer w.Close()
			slog.SetDefault(slog.New(slog.NewMultiHandler(handler, logging.Handler(w, slog.LevelInfo))))
		} else {
			fmt.Fprintln(stderr, "psopdesk: the log file cannot be written:", lerr)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "psopdesk:", err)
		return 2
	}
	useSavedConnection(&f)
	a := app.NewWithID(appID)
	setMetadata(a)
	// The language before any window: -lang, else the one chosen in the
	// settings, else the system's.
	if f.lang == "" {
		f.lang = ui.SavedLanguage(a)
	}
	if err := ui.UseLanguage(f.lang); err != nil {
		fmt.Fprintln(stderr, "psopdesk:", err)
		return 2
	}
	// A second launch on the same cache brings the first one's window
	// forward, or says that a headless sync holds the cache.
	if code, done := handOver(a, f.cacheDir, stderr); done {
		return code
	}

	if f.demoReset && f.server == "" {
		if err := resetDemo(f.cacheDir); err != nil {
			fmt.Fprintln(stderr, "psopdesk:", err)
			return 1
		}
	}
	c, err := openCache(f.cacheDir)
	if err != nil {
		slog.Error("opening the cache failed", "dir", f.cacheDir, "err", err)
		msg := lang.L("The local cache could not be opened: {{.Err}}", map[string]any{"Err": err.Error()})
		if errors.Is(err, cache.ErrLocked) {
			msg = lang.L("PSOP Desk is already open in another window and uses the same data. Switch to that window, or close it and start PSOP Desk again.")
			fmt.Fprintln(stderr, "psopdesk:", msg)
			fmt.Fprintf(stderr, "psopdesk: the cache %s is in use; a second copy needs another -cache folder\n", f.cacheDir)
		} else {
			fmt.Fprintln(stderr, "psopdesk:", msg)
		}
		showFatal(a, msg)
		return 1
	}

	ctx, cancel := context.WithCancel(context.Background())
	conn := newConnector(f)
	engine := client.NewEngine(c, conn.connect, f.now.Now)
	desk := ui.NewDesk(a, c, ui.Options{DataDir: f.cacheDir, Language: ui.Language(), Resync: engine.Request,
		Now: f.now.Now, CancelSync: engine.Cancel,
		Connection: &ui.Connection{Server: f.server, Keys: conn.keys, Use: conn.use},
		LogDir:     logging.Dir(), SyncInterval: engine.SetInterval})
	desk.RestoreOpenCustomers()
	conn.engine, conn.onExpiry = engine, desk.KeyExpires
	holder, err := instance.Listen(f.cacheDir, instance.Window, func() {
		fyne.Do(func() {
			desk.Window().Show()
			desk.Window().RequestFocus()
		})
	})
	if err != nil {
		slog.Warn("a second launch cannot be handed over", "err", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer conn.close()
		engine.Run(ctx, desk)
	}()
	// shutdown stops the sync (and the demo server)
	// and closes the cache, releasing its lock for the next start.
	var once sync.Once
	shutdown := func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				slog.Error("the sync did not stop in 5 s")
			}
			if holder != nil {
				_ = holder.Close()
			}
			if err := c.Close(); err != nil {
				slog.Error("closing the cache failed", "err", err)
			}
		})
	}
	// Fyne 2.7.2 can hang after its loop ends when an input event is in
	// flight at quit (the lifecycle queue waits on the stopped main loop),
	// and ShowAndRun never returns. So on window close or SIGINT/SIGTERM
	// a watchdog shuts down and exits if Fyne has not returned by then.
	var watch sync.Once
	watchdog := func() {
		watch.Do(func() {
			go func() {
				shutdown()
				time.Sleep(3 * time.Second)
				slog.Warn("the window system did not stop: exiting")
				os.Exit(0)
			}()
		})
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-term; ok {
			watchdog()
		}
	}()
	desk.Window().SetMaster()
	desk.Window().SetOnClosed(watchdog)
	desk.Window().ShowAndRun()
	signal.Stop(term)
	shutdown()
	return 0
}

// resetDemo removes the demo's cache, outbox and organizer store from the
// demo cache folder dir (-demo-reset), leaving printed statements.
func resetDemo(dir string) error {
	for _, p := range []string{filepath.Join(dir, cache.FileName), cache.OutboxPath(dir), demoOrganizerDir(dir)} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("-demo-reset: %w", err)
		}
	}
	slog.Info("demo reset: starting over")
	return nil
}

func openCache(dir string) (*cache.Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return cache.OpenOrDamaged(dir) // a damaged replica: the window offers to rebuild it
}

// showFatal shows msg in a small window sized to it, one sentence a line,
// the Close button beside it, and returns when the window is closed.
func showFatal(a fyne.App, msg string) {
	w := a.NewWindow(lang.L("PSOP Desk"))
	l := widget.NewLabel(strings.ReplaceAll(msg, ". ", ".\n"))
	closeBtn := widget.NewButton(lang.L("Close"), a.Quit)
	closeBtn.Importance = widget.HighImportance
	icon := widget.NewIcon(theme.WarningIcon())
	w.SetContent(container.NewPadded(container.NewBorder(nil, nil, icon,
		container.NewCenter(closeBtn), l)))
	w.SetFixedSize(true)
	w.ShowAndRun()
}
