package main

import (
	"bytes"
	"context"
	"fmt"
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

// TestFyneAppToml checks that the one FyneApp.toml at the root serves this
// main package too (fyne package reads it from here) and that the metadata
// built into setMetadata says the same.
func TestFyneAppToml(t *testing.T) {
	root, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	here, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatalf("cmd/psopdesk/FyneApp.toml (a link to the root file): %v", err)
	}
	if string(here) != string(root) {
		t.Error("cmd/psopdesk/FyneApp.toml differs from the root file: keep one file and a link")
	}
	for _, line := range []string{
		`Icon = "assets/icon.png"`, `Name = "PSOP Desk"`, `ID = "` + appID + `"`,
		`Version = "0.1.0"`, `Build = 1`, `fyneDo = true`,
	} {
		if !strings.Contains(string(root), line) {
			t.Errorf("FyneApp.toml lacks %s", line)
		}
	}
	if _, err := os.Stat("../../assets/icon.png"); err != nil {
		t.Errorf("the icon FyneApp.toml names: %v", err)
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
		{[]string{"-server", "http://h", "-api-key-file", "k"}, "", func(f guiFlags) bool {
			return f.server == "http://h" && f.keyFile == "k" && f.cacheDir == defaultCacheDir()
		}},
		// An explicit -cache is used as given, in both.
		{[]string{"-cache", "/x", "-lang", "sv"}, "", func(f guiFlags) bool { return f.cacheDir == "/x" && f.lang == "sv" }},
		{[]string{"-cache", "/x", "-server", "http://h", "-api-key-file", "k"}, "", func(f guiFlags) bool { return f.cacheDir == "/x" }},
		{[]string{"-server", "http://h"}, "-server needs -api-key-file", nil},
		{[]string{"extra"}, `unexpected argument "extra" (psopdesk help lists the commands)`, nil},
	}
	for _, tc := range cases {
		f, err := parseGUIFlags(tc.args, io.Discard)
		switch {
		case tc.wantErr != "":
			if err == nil || err.Error() != tc.wantErr {
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

// reports records what a syncer tells, for the test goroutine.
type reports chan string

func (r reports) SyncProgress(p client.Progress) {
	if p.Pages == 0 {
		r <- "progress"
	}
}
func (r reports) SyncDone(p client.Progress) { r <- fmt.Sprintf("done %d", p.Changes) }
func (r reports) SyncFailed(err error)       { r <- "failed" }

// next waits for the next report that is not a progress page. The bound
// only stops a broken test.
func (r reports) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-r:
		return s
	case <-time.After(60 * time.Second):
		t.Fatal("no report in 60 s")
		return ""
	}
}

// TestSyncerPullsAgainOnRequest: in demo mode the organizer starts once and
// a request pulls again (what is new: nothing); against a server that does
// not answer every pull fails and a request tries again, showing progress.
func TestSyncerPullsAgainOnRequest(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(keyFile, []byte("k-test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		f     guiFlags
		wants []string // reports after the start, then after each of two requests
	}{
		{"demo", guiFlags{demoCustomers: 5}, []string{"progress", "done *", "progress", "done 0", "progress", "done 0"}},
		{"no server", guiFlags{server: "http://127.0.0.1:1", keyFile: keyFile},
			[]string{"progress", "failed", "progress", "failed", "progress", "failed"}},
		{"no key file", guiFlags{server: "http://127.0.0.1:1", keyFile: keyFile + ".missing"},
			[]string{"progress", "failed", "progress", "failed", "progress", "failed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cache.Open(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			s := newSyncer(c, tc.f)
			r := make(reports, 100)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); s.run(ctx, r) }()
			for i, want := range tc.wants {
				if i == 2 || i == 4 {
					s.request()
				}
				got := r.next(t)
				if want == "done *" && strings.HasPrefix(got, "done ") && got != "done 0" {
					continue
				}
				if got != want {
					t.Errorf("report %d: %q, want %q", i, got, want)
				}
			}
			cancel()
			<-done
			if tc.name == "demo" {
				if _, err := os.Stat(s.dir); !os.IsNotExist(err) {
					t.Errorf("demo folder %s left behind: %v", s.dir, err)
				}
			}
		})
	}
}

// TestSyncerRequestNeverBlocks: requests while a pull runs are dropped
// (that pull continues), and many requests between pulls make one pull.
func TestSyncerRequestNeverBlocks(t *testing.T) {
	s := newSyncer(nil, guiFlags{})
	s.busy.Store(true)
	s.request()
	if len(s.again) != 0 {
		t.Error("a request during a pull was queued")
	}
	s.busy.Store(false)
	for range 3 {
		s.request()
	}
	if len(s.again) != 1 {
		t.Errorf("%d pulls queued, want 1", len(s.again))
	}
}
