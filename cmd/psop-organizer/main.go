// Command psop-organizer runs the reference organizer server
// (palvelunjärjestäjä) that PSOP Desk syncs with: the change feed and push
// commands of the wire contract in package psopdesk/sync/wire over a bbolt
// store.
//
// Usage:
//
//	psop-organizer -db FILE [-addr HOST:PORT] [-load SCENARIO.json] [-keys-out FILE]
//	               [-admin-key-out FILE] [-now RFC3339]
//	psop-organizer -demo [-customers N] [-db FILE] [-load FILE] [-keys-out FILE]
//	               [-admin-key-out FILE] [-now RFC3339]
//	psop-organizer admin [-url URL] [-key-file FILE] COMMAND ...
//
// -demo fills a new store with the demo data set (organizer.Demo); a store
// that holds data already keeps it, including what commands changed, and
// its feeds are only brought up to the current day (visibility). -load
// adds a scenario file (the format of shared/fixtures/scenario-small.json).
// The server answers the change feed (GET /v1/changes) and push commands
// (POST /v1/commands) of package psopdesk/sync/wire.
// API keys are made only with -keys-out: one per user of each provider
// (a pääkäyttäjä per provider at least), written as
// "provider_id<TAB>key<TAB>user<TAB>role" lines to a file of mode 0600,
// each provider's pääkäyttäjä first; keys are never printed or logged.
// "admin revoke-key" revokes a key (401 from then on). -admin-key-out FILE writes one new key of the
// organizer's admin (its own line, mode 0600; the store keeps only its
// hash), which opens the admin endpoints (organizer.AdminPath) and nothing
// else. -now starts the organizer's clock at the given instant
// ("2026-12-07T00:00:00+02:00") and lets it run on from there: the
// settlement lock, the visibility of customers, key expiry and the time
// events are recorded all read that clock. The server stops cleanly on
// SIGINT or SIGTERM.
//
// The admin subcommand talks to a running server over HTTP (the server
// holds the store file, so the subcommand never opens it), with the admin
// key of -key-file (the file -admin-key-out wrote) or of the environment
// variable PSOP_ADMIN_KEY:
//
//	admin list [-status S] [-month YYYY-MM] [-provider ID]
//	admin approve EVENT            in_review → approved
//	admin reject EVENT             in_review → rejected
//	admin settle YYYY-MM           recorded and approved events of the locked month → settled
//	admin pay EVENT                settled → paid
//	admin credit EVENT REASON TEXT approved, settled or paid → credited (REASON: data.CreditReasons)
//	admin answer EVENT TEXT        answers a pending credit request without a credit
//	admin revoke-key KEYFILE       revokes the API key of the file's first line (401 from then on)
//
// Each prints the events changed, one per line: id, provider, date,
// status, version.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"psopdesk/data"
	"psopdesk/sync/organizer"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "psop-organizer:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "admin" {
		return runAdmin(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("psop-organizer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: psop-organizer [flags]          the reference organizer server")
		fmt.Fprintln(fs.Output(), "       psop-organizer admin ...        the organizer's admin (psop-organizer admin -h)")
		fmt.Fprintln(fs.Output(), "flags:")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8470", "listen address HOST:PORT")
	dbPath := fs.String("db", "", "store file (required unless -demo; with -demo a temporary file)")
	demo := fs.Bool("demo", false, "fill a new store with the demo data set (an existing store keeps its data)")
	customers := fs.Int("customers", 2000, "generated customers of -demo")
	load := fs.String("load", "", "scenario file to add (format of shared/fixtures/scenario-small.json)")
	keysOut := fs.String("keys-out", "", "write a new API key per user to this file (provider_id<TAB>key<TAB>user<TAB>role, mode 0600)")
	adminKeyOut := fs.String("admin-key-out", "", "write a new admin key to this file (mode 0600)")
	nowFlag := fs.String("now", "", "start the organizer's clock at this RFC 3339 instant; it runs on from there")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var clock func() time.Time
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return fmt.Errorf("-now: want RFC 3339, e.g. 2026-12-07T00:00:00+02:00: %w", err)
		}
		clock = organizer.ClockFrom(t)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *dbPath == "" && !*demo {
		return errors.New("give -db FILE (or -demo)")
	}
	if *customers < 0 {
		return errors.New("-customers must be 0 or more")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	slog.SetDefault(log)

	// Read the scenario before opening anything: a bad file changes nothing.
	var scenario *organizer.Dataset
	if *load != "" {
		f, err := os.Open(*load)
		if err != nil {
			return fmt.Errorf("scenario: %w", err)
		}
		ds, err := organizer.LoadScenario(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *load, err)
		}
		scenario = &ds
	}

	path := *dbPath
	if path == "" {
		dir, err := os.MkdirTemp("", "psop-organizer-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, organizer.DemoFile)
	}
	st, err := organizer.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetClock(clock)

	now := st.Now()
	isNew, err := st.IsNew()
	if err != nil {
		return err
	}
	switch {
	case *demo && isNew:
		t0 := time.Now()
		ds := organizer.Demo(*customers, organizer.DemoSeed, now)
		stats, err := st.Apply(ds, now)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		log.Info("demo data stored", "customers", len(ds.Customers), "events", len(ds.Events),
			"changes", stats.Changes, "took", time.Since(t0).Round(time.Millisecond))
	case !isNew:
		// Visibility moves with the clock: bring the feeds up to now.
		t0 := time.Now()
		stats, err := st.Apply(organizer.Dataset{}, now)
		if err != nil {
			return fmt.Errorf("stored data: %w", err)
		}
		log.Info("stored data kept", "demo_skipped", *demo, "changes", stats.Changes,
			"took", time.Since(t0).Round(time.Millisecond))
	}
	if scenario != nil {
		stats, err := st.Apply(*scenario, now)
		if err != nil {
			return fmt.Errorf("%s: %w", *load, err)
		}
		log.Info("scenario stored", "file", filepath.Base(*load), "changes", stats.Changes)
	}
	if *keysOut != "" {
		if err := writeKeys(st, *keysOut, now); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API keys written to %s\n", *keysOut)
	} else {
		fmt.Fprintln(stdout, "no API keys made: give -keys-out FILE to make one per provider")
	}

	if *adminKeyOut != "" {
		key, err := st.CreateAdminKey("psop-organizer "+now.Format(time.DateOnly), now.Add(organizer.KeyLifetime))
		if err != nil {
			return err
		}
		if err := writeSecret(*adminKeyOut, key+"\n"); err != nil {
			return fmt.Errorf("-admin-key-out: %w", err)
		}
		fmt.Fprintf(stdout, "admin key written to %s\n", *adminKeyOut)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := organizer.Start(ctx, *addr, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on %s\n", srv.URL)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return srv.Close()
}

// writeKeys makes one API key per user of the store and writes them to
// path (mode 0600) as provider_id<TAB>key<TAB>user<TAB>role lines, each
// provider's pääkäyttäjät first (so the first line of a provider is a key
// that sees all its customers). A provider without a stored pääkäyttäjä
// (a store from before users) gets one first (organizer.DefaultAdmins).
func writeKeys(st *organizer.Store, path string, now time.Time) error {
	ds, err := st.Dataset()
	if err != nil {
		return err
	}
	if len(ds.Providers) == 0 {
		return errors.New("-keys-out: the store has no providers: use -demo or -load")
	}
	if users := organizer.DefaultAdmins(ds.Providers, ds.Users); len(users) > len(ds.Users) {
		if _, err := st.Apply(organizer.Dataset{Users: users[len(ds.Users):]}, now); err != nil {
			return fmt.Errorf("-keys-out: %w", err)
		}
		ds.Users = users
	}
	var b strings.Builder
	for _, p := range ds.Providers {
		var users []data.User
		for _, u := range ds.Users {
			if u.ProviderID == p.ID {
				users = append(users, u)
			}
		}
		slices.SortStableFunc(users, func(a, b data.User) int {
			return cmp.Or(cmp.Compare(rank(a.Role), rank(b.Role)), cmp.Compare(a.ID, b.ID))
		})
		for _, u := range users {
			key, err := st.CreateUserKey(u.ID, "psop-organizer "+now.Format(time.DateOnly), now.Add(organizer.KeyLifetime))
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", p.ID, key, u.ID, u.Role)
		}
	}
	if err := writeSecret(path, b.String()); err != nil {
		return fmt.Errorf("-keys-out: %w", err)
	}
	return nil
}

// rank orders roles in the key file: pääkäyttäjä first.
func rank(r data.Role) int {
	if r == data.RoleAdmin {
		return 0
	}
	return 1
}

// writeSecret writes text to path with mode 0600 (also when the file
// existed with another mode).
func writeSecret(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // an existing file keeps its mode otherwise
		f.Close()
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
