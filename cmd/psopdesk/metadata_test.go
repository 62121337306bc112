package main

import (
	"os"
	"strings"
	"testing"
)

// The project's FyneApp.toml (the root's) and this folder's copy, which
// fyne package --src cmd/psopdesk reads and the binary embeds, say the
// same but for the icon's path (relative to each file's folder).
func TestFyneAppTomlCopy(t *testing.T) {
	root, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(string(root), `Icon = "assets/icon.png"`, `Icon = "../../assets/icon.png"`, 1)
	if string(fyneAppToml) != want {
		t.Errorf("cmd/psopdesk/FyneApp.toml differs from the root's (but for the icon path):\n%s\nroot:\n%s", fyneAppToml, root)
	}
	if _, err := os.Stat("../../assets/icon.png"); err != nil {
		t.Errorf("the icon: %v", err)
	}
}
