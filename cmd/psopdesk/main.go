// Command psopdesk is PSOP Desk, the service provider's desktop program for
// service vouchers (palvelusetelit).
//
//	psopdesk [-cache DIR] [-server URL -api-key-file FILE] [-lang fi|en|sv]
//	psopdesk sync ...        headless: pull the change feed into the cache
//	psopdesk statement ...   headless: write a co-payment statement PDF
//
// Without -server it runs in demo mode: it starts the reference organizer
// with generated data in a temporary folder (removed on exit) and syncs
// from it over real HTTP into the -cache folder.
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
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"psopdesk/assets"
	"psopdesk/data/cache"
	psync "psopdesk/sync"
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

// guiFlags are the flags of the desktop program.
type guiFlags struct {
	cacheDir      string
	server        string
	keyFile       string
	lang          string
	demoCustomers int
}

func parseGUIFlags(args []string, stderr io.Writer) (guiFlags, error) {
	var f guiFlags
	fs := flag.NewFlagSet("psopdesk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.cacheDir, "cache", defaultCacheDir(), "folder of the local cache (and of printed statements, in tulosteet/)")
	fs.StringVar(&f.server, "server", "", "organizer server URL; without it, demo mode with generated data")
	fs.StringVar(&f.keyFile, "api-key-file", "", "file holding the provider's API key (with -server)")
	fs.StringVar(&f.lang, "lang", "", `UI language: fi, en or sv ("": the system's if supported, else fi)`)
	fs.IntVar(&f.demoCustomers, "demo-customers", 2000, "number of generated customers in demo mode")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.server != "" && f.keyFile == "" {
		return f, errors.New("-server needs -api-key-file")
	}
	return f, nil
}

func runGUI(args []string, stderr io.Writer) int {
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, nil)))
	f, err := parseGUIFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "psopdesk:", err)
		}
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
			msg = lang.L("Another PSOP Desk window is already using this cache. Close it, or start PSOP Desk with another -cache folder.")
		}
		fmt.Fprintln(stderr, "psopdesk:", msg)
		showFatal(a, msg)
		return 1
	}

	desk := ui.NewDesk(a, c, ui.Options{DataDir: f.cacheDir, Language: assets.Language()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runSync(ctx, desk, c, f)
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

// showFatal shows msg in a small window and returns when it is closed.
func showFatal(a fyne.App, msg string) {
	w := a.NewWindow(lang.L("PSOP Desk"))
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	w.SetContent(container.NewBorder(nil,
		container.NewCenter(widget.NewButton(lang.L("Close"), a.Quit)), nil, nil, l))
	w.Resize(fyne.NewSize(520, 180))
	w.ShowAndRun()
}

// runSync pulls the change feed into c, reporting to desk. In demo mode it
// starts the reference organizer first and keeps it until ctx ends.
func runSync(ctx context.Context, desk *ui.Desk, c *cache.Cache, f guiFlags) {
	desk.SyncProgress(psync.Progress{})
	url, key := f.server, ""
	if f.server != "" {
		k, err := psync.LoadAPIKey(f.keyFile)
		if err != nil {
			slog.Error("reading the API key file failed", "err", err)
			desk.SyncFailed(err)
			return
		}
		key = k
	} else {
		dir, err := os.MkdirTemp("", "psopdesk-demo-")
		if err != nil {
			slog.Error("demo folder failed", "err", err)
			desk.SyncFailed(errors.New(lang.L("The demo server could not be started: {{.Err}}", map[string]any{"Err": err.Error()})))
			return
		}
		defer os.RemoveAll(dir)
		slog.Info("demo mode: starting the reference organizer", "customers", f.demoCustomers)
		run, err := organizer.StartDemo(ctx, dir, f.demoCustomers)
		if err != nil {
			slog.Error("demo server failed", "err", err)
			desk.SyncFailed(errors.New(lang.L("The demo server could not be started: {{.Err}}", map[string]any{"Err": err.Error()})))
			return
		}
		defer run.Close()
		url, key = run.URL, run.Keys["prov-1"]
		// Keep the demo server until the window closes.
		defer func() { <-ctx.Done() }()
	}
	slog.Info("sync started", "server", url)
	p, err := psync.NewClient(url, key).Pull(ctx, c, desk.SyncProgress)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		slog.Error("sync failed", "err", err)
		desk.SyncFailed(err)
		return
	}
	slog.Info("sync done", "pages", p.Pages, "changes", p.Changes, "cursor", p.Cursor)
	desk.SyncDone(p)
}
