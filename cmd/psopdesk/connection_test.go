package main

import (
	"io"
	"testing"

	"psopdesk/cmd/psopdesk/instance"
	"psopdesk/ui"
)

// A second launch on a cache a window holds brings that window forward
// and ends (exit 0); on one a headless sync holds it ends with exit 1 and
// says so; on a free cache it goes on.
func TestSecondLaunch(t *testing.T) {
	if err := ui.UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, _, done := secondLaunch(dir); done {
		t.Fatal("a free cache folder: the launch did not go on")
	}
	shown := make(chan struct{}, 1)
	first, err := instance.Listen(dir, instance.Window, func() { shown <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	exit, msg, done := secondLaunch(dir)
	if !done || exit != 0 || msg != "PSOP Desk on jo auki: sen ikkuna tuotiin esiin." {
		t.Errorf("a window holds the cache: exit %d, %q, done %v", exit, msg, done)
	}
	<-shown
	first.Close()

	syncRun, err := instance.Listen(dir, instance.Sync, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer syncRun.Close()
	exit, msg, done = secondLaunch(dir)
	if !done || exit != 1 || msg != "Välimuisti on synkronoinnin (psopdesk sync) käytössä. Yritä uudelleen, kun se on päättynyt." {
		t.Errorf("a sync holds the cache: exit %d, %q, done %v", exit, msg, done)
	}
}

// The saved connection names the server and a key file, never the key.
func TestSavedConnection(t *testing.T) {
	dir := t.TempDir()
	if err := saveConnection(dir, savedConnection{Server: "https://psop.example.fi", KeyFile: "/home/u/avain"}); err != nil {
		t.Fatal(err)
	}
	if got := loadConnection(dir); got.Server != "https://psop.example.fi" || got.KeyFile != "/home/u/avain" {
		t.Errorf("loaded %+v", got)
	}
}

// A start without -server uses the connection saved by the window's
// dialog; -demo and -cache keep the demo.
func TestUseSavedConnection(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	if err := saveConnection(defaultCacheDir(), savedConnection{Server: "https://psop.example.fi", KeyFile: "/k"}); err != nil {
		t.Fatal(err)
	}
	f, err := parseGUIFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	useSavedConnection(&f)
	if f.server != "https://psop.example.fi" || f.keyFile != "/k" || f.cacheDir != defaultCacheDir() {
		t.Errorf("saved connection not used: %+v", f)
	}
	for _, args := range [][]string{{"-demo"}, {"-cache", t.TempDir()}, {"-demo-reset"}} {
		f, _ := parseGUIFlags(args, io.Discard)
		useSavedConnection(&f)
		if f.server != "" {
			t.Errorf("%q: the saved server was used", args)
		}
	}
}
