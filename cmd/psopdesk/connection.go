package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"psopdesk/cmd/psopdesk/instance"
	"psopdesk/sync/client"
	"psopdesk/sync/organizer"
	"psopdesk/ui"
)

// connectionFile, in the real server's folder (defaultCacheDir), names
// the organizer the window last connected to through its dialog and,
// where the system has no keyring, the user's key file: never the key.
const connectionFile = "connection.json"

// savedConnection is connectionFile's content.
type savedConnection struct {
	Server  string `json:"server"`
	KeyFile string `json:"api_key_file,omitempty"`
}

func loadConnection(dir string) savedConnection {
	var sc savedConnection
	b, err := os.ReadFile(filepath.Join(dir, connectionFile))
	if err == nil {
		if err := json.Unmarshal(b, &sc); err != nil {
			slog.Warn("the saved connection is not readable; ignored", "file", filepath.Join(dir, connectionFile), "err", err)
			return savedConnection{}
		}
	}
	return sc
}

func saveConnection(dir string, sc savedConnection) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(sc, "", " ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, connectionFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, connectionFile))
}

// useSavedConnection makes a start without -server use the organizer
// connected to through the window's dialog (unless -demo, -demo-reset or
// -cache), and takes the saved key file for that server when none is
// given.
func useSavedConnection(f *guiFlags) {
	sc := loadConnection(defaultCacheDir())
	if sc.Server == "" || client.CheckServerURL(sc.Server) != nil {
		return
	}
	if f.server == "" && !f.demo && !f.demoReset && f.cacheDir == demoCacheDir() {
		f.server, f.cacheDir = sc.Server, defaultCacheDir()
	}
	if f.server == sc.Server && f.keyFile == "" {
		f.keyFile = sc.KeyFile
	}
}

// apiKey gives the key for server: from keyFile when given, else from
// the keyring (a *client.KeyRingError when it has none or there is no
// keyring: the window then asks).
func apiKey(keys client.KeyRing, server, keyFile string) (string, error) {
	if keyFile != "" {
		return client.LoadAPIKey(keyFile)
	}
	return keys.Key(server)
}

// connector makes the sync client on the engine's first run and again
// after the user connects anew: it reads the API key (a key file, or the
// keyring), or in demo mode starts the reference organizer with its
// store in the demo cache folder (so a restart keeps what the user
// changed and syncs only what is new). connect runs on the engine's
// goroutine; use on the window's dialog's.
type connector struct {
	f    guiFlags
	demo *organizer.Running
	keys client.KeyRing
	// engine is told to reconnect after use; onExpiry is told the key's
	// expiry after each connect.
	engine   *client.Engine
	onExpiry func(time.Time)

	mu              sync.Mutex // server and keyFile, changed by use
	server, keyFile string
	demoMode        bool
}

func newConnector(f guiFlags) *connector {
	return &connector{f: f, keys: client.SystemKeyRing{}, server: f.server, keyFile: f.keyFile, demoMode: f.server == ""}
}

// demoOrganizerDir is where demo mode keeps the organizer's store: inside
// the demo cache folder, so -demo-reset (or deleting the folder) starts
// both over together.
func demoOrganizerDir(cacheDir string) string { return filepath.Join(cacheDir, "demo-organizer") }

func (k *connector) connect(ctx context.Context) (*client.Client, error) {
	if !k.demoMode {
		k.mu.Lock()
		server, keyFile := k.server, k.keyFile
		k.mu.Unlock()
		key, err := apiKey(k.keys, server, keyFile)
		if err != nil {
			slog.Error("no API key", "err", err)
			return nil, err
		}
		slog.Info("sync: server", "server", server)
		cl := client.NewClient(server, key)
		k.tellExpiry(ctx, cl)
		return cl, nil
	}
	if k.demo != nil {
		return client.NewClient(k.demo.URL, k.demo.Keys["prov-1"]), nil
	}
	slog.Info("demo mode: starting the reference organizer", "customers", k.f.demoCustomers)
	// Not the run's context: it ends with this run, and the server must
	// serve the later ones too (close stops it).
	run, err := organizer.StartDemo(context.WithoutCancel(ctx), demoOrganizerDir(k.f.cacheDir), k.f.demoCustomers)
	if err != nil {
		slog.Error("demo server failed", "err", err)
		return nil, &ui.DemoError{Err: err}
	}
	k.demo = run
	slog.Info("sync: demo organizer", "server", run.URL)
	cl := client.NewClient(run.URL, run.Keys["prov-1"])
	k.tellExpiry(ctx, cl)
	return cl, nil
}

// tellExpiry asks the server when the key expires and tells the window.
// A failure is logged only: the pull that follows reports its own.
func (k *connector) tellExpiry(ctx context.Context, cl *client.Client) {
	if k.onExpiry == nil {
		return
	}
	exp, err := cl.KeyExpiry(ctx)
	if err != nil {
		slog.Info("the key's expiry is not known", "err", err)
		return
	}
	k.onExpiry(exp)
}

// use takes the connect dialog's choice: saved for the next start (the
// key in the keyring, or its file's path), and used at once unless this
// is the demo's window (restart).
func (k *connector) use(server, keyFile string) (restart bool, err error) {
	if err := saveConnection(defaultCacheDir(), savedConnection{Server: server, KeyFile: keyFile}); err != nil {
		slog.Error("saving the connection failed", "err", err)
		return false, err
	}
	if k.demoMode {
		return true, nil
	}
	k.mu.Lock()
	k.server, k.keyFile = server, keyFile
	k.mu.Unlock()
	if k.engine != nil {
		k.engine.Reconnect()
		k.engine.Request()
	}
	return false, nil
}

func (k *connector) close() {
	if k.demo != nil {
		if err := k.demo.Close(); err != nil {
			slog.Error("stopping the demo server failed", "err", err)
		}
	}
}

// handOver asks a program already holding the cache folder dir to show
// its window (secondLaunch). It tells whether this launch should end,
// with the exit code; a sentence for the user goes to stderr and, when
// the launch failed, in a window.
func handOver(a fyne.App, dir string, stderr io.Writer) (exit int, done bool) {
	exit, msg, done := secondLaunch(dir)
	if !done {
		return 0, false
	}
	fmt.Fprintln(stderr, "psopdesk:", msg)
	if exit != 0 {
		fmt.Fprintf(stderr, "psopdesk: the cache %s is held by psopdesk sync\n", dir)
		showFatal(a, msg)
	}
	return exit, true
}

// secondLaunch asks the program holding the cache folder dir, if any, to
// show its window: exit 0 when the running window was brought forward,
// 1 when a headless sync holds the folder, each with the sentence to
// tell; done false when no program holds it (this launch goes on).
func secondLaunch(dir string) (exit int, msg string, done bool) {
	kind, err := instance.Signal(dir)
	if err != nil {
		return 0, "", false
	}
	if kind == instance.Window {
		slog.Info("PSOP Desk is already open on this cache: its window was brought forward", "dir", dir)
		return 0, lang.L("PSOP Desk is already open: its window was brought forward."), true
	}
	return 1, lang.L("The local cache is in use by a sync run (psopdesk sync). Try again when it has ended."), true
}
