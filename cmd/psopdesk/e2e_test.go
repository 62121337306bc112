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

// lines splits command output into its lines.
func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestEndToEndCustomerNumber drives the write path as a script would, over
// real HTTP with the reference organizer as its own process: search, a
// change queued offline and listed in the outbox, sent by sync, a change
// sent at once with -server, a bad number refused locally, and an
// unreachable server leaving the change queued.
func TestEndToEndCustomerNumber(t *testing.T) {
	work := t.TempDir()
	keys := filepath.Join(work, "keys.tsv")
	url := startOrganizer(t, "-load", scenarioFile, "-keys-out", keys)
	cacheDir := filepath.Join(work, "cache")
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCmd(t, append(args[:1:1], append([]string{"-cache", cacheDir}, args[1:]...)...)...)
	}
	if code, out, errOut := run("sync", "-server", url, "-api-key-file", keys); code != 0 {
		t.Fatalf("sync exit %d: %s%s", code, out, errOut)
	}

	code, out, _ := run("search", "aapala")
	if want := "cust-1\tÄäpälä, Sinikka\t1.5.1994\tA-1001"; code != 0 || len(lines(out)) != 1 || lines(out)[0] != want {
		t.Fatalf("search: exit %d, %q; want the line %q", code, out, want)
	}
	if code, out, _ := run("search", "010594Y9021"); code != 0 || !strings.HasPrefix(out, "cust-1\t") || strings.Contains(out, "010594Y9021") {
		t.Errorf("search by henkilötunnus: exit %d, %q (found, never printed)", code, out)
	}
	if code, out, _ := run("search", "Virtanen"); code != 0 || out != "" {
		t.Errorf("search with no hits: exit %d, %q; want exit 0 and nothing", code, out)
	}

	// Offline: stored, listed, then sent by sync.
	code, out, errOut := run("customer-number", "-customer", "cust-1", "-set", "A-2002", "-now", "2026-12-01T09:05:00+02:00")
	if code != 0 || !strings.Contains(out, "odottaa") {
		t.Fatalf("customer-number offline: exit %d, %q %q; want queued", code, out, errOut)
	}
	code, out, _ = run("outbox")
	fields := strings.Split(strings.TrimRight(out, "\n"), "\t")
	if code != 0 || len(lines(out)) != 1 || len(fields) != 4 || fields[1] != "set_customer_number" ||
		fields[2] != "1.12.2026 9.05" || fields[3] != "" {
		t.Fatalf("outbox: exit %d, %q", code, out)
	}
	if code, out, errOut := run("sync", "-server", url, "-api-key-file", keys); code != 0 {
		t.Fatalf("sync exit %d: %s%s", code, out, errOut)
	}
	if _, out, _ := run("outbox"); out != "" {
		t.Errorf("outbox after sync: %q, want empty", out)
	}
	if _, out, _ := run("search", "A-2002"); !strings.HasPrefix(out, "cust-1\t") || !strings.HasSuffix(out, "\tA-2002\n") {
		t.Errorf("search for the new number: %q", out)
	}

	// A number that is not one: refused at once, exit 1, nothing queued.
	code, out, errOut = run("customer-number", "-customer", "cust-1", "-set", "A 1;")
	if code != 1 || out != "" || !strings.Contains(errOut, "Asiakasnumero") {
		t.Errorf("bad number: exit %d, %q %q", code, out, errOut)
	}
	// Sent at once with -server.
	code, out, errOut = run("customer-number", "-customer", "cust-1", "-remove", "-server", url, "-api-key-file", keys)
	if code != 0 || !strings.Contains(out, "hyväksyi") {
		t.Errorf("remove with -server: exit %d, %q %q; want applied", code, out, errOut)
	}
	if _, out, _ := run("search", "aapala"); !strings.HasSuffix(out, "\t1.5.1994\t\n") {
		t.Errorf("after the removal: %q, want no customer number", out)
	}
	// Unreachable: queued, exit 0, the outbox tells the failure.
	code, out, _ = run("customer-number", "-customer", "cust-1", "-set", "A-3003", "-server", "http://127.0.0.1:1", "-api-key-file", keys)
	if code != 0 || !strings.Contains(out, "ei saada yhteyttä") {
		t.Errorf("unreachable: exit %d, %q; want queued, with the reason", code, out)
	}
	if _, out, _ := run("outbox"); !strings.HasSuffix(out, "\tunreachable\n") {
		t.Errorf("outbox after a failed send: %q", out)
	}
	// Wrong flags and arguments: exit 2.
	for _, args := range [][]string{
		{"customer-number", "-customer", "cust-1"},
		{"outbox", "-bogus"},
		{"outbox", "extra"},
		{"customer-number", "-customer", "cust-1", "-set", "A-1", "-server", "127.0.0.1:8470", "-api-key-file", keys},
	} {
		if code, _, _ := run(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// A henkilötunnus is never a customer number.
	if code, _, errOut := run("customer-number", "-customer", "cust-1", "-set", "010594Y9021"); code != 1 || !strings.Contains(errOut, "Henkilötunnus ei voi olla asiakasnumero") {
		t.Errorf("a henkilötunnus as the number: exit %d, %q", code, errOut)
	}
	// A statement by the customer's id, for customers without a number.
	pdf := filepath.Join(work, "by-id.pdf")
	if code, out, errOut := run("statement", "-customer", "cust-1", "-service", "Kotihoito", "-from", "1.11.2026", "-to", "30.11.2026", "-o", pdf); code != 0 {
		t.Errorf("statement -customer: exit %d, %s%s", code, out, errOut)
	}
	// A folder with no cache is told, not made.
	missing := filepath.Join(work, "typo")
	code, _, errOut = runCmd(t, "search", "-cache", missing, "aapala")
	if code != 1 || !strings.Contains(errOut, "psopdesk sync") {
		t.Errorf("search in a folder without a cache: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("search made the folder %s", missing)
	}
}
