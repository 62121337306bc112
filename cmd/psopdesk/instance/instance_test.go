package instance

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A second launch on the same folder reaches the first: "show" is
// delivered to the window; a headless holder says what it is.
func TestSecondLaunchReachesTheFirst(t *testing.T) {
	dir := t.TempDir()
	if _, err := Signal(dir); !errors.Is(err, ErrNoHolder) {
		t.Fatalf("an empty folder: %v, want ErrNoHolder", err)
	}
	shown := make(chan struct{}, 1)
	first, err := Listen(dir, Window, func() { shown <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	kind, err := Signal(dir)
	if err != nil || kind != Window {
		t.Fatalf("Signal = %q, %v; want window", kind, err)
	}
	<-shown // delivered to the first launch
	if fi, err := os.Stat(filepath.Join(dir, FileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the instance file: %v, %v; want mode 0600", fi, err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file stays after Close: %v", err)
	}
	if _, err := Signal(dir); !errors.Is(err, ErrNoHolder) {
		t.Errorf("after the first ended: %v, want ErrNoHolder", err)
	}
}

func TestHeadlessHolder(t *testing.T) {
	dir := t.TempDir()
	h, err := Listen(dir, Sync, func() { t.Error("a sync run was asked to show a window") })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if kind, err := Signal(dir); err != nil || kind != Sync {
		t.Fatalf("Signal = %q, %v; want sync", kind, err)
	}
}

// A file left by a program that crashed (nobody listens) is no holder;
// a wrong token is not answered.
func TestStaleFileAndWrongToken(t *testing.T) {
	dir := t.TempDir()
	h, err := Listen(dir, Window, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	h.ln.Close() // the program ended without removing its file
	if err := os.WriteFile(filepath.Join(dir, FileName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Signal(dir); !errors.Is(err, ErrNoHolder) {
		t.Errorf("a stale file: %v, want ErrNoHolder", err)
	}

	h2, err := Listen(dir, Window, func() { t.Error("shown without the token") })
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	rec, _ := readRecord(filepath.Join(dir, FileName))
	rec.Token = "0000"
	if err := writeRecord(filepath.Join(dir, FileName), rec); err != nil {
		t.Fatal(err)
	}
	if _, err := Signal(dir); !errors.Is(err, ErrNoHolder) {
		t.Errorf("a wrong token: %v, want ErrNoHolder", err)
	}
}
