package assets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
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

// TestPlural checks the one/other forms of the sync line.
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

// TestTranslationFilesComplete checks that every text the UI asks for is
// in all three files, and that the files carry the same keys (a key only
// in fi.json would show in Finnish to a Swedish user).
func TestTranslationFilesComplete(t *testing.T) {
	files := map[string]map[string]any{}
	for _, l := range Languages {
		b, err := Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", l, err)
		}
		files[l] = m
	}
	var used []string
	re := regexp.MustCompile(`lang\.[LNX]\("((?:[^"\\]|\\.)*)"`)
	for _, glob := range []string{"../ui/*.go", "../cmd/psopdesk/*.go"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllSubmatch(b, -1) {
				used = append(used, string(m[1]))
			}
		}
	}
	if len(used) < 50 {
		t.Fatalf("found only %d lang.L keys in ../ui: is the glob right?", len(used))
	}
	sort.Strings(used)
	for _, k := range used {
		for l, m := range files {
			if _, ok := m[k]; !ok {
				t.Errorf("%s.json lacks %q", l, k)
			}
		}
	}
	for k := range files["fi"] {
		for _, l := range Languages[1:] {
			if _, ok := files[l][k]; !ok {
				t.Errorf("%s.json lacks %q that fi.json has", l, k)
			}
		}
	}
	for _, k := range []string{"Cancel", "OK", "Yes", "No", "Error", "Information", "Confirm", "monday"} {
		if _, ok := files["fi"][k]; !ok {
			t.Errorf("fi.json lacks Fyne's key %q", k)
		}
	}
}

// TestTranslationPlaceholders checks that every text fills the fields its
// key names ({{.N}}, {{.Number}} …) and no others, in every language and
// plural form: a Swedish sentence without {{.Number}} would hide the
// number the user typed. Keys naming no field are not checked (some are
// ids such as unit.hour whose texts may use fields of their own).
func TestTranslationPlaceholders(t *testing.T) {
	field := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	fields := func(s string) string {
		var out []string
		for _, m := range field.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return strings.Join(slices.Compact(out), ",")
	}
	for _, l := range Languages {
		b, err := Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", l, err)
		}
		for k, v := range m {
			want := fields(k)
			var texts []string
			switch v := v.(type) {
			case string:
				texts = []string{v}
			case map[string]any:
				for _, form := range v {
					if s, ok := form.(string); ok {
						texts = append(texts, s)
					}
				}
			}
			for _, s := range texts {
				if got := fields(s); got != want && want != "" {
					t.Errorf("%s.json %q: %q fills {%s}, want {%s}", l, k, s, got, want)
				}
			}
		}
	}
}
