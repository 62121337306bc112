package ui

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/wire"
)

// openBatch opens the month's batch dialog from the menu, as the user
// does, and waits for its services.
func openBatch(t *testing.T, f *fixture) *batchDialog {
	t.Helper()
	var item *fyne.MenuItem
	for _, it := range f.d.Window().MainMenu().Items[0].Items {
		if it.Label == "Omavastuuerittelyt kuukaudelta…" {
			item = it
		}
	}
	if item == nil {
		t.Fatal("no menu item Omavastuuerittelyt kuukaudelta…")
	}
	if sc, ok := item.Shortcut.(*desktop.CustomShortcut); !ok || sc.KeyName != fyne.KeyE || sc.Modifier != fyne.KeyModifierShortcutDefault {
		t.Errorf("shortcut %v, want Ctrl+E", item.Shortcut)
	}
	item.Action()
	f.wait(t, "batch:ready")
	return f.d.batch
}

// addBatchCustomers: Matti Virtanen gets a Siivous grant and one
// rejected event in November (so he has events but no statement rows).
func addBatchCustomers(t *testing.T, f *fixture) {
	putChanges(t, f, func(put func(wire.Kind, string, any)) {
		put(wire.KindGrant, "g-mv", data.Grant{ID: "g-mv", CustomerID: "cust-2", Kind: data.KindPurchasingPower,
			VoucherNumber: "400200002", ServiceID: "svc-clean", GrantedQuantity: 1000, Period: data.PeriodMonth,
			VoucherUnitValue: 3000, ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31)})
		put(wire.KindEvent, "mv-1", data.ServiceEvent{ID: "mv-1", CustomerID: "cust-2", GrantID: "g-mv", ServiceID: "svc-clean",
			Content: "Siivouspalvelu", Date: data.NewDate(2026, 11, 4), Quantity: 200, UnitPrice: 3500, VoucherUnitValue: 3000,
			Status: data.StatusRejected, Start: "09:00", End: "11:00", RecordedAt: time.Date(2026, 11, 4, 12, 0, 0, 0, data.Helsinki), Version: 1})
	})
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	slices.Sort(out)
	return out
}

// TestBatch makes November's statements of all services: one PDF per
// customer with rows, kaikki.pdf, yhteenveto.csv; a customer whose only
// event was rejected is skipped and counted. Run again, it writes to a
// new folder.
func TestBatch(t *testing.T) {
	dataDir := t.TempDir()
	f := newFixture(t, Options{DataDir: dataDir})
	addLongCustomer(t, f)
	addBatchCustomers(t, f)
	b := openBatch(t, f)
	if b.month.Selected != "lokakuu 2026" || b.sel.Selected != "Kaikki palvelut" {
		t.Errorf("dialog opens on %q %q, want the previous month, all services", b.sel.Selected, b.month.Selected)
	}
	if got := strings.Join(b.sel.Options, ","); !strings.HasPrefix(got, "Kaikki palvelut,Kotihoito,") {
		t.Errorf("services offered %q", got)
	}
	b.month.SetSelected("marraskuu 2026")
	folder := filepath.Join(dataDir, "tulosteet", "2026-11")
	if b.folder.Text != folder {
		t.Errorf("folder %q, want %q", b.folder.Text, folder)
	}
	b.startBtn.OnTapped()
	f.wait(t, "batch:done")
	r := b.result
	if r.Made != 2 || r.Skipped != 1 || len(r.Failed) != 0 || r.Cancelled || r.err != nil {
		t.Fatalf("result %+v, want 2 made, 1 skipped", r)
	}
	// Named as `psopdesk statements` names them (TestBatchSameAsCLI).
	want := []string{"A-1001 Kaikki palvelut 2026-11.pdf",
		"Korhonen-Virtanen Anna-Maria Kristiina Alla tjänster 2026-11.pdf", // her statement is in Swedish
		"kaikki.pdf",
		"yhteenveto.csv"}
	if got := dirNames(t, folder); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("files %q, want %q", got, want)
	}
	assertTexts(t, b.status, "Erittelyt tallennettiin kansioon "+folder+". Tehty 2, ohitettu 1 (ei tapahtumia kuukaudessa), epäonnistui 0.")
	if b.bar.Value != 1 {
		t.Errorf("progress %v at the end", b.bar.Value)
	}
	csv, err := os.ReadFile(filepath.Join(folder, "yhteenveto.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(csv), "\r\n"), "\r\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "\ufeff") ||
		lines[2] != "A-1001;Ääpälä Sinikka;535,63;461,00;74,63" || lines[1] != ";Korhonen-Virtanen Anna-Maria Kristiina;5555,52;555,54;4999,98" {
		t.Errorf("yhteenveto.csv:\n%s", csv)
	}
	for _, h := range []string{scenarioHetu, "010101A9998", "cust-"} {
		if strings.Contains(string(csv), h) {
			t.Errorf("yhteenveto.csv carries %q", h)
		}
	}

	// Again: a new folder, nothing overwritten.
	b.month.SetSelected("lokakuu 2026")
	b.month.SetSelected("marraskuu 2026")
	if b.folder.Text != folder+" (2)" {
		t.Errorf("second run's folder %q", b.folder.Text)
	}
	// One service only: Kotihoito has only Sinikka.
	b.sel.SetSelected("Kotihoito")
	b.startBtn.OnTapped()
	f.wait(t, "batch:done")
	if r := b.result; r.Made != 1 || r.Skipped != 0 {
		t.Errorf("Kotihoito: %+v", r)
	}
	if got := dirNames(t, folder+" (2)"); len(got) != 3 || got[0] != "A-1001 Kotihoito 2026-11.pdf" {
		t.Errorf("Kotihoito files %q", got)
	}
}

