package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/sync/organizer"
)

// TestAdminCommands runs the admin subcommands against a served store
// of scenario-small whose clock stands after November's lock.
func TestAdminCommands(t *testing.T) {
	t.Setenv("PSOP_ADMIN_KEY", "")
	f, err := os.Open("../../testdata/fixtures/scenario-small.json")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := organizer.LoadScenario(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := organizer.Open(filepath.Join(dir, "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.SetClock(organizer.ClockFrom(time.Date(2026, 12, 6, 12, 0, 0, 0, data.Helsinki)))
	if _, err := st.Apply(ds, st.Now()); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateAdminKey("test", st.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "admin.key")
	if err := writeSecret(keyFile, key+"\n"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	srv := httptest.NewServer(organizer.Handler(st, nil))
	defer srv.Close()
	admin := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(append([]string{"admin", "-url", srv.URL, "-key-file", keyFile}, args...), &out, &out)
		return out.String(), err
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "-status", "in_review"}, "e3\tprov-1\t2026-11-16\tin_review\tv1\n"},
		{[]string{"approve", "e3"}, "e3\tprov-1\t2026-11-16\tapproved\tv2\n1 events changed\n"},
		{[]string{"settle", "2026-11"}, "e1\tprov-1\t2026-11-02\tsettled\tv2\n"},
		{[]string{"pay", "e1"}, "e1\tprov-1\t2026-11-02\tpaid\tv3\n"},
		{[]string{"credit", "e1", "duplicate", "Recorded twice."}, "e1\tprov-1\t2026-11-02\tcredited\tv4\n"},
	} {
		out, err := admin(c.args...)
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("admin %v: %v\n%s\nwant %q", c.args, err, out, c.want)
		}
	}
	if _, err := admin("answer", "e1", "No."); err == nil || !strings.Contains(err.Error(), organizer.CodeNoCreditRequest) {
		t.Errorf("answer without a request: %v", err)
	}
	if err := os.WriteFile(keyFile, []byte("psopa_wrong\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := admin("list"); err == nil || !strings.Contains(err.Error(), "401 unauthorized") {
		t.Errorf("a wrong key: %v", err)
	}
}
