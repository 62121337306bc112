package ui

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
	"psopdesk/sync/wire"
)

// The scenario has two customers whose customer numbers start with A-100:
// in Finnish order Virtanen Matti (A-1002, cust-2) comes before Ääpälä
// Sinikka (A-1001, cust-1), Ä after Z.

// keyboard sends what the user types to whatever has the keyboard focus.
type keyboard struct {
	t *testing.T
	c fyne.Canvas
}

func (k keyboard) focused() fyne.Focusable {
	k.t.Helper()
	f := k.c.Focused()
	if f == nil {
		k.t.Fatal("nothing has the keyboard focus")
	}
	return f
}

func (k keyboard) typeText(s string) {
	k.t.Helper()
	for _, r := range s {
		k.focused().TypedRune(r)
	}
}

func (k keyboard) press(names ...fyne.KeyName) {
	k.t.Helper()
	for _, n := range names {
		k.focused().TypedKey(&fyne.KeyEvent{Name: n})
	}
}

func newKeyboard(t *testing.T, f *fixture) keyboard {
	return keyboard{t: t, c: f.d.Window().Canvas()}
}

// openedTab is the customer whose tab is selected ("" none).
func (f *fixture) openedTab(t *testing.T) string {
	t.Helper()
	sel := f.d.tabs.Selected()
	for id, v := range f.d.views {
		if v.tab == sel {
			return id
		}
	}
	return ""
}

// cursorRow is the row highlighted as the keyboard cursor's, as the user
// sees it (-1: none), among the rows the list shows.
func (f *fixture) cursorRow(t *testing.T) int {
	t.Helper()
	row := -1
	for i := range f.d.search.results {
		o := visibleRow(f, i)
		if o == nil {
			continue
		}
		bg, _, _, _, _ := rowParts(o)
		if bg.FillColor == nil {
			continue
		}
		if _, _, _, a := bg.FillColor.RGBA(); a == 0 {
			continue
		}
		if row != -1 {
			t.Errorf("rows %d and %d both highlighted", row, i)
		}
		row = i
	}
	return row
}

// visibleRow finds the row object showing result i, by its name.
func visibleRow(f *fixture, i int) fyne.CanvasObject {
	want := f.d.search.results[i].Customer.FullName()
	var found fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			if isRow(v) {
				if _, name, _, _, _ := rowParts(v); name.Text == want {
					found = v
				}
				return
			}
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(f.d.search.list)
	return found
}

// isRow tells a result row (searchPage.newRow) by its shape.
func isRow(c *fyne.Container) bool {
	if len(c.Objects) != 2 {
		return false
	}
	if _, ok := c.Objects[0].(*canvas.Rectangle); !ok {
		return false
	}
	rows, ok := c.Objects[1].(*fyne.Container)
	if !ok || len(rows.Objects) != 2 {
		return false
	}
	_, ok = rows.Layout.(*tightVBox)
	return ok
}

func TestSearchFieldFocusedAtStart(t *testing.T) {
	f := newFixture(t, Options{})
	if got := f.d.Window().Canvas().Focused(); got != f.d.search.entry {
		t.Fatalf("focus on %T when the window opens, want the search field", got)
	}
	// Typing straight away searches.
	newKeyboard(t, f).typeText("virt")
	f.wait(t, "search:virt")
	assertTexts(t, f.d.search.content, "Virtanen Matti")
}

func TestSearchEnterOpensFirstHit(t *testing.T) {
	f := newFixture(t, Options{})
	k := newKeyboard(t, f)

	// Enter before the results have come: the search runs at once and its
	// first hit opens.
	k.typeText("A-100")
	k.press(fyne.KeyReturn)
	f.wait(t, "customer:cust-2")
	if got := f.openedTab(t); got != "cust-2" {
		t.Fatalf("Enter opened %q, want the first hit cust-2 (Virtanen)", got)
	}

	// A unique hit opens with Enter straight from the field, the results
	// shown.
	f.search(t, "Ääp")
	if f.d.Window().Canvas().Focused() != f.d.search.entry {
		t.Fatal("the search field lost the keyboard")
	}
	k.press(fyne.KeyReturn)
	f.wait(t, "customer:cust-1")
	if got := f.openedTab(t); got != "cust-1" {
		t.Errorf("Enter opened %q, want cust-1", got)
	}
}

func TestSearchTypingAfterEnterCancelsIt(t *testing.T) {
	f := newFixture(t, Options{})
	k := newKeyboard(t, f)
	k.typeText("A-100")
	k.press(fyne.KeyReturn)
	k.typeText("1") // "A-1001" before the first results came
	f.wait(t, "search:A-1001")
	if len(f.d.views) != 0 {
		t.Errorf("Enter opened %v for a text changed since", f.d.views)
	}
}

