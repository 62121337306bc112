package ui

import (
	"encoding/json"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/wire"
	"psopdesk/ui/print"
)

// putChanges applies more changes to the fixture's cache, after its feed.
func putChanges(t *testing.T, f *fixture, add func(put func(kind wire.Kind, id string, v any))) {
	t.Helper()
	c := f.d.src.(*cache.Cache)
	seq, err := c.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	var out []wire.Change
	add(func(kind wire.Kind, id string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		seq++
		out = append(out, wire.Change{Seq: seq, Kind: kind, Op: wire.OpPut, ID: id, Data: b})
	})
	if err := c.ApplyPage(out, seq); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
}

// writes records what Options.WriteStatementPDF was given, and writes with
// the default writer into dir.
type writes struct {
	mu    sync.Mutex
	sts   []data.Statement
	langs []string
	paths []string
}

func (w *writes) hook(dir string) func(data.Statement, string) (string, error) {
	return func(st data.Statement, l string) (string, error) {
		path, err := writeStatementPDFIn(dir, st, l)
		w.mu.Lock()
		defer w.mu.Unlock()
		w.sts, w.langs, w.paths = append(w.sts, st), append(w.langs, l), append(w.paths, path)
		return path, err
	}
}

func (w *writes) last(t *testing.T) (data.Statement, string, string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.sts) == 0 {
		t.Fatal("nothing written")
	}
	n := len(w.sts) - 1
	return w.sts[n], w.langs[n], w.paths[n]
}

func (w *writes) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.sts)
}

// TestStatementDefaults: the previous month, the service of the grant
// valid today (not the first by name) and the customer's language.
func TestStatementDefaults(t *testing.T) {
	f := newFixture(t, Options{})
	putChanges(t, f, func(put func(wire.Kind, string, any)) {
		// Matti Virtanen (Swedish): an old grant of Kotihoito, a valid one
		// of Siivous.
		put(wire.KindGrant, "g-old", data.Grant{ID: "g-old", CustomerID: "cust-2", Kind: data.KindPurchasingPower,
			VoucherNumber: "400200001", ServiceID: "svc-home", GrantedQuantity: 1000, Period: data.PeriodMonth,
			VoucherUnitValue: 3000, ValidFrom: data.NewDate(2025, 1, 1), ValidTo: data.NewDate(2025, 12, 31)})
		put(wire.KindGrant, "g-new", data.Grant{ID: "g-new", CustomerID: "cust-2", Kind: data.KindPurchasingPower,
			VoucherNumber: "400200002", ServiceID: "svc-clean", GrantedQuantity: 1000, Period: data.PeriodMonth,
			VoucherUnitValue: 3000, ValidFrom: data.NewDate(2026, 6, 1), ValidTo: data.NewDate(2026, 12, 31)})
	})
	f.search(t, "Virtanen")
	f.d.openCustomer(f.d.search.results[0].Customer, tabStatement)
	f.wait(t, "customer:cust-2")
	s := f.d.views["cust-2"].statement
	if s.sel.Selected != "Siivous" {
		t.Errorf("service %q, want Siivous (the grant valid today)", s.sel.Selected)
	}
	if s.language() != "sv" || s.langSel.Selected != "ruotsi" {
		t.Errorf("statement language %q (%q), want the customer's sv", s.language(), s.langSel.Selected)
	}
	if s.month.Selected != "lokakuu 2026" || s.from.Text != "1.10.2026" || s.to.Text != "31.10.2026" {
		t.Errorf("period %q %q–%q, want October 2026", s.month.Selected, s.from.Text, s.to.Text)
	}
	if n := len(s.month.Options); n != 24 || s.month.Options[0] != "marraskuu 2026" || s.month.Options[23] != "joulukuu 2024" {
		t.Errorf("months offered %d: %q…%q", n, s.month.Options[0], s.month.Options[n-1])
	}
	// A reload (a sync) keeps what the user chose.
	s.sel.SetSelected("Kotihoito")
	s.langSel.SetSelected("englanti")
	f.d.views["cust-2"].load()
	f.wait(t, "customer:cust-2")
	if s.sel.Selected != "Kotihoito" || s.language() != "en" {
		t.Errorf("after a reload %q %q, want the user's Kotihoito, en", s.sel.Selected, s.language())
	}

	// The Finnish customer gets Finnish, whatever the UI language.
	s1 := openStatementTab(t, f)
	if s1.language() != "fi" {
		t.Errorf("statement language %q for a Finnish customer", s1.language())
	}
}

