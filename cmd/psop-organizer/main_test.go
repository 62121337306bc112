package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"psopdesk/sync/organizer"
)

func TestRunRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"organizer\": oops\n}"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy := filepath.Join(dir, "busy.db")
	st, err := organizer.Open(busy)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no db", nil, "give -db FILE"},
		{"bad scenario", []string{"-db", filepath.Join(dir, "a.db"), "-load", bad}, "bad.json: scenario: line 2 column"},
		{"missing scenario", []string{"-db", filepath.Join(dir, "a.db"), "-load", filepath.Join(dir, "none.json")}, "no such file"},
		{"busy db", []string{"-db", busy}, "in use by another process"},
		{"keys without providers", []string{"-db", filepath.Join(dir, "empty.db"), "-keys-out", filepath.Join(dir, "k")}, "no providers"},
		{"stray argument", []string{"-demo", "extra"}, "unexpected arguments"},
		{"bad -now", []string{"-demo", "-now", "7.12.2026"}, "-now: want RFC 3339"},
		{"admin without a key", []string{"admin", "list"}, "no admin key"},
		{"admin unknown command", []string{"admin", "-key-file", bad, "frob"}, "unknown admin command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := run(c.args, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
