package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data/cache"
)

var okLine = regexp.MustCompile(`^ok [0-9a-f]{64}\n$`)

// TestDamagedCacheCLI: `psopdesk check` prints "ok DIGEST", the same for
// two caches synced from the same feed; on a cache cut short it prints
// what is wrong and exits 1, as do search and sync (never a crash, never a
// success), all saying how to rebuild; `psopdesk sync -rebuild` makes the
// cache anew and sends the change that waited in the outbox, which the
// organizer applies.
func TestDamagedCacheCLI(t *testing.T) {
	work := t.TempDir()
	keys := filepath.Join(work, "keys.tsv")
	url := startOrganizer(t, "-load", scenarioFile, "-keys-out", keys)
	dir, dir2 := filepath.Join(work, "cache"), filepath.Join(work, "cache2")
	syncArgs := func(d string, more ...string) []string {
		return append([]string{"sync", "-server", url, "-api-key-file", keys, "-cache", d}, more...)
	}
	for _, d := range []string{dir, dir2} {
		if code, out, errOut := runCmd(t, syncArgs(d)...); code != 0 {
			t.Fatalf("sync exit %d: %s%s", code, out, errOut)
		}
	}
	code, sound, errOut := runCmd(t, "check", "-cache", dir)
	if code != 0 || !okLine.MatchString(sound) {
		t.Fatalf("check of a sound cache: exit %d, %q %q", code, sound, errOut)
	}
	if _, out2, _ := runCmd(t, "check", "-cache", dir2); out2 != sound {
		t.Errorf("two caches of the same feed: %q and %q", sound, out2)
	}

	// A change made offline waits in the outbox.
	if code, out, errOut := runCmd(t, "customer-number", "-cache", dir, "-customer", "cust-1", "-set", "A-2002"); code != 0 {
		t.Fatalf("customer-number exit %d: %s%s", code, out, errOut)
	}
	if err := os.Truncate(filepath.Join(dir, cache.FileName), 8192); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "check", "-cache", dir)
	if code != 1 || strings.Count(out, "\n") != 1 || strings.HasPrefix(out, "ok") || !strings.Contains(errOut, "sync -rebuild") {
		t.Errorf("check of a truncated cache: exit %d, %q %q", code, out, errOut)
	}
	for _, args := range [][]string{{"search", "-cache", dir, "Ääp"}, syncArgs(dir), {"outbox", "-cache", dir}} {
		code, out, errOut := runCmd(t, args...)
		if code != 1 || !strings.Contains(errOut, "sync -rebuild") {
			t.Errorf("%s on a truncated cache: exit %d, %q %q; want 1 and how to rebuild", args[0], code, out, errOut)
		}
	}

	if code, out, errOut := runCmd(t, syncArgs(dir, "-rebuild")...); code != 0 {
		t.Fatalf("sync -rebuild exit %d: %s%s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "outbox", "-cache", dir); code != 0 || out != "" {
		t.Errorf("outbox after the rebuild: exit %d, %q; want the change sent", code, out)
	}
	if code, out, _ := runCmd(t, "search", "-cache", dir, "A-2002"); code != 0 || !strings.HasPrefix(out, "cust-1\t") {
		t.Errorf("search A-2002 after the rebuild: exit %d, %q; want cust-1 (the change applied)", code, out)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, cache.FileName+".*")); len(leftovers) > 0 {
		t.Errorf("the damaged file is kept: %v", leftovers)
	}
	// The same feed (with the change) into a cache synced as usual.
	if code, out, errOut := runCmd(t, syncArgs(dir2)...); code != 0 {
		t.Fatalf("sync exit %d: %s%s", code, out, errOut)
	}
	_, rebuilt, _ := runCmd(t, "check", "-cache", dir)
	_, plain, _ := runCmd(t, "check", "-cache", dir2)
	if !okLine.MatchString(rebuilt) || rebuilt != plain || rebuilt == sound {
		t.Errorf("check after the rebuild %q, a plain sync %q, before the change %q", rebuilt, plain, sound)
	}

	// Garbage over the file's first pages: its header is told.
	f, err := os.OpenFile(filepath.Join(dir, cache.FileName), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = byte(i*7 + 3)
	}
	f.WriteAt(junk, 0)
	f.Close()
	if code, out, errOut := runCmd(t, "check", "-cache", dir); code != 1 || strings.Count(out, "\n") != 1 {
		t.Errorf("check of a garbled header: exit %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "check", "-cache", filepath.Join(work, "none")); code != 1 || out != "" {
		t.Errorf("check of no cache: exit %d, %q %q", code, out, errOut)
	}
}

// buildDesk builds psopdesk into a temporary folder and gives its path.
func buildDesk(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "psopdesk")
	if out, err := exec.Command("go", "build", "-o", bin, "psopdesk/cmd/psopdesk").CombinedOutput(); err != nil {
		t.Fatalf("building psopdesk: %v\n%s", err, out)
	}
	return bin
}

