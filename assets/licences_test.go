package assets

import (
	"strings"
	"testing"
)

// Every bundled licence is there with its text, the font's with its
// copyright notice, and the kind named matches the text.
func TestLicences(t *testing.T) {
	ls := Licences()
	if len(ls) < 8 || !strings.HasPrefix(ls[0].Name, "Noto Sans") {
		t.Fatalf("licences: %d, first %q", len(ls), ls[0].Name)
	}
	for _, l := range ls {
		switch {
		case l.Licence == "MIT" && !strings.Contains(l.Text, "Permission is hereby granted, free of charge"),
			l.Licence == "BSD 3-Clause" && !strings.Contains(l.Text, "Neither the name"),
			strings.HasPrefix(l.Licence, "SIL") && !strings.Contains(l.Text, "SIL OPEN FONT LICENSE Version 1.1"):
			t.Errorf("%s: the text is not the %s licence", l.Name, l.Licence)
		}
		if !strings.Contains(l.Text, "Copyright") {
			t.Errorf("%s: no copyright notice", l.Name)
		}
	}
}
