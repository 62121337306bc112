// Command psopdesk is PSOP Desk, the service provider's desktop program for
// service vouchers (palvelusetelit).
//
//	psopdesk [-cache DIR] [-server URL -api-key-file FILE] [-lang fi|en|sv]
//	psopdesk sync ...        headless: pull the change feed into the cache
//	psopdesk statement ...   headless: write a co-payment statement PDF
//	psopdesk help            print the usage
//
// Without -server it runs in demo mode: it starts the reference organizer
// with generated data in a temporary folder (removed on exit) and syncs
// from it over real HTTP into the -cache folder. The default -cache is
// os.UserConfigDir()/psopdesk with -server and .../psopdesk/demo without,
// so the demo's data never replaces the real server's. The menu item
// "Päivitä tiedot" (Ctrl+R) and the "Yritä uudelleen" button after a
// failed sync pull the feed again.
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
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/assets"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/organizer"
	"psopdesk/ui"
)

// appID is the application's unique id (FyneApp.toml ID).
const appID = "fi.psopdesk.desk"

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "sync" || os.Args[1] == "statement") {
		os.Exit(runCLI(os.Args[1:]))
	}
	os.Exit(runGUI(os.Args[1:], os.Stderr))
}

// usageHead is the top of `psopdesk -h` and `psopdesk help`; the flags
// of the desktop program follow it.
const usageHead = `PSOP Desk: service vouchers (palvelusetelit) for service providers.

Usage:
  psopdesk [flags]          the desktop program (demo mode without -server)
  psopdesk sync ...         headless: pull the change feed into the cache
                            (psopdesk sync -h for its flags)
  psopdesk statement ...    headless: write a co-payment statement PDF
                            (psopdesk statement -h for its flags)
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
	fs.StringVar(&f.keyFile, "api-key-file", "", "file holding the provider's API key (with -server)")
	fs.StringVar(&f.lang, "lang", "", `UI language: fi, en or sv ("": the system's if supported, else fi)`)
	fs.IntVar(&f.demoCustomers, "demo-customers", 2000, "number of generated customers in demo mode")
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
	if f.server != "" && f.keyFile == "" {
		return f, errors.New("-server needs -api-key-file")
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
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, nil)))
	f, err := parseGUIFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "psopdesk:", err)
		return 2
	}
	// The language before the app: Fyne picks its texts when it starts.
	if err := assets.UseLanguage(f.lang); err != nil {
		fmt.Fprintln(stderr, "psopdesk:", err)
		return 2
	}
	a := app.NewWithID(appID)
	setMetadata(a)

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
	s := newSyncer(c, f)
	desk := ui.NewDesk(a, c, ui.Options{DataDir: f.cacheDir, Language: assets.Language(), Resync: s.request})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(ctx, desk)
	}()
	// shutdown stops the sync (and the demo server, removing its folder)
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

func openCache(dir string) (*cache.Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return cache.Open(dir)
}