func TestSearchDownThenEnterOpensSelected(t *testing.T) {
	f := newFixture(t, Options{})
	k := newKeyboard(t, f)
	f.search(t, "A-100")
	if len(f.d.search.results) != 2 {
		t.Fatalf("%d hits, want 2", len(f.d.search.results))
	}
	if got := f.cursorRow(t); got != 0 {
		t.Fatalf("cursor on row %d of a new list, want 0", got)
	}
	k.press(fyne.KeyDown)
	if f.d.Window().Canvas().Focused() != f.d.search.list {
		t.Fatalf("Down left the keyboard on %T, want the results", f.d.Window().Canvas().Focused())
	}
	if got := f.cursorRow(t); got != 1 {
		t.Fatalf("cursor on row %d after Down, want 1", got)
	}
	k.press(fyne.KeyReturn)
	f.wait(t, "customer:cust-1")
	if got := f.openedTab(t); got != "cust-1" {
		t.Fatalf("Enter opened %q, want the selected cust-1 (Ääpälä)", got)
	}

	// Up, Up goes back to the field over the first row; Down again, then
	// Enter opens the second row again; Up then Space the first.
	k.press(fyne.KeyUp)
	if got := f.cursorRow(t); got != 0 {
		t.Errorf("cursor on row %d after Up, want 0", got)
	}
	k.press(fyne.KeyUp)
	if f.d.Window().Canvas().Focused() != f.d.search.entry {
		t.Errorf("Up on the first row left the keyboard on %T, want the field", f.d.Window().Canvas().Focused())
	}
	k.press(fyne.KeyDown, fyne.KeyUp, fyne.KeySpace)
	f.wait(t, "customer:cust-2")
	if got := f.openedTab(t); got != "cust-2" {
		t.Errorf("Space opened %q, want cust-2", got)
	}
}

func TestSearchNewListStartsAtFirstRow(t *testing.T) {
	f := newFixture(t, Options{})
	k := newKeyboard(t, f)
	f.search(t, "A-100")
	k.press(fyne.KeyDown)
	if got := f.cursorRow(t); got != 1 {
		t.Fatalf("cursor on row %d after Down, want 1", got)
	}
	// Typing in the results goes on in the field: a new search, "A-1000"
	// finds nobody; then a new search finding the same two customers.
	k.typeText("0")
	if f.d.Window().Canvas().Focused() != f.d.search.entry {
		t.Fatal("typing in the results did not go back to the field")
	}
	if got := f.d.search.entry.Text; got != "A-1000" {
		t.Fatalf("field holds %q, want A-1000", got)
	}
	f.wait(t, "search:A-1000")
	k.press(fyne.KeyBackspace, fyne.KeyBackspace)
	f.wait(t, "search:A-10")
	if len(f.d.search.results) != 2 {
		t.Fatalf("%d hits, want 2", len(f.d.search.results))
	}
	if got := f.cursorRow(t); got != 0 {
		t.Errorf("a second search starts on row %d, want its first row", got)
	}
	k.press(fyne.KeyReturn)
	f.wait(t, "customer:cust-2")
	if got := f.openedTab(t); got != "cust-2" {
		t.Errorf("Enter opened %q, want the first row's cust-2", got)
	}

	// The same after Ctrl+F and a search typed over the old one, with the
	// results list focused last.
	k.press(fyne.KeyDown)
	if f.d.search.cursor != 1 {
		t.Fatalf("cursor %d after Down, want 1", f.d.search.cursor)
	}
	f.d.focusSearch()
	k.typeText("A-100")
	f.wait(t, "search:A-100")
	if got := f.cursorRow(t); got != 0 || f.d.search.cursor != 0 {
		t.Errorf("a second search starts on row %d (cursor %d), want its first row", got, f.d.search.cursor)
	}
}

func TestSearchInvalidHetuSaysWhy(t *testing.T) {
	f := newFixture(t, Options{})
	// 131052-308T is Virtanen's; U is the wrong check character.
	f.search(t, "131052-308U")
	assertTexts(t, f.d.search.content, "Henkilötunnuksen tarkistusmerkki ei täsmää: tarkista tunnus.")
	assertNoText(t, f.d.search.content, "Haulla ei löytynyt asiakkaita.")
	assertNoText(t, f.d.search.content, "Haku epäonnistui")
	assertNoText(t, f.d.search.content, "131052")

	// The date does not exist.
	f.search(t, "310252-308T")
	assertTexts(t, f.d.search.content, "Henkilötunnuksen syntymäaikaa ei ole olemassa: tarkista päivä, kuukausi ja vuosi.")

	// A valid code with an en dash, in lower case, finds the customer.
	f.search(t, "131052–308t")
	assertTexts(t, f.d.search.content, "Virtanen Matti", "s. 13.10.1952 · A-1002")
}

func TestSearchRowShowsMatchedVoucher(t *testing.T) {
	f := newFixture(t, Options{})
	f.search(t, "400123457")
	assertTexts(t, f.d.search.list, "Ääpälä Sinikka", "s. 1.5.1994 · A-1001", "Palveluseteli 400123457")
	assertNoText(t, f.d.search.list, "400123456")
	assertNoText(t, f.d.search.list, scenarioHetu)

	// Found by name: no voucher line.
	f.search(t, "Ääp")
	assertNoText(t, f.d.search.list, "Palveluseteli")
}