// TestStatementFormChangeClears: after a change of the period or the
// service the statement shown goes and the buttons wait until it is made
// again, so what is printed is always the form's statement; the language
// is read from the form at the press.
func TestStatementFormChangeClears(t *testing.T) {
	var w writes
	dir := t.TempDir()
	f := newFixture(t, Options{WriteStatementPDF: w.hook(dir)})
	s := openStatementTab(t, f)
	s.sel.SetSelected("Kotihoito")
	s.month.SetSelected("marraskuu 2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	assertTexts(t, s.content, "308,13 €")

	buttons := []struct {
		name string
		b    func() bool
	}{
		{"Avaa tulostettava versio", s.printBtn.Disabled}, {"Tulosta", s.printerBtn.Disabled},
		{"Tallenna", s.saveBtn.Disabled}, {"Vie CSV", s.csvBtn.Disabled},
	}
	for _, change := range []struct {
		name string
		do   func()
	}{
		{"end date", func() { s.to.SetText("15.11.2026") }},
		{"month", func() { s.month.SetSelected("lokakuu 2026") }},
		{"service", func() { s.sel.SetSelected("Siivous") }},
	} {
		change.do()
		if len(s.result.Objects) != 0 {
			t.Errorf("after a change of the %s the old statement is still shown", change.name)
		}
		for _, b := range buttons {
			if !b.b() {
				t.Errorf("after a change of the %s %s is enabled", change.name, b.name)
			}
		}
		test.Tap(s.printBtn)
		if w.count() != 0 {
			t.Fatalf("after a change of the %s the old statement was printed", change.name)
		}
		// Made again: it is the new one that prints.
		test.Tap(s.makeBtn)
		f.wait(t, "statement:cust-1")
	}
	s.from.SetText("1.10.2026")
	s.to.SetText("31.10.2026")
	if s.month.Selected != "lokakuu 2026" {
		t.Errorf("typing October's range shows month %q", s.month.Selected)
	}
	s.sel.SetSelected("Kotihoito")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	s.langSel.SetSelected("englanti") // the language does not change the statement
	test.Tap(s.printBtn)
	f.wait(t, "pdf:cust-1")
	st, l, path := w.last(t)
	if st.From != data.NewDate(2026, 10, 1) || st.To != data.NewDate(2026, 10, 31) || st.Service.ID != "svc-home" || l != "en" {
		t.Errorf("printed %s %s–%s in %q, want Kotihoito October in en", st.Service.ID, st.From, st.To, l)
	}
	if filepath.Base(path) != "omavastuuerittely_A-1001_Kotihoito_2026-10.pdf" {
		t.Errorf("written as %s", path)
	}
	// A make under way when the form changes is dropped.
	test.Tap(s.makeBtn)
	s.month.SetSelected("marraskuu 2026")
	if s.makeBtn.Disabled() {
		t.Error("make button waits for a dropped statement")
	}
}

// TestStatementAllServices: Kaikki palvelut makes one statement over
// every service of the customer.
func TestStatementAllServices(t *testing.T) {
	var w writes
	f := newFixture(t, Options{WriteStatementPDF: w.hook(t.TempDir())})
	s := openStatementTab(t, f)
	s.sel.SetSelected("Kaikki palvelut")
	s.month.SetSelected("marraskuu 2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	// 308,13 € of Kotihoito and 227,50 € of Siivous.
	assertTexts(t, s.content, "535,63 €", "461,00 €", "74,63 €", "Kaikki palvelut: Kotihoito, Siivous")
	if rows := gridRows(s.result); len(rows) != 9 {
		t.Errorf("rows %q, want header, 4 + 3 events and the total", rows)
	}
	test.Tap(s.printBtn)
	f.wait(t, "pdf:cust-1")
	st, _, path := w.last(t)
	if !st.AllServices() || filepath.Base(path) != "omavastuuerittely_A-1001_kaikki-palvelut_2026-11.pdf" {
		t.Errorf("printed all services %v as %s", st.AllServices(), path)
	}
}

// TestStatementFilesNeverOverwrite: the same statement printed twice gives
// two files, the second "… (2).pdf"; the first stays as it was.
func TestStatementFilesNeverOverwrite(t *testing.T) {
	dataDir := t.TempDir()
	f := newFixture(t, Options{DataDir: dataDir})
	s := openStatementTab(t, f)
	s.month.SetSelected("marraskuu 2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	first := filepath.Join(dataDir, "tulosteet", "omavastuuerittely_A-1001_Kotihoito_2026-11.pdf")
	if err := os.MkdirAll(filepath.Dir(first), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, []byte("an earlier file"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		test.Tap(s.printBtn)
		f.wait(t, "pdf:cust-1")
	}
	f.mu.Lock()
	opened := append([]string(nil), f.opened...)
	f.mu.Unlock()
	want := []string{
		filepath.Join(dataDir, "tulosteet", "omavastuuerittely_A-1001_Kotihoito_2026-11 (2).pdf"),
		filepath.Join(dataDir, "tulosteet", "omavastuuerittely_A-1001_Kotihoito_2026-11 (3).pdf"),
	}
	if strings.Join(opened, "|") != strings.Join(want, "|") {
		t.Errorf("opened %q, want %q", opened, want)
	}
	if b, _ := os.ReadFile(first); string(b) != "an earlier file" {
		t.Error("the earlier file was overwritten")
	}
	for _, p := range want {
		if b, err := os.ReadFile(p); err != nil || !strings.HasPrefix(string(b), "%PDF") {
			t.Errorf("%s: no PDF (%v)", p, err)
		}
	}
}

// TestStatementPrintSaveExport: Tulosta hands the written file to
// Options.PrintFile (and opens it where the system cannot print);
// Tallenna and Vie CSV write where Options.SaveAs says, offering a name
// that takes no earlier file's.
func TestStatementPrintSaveExport(t *testing.T) {
	dataDir := t.TempDir()
	var mu sync.Mutex
	var printed []string
	printErr := error(nil)
	type ask struct{ dir, name string }
	var asks []ask
	answer := ""
	f := newFixture(t, Options{
		DataDir: dataDir,
		PrintFile: func(p string) error {
			mu.Lock()
			defer mu.Unlock()
			printed = append(printed, p)
			return printErr
		},
		SaveAs: func(dir, name string, done func(string)) {
			asks = append(asks, ask{dir, name})
			done(answer)
		},
	})
	s := openStatementTab(t, f)
	s.month.SetSelected("marraskuu 2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	prints := filepath.Join(dataDir, "tulosteet")
	pdfName := "omavastuuerittely_A-1001_Kotihoito_2026-11.pdf"

	test.Tap(s.printerBtn)
	f.wait(t, "printed:cust-1")
	if len(printed) != 1 || printed[0] != filepath.Join(prints, pdfName) {
		t.Fatalf("PrintFile got %q", printed)
	}
	if b, err := os.ReadFile(printed[0]); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("no PDF sent to the printer: %v", err)
	}
	assertTexts(t, s.content, "Lähetetty tulostimelle: "+pdfName)
	if len(f.opened) != 0 {
		t.Errorf("opened %q as well as printed", f.opened)
	}

	// No way to print: the file is opened instead, and the note says so.
	mu.Lock()
	printErr = ErrNoPrintCommand
	mu.Unlock()
	test.Tap(s.printerBtn)
	f.wait(t, "printed:cust-1")
	if len(f.opened) != 1 || f.opened[0] != printed[1] {
		t.Errorf("opened %q, want the file printed %q", f.opened, printed[1])
	}
	assertTexts(t, s.content, "Tältä tietokoneelta ei voi tulostaa suoraan PSOP Deskistä: tulostettava versio avattiin, tulosta se katselimesta.")

	// Tallenna: where the user chose; the name offered is free.
	chosen := filepath.Join(t.TempDir(), "oma.pdf")
	answer = chosen
	test.Tap(s.saveBtn)
	f.wait(t, "saved:cust-1")
	if len(asks) != 1 || asks[0].dir != prints || asks[0].name != "omavastuuerittely_A-1001_Kotihoito_2026-11 (3).pdf" {
		t.Errorf("SaveAs asked %+v", asks)
	}
	if b, err := os.ReadFile(chosen); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("Tallenna wrote no PDF at %s: %v", chosen, err)
	}
	assertTexts(t, s.content, "Tallennettu: "+chosen)

	// Vie CSV.
	csvPath := filepath.Join(t.TempDir(), "rivit.csv")
	answer = csvPath
	test.Tap(s.csvBtn)
	f.wait(t, "csv:cust-1")
	if asks[1].name != "omavastuuerittely_A-1001_Kotihoito_2026-11.csv" {
		t.Errorf("Vie CSV offered %q", asks[1].name)
	}
	b, err := os.ReadFile(csvPath)
	if err != nil || !strings.HasPrefix(string(b), "\ufeff") || !strings.Contains(string(b), "308,13") ||
		strings.Contains(string(b), scenarioHetu) {
		t.Errorf("CSV %q (%v)", b, err)
	}

	// Cancelled: nothing written, the buttons work again.
	answer = ""
	test.Tap(s.saveBtn)
	f.wait(t, "saved:cust-1")
	if s.saveBtn.Disabled() || s.printBtn.Disabled() {
		t.Error("buttons left disabled after a cancelled save")
	}

	// A printer that fails: a dialog, the raw error in the log only.
	mu.Lock()
	printErr = errors.New("lp: The printer or class does not exist.")
	mu.Unlock()
	test.Tap(s.printerBtn)
	f.wait(t, "printed:cust-1")
	overlay := f.d.Window().Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no dialog after a failed print")
	}
	assertNoText(t, overlay, "lp: The printer or class does not exist.")
}

// TestPrintFileWithoutCommand: with no lp on PATH, PrintFile says so.
func TestPrintFileWithoutCommand(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	p := filepath.Join(t.TempDir(), "x.pdf")
	if err := os.WriteFile(p, []byte("%PDF"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := PrintFile(p); !errors.Is(err, ErrNoPrintCommand) {
		t.Errorf("PrintFile without lp: %v", err)
	}
}

func TestReserveFile(t *testing.T) {
	dir := t.TempDir()
	var got []string
	for range 3 {
		p, err := print.ReserveFile(filepath.Join(dir, "kaikki.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.Base(p))
	}
	if strings.Join(got, "|") != "kaikki.pdf|kaikki (2).pdf|kaikki (3).pdf" {
		t.Errorf("reserved %q", got)
	}
}

// TestRenderStatementForLooking writes the statement tab and the batch
// dialog at 1280 × 800 as PNGs to look at: PSOPDESK_LOOK=DIR go test
// -run ForLooking ./ui/ (st-tab.png, st-batch.png in DIR).
func TestRenderStatementForLooking(t *testing.T) {
	dir := os.Getenv("PSOPDESK_LOOK")
	if dir == "" {
		t.Skip("set PSOPDESK_LOOK=DIR to write the PNGs")
	}
	f := newFixture(t, Options{DataDir: t.TempDir()})
	f.d.Window().Resize(fyne.NewSize(1280, 800))
	s := openStatementTab(t, f)
	s.sel.SetSelected("Kaikki palvelut")
	s.month.SetSelected("marraskuu 2026")
	test.Tap(s.makeBtn)
	f.wait(t, "statement:cust-1")
	test.Tap(s.printBtn)
	f.wait(t, "pdf:cust-1")
	save := func(name string) {
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
	save("st-tab.png")
	b := openBatch(t, f)
	b.month.SetSelected("marraskuu 2026")
	b.startBtn.OnTapped()
	f.wait(t, "batch:done")
	save("st-batch.png")
}