// gatedSource tells each Statement it is asked for on entered, then
// holds it until the test lets it go.
type gatedSource struct {
	Source
	entered chan string
	gate    chan struct{}
}

func (g gatedSource) Statement(customerID, serviceID string, from, to, made data.Date) (data.Statement, error) {
	g.entered <- customerID
	<-g.gate
	return g.Source.Statement(customerID, serviceID, from, to, made)
}

// TestBatchCancel: Keskeytä (or Escape) while the statements are being
// read stops the batch before anything is written: no folder, no files,
// and the result says so; the dialog is ready for another run.
func TestBatchCancel(t *testing.T) {
	dataDir := t.TempDir()
	f := newFixture(t, Options{DataDir: dataDir})
	addLongCustomer(t, f)
	g := gatedSource{Source: f.d.src, entered: make(chan string), gate: make(chan struct{})}
	f.d.src = g
	b := openBatch(t, f)
	b.month.SetSelected("marraskuu 2026")
	b.startBtn.OnTapped()
	if !b.cancelBtn.Visible() || !b.startBtn.Disabled() || !b.closeBtn.Disabled() {
		t.Error("no Keskeytä while running, or Aloita / Sulje enabled")
	}
	<-g.entered
	g.gate <- struct{}{} // the first customer's statement
	<-g.entered          // the second's is being read
	b.escape()
	if b.status.Text != "Keskeytetään…" || !b.cancelBtn.Disabled() {
		t.Errorf("while stopping: %q, Keskeytä enabled %v", b.status.Text, !b.cancelBtn.Disabled())
	}
	close(g.gate)
	f.wait(t, "batch:done")
	if r := b.result; !r.Cancelled || r.Made != 0 || r.Combined != "" || r.Summary != "" || r.err != nil {
		t.Errorf("result %+v, want cancelled before any was written", r)
	}
	folder := filepath.Join(dataDir, "tulosteet", "2026-11")
	if _, err := os.Stat(folder); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a batch stopped before writing left %s: %v", folder, err)
	}
	assertTexts(t, b.status, "Keskeytetty ennen kuin yhtään erittelyä kirjoitettiin. Tehty 0, ohitettu 0 (ei tapahtumia kuukaudessa), epäonnistui 0.")
	if b.startBtn.Disabled() || b.cancelBtn.Visible() {
		t.Error("dialog not ready for another run")
	}
}

// TestBatchSameAsCLI: the window's month batch and `psopdesk statements`
// over the same cache and month write the same files, byte for byte (the
// same code, print.MakeMonthBatch, with the same date made).
func TestBatchSameAsCLI(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH to build psopdesk")
	}
	bin := filepath.Join(t.TempDir(), "psopdesk")
	if out, err := exec.Command(goBin, "build", "-o", bin, "psopdesk/cmd/psopdesk").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := t.TempDir()
	f := newFixture(t, Options{DataDir: dataDir}) // today 20.11.2026
	addLongCustomer(t, f)
	addBatchCustomers(t, f)
	for _, tc := range []struct{ service, flag string }{{"Kaikki palvelut", "all"}, {"Kotihoito", "Kotihoito"}} {
		b := openBatch(t, f)
		b.sel.SetSelected(tc.service)
		b.month.SetSelected("marraskuu 2026")
		window := b.folder.Text
		b.startBtn.OnTapped()
		f.wait(t, "batch:done")
		b.dlg.Hide()
		if b.result.err != nil || b.result.Made == 0 {
			t.Fatalf("%s: window batch %+v", tc.service, b.result)
		}

		// The CLI on a copy of the cache (the window holds it open).
		cacheDir := t.TempDir()
		src := filepath.Dir(f.d.src.(*cache.Cache).Path())
		es, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Type().IsRegular() {
				raw, err := os.ReadFile(filepath.Join(src, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(cacheDir, e.Name()), raw, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}
		cli := filepath.Join(t.TempDir(), "out")
		cmd := exec.Command(bin, "statements", "-cache", cacheDir, "-service", tc.flag, "-month", "2026-11", "-out", cli,
			"-now", "2026-11-20T12:00:00+02:00")
		cmd.Env = append(os.Environ(), "LANG=C", "LC_ALL=C", "LANGUAGE=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("psopdesk statements: %v\n%s", err, out)
		}

		wantNames, gotNames := dirNames(t, cli), dirNames(t, window)
		if !slices.Equal(gotNames, wantNames) {
			t.Errorf("%s: the window wrote %q, the CLI %q", tc.service, gotNames, wantNames)
			continue
		}
		for _, name := range wantNames {
			w, err1 := os.ReadFile(filepath.Join(window, name))
			c, err2 := os.ReadFile(filepath.Join(cli, name))
			if err1 != nil || err2 != nil || len(w) == 0 || !slices.Equal(w, c) {
				t.Errorf("%s: %s differs between the window (%d bytes) and the CLI (%d bytes): %v %v", tc.service, name, len(w), len(c), err1, err2)
			}
		}
	}
}
