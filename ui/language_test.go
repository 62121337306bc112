package ui

import (
	"testing"

	"fyne.io/fyne/v2/lang"
)

// TestUseLanguage checks what a user sees: Finnish by default whatever
// Fyne would have matched, the system language when we have it, and the
// language asked for. Fyne's own dialog keys follow too.
func TestUseLanguage(t *testing.T) {
	cases := []struct {
		name          string
		env           map[string]string
		code          string
		want, wantDlg string
		wantChosen    string
		wantErr       bool
	}{
		{"C locale gets Finnish", map[string]string{"LANG": "C", "LC_ALL": "C"}, "", "Asiakkaat", "Peruuta", "fi", false},
		{"POSIX locale gets Finnish", map[string]string{"LANG": "POSIX"}, "", "Asiakkaat", "Peruuta", "fi", false},
		{"German locale gets Finnish", map[string]string{"LANG": "de_DE.UTF-8"}, "", "Asiakkaat", "Peruuta", "fi", false},
		{"English locale gets English", map[string]string{"LANG": "en_US.UTF-8"}, "", "Customers", "Cancel", "en", false},
		{"Swedish locale gets Swedish", map[string]string{"LANG": "sv_FI.UTF-8"}, "", "Kunder", "Avbryt", "sv", false},
		{"Finnish locale gets Finnish", map[string]string{"LANG": "fi_FI.UTF-8"}, "", "Asiakkaat", "Peruuta", "fi", false},
		{"asked Swedish on an English system", map[string]string{"LANG": "en_US.UTF-8"}, "sv", "Kunder", "Avbryt", "sv", false},
		{"asked Finnish on a German system", map[string]string{"LANG": "de_DE.UTF-8"}, "fi", "Asiakkaat", "Peruuta", "fi", false},
		{"asked English on a Finnish system", map[string]string{"LANG": "fi_FI.UTF-8"}, "en", "Customers", "Cancel", "en", false},
		{"LANGUAGE list picks the first supported", map[string]string{"LANG": "de_DE.UTF-8", "LANGUAGE": "de:sv"}, "", "Kunder", "Avbryt", "sv", false},
		{"unknown code", map[string]string{"LANG": "C"}, "de", "", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
				t.Setenv(k, tc.env[k])
			}
			err := UseLanguage(tc.code)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("UseLanguage(%q) = nil, want an error", tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("UseLanguage(%q): %v", tc.code, err)
			}
			if got := lang.L("Customers"); got != tc.want {
				t.Errorf("lang.L(Customers) = %q, want %q", got, tc.want)
			}
			if got := lang.L("Cancel"); got != tc.wantDlg {
				t.Errorf("lang.L(Cancel) = %q, want %q", got, tc.wantDlg)
			}
			if got := Language(); got != tc.wantChosen {
				t.Errorf("Language() = %q, want %q", got, tc.wantChosen)
			}
		})
	}
}

// TestPlural checks the one/other forms of the sync line through Fyne.
func TestPlural(t *testing.T) {
	t.Setenv("LANG", "C")
	t.Setenv("LC_ALL", "")
	t.Setenv("LANGUAGE", "")
	if err := UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	const key = "Fetching data from the server… {{.N}} changes"
	for n, want := range map[int]string{
		1:  "Haetaan tietoja palvelimelta… 1 muutos",
		42: "Haetaan tietoja palvelimelta… 42 muutosta",
	} {
		if got := lang.N(key, n, map[string]any{"N": n}); got != want {
			t.Errorf("lang.N(%d) = %q, want %q", n, got, want)
		}
	}
}
