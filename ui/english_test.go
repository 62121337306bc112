package ui

import (
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// englishWords are English words that are not Finnish ones: one of them on
// a Finnish screen is a text that did not go through the translations.
// (Tab is not among them: it is the key's name on a Finnish keyboard too.)
var englishWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the and of to for with from this that your you is are was
		select cancel save open close search find customer customers service services event events
		statement statements total price voucher date time status file edit view help settings sync
		now today yes no error loading print printable month week monday tuesday wednesday thursday
		friday saturday sunday january february march april june july august september october
		november december keyboard shortcuts next previous about folder language theme light dark
		connect server key record delete new grant grants reservation reservations balance period
		quit copy paste cut undo redo information confirm`) {
		englishWords[w] = true
	}
}

// englishIn gives the English words in texts.
func englishIn(texts []string) []string {
	word := regexp.MustCompile(`\p{L}+`)
	var out []string
	for _, s := range texts {
		if strings.Contains(s, "License") { // a licence's own name (About)
			continue
		}
		for _, w := range word.FindAllString(s, -1) {
			if englishWords[strings.ToLower(w)] {
				out = append(out, w+" (in "+strings.TrimSpace(s)+")")
			}
		}
	}
	return out
}

// menuTexts are the labels of the menus and their items.
func menuTexts(m *fyne.MainMenu) []string {
	var out []string
	var walk func(items []*fyne.MenuItem)
	walk = func(items []*fyne.MenuItem) {
		for _, it := range items {
			out = append(out, it.Label)
			if it.ChildMenu != nil {
				walk(it.ChildMenu.Items)
			}
		}
	}
	for _, menu := range m.Items {
		out = append(out, menu.Label)
		walk(menu.Items)
	}
	return out
}

// The main screens in Finnish show no English word: the search page, every
// customer tab, a statement made, the menus, and the keyboard help, the
// settings, the about and the month's statements dialogs.
func TestNoEnglishOnFinnishScreens(t *testing.T) {
	f := newFixture(t, Options{Resync: func() {}})
	c := f.d.Window().Canvas()
	var seen []string
	look := func(what string) {
		got := texts(c.Content())
		for _, o := range c.Overlays().List() {
			got = append(got, texts(o)...)
		}
		if len(got) == 0 {
			t.Errorf("%s: no texts found", what)
		}
		for _, w := range englishIn(got) {
			t.Errorf("%s: English %s", what, w)
		}
		seen = append(seen, got...)
	}
	look("search page")
	for _, w := range englishIn(menuTexts(f.d.menu)) {
		t.Errorf("menu: English %s", w)
	}
	s := openStatementTab(t, f)
	for i := range 6 {
		f.d.showTab(i)
		look("tab " + f.d.views["cust-1"].tabs.Items[i].Text)
	}
	f.d.showTab(5)
	s.sel.SetSelected("Kotihoito")
	s.from.SetText("1.11.2026")
	s.to.SetText("30.11.2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	look("statement")
	for _, dlg := range []struct {
		name string
		show func()
	}{{"keyboard help", f.d.showHelp}, {"settings", f.d.showSettings}, {"about", f.d.showAbout}, {"month's statements", f.d.showBatch}} {
		dlg.show()
		look(dlg.name)
		for c.Overlays().Top() != nil {
			c.Overlays().Remove(c.Overlays().Top())
		}
		f.d.settings, f.d.about = nil, nil
	}
	if !strings.Contains(strings.Join(seen, " "), "Omavastuu") {
		t.Error("the statement's totals were not looked at")
	}
}
