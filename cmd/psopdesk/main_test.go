package main

import (
	"io"
	"os"
	"strings"
	"testing"
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
		{nil, "", func(f guiFlags) bool { return f.server == "" && f.cacheDir == defaultCacheDir() && f.lang == "" }},
		{[]string{"-cache", "/x", "-lang", "sv"}, "", func(f guiFlags) bool { return f.cacheDir == "/x" && f.lang == "sv" }},
		{[]string{"-server", "http://h", "-api-key-file", "k"}, "", func(f guiFlags) bool { return f.server == "http://h" && f.keyFile == "k" }},
		{[]string{"-server", "http://h"}, "-server needs -api-key-file", nil},
		{[]string{"extra"}, `unexpected argument "extra"`, nil},
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
}