// TestSyncSurvivesKills is the fault-injection test: a real `psopdesk
// sync` process is killed (SIGKILL) at random moments of a first sync of
// the demo organizer (1,000 customers, about 40,000 changes) and started
// again until it ends by itself, in fresh caches until it has been killed
// at least 20 times; each cache then checks sound with the digest of an
// uninterrupted sync of the same feed. The organizer's clock is fixed
// (-now) and nothing changes its data in between. The kill moments are
// drawn from 0 to the uninterrupted sync's duration; the seed is logged.
func TestSyncSurvivesKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the demo organizer and kills syncs: not with -short")
	}
	began := time.Now()
	work := t.TempDir()
	keys := filepath.Join(work, "keys.tsv")
	url := startOrganizer(t, "-demo", "-customers", "1000", "-keys-out", keys, "-now", "2026-12-01T12:00:00+02:00")
	t.Logf("organizer ready after %v", time.Since(began).Round(time.Millisecond))
	bin := buildDesk(t)
	syncCmd := func(dir string) *exec.Cmd {
		return exec.Command(bin, "sync", "-server", url, "-api-key-file", keys, "-cache", dir)
	}
	check := func(dir string) string {
		t.Helper()
		out, err := exec.Command(bin, "check", "-cache", dir).Output()
		if err != nil || !okLine.Match(out) {
			t.Fatalf("check %s: %v, %q", dir, err, out)
		}
		return string(out)
	}

	ref := filepath.Join(work, "ref")
	start := time.Now()
	if out, err := syncCmd(ref).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted sync: %v\n%s", err, out)
	}
	full := time.Since(start)
	want := check(ref)

	seed := uint64(time.Now().UnixNano())
	t.Logf("uninterrupted sync %v; seed %d", full.Round(time.Millisecond), seed)
	r := rand.New(rand.NewPCG(seed, 9))
	kills, runs := 0, 0
	for round := 0; kills < 20; round++ {
		dir := filepath.Join(work, fmt.Sprintf("round-%d", round))
		for ended := false; !ended; runs++ {
			if runs > 500 {
				t.Fatalf("%d runs and the syncs never ended (seed %d)", runs, seed)
			}
			cmd := syncCmd(dir)
			var outBuf strings.Builder
			cmd.Stdout, cmd.Stderr = &outBuf, &outBuf
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("a sync after %d kills failed: %v\n%s", kills, err, outBuf.String())
				}
				ended = true
			case <-time.After(time.Duration(r.Int64N(int64(full)))):
				if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
					t.Fatal(err)
				}
				if err := <-done; err == nil {
					ended = true // it ended just before the kill
				} else {
					kills++
				}
			}
		}
		if got := check(dir); got != want {
			t.Fatalf("round %d: check %q after kills, an uninterrupted sync %q (seed %d)", round, got, want, seed)
		}
	}
	t.Logf("%d kills in %d runs; the test took %v", kills, runs, time.Since(began).Round(time.Second))
}

// TestCheckOlderVersionCache: a cache made by another version of the
// layout is not called damaged by `psopdesk check` (no line per index
// entry of the old layout, no rebuild advice): one sentence saying that
// the next sync fetches the data again, exit 1; that sync does, keeps the
// change waiting in the outbox and sends it, and the cache then checks
// sound.
func TestCheckOlderVersionCache(t *testing.T) {
	work := t.TempDir()
	keys := filepath.Join(work, "keys.tsv")
	url := startOrganizer(t, "-load", scenarioFile, "-keys-out", keys)
	dir := filepath.Join(work, "cache")
	syncArgs := []string{"sync", "-server", url, "-api-key-file", keys, "-cache", dir}
	if code, out, errOut := runCmd(t, syncArgs...); code != 0 {
		t.Fatalf("sync exit %d: %s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, "customer-number", "-cache", dir, "-customer", "cust-1", "-set", "A-2003"); code != 0 {
		t.Fatalf("customer-number exit %d: %s%s", code, out, errOut)
	}
	db, err := bolt.Open(filepath.Join(dir, cache.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		old := make([]byte, 8)
		old[7] = 4 // the layout before schema 5
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), old)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, "check", "-cache", dir)
	if code != 1 || out != "" || strings.Contains(errOut, "-rebuild") || !strings.Contains(errOut, "psopdesk sync") {
		t.Errorf("check of an older version's cache: exit %d, %q %q; want 1, no problem lines, the next sync told", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, syncArgs...); code != 0 {
		t.Fatalf("sync of an older version's cache: exit %d: %s%s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, "check", "-cache", dir); code != 0 || !okLine.MatchString(out) {
		t.Errorf("check after the sync: exit %d, %q", code, out)
	}
	if code, out, _ := runCmd(t, "search", "-cache", dir, "A-2003"); code != 0 || !strings.HasPrefix(out, "cust-1\t") {
		t.Errorf("search A-2003 after the sync: exit %d, %q; want cust-1 (the change kept and sent)", code, out)
	}
}
