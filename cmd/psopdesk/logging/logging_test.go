package logging

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A henkilötunnus never reaches the log, in a message, an attribute or an
// error; the rest of the detail does.
func TestNoHetuInTheLog(t *testing.T) {
	var b bytes.Buffer
	log := slog.New(Handler(&b, slog.LevelInfo))
	log.Info("search 010594Y9021 failed", "query", "Ääpälä 131052-308T", "err", errors.New("customer 010594Y9021: not found"), "n", 3)
	got := b.String()
	for _, h := range []string{"010594Y9021", "131052-308T"} {
		if strings.Contains(got, h) {
			t.Errorf("log shows %s: %s", h, got)
		}
	}
	for _, want := range []string{"search [hetu] failed", "Ääpälä [hetu]", "not found", "n=3"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q: %s", want, got)
		}
	}
}

// The log file rotates at its cap and keeps MaxBackups old files.
func TestLogFileIsCapped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	w, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(Handler(w, slog.LevelInfo))
	line := strings.Repeat("x", 1000)
	for range (MaxBackups + 3) * MaxMB * 1024 {
		log.Info(line)
	}
	w.Close()
	// lumberjack removes the oldest files on a goroutine of its own: wait
	// for it (up to 10 s).
	var entries []os.DirEntry
	for range 100 {
		if entries, err = os.ReadDir(dir); err != nil {
			t.Fatal(err)
		}
		if len(entries) <= MaxBackups+1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	var total int64
	for _, e := range entries {
		fi, _ := e.Info()
		total += fi.Size()
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", e.Name(), fi.Mode())
		}
	}
	if len(entries) > MaxBackups+1 || total > int64(MaxBackups+1)*MaxMB<<20 {
		t.Errorf("%d files, %d bytes: want at most %d files of %d MB", len(entries), total, MaxBackups+1, MaxMB)
	}
}
