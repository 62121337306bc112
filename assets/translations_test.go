package assets

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestTranslationFilesComplete checks that every text the UI and the
// printed statement (ui/print) ask for is in all three files, that every
// "pdf." key is asked for, and that the files carry the same keys (a key
// only in fi.json would show in Finnish to a Swedish user).
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

	// ui/print names its keys as string literals ("pdf.title", "unit.hour").
	printKey := regexp.MustCompile(`"((?:pdf|unit)\.[a-z_.]+)"`)
	paths, _ := filepath.Glob("../ui/print/*.go")
	printUsed := map[string]bool{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range printKey.FindAllSubmatch(b, -1) {
			printUsed[string(m[1])] = true
		}
	}
	if len(printUsed) < 30 {
		t.Fatalf("found only %d keys in ../ui/print: is the glob right?", len(printUsed))
	}
	for k := range printUsed {
		for l, m := range files {
			if _, ok := m[k]; !ok {
				t.Errorf("%s.json lacks %q that ui/print asks for", l, k)
			}
		}
	}
	for k := range files["fi"] {
		if strings.HasPrefix(k, "pdf.") && !printUsed[k] {
			t.Errorf("fi.json has %q that ui/print does not ask for", k)
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
// number the user typed. Keys naming no field are ids such as unit.hour;
// those in idFields must fill the fields listed there, the others are not
// checked.
func TestTranslationPlaceholders(t *testing.T) {
	field := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	idFields := map[string]string{"pdf.page": "Page,Pages"}
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
			if f, ok := idFields[k]; ok {
				want = f
			}
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

// TestText checks the lookup that code without Fyne (the CLI, ui/print)
// uses: the language asked for, Finnish for any other code, fields
// filled, plural forms, and the key itself when a text is missing.
func TestText(t *testing.T) {
	cases := []struct {
		name, got, want string
	}{
		{"Finnish", Text("fi", "pdf.title", nil), "Omavastuuerittely"},
		{"Swedish", Text("sv", "pdf.title", nil), "Specifikation av självriskandel"},
		{"English", Text("en", "pdf.title", nil), "Co-payment statement"},
		{"unknown language gives Finnish", Text("de", "pdf.title", nil), "Omavastuuerittely"},
		{"no language gives Finnish", Text("", "Customers", nil), "Asiakkaat"},
		{"missing key gives the key", Text("sv", "no such key", nil), "no such key"},
		{"fields filled", Text("fi", "pdf.page", map[string]any{"Page": 2, "Pages": 5}), "Sivu 2/5"},
		{"one", TextN("fi", "unit.visit", 1, nil), "käynti"},
		{"other", TextN("fi", "unit.visit", 2, nil), "käyntiä"},
		{"zero is other", TextN("en", "unit.day", 0, nil), "days"},
		{"plural with a field", TextN("fi", "Fetching data from the server… {{.N}} changes", 42,
			map[string]any{"N": 42}), "Haetaan tietoja palvelimelta… 42 muutosta"},
		{"plural key by Text is other", Text("sv", "unit.day", nil), "dagar"},
		{"plain text by TextN", TextN("en", "Customers", 1, nil), "Customers"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if err := load(); err != nil {
		t.Errorf("the translation files do not parse: %v", err)
	}
}

// TestNoUnusedTranslations checks that every key of fi.json is used: as a
// string literal in the program's Go files (ui, ui/print, cmd/psopdesk and
// the packages under them), or as one of Fyne's own keys (its dialogs,
// entries, file choosers and calendar ask for those). A key nobody uses
// is a text no user sees, which drifts out of date unnoticed.
func TestNoUnusedTranslations(t *testing.T) {
	b, err := Translations.ReadFile("translations/fi.json")
	if err != nil {
		t.Fatal(err)
	}
	fi := map[string]any{}
	if err := json.Unmarshal(b, &fi); err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, root := range []string{"../ui", "../cmd/psopdesk"} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			src.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	code := src.String()
	// Fyne's own keys (fyne.io/fyne/v2/lang/translations/base.en.json).
	fyneKeys := map[string]bool{}
	for _, k := range strings.Fields(`Advanced Cancel Confirm Copy Cut Error Favourites File Folder No OK Open Paste Quit Redo Save Undo Yes
		file.name file.parent Information`) {
		fyneKeys[k] = true
	}
	for _, k := range []string{"Create Folder", "Enter filename", "New Folder", "Select all", "Show Hidden Files"} {
		fyneKeys[k] = true
	}
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		fyneKeys[d], fyneKeys[d+".short"] = true, true
	}
	// Month names for Fyne's date widgets (newer Fyne asks for them).
	for _, m := range strings.Fields("january february march april may june july august september october november december") {
		fyneKeys[m] = true
	}
	var unused []string
	for k := range fi {
		if fyneKeys[k] || strings.Contains(code, strconv.Quote(k)) || strings.Contains(code, "`"+k+"`") {
			continue
		}
		unused = append(unused, k)
	}
	slices.Sort(unused)
	for _, k := range unused {
		t.Errorf("fi.json has %q that no code uses", k)
	}
}
