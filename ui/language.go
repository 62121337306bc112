package ui

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"github.com/jeandeaual/go-locale"
	"golang.org/x/text/language"

	"psopdesk/assets"
)

var (
	languageMu     sync.Mutex
	languageChosen = assets.Languages[0]
)

// Language is the code of the language UseLanguage chose ("fi" before the
// first call).
func Language() string {
	languageMu.Lock()
	defer languageMu.Unlock()
	return languageChosen
}

// UseLanguage makes code ("fi", "en" or "sv") the language of every
// lang.L / lang.N / lang.X text, Fyne's own dialogs included, loading
// assets.Translations into Fyne. "" picks the system's: the first of the
// user's locales (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) whose language is
// fi, en or sv, else Finnish, so a C, POSIX or German locale gets Finnish.
// It errors on another code or when a translation file is missing or does
// not parse. Call it before app.New; calling it again switches the
// language of texts made afterwards.
//
// Fyne picks its language from the OS locale itself, with English as the
// fallback, and has no setter. So the chosen file is loaded also under
// every tag Fyne can match: each system locale, its base language, and
// "en"; whatever Fyne matches then holds the chosen texts. On Unix, when
// no locale is a language tag (C, POSIX), it sets LANGUAGE to code, so
// Fyne does not log a parse error at every load.
func UseLanguage(code string) error {
	languageMu.Lock()
	defer languageMu.Unlock()
	locales, err := locale.GetLocales()
	if err != nil {
		locales = nil
	}
	if code == "" {
		code = systemLanguage(locales)
	}
	if !slices.Contains(assets.Languages, code) {
		return fmt.Errorf("no language %q: choose fi, en or sv", code)
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" && !anyParses(locales) {
		// A C.UTF-8 locale makes Fyne log "Error parsing user locale C" at
		// every translation load; LANGUAGE, which go-locale reads first on
		// Unix, names the chosen language instead.
		_ = os.Setenv("LANGUAGE", code)
	}
	files := make(map[string][]byte, len(assets.Languages))
	for _, l := range assets.Languages {
		b, err := assets.Translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			return fmt.Errorf("translation file %s.json is missing: %w", l, err)
		}
		files[l] = b
	}
	// Each language under its own tag first, then the chosen one over every
	// tag Fyne might match.
	for _, l := range assets.Languages {
		if l == code {
			continue
		}
		if err := lang.AddTranslationsForLocale(files[l], fyne.Locale(l)); err != nil {
			return fmt.Errorf("translation file %s.json: %w", l, err)
		}
	}
	for _, tag := range matchTags(code, locales) {
		if err := lang.AddTranslationsForLocale(files[code], fyne.Locale(tag)); err != nil {
			return fmt.Errorf("translation file %s.json: %w", code, err)
		}
	}
	languageChosen = code
	return nil
}

// anyParses reports whether some locale is a language tag ("C" is not).
func anyParses(locales []string) bool {
	for _, loc := range locales {
		if _, err := language.Parse(loc); err == nil {
			return true
		}
	}
	return false
}

// systemLanguage is the first supported language among the user's locales
// ("fi-FI", "sv", …), or Finnish.
func systemLanguage(locales []string) string {
	for _, loc := range locales {
		tag, err := language.Parse(loc)
		if err != nil {
			continue
		}
		base, _ := tag.Base()
		if slices.Contains(assets.Languages, base.String()) {
			return base.String()
		}
	}
	return assets.Languages[0]
}

// matchTags lists the tags to register the chosen language under: "en"
// (Fyne's fallback), the chosen code, and each parsable system locale and
// its base language.
func matchTags(code string, locales []string) []string {
	seen := map[string]bool{}
	var tags []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	add("en")
	add(code)
	for _, loc := range locales {
		tag, err := language.Parse(loc)
		if err != nil || tag == language.Und {
			continue
		}
		base, _ := tag.Base()
		add(strings.ReplaceAll(tag.String(), "_", "-"))
		add(base.String())
	}
	return tags
}
