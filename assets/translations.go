package assets

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"text/template"
)

// Translations holds the texts of PSOP Desk, translations/<code>.json for
// each of Languages, in go-i18n's JSON form ({"key": "text"} or
// {"key": {"one": …, "other": …}}). The UI's keys are the English texts
// the code passes to lang.L and lang.N; the files also carry Fyne's own
// keys ("Cancel", "OK", weekday names …), because Fyne ships no Finnish,
// and the printed statement's keys ("pdf.…", plus the unit words
// "unit.…" the UI shares). The UI loads the files into Fyne (package ui);
// code without Fyne reads them through Text and TextN.
//
//go:embed translations/*.json
var Translations embed.FS

// Languages are the codes of the translated languages, the default first.
var Languages = []string{"fi", "en", "sv"}

// message is one entry of a translation file: a plain text has only other.
type message struct {
	one, other string
}

var (
	loadOnce sync.Once
	catalog  map[string]map[string]message // code -> key -> text
	loadErr  error
)

// load parses the translation files, once; it errors when a file is
// missing or does not parse, or an entry is neither a text nor an object
// of plural forms. Text and TextN use what parsed before the error.
func load() error {
	loadOnce.Do(func() {
		catalog = make(map[string]map[string]message, len(Languages))
		for _, l := range Languages {
			m, err := parseFile(l)
			if err != nil && loadErr == nil {
				loadErr = err
			}
			catalog[l] = m
		}
	})
	return loadErr
}

func parseFile(code string) (map[string]message, error) {
	b, err := Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		return nil, fmt.Errorf("translation file %s.json is missing: %w", code, err)
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("translation file %s.json: %w", code, err)
	}
	out := make(map[string]message, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = message{other: s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return out, fmt.Errorf("translation file %s.json: %q is neither a text nor plural forms", code, k)
		}
		out[k] = message{one: forms["one"], other: forms["other"]}
	}
	return out, nil
}

// Text is the text of key in language code ("fi", "en" or "sv"; any other
// code, "" included, gives the default, Finnish), with go text/template
// fields such as {{.N}} filled from data (which may be nil). A key the
// language lacks gives the key itself; a text whose template does not
// parse or run gives the text unfilled.
func Text(code, key string, data map[string]any) string {
	return lookup(code, key, false, data)
}

// TextN is like Text for a key with plural forms: the "one" form when n
// is 1, else the "other" form (the rule of Finnish, Swedish and English;
// a missing "one" gives "other"). A plain text serves every n. n itself
// is not filled in: pass it in data ({"N": n}) when the text shows it.
func TextN(code, key string, n int, data map[string]any) string {
	return lookup(code, key, n == 1, data)
}

func lookup(code, key string, one bool, data map[string]any) string {
	_ = load() // a file that does not parse leaves its keys to fall back
	m, ok := catalog[code]
	if !ok {
		m = catalog[Languages[0]]
	}
	msg, ok := m[key]
	if !ok {
		return key
	}
	s := msg.other
	if one && msg.one != "" {
		s = msg.one
	}
	if !strings.Contains(s, "{{") {
		return s
	}
	t, err := template.New(key).Parse(s)
	if err != nil {
		return s
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return s
	}
	return b.String()
}