// heldSearch holds back the search for one query until released.
type heldSearch struct {
	*cache.Cache
	query   string
	started chan struct{}
	release chan struct{}
	done    chan struct{}
}

func (g *heldSearch) SearchHits(q string, limit int) ([]cache.Hit, error) {
	if q == g.query {
		close(g.started)
		<-g.release
		defer close(g.done)
	}
	return g.Cache.SearchHits(q, limit)
}

func TestSearchStaleResultDropped(t *testing.T) {
	f := newFixture(t, Options{})
	g := &heldSearch{Cache: f.d.src.(*cache.Cache), query: "Ääp",
		started: make(chan struct{}), release: make(chan struct{}), done: make(chan struct{})}
	f.d.src = g
	k := newKeyboard(t, f)
	k.typeText("Ääp")
	<-g.started // the search of "Ääp" is running, and held
	// Typing goes on while it runs.
	k.press(fyne.KeyBackspace, fyne.KeyBackspace, fyne.KeyBackspace)
	k.typeText("virt")
	f.wait(t, "search:virt")
	close(g.release)
	<-g.done
	// Another search after it: the held one's result is handed over
	// before this one's.
	k.typeText("a")
	f.wait(t, "search:virta")
	for _, e := range f.events {
		if strings.HasPrefix(e, "search:Ääp") {
			t.Errorf("the stale search was applied: %q", f.events)
		}
	}
	if len(f.d.search.results) != 1 || f.d.search.results[0].Customer.ID != "cust-2" {
		t.Errorf("results %v, want Virtanen", f.d.search.results)
	}
}

// addNamesakes adds to f's cache five more customers whose names start
// with "Vir", one of them with two vouchers (4100…) and none with a
// customer number.
func addNamesakes(t *testing.T, f *fixture) {
	t.Helper()
	c := f.d.src.(*cache.Cache)
	seq, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.Change
	put := func(kind wire.Kind, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		out = append(out, wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b})
	}
	people := []struct {
		id, first, last, number string
		born                    data.Date
		sign                    byte
	}{
		{"cust-11", "Aino Maria", "Virtanen", "A-1101", data.NewDate(1941, time.March, 4), '-'},
		{"cust-12", "Eero", "Virtanen", "A-1102", data.NewDate(1938, time.December, 24), '-'},
		{"cust-13", "Liisa", "Virtanen", "", data.NewDate(2001, time.July, 9), 'A'},
		{"cust-14", "Veli-Pekka Johannes", "Virtala", "A-1104", data.NewDate(1956, time.February, 29), 'Y'},
		{"cust-15", "Hilkka", "Virolainen", "B-77", data.NewDate(1930, time.May, 1), '-'},
	}
	for i, p := range people {
		h, err := hetu.New(p.born, p.sign, 100+2*i)
		if err != nil {
			t.Fatal(err)
		}
		put(wire.KindCustomer, p.id, data.Customer{ID: p.id, FirstNames: p.first, LastName: p.last,
			Hetu: h.String(), CustomerNumber: p.number, Language: "fi"})
	}
	for _, n := range []string{"410055501", "410055502"} {
		put(wire.KindVoucher, n, data.Voucher{Number: n, CustomerID: "cust-12", ServiceID: "svc-home",
			ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31), ValueType: data.ValueFixed})
	}
	if err := c.ApplyPage(out, seq); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
}

// TestRenderSearchForLooking writes the search page with a few hits at
// 1280 × 800 as PNGs to look at: PSOPDESK_LOOK=DIR go test -run
// ForLooking ./ui/ (search.png: a name search, the cursor moved to the
// second row; search-voucher.png: a voucher prefix; search-hetu.png: an
// invalid henkilötunnus).
func TestRenderSearchForLooking(t *testing.T) {
	dir := os.Getenv("PSOPDESK_LOOK")
	if dir == "" {
		t.Skip("set PSOPDESK_LOOK=DIR to write the PNGs")
	}
	f := newFixture(t, Options{})
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme()) // as the app has it
	addNamesakes(t, f)
	addLongCustomer(t, f)
	f.d.Window().Resize(fyne.NewSize(1280, 800))
	save := func(name string) {
		t.Helper()
		img := f.d.Window().Canvas().Capture()
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		if err := png.Encode(out, img); err != nil {
			t.Fatal(err)
		}
	}
	k := newKeyboard(t, f)
	k.typeText("vir")
	f.wait(t, "search:vir")
	k.press(fyne.KeyDown)
	save("search.png")
	f.d.focusSearch()
	k.typeText("4100")
	f.wait(t, "search:4100")
	save("search-voucher.png")
	f.d.focusSearch()
	k.typeText("131052-308U")
	f.wait(t, "search:131052-308U")
	save("search-hetu.png")
}
