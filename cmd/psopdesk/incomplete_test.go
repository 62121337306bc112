package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"psopdesk/data/cache"
)

// A cache whose first sync has not ended (no pull caught up) makes no
// statements: the commands exit non-zero with a sentence saying to sync
// first, and write no file.
func TestStatementsRefuseAnIncompleteCache(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "cache")
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := batchFixture()
	if err := c.ApplyPage(b.changes, uint64(len(b.changes))); err != nil { // no MarkCaughtUp
		t.Fatal(err)
	}
	c.Close()
	out := filepath.Join(work, "out")
	for _, args := range [][]string{
		{"statement", "-cache", dir, "-customer-number", "A-1001", "-service", "Kotihoito", "-from", "1.11.2026", "-to", "30.11.2026", "-o", filepath.Join(out, "a.pdf")},
		{"statements", "-cache", dir, "-service", "Kotihoito", "-month", "2026-11", "-out", out},
	} {
		code, stdout, stderr := runCmd(t, args...)
		if code == 0 {
			t.Errorf("%s: exit 0 on an incomplete cache: %s", args[0], stdout)
		}
		if !strings.Contains(stderr, "Välimuisti ei ole vielä valmis") || !strings.Contains(stderr, "Synkronoi") {
			t.Errorf("%s: stderr %q, want the sentence to sync first", args[0], stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("files written for an incomplete cache: %v", err)
	}
}
