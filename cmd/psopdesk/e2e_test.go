package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const scenarioFile = "../../testdata/fixtures/scenario-small.json"

// startOrganizer builds and runs the reference organizer as its own process
// with the given flags and returns its base URL.
func startOrganizer(t *testing.T, args ...string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "psop-organizer")
	build := exec.Command("go", "build", "-o", bin, "psopdesk/cmd/psop-organizer")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building psop-organizer: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "org.db")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var waitOnce sync.Once
	stop := func() { waitOnce.Do(func() { cancel(); _ = cmd.Wait() }) }
	t.Cleanup(stop)

	// The address, or "" when the organizer ends without printing it.
	urls := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			if u := re.FindString(sc.Text()); u != "" && !found {
				urls <- u
				found = true
			}
		}
		if !found {
			urls <- ""
		}
	}()
	select {
	case u := <-urls:
		if u == "" {
			stop() // the stderr copy is complete after Wait
			t.Fatalf("psop-organizer ended without printing its address; stderr:\n%s", stderr.String())
		}
		return u
	case <-time.After(60 * time.Second):
		stop()
		t.Fatalf("psop-organizer did not print its address in 60 s; stderr:\n%s", stderr.String())
	}
	return ""
}

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = runCLIWith(args, &o, &e)
	return code, o.String(), e.String()
}

// TestEndToEndStatement: the reference organizer loads scenario-small.json,
// `psopdesk sync` pulls it over real HTTP into a fresh cache, and
// `psopdesk statement` renders A-1001's November 2026 Kotihoito statement.
func TestEndToEndStatement(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: see the README's prerequisites")
	}
	work := t.TempDir()
	keys := filepath.Join(work, "keys.tsv")
	url := startOrganizer(t, "-load", scenarioFile, "-keys-out", keys)
	cacheDir := filepath.Join(work, "cache")

	code, out, errOut := runCmd(t, "sync", "-server", url, "-api-key-file", keys, "-cache", cacheDir)
	if code != 0 {
		t.Fatalf("sync exit %d: %s%s", code, out, errOut)
	}

	pdf := filepath.Join(work, "erittely.pdf")
	code, out, errOut = runCmd(t, "statement", "-cache", cacheDir, "-customer-number", "A-1001",
		"-service", "Kotihoito", "-from", "1.11.2026", "-to", "30.11.2026", "-o", pdf)
	if code != 0 {
		t.Fatalf("statement exit %d: %s%s", code, out, errOut)
	}
	if !strings.Contains(out, "47,13 €") {
		t.Errorf("statement command output %q lacks the co-payment total 47,13 €", out)
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	s := string(text)
	for _, want := range []string{"Sinikka", "Ääpälä", "A-1001", "47,13 €", "308,13 €", "261,00 €", "Kotihoito"} {
		if !strings.Contains(s, want) {
			t.Errorf("statement PDF text lacks %q", want)
		}
	}
	for _, never := range []string{"010594Y9021", "010594"} {
		if strings.Contains(s, never) {
			t.Errorf("statement PDF contains the henkilötunnus")
		}
	}
	// A service the cache does not have: the message names the ones it has.
	code, _, errOut = runCmd(t, "statement", "-cache", cacheDir, "-customer-number", "A-1001",
		"-service", "Hammashoito", "-from", "1.11.2026", "-to", "30.11.2026", "-o", filepath.Join(work, "x.pdf"))
	if code != 1 || !strings.Contains(errOut, "Kotihoito") || !strings.Contains(errOut, "Siivous") {
		t.Errorf("unknown service: exit %d, message %q should list Kotihoito and Siivous", code, errOut)
	}
	raw, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("010594Y9021")) {
		t.Error("statement PDF bytes contain the henkilötunnus")
	}
}

// TestSyncErrors: a wrong API key and an unreachable server end with a
// clear message and a non-zero exit, and never echo the key.
func TestSyncErrors(t *testing.T) {
	work := t.TempDir()
	keys := filepath.Join(work, "keys.tsv")
	url := startOrganizer(t, "-load", scenarioFile, "-keys-out", keys)

	bad := filepath.Join(work, "bad.key")
	if err := os.WriteFile(bad, []byte("prov-1\tnot-a-real-key-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, "sync", "-server", url, "-api-key-file", bad, "-cache", filepath.Join(work, "c1"))
	if code != 1 {
		t.Errorf("wrong key: exit %d, want 1", code)
	}
	if strings.Contains(errOut, "not-a-real-key-123") {
		t.Errorf("error output echoes the API key: %s", errOut)
	}
	if !strings.Contains(strings.ToLower(errOut), "api-avain") {
		t.Errorf("wrong key: message %q does not speak of the API key", errOut)
	}

	code, _, errOut = runCmd(t, "sync", "-server", "http://127.0.0.1:1", "-api-key-file", keys, "-cache", filepath.Join(work, "c2"))
	if code != 1 || errOut == "" {
		t.Errorf("unreachable server: exit %d, message %q", code, errOut)
	}

	// A statement from a cache never synced says to sync first.
	code, _, errOut = runCmd(t, "statement", "-cache", filepath.Join(work, "empty"), "-customer-number", "A-1001",
		"-service", "Kotihoito", "-from", "1.11.2026", "-to", "30.11.2026", "-o", filepath.Join(work, "x.pdf"))
	if code != 1 || !strings.Contains(errOut, "psopdesk sync") {
		t.Errorf("empty cache: exit %d, message %q should tell to run psopdesk sync", code, errOut)
	}

	code, _, _ = runCmd(t, "statement", "-cache", filepath.Join(work, "c3"), "-customer-number", "A-1001",
		"-service", "Kotihoito", "-from", "31.2.2026", "-to", "30.11.2026", "-o", filepath.Join(work, "x.pdf"))
	if code != 2 {
		t.Errorf("impossible date: exit %d, want 2", code)
	}
}
