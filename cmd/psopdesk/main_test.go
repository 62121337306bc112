package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"psopdesk/data/cache"
	"psopdesk/sync/client"
)

// TestFyneAppToml checks this folder's FyneApp.toml (fyne package --src
// cmd/psopdesk reads it; a regular file, no link; the root's is the same
// but for the icon path, TestFyneAppTomlCopy), its icon path relative to
// this folder, and that the embedded copy gives the metadata.
func TestFyneAppToml(t *testing.T) {
	fi, err := os.Lstat("FyneApp.toml")
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("cmd/psopdesk/FyneApp.toml is not a regular file: %v", err)
	}
	for _, line := range []string{
		`Icon = "../../assets/icon.png"`, `Name = "PSOP Desk"`, `ID = "` + appID + `"`, `fyneDo = true`,
	} {
		if !strings.Contains(string(fyneAppToml), line) {
			t.Errorf("FyneApp.toml lacks %s", line)
		}
	}
	if _, err := os.Stat("../../assets/icon.png"); err != nil {
		t.Errorf("the icon FyneApp.toml names: %v", err)
	}
	m, err := builtInMetadata()
	if err != nil || m.ID != appID || m.Name != "PSOP Desk" || m.Version == "" || m.Build < 1 ||
		!m.Migrations["fyneDo"] || m.Icon == nil {
		t.Errorf("built-in metadata %+v, %v", m, err)
	}
}

func TestParseGUIFlags(t *testing.T) {
	cases := []struct {
		args    []string
		wantErr string
		check   func(guiFlags) bool
	}{
		// Demo mode and a real server keep their caches apart by default.
		{nil, "", func(f guiFlags) bool { return f.server == "" && f.cacheDir == demoCacheDir() && f.lang == "" }},
		{[]string{"-server", "https://h", "-api-key-file", "k"}, "", func(f guiFlags) bool {
			return f.server == "https://h" && f.keyFile == "k" && f.cacheDir == defaultCacheDir()
		}},
		// An explicit -cache is used as given, in both.
		{[]string{"-cache", "/x", "-lang", "sv"}, "", func(f guiFlags) bool { return f.cacheDir == "/x" && f.lang == "sv" }},
		{[]string{"-cache", "/x", "-server", "https://h", "-api-key-file", "k"}, "", func(f guiFlags) bool { return f.cacheDir == "/x" }},
		// Without -api-key-file the key comes from the keyring (or is asked for).
		{[]string{"-server", "https://h"}, "", func(f guiFlags) bool { return f.server == "https://h" && f.keyFile == "" }},
		// Plain http only to this machine.
		{[]string{"-server", "http://psop.example.fi", "-api-key-file", "k"}, "-server http://psop.example.fi: ", nil},
		{[]string{"-server", "http://localhost:8470", "-api-key-file", "k"}, "", func(f guiFlags) bool { return f.server == "http://localhost:8470" }},
		{[]string{"extra"}, `unexpected argument "extra" (psopdesk help lists the commands)`, nil},
	}
	for _, tc := range cases {
		f, err := parseGUIFlags(tc.args, io.Discard)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case !tc.check(f):
			t.Errorf("%q: got %+v", tc.args, f)
		}
	}
	if demo := demoCacheDir(); filepath.Dir(demo) != defaultCacheDir() || filepath.Base(demo) != "demo" {
		t.Errorf("demo cache %s, want %s/demo", demo, defaultCacheDir())
	}
}

// TestHelp: psopdesk help, -h and --help print the usage, subcommands
// included, and exit 0; a wrong argument exits 2.
func TestHelp(t *testing.T) {
	prev := slog.Default() // runGUI logs to the buffer it is given
	t.Cleanup(func() { slog.SetDefault(prev) })
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		var out bytes.Buffer
		if code := runGUI(args, &out); code != 0 {
			t.Errorf("%q: exit %d, want 0", args, code)
		}
		for _, want := range []string{"psopdesk sync", "psopdesk statement", "psopdesk help", "-cache", "-server", "demo"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%q: usage lacks %q:\n%s", args, want, out.String())
			}
		}
	}
	var out bytes.Buffer
	if code := runGUI([]string{"helpp"}, &out); code != 2 || !strings.Contains(out.String(), `unexpected argument "helpp"`) {
		t.Errorf("helpp: exit %d, %q", code, out.String())
	}
}

// demoRun opens the demo cache folder dir, runs one sync against the demo
// organizer kept in it, applies change (may be nil) and syncs again, and
// closes everything, as a start and quit of the desk in demo mode would.
// It gives the changes the first sync fetched.
func demoRun(t *testing.T, dir string, change func(c *cache.Cache)) (fetched int) {
	t.Helper()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn := newConnector(guiFlags{cacheDir: dir, demoCustomers: 10})
	defer conn.close()
	e := client.NewEngine(c, conn.connect, nil)
	res, err := e.Once(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(c)
		if res, err := e.Once(context.Background(), nil); err != nil || len(res.Applied) != 1 {
			t.Fatalf("sending the change: %+v, %v", res, err)
		}
	}
	return res.Pull.Changes
}

// TestDemoKeepsChangesAcrossStarts: demo mode keeps its organizer in the
// demo cache folder, so a second start fetches only what is new and keeps
// what the user changed; -demo-reset starts both over.
func TestDemoKeepsChangesAcrossStarts(t *testing.T) {
	dir := t.TempDir()
	var id string
	first := demoRun(t, dir, func(c *cache.Cache) {
		found, err := c.Search("a", 1)
		if err != nil || len(found) == 0 {
			t.Fatalf("no demo customer found: %v", err)
		}
		id = found[0].ID
		if _, err := c.SetCustomerNumber(id, "DEMO-77", time.Now()); err != nil {
			t.Fatal(err)
		}
	})
	second := demoRun(t, dir, nil)
	if second >= first/2 {
		t.Errorf("the second start fetched %d changes of %d: the demo started over", second, first)
	}
	number := func() string {
		c, err := cache.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		cu, err := c.Customer(id)
		if err != nil {
			t.Fatal(err)
		}
		return cu.CustomerNumber
	}
	if got := number(); got != "DEMO-77" {
		t.Errorf("after a restart the customer number is %q, want DEMO-77", got)
	}
	if err := resetDemo(dir); err != nil {
		t.Fatal(err)
	}
	if again := demoRun(t, dir, nil); again != first {
		t.Errorf("after -demo-reset the sync fetched %d changes, want all %d", again, first)
	}
	if got := number(); got == "DEMO-77" {
		t.Error("-demo-reset kept the user's change")
	}
}
