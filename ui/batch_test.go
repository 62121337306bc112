package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"psopdesk/data"
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
	if r.made != 2 || r.skipped != 1 || r.failed != 0 || r.cancelled || r.err != nil {
		t.Fatalf("result %+v, want 2 made, 1 skipped", r)
	}
	want := []string{"kaikki.pdf",
		"omavastuuerittely_A-1001_kaikki-palvelut_2026-11.pdf",
		"omavastuuerittely_Korhonen-Virtanen-Anna-Maria-Kristiina_kaikki-palvelut_2026-11.pdf",
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
	if r := b.result; r.made != 1 || r.skipped != 0 {
		t.Errorf("Kotihoito: %+v", r)
	}
	if got := dirNames(t, folder+" (2)"); len(got) != 3 || got[1] != "omavastuuerittely_A-1001_Kotihoito_2026-11.pdf" {
		t.Errorf("Kotihoito files %q", got)
	}
}

// gatedSource holds every Statement until the test lets it go.
type gatedSource struct {
	Source
	gate chan struct{}
}

func (g gatedSource) Statement(customerID, serviceID string, from, to, made data.Date) (data.Statement, error) {
	<-g.gate
	return g.Source.Statement(customerID, serviceID, from, to, made)
}

// TestBatchCancel: Keskeytä stops after the statement being made; the
// PDFs made stay, no kaikki.pdf or summary, and the result says so.
func TestBatchCancel(t *testing.T) {
	dataDir := t.TempDir()
	f := newFixture(t, Options{DataDir: dataDir})
	addLongCustomer(t, f)
	gate := make(chan struct{})
	f.d.src = gatedSource{Source: f.d.src, gate: gate}
	b := openBatch(t, f)
	b.month.SetSelected("marraskuu 2026")
	b.startBtn.OnTapped()
	if !b.cancelBtn.Visible() || !b.startBtn.Disabled() || !b.closeBtn.Disabled() {
		t.Error("no Keskeytä while running, or Aloita / Sulje enabled")
	}
	gate <- struct{}{} // the first customer's statement
	f.wait(t, "batch:progress")
	b.cancelBtn.OnTapped()
	close(gate)
	f.wait(t, "batch:done")
	if r := b.result; !r.cancelled || r.made != 1 || r.combined != "" || r.summary != "" {
		t.Errorf("result %+v, want cancelled after 1", r)
	}
	folder := filepath.Join(dataDir, "tulosteet", "2026-11")
	if got := dirNames(t, folder); len(got) != 1 {
		t.Errorf("files after cancel %q", got)
	}
	assertTexts(t, b.status, "Keskeytetty. Tähän asti tehdyt erittelyt ovat kansiossa "+folder+
		"; tiedostoja kaikki.pdf ja yhteenveto.csv ei tehty. Tehty 1, ohitettu 0 (ei tapahtumia kuukaudessa), epäonnistui 0.")
	if b.startBtn.Disabled() || b.cancelBtn.Visible() {
		t.Error("dialog not ready for another run")
	}
}