// setMetadata gives a `go build` binary the metadata `fyne package` would
// embed from FyneApp.toml, unless a packaged build or a FyneApp.toml in the
// working folder already gave it (keep the values in step with the file).
func setMetadata(a fyne.App) {
	if m := a.Metadata(); m.Name != "" {
		slog.Info("app metadata from FyneApp.toml or the package", "name", m.Name, "version", m.Version,
			"fyneDo", m.Migrations["fyneDo"])
		if m.Icon == nil { // a relative Icon path read from another folder
			a.SetIcon(assets.Icon)
		}
		return
	}
	slog.Info("app metadata built in (no FyneApp.toml found)")
	app.SetMetadata(fyne.AppMetadata{
		ID: appID, Name: "PSOP Desk", Version: "0.1.0", Build: 1, Icon: assets.Icon,
		Migrations: map[string]bool{"fyneDo": true},
	})
	a.SetIcon(assets.Icon)
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

// syncer pulls the change feed into the cache: once at start and again
// whenever the user asks (Desk's Resync), never two pulls at once. What a
// pull needs (the API key; in demo mode the reference organizer) is set up
// once, on the first pull that gets that far, and kept until the window
// closes.
type syncer struct {
	c *cache.Cache
	f guiFlags

	// again holds one pending request for a pull; busy is set while one runs.
	again chan struct{}
	busy  atomic.Bool

	// Set up by the run goroutine only.
	client *client.Client
	demo   *organizer.Running
	dir    string // the demo organizer's temporary folder
}

func newSyncer(c *cache.Cache, f guiFlags) *syncer {
	return &syncer{c: c, f: f, again: make(chan struct{}, 1)}
}

// request asks for another pull; while one runs it does nothing (that pull
// just continues). It never blocks (Desk calls it on the Fyne goroutine).
func (s *syncer) request() {
	if s.busy.Load() {
		slog.Info("sync already running")
		return
	}
	select {
	case s.again <- struct{}{}:
	default:
	}
}

// syncReporter is told how a pull goes: *ui.Desk.
type syncReporter interface {
	SyncProgress(client.Progress)
	SyncDone(client.Progress)
	SyncFailed(error)
}

// run pulls now and on every request until ctx ends, reporting to desk,
// then stops the demo organizer and removes its folder.
func (s *syncer) run(ctx context.Context, desk syncReporter) {
	defer s.close()
	for {
		s.busy.Store(true)
		p, err := s.pull(ctx, desk)
		// Not busy before the result shows: a retry the user asks for as
		// soon as they see the failure must not be dropped.
		s.busy.Store(false)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			desk.SyncFailed(err)
		default:
			desk.SyncDone(p)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.again:
		}
	}
}

func (s *syncer) close() {
	if s.demo != nil {
		if err := s.demo.Close(); err != nil {
			slog.Error("stopping the demo server failed", "err", err)
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// setup makes the client on the first call that succeeds: reads the API
// key, or in demo mode starts the reference organizer.
func (s *syncer) setup(ctx context.Context) error {
	if s.client != nil {
		return nil
	}
	if s.f.server != "" {
		key, err := client.LoadAPIKey(s.f.keyFile)
		if err != nil {
			slog.Error("reading the API key file failed", "err", err)
			return err
		}
		s.client = client.NewClient(s.f.server, key)
		return nil
	}
	if s.dir == "" {
		dir, err := os.MkdirTemp("", "psopdesk-demo-")
		if err != nil {
			slog.Error("demo folder failed", "err", err)
			return errors.New(lang.L("The demo server could not be started: {{.Err}}", map[string]any{"Err": err.Error()}))
		}
		s.dir = dir
	}
	slog.Info("demo mode: starting the reference organizer", "customers", s.f.demoCustomers)
	run, err := organizer.StartDemo(ctx, s.dir, s.f.demoCustomers)
	if err != nil {
		slog.Error("demo server failed", "err", err)
		return errors.New(lang.L("The demo server could not be started: {{.Err}}", map[string]any{"Err": err.Error()}))
	}
	s.demo = run
	s.client = client.NewClient(run.URL, run.Keys["prov-1"])
	return nil
}

// pull runs one pull of the change feed into the cache, reporting its
// progress to desk, and gives its result.
func (s *syncer) pull(ctx context.Context, desk syncReporter) (client.Progress, error) {
	desk.SyncProgress(client.Progress{})
	if err := s.setup(ctx); err != nil {
		return client.Progress{}, err
	}
	server := s.f.server
	if s.demo != nil {
		server = s.demo.URL
	}
	slog.Info("sync started", "server", server)
	p, err := s.client.Pull(ctx, s.c, desk.SyncProgress)
	if err != nil {
		if ctx.Err() == nil {
			slog.Error("sync failed", "err", err)
		}
		return p, err
	}
	slog.Info("sync done", "pages", p.Pages, "changes", p.Changes, "cursor", p.Cursor)
	return p, nil
}
