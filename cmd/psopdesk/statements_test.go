package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/wire"
	"psopdesk/ui/print"
)

// batchCache fills a cache through ApplyPage, as a sync does, with a
// provider, two services and customers whose November 2026 is each a
// case of the batch.
type batchCache struct {
	changes []wire.Change
}

func (b *batchCache) put(kind wire.Kind, id string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	b.changes = append(b.changes, wire.Change{Seq: uint64(len(b.changes) + 1), Kind: kind, Op: wire.OpPut, ID: id, Data: raw})
}

func mustDate(s string) data.Date {
	d, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// customer adds a customer with a purchasing power of 10 h a month of
// each service in services (36,00 €/h) and, for each date, a 2 h event of
// the first service at 42,50 €/h in status st.
func (b *batchCache) customer(cu data.Customer, services []string, st data.Status, dates ...string) {
	b.put(wire.KindCustomer, cu.ID, cu)
	for i, svc := range services {
		g := fmt.Sprintf("g-%s-%d", cu.ID, i)
		b.put(wire.KindGrant, g, data.Grant{ID: g, CustomerID: cu.ID, Kind: data.KindPurchasingPower,
			VoucherNumber: fmt.Sprintf("40%07d", len(b.changes)), ServiceID: svc, GrantedQuantity: 1000,
			Period: data.PeriodMonth, VoucherUnitValue: 3600, ValidFrom: mustDate("2026-01-01"), ValidTo: mustDate("2026-12-31")})
		if i > 0 {
			continue
		}
		for j, d := range dates {
			id := fmt.Sprintf("e-%s-%d", cu.ID, j)
			b.put(wire.KindEvent, id, data.ServiceEvent{ID: id, CustomerID: cu.ID, GrantID: g, ServiceID: svc,
				Date: mustDate(d), Content: "Kotihoidon käynti", Quantity: 200, UnitPrice: 4250, VoucherUnitValue: 3600,
				Status: st, RecordedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)})
		}
	}
}

func (b *batchCache) write(t testing.TB, dir string) {
	t.Helper()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.ApplyPage(b.changes, uint64(len(b.changes))); err != nil {
		t.Fatal(err)
	}
	if err := c.MarkCaughtUp(); err != nil {
		t.Fatal(err)
	}
}

func batchFixture() *batchCache {
	var b batchCache
	b.put(wire.KindProvider, "prov-1", data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy", BusinessID: "1234567-8",
		Address: "Hoivakatu 5, 00500 Helsinki", Contact: "09 123 4567"})
	b.put(wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour})
	b.put(wire.KindService, "svc-clean", data.Service{ID: "svc-clean", Name: "Siivous", Content: "Siivous", Unit: data.UnitHour})
	home, clean := []string{"svc-home"}, []string{"svc-clean"}
	// Made: two events (4 h: 170,00 €, voucher 144,00 €, co-payment 26,00 €).
	b.customer(data.Customer{ID: "c-1", FirstNames: "Sinikka", LastName: "Ääpälä", Hetu: "010594Y9021", CustomerNumber: "A-1001"},
		home, data.StatusRecorded, "2026-11-02", "2026-11-16")
	// Made: a customer number of digits only; Swedish.
	b.customer(data.Customer{ID: "c-2", FirstNames: "Anna-Liisa", LastName: "Virtanen", Hetu: "020594X903P", CustomerNumber: "0077", Language: "sv"},
		home, data.StatusApproved, "2026-11-30")
	// Made: two customers of one name and no number; a name that looks
	// like a formula.
	b.customer(data.Customer{ID: "c-3", FirstNames: "Erik", LastName: "Aalto", Hetu: "131052-308T"}, home, data.StatusRecorded, "2026-11-03")
	b.customer(data.Customer{ID: "c-4", FirstNames: "Erik", LastName: "Aalto", Hetu: "010516B903X"}, home, data.StatusInReview, "2026-11-04")
	b.customer(data.Customer{ID: "c-5", FirstNames: "Olli", LastName: "=Summa", Hetu: "020516C902J"}, home, data.StatusRecorded, "2026-11-05")
	// Skipped: only a rejected event in November.
	b.customer(data.Customer{ID: "c-6", FirstNames: "Rauno", LastName: "Hylätty", CustomerNumber: "R-6"}, home, data.StatusRejected, "2026-11-10")
	// Not a November customer of home care: October only, and Siivous.
	b.customer(data.Customer{ID: "c-7", FirstNames: "Lokakuu", LastName: "Vanha", CustomerNumber: "V-7"}, home, data.StatusRecorded, "2026-10-31")
	b.customer(data.Customer{ID: "c-8", FirstNames: "Sirpa", LastName: "Siivonen", CustomerNumber: "S-8"}, clean, data.StatusRecorded, "2026-11-12")
	return &b
}

func pdfText(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
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

func TestStatementsBatch(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (poppler-utils) is needed: see the README's prerequisites")
	}
	work := t.TempDir()
	cacheDir := filepath.Join(work, "cache")
	batchFixture().write(t, cacheDir)
	out := filepath.Join(work, "marraskuu")
	code, stdout, stderr := runCmd(t, "statements", "-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-11",
		"-out", out, "-now", "2026-12-01T09:00:00+02:00")
	if code != 0 {
		t.Fatalf("statements exit %d: %s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, " 5 ") || !strings.Contains(stdout, " 1 ") {
		t.Errorf("output %q should count 5 made and 1 skipped", stdout)
	}
	want := []string{
		"0077 Kotihoito 2026-11.pdf",
		"=Summa Olli Kotihoito 2026-11.pdf",
		"A-1001 Kotihoito 2026-11.pdf",
		"Aalto Erik Kotihoito 2026-11 (2).pdf",
		"Aalto Erik Kotihoito 2026-11.pdf",
		"kaikki.pdf",
		"yhteenveto.csv",
	}
	if got := dirNames(t, out); !slices.Equal(got, want) {
		t.Fatalf("files %q, want %q", got, want)
	}
	for _, name := range want {
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil || fi.Size() == 0 || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, size %d, mode %v; want a 0600 file", name, err, fi.Size(), fi.Mode().Perm())
		}
	}
	one := pdfText(t, filepath.Join(out, "A-1001 Kotihoito 2026-11.pdf"))
	for _, s := range []string{"Ääpälä", "A-1001", "170,00", "144,00", "26,00", "1.12.2026"} {
		if !strings.Contains(one, s) {
			t.Errorf("A-1001's PDF lacks %q", s)
		}
	}
	if sv := pdfText(t, filepath.Join(out, "0077 Kotihoito 2026-11.pdf")); !strings.Contains(sv, "Virtanen") || strings.Contains(sv, "Omavastuuerittely") {
		t.Errorf("the Swedish customer's PDF is not in Swedish:\n%s", sv)
	}

	// kaikki.pdf holds every customer's pages, in Finnish name order
	// (the collation puts "=" before letters).
	all := pdfText(t, filepath.Join(out, "kaikki.pdf"))
	pages := strings.Split(strings.TrimRight(all, "\f"), "\f")
	sum := 0
	for _, name := range want[:5] {
		sum += len(strings.Split(strings.TrimRight(pdfText(t, filepath.Join(out, name)), "\f"), "\f"))
	}
	if len(pages) != sum || sum < 5 {
		t.Fatalf("kaikki.pdf has %d pages, the customers' PDFs %d", len(pages), sum)
	}
	pos := -1
	for _, who := range []string{"=Summa", "Aalto", "Virtanen", "Ääpälä"} {
		i := strings.Index(all, who)
		if i < 0 {
			t.Errorf("kaikki.pdf lacks %s", who)
		} else if i < pos {
			t.Errorf("kaikki.pdf has %s out of Finnish name order", who)
		}
		pos = max(pos, i)
	}
	if n := strings.Count(all, "Aalto"); n < 2 {
		t.Errorf("kaikki.pdf names Aalto %d times, want both customers", n)
	}
	for _, never := range []string{"Hylätty", "Vanha", "Siivonen", "010594Y9021", "131052-308T"} {
		if strings.Contains(all, never) {
			t.Errorf("kaikki.pdf contains %q", never)
		}
	}

	raw, err := os.ReadFile(filepath.Join(out, "yhteenveto.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Errorf("yhteenveto.csv does not start with the UTF-8 BOM: % x", raw[:min(8, len(raw))])
	}
	rows := strings.Split(strings.TrimSuffix(strings.TrimPrefix(string(raw), "\ufeff"), "\r\n"), "\r\n")
	wantRows := []string{
		"Asiakasnumero;Asiakas;Hinta;Setelin osuus;Omavastuu",
		";'=Summa Olli;85,00;72,00;13,00", // the collation puts "=" before letters
		";Aalto Erik;85,00;72,00;13,00",
		";Aalto Erik;85,00;72,00;13,00",
		"\u20600077;Virtanen Anna-Liisa;85,00;72,00;13,00",
		"A-1001;Ääpälä Sinikka;170,00;144,00;26,00",
	}
	if !slices.Equal(rows, wantRows) {
		t.Errorf("yhteenveto.csv rows\n%q\nwant\n%q", rows, wantRows)
	}
	if bytes.Contains(raw, []byte("010594Y9021")) || bytes.Contains(raw, []byte("c-1")) {
		t.Error("yhteenveto.csv holds a henkilötunnus or an id")
	}

	// Again into the same folder: nothing is overwritten.
	code, stdout, stderr = runCmd(t, "statements", "-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-11", "-out", out)
	if code != 0 {
		t.Fatalf("second run exit %d: %s%s", code, stdout, stderr)
	}
	got := dirNames(t, out)
	for _, name := range []string{"A-1001 Kotihoito 2026-11 (2).pdf", "Aalto Erik Kotihoito 2026-11 (3).pdf", "kaikki (2).pdf", "yhteenveto (2).csv"} {
		if !slices.Contains(got, name) {
			t.Errorf("second run: no %q among %q", name, got)
		}
	}
	if len(got) != 2*len(want) {
		t.Errorf("second run: %d files, want %d", len(got), 2*len(want))
	}
	if !strings.Contains(stdout, "kaikki (2).pdf") {
		t.Errorf("second run output %q does not name the combined file", stdout)
	}

	// All services: Siivonen too.
	allOut := filepath.Join(work, "kaikki-palvelut")
	code, stdout, stderr = runCmd(t, "statements", "-cache", cacheDir, "-service", "all", "-month", "2026-11", "-out", allOut, "-lang", "fi")
	if code != 0 {
		t.Fatalf("all services exit %d: %s%s", code, stdout, stderr)
	}
	names := dirNames(t, allOut)
	if !slices.Contains(names, "S-8 Kaikki palvelut 2026-11.pdf") || len(names) != 8 {
		t.Errorf("all services: files %q", names)
	}
	if sv := pdfText(t, filepath.Join(allOut, "0077 Kaikki palvelut 2026-11.pdf")); !strings.Contains(sv, "Omavastuuerittely") {
		t.Error("-lang fi did not make the Swedish customer's statement Finnish")
	}
}

func TestStatementsExitCodes(t *testing.T) {
	work := t.TempDir()
	cacheDir := filepath.Join(work, "cache")
	batchFixture().write(t, cacheDir)
	empty := filepath.Join(work, "empty")
	if c, err := cache.Open(empty); err != nil {
		t.Fatal(err)
	} else {
		c.Close()
	}
	out := filepath.Join(work, "out")
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no flags", []string{}, 2},
		{"no -out", []string{"-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-11"}, 2},
		{"bad month", []string{"-cache", cacheDir, "-service", "Kotihoito", "-month", "11.2026", "-out", out}, 2},
		{"month 13", []string{"-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-13", "-out", out}, 2},
		{"bad lang", []string{"-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-11", "-out", out, "-lang", "de"}, 2},
		{"extra argument", []string{"-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-11", "-out", out, "x"}, 2},
		{"unknown service", []string{"-cache", cacheDir, "-service", "Hammashoito", "-month", "2026-11", "-out", out}, 1},
		{"no cache", []string{"-cache", filepath.Join(work, "typo"), "-service", "Kotihoito", "-month", "2026-11", "-out", out}, 1},
		{"cache without data", []string{"-cache", empty, "-service", "Kotihoito", "-month", "2026-11", "-out", out}, 1},
		{"nothing in the month", []string{"-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-09", "-out", out}, 1},
		{"only skipped", []string{"-cache", cacheDir, "-service", "Siivous", "-month", "2026-10", "-out", out}, 1},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"statements"}, tc.args...)...)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d (%s%s)", tc.name, code, tc.code, stdout, stderr)
		}
		if code == 1 && stderr == "" {
			t.Errorf("%s: exit 1 without a message", tc.name)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a batch that made nothing left %s: %v", out, err)
	}
	if _, err := os.Stat(filepath.Join(work, "typo")); !os.IsNotExist(err) {
		t.Error("statements made a cache folder")
	}
}

func TestStatementCSV(t *testing.T) {
	work := t.TempDir()
	cacheDir := filepath.Join(work, "cache")
	batchFixture().write(t, cacheDir)
	csvPath := filepath.Join(work, "erittely.CSV")
	code, stdout, stderr := runCmd(t, "statement", "-cache", cacheDir, "-customer-number", "A-1001", "-service", "Kotihoito",
		"-from", "1.11.2026", "-to", "30.11.2026", "-o", csvPath)
	if code != 0 {
		t.Fatalf("statement -o .csv exit %d: %s%s", code, stdout, stderr)
	}
	raw, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if !strings.HasPrefix(s, "\ufeff") || !strings.Contains(s, ";") || !strings.Contains(s, "\r\n") ||
		!strings.Contains(s, "2.11.2026") || !strings.Contains(s, "170,00") || strings.Contains(s, "%PDF") {
		t.Errorf("CSV statement:\n%s", s)
	}
	if strings.Contains(s, "010594Y9021") {
		t.Error("CSV statement holds the henkilötunnus")
	}
	// All services, by "kaikki".
	pdf := filepath.Join(work, "kaikki.pdf")
	code, stdout, stderr = runCmd(t, "statement", "-cache", cacheDir, "-customer-number", "S-8", "-service", "kaikki",
		"-from", "1.11.2026", "-to", "30.11.2026", "-o", pdf)
	if code != 0 || !strings.Contains(stdout, "13,00") {
		t.Errorf("statement -service kaikki: exit %d, %q %q; want Siivous's co-payment 13,00", code, stdout, stderr)
	}
	if code, _, _ := runCmd(t, "statement", "-cache", cacheDir, "-customer-number", "A-1001", "-service", "Kotihoito",
		"-from", "1.11.2026", "-to", "30.11.2026", "-o", pdf, "-lang", "de"); code != 2 {
		t.Errorf("statement -lang de: exit %d, want 2", code)
	}
}

// BenchmarkStatementBatch500: 500 customers with a one-page November
// statement each (6 events), from the cache to the files: 500 PDFs,
// kaikki.pdf and yhteenveto.csv.
func BenchmarkStatementBatch500(b *testing.B) {
	var f batchCache
	f.put(wire.KindProvider, "prov-1", data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy", BusinessID: "1234567-8",
		Address: "Hoivakatu 5, 00500 Helsinki", Contact: "09 123 4567"})
	f.put(wire.KindService, "svc-home", data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour})
	for i := range 500 {
		f.customer(data.Customer{ID: fmt.Sprintf("c-%03d", i), FirstNames: "Asiakas", LastName: fmt.Sprintf("Testi%03d", i),
			CustomerNumber: fmt.Sprintf("A-%04d", i)}, []string{"svc-home"}, data.StatusRecorded,
			"2026-11-02", "2026-11-05", "2026-11-09", "2026-11-12", "2026-11-19", "2026-11-26")
	}
	dir := b.TempDir()
	f.write(b, filepath.Join(dir, "cache"))
	c, err := cache.Open(filepath.Join(dir, "cache"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var made int
	b.ResetTimer()
	for i := range b.N {
		res, err := print.MakeMonthBatch(context.Background(), c, print.MonthBatch{ServiceID: "svc-home",
			Month: mustDate("2026-11-01"), Made: mustDate("2026-12-01"), Dir: filepath.Join(dir, fmt.Sprint("out", i)), Language: "fi"})
		if err != nil {
			b.Fatal(err)
		}
		made = res.Made
	}
	b.StopTimer()
	if made != 500 {
		b.Fatalf("made %d statements, want 500", made)
	}
}

// TestStatementsBatchFailure: a statement that cannot be printed (a
// character the font lacks) is told by the customer's number and counted;
// the others and the combined PDF of them are written; exit 1.
func TestStatementsBatchFailure(t *testing.T) {
	work := t.TempDir()
	cacheDir := filepath.Join(work, "cache")
	f := batchFixture()
	f.customer(data.Customer{ID: "c-9", FirstNames: "Hymy", LastName: "Naama\U0001F600", CustomerNumber: "H-9"},
		[]string{"svc-home"}, data.StatusRecorded, "2026-11-20")
	f.write(t, cacheDir)
	out := filepath.Join(work, "out")
	code, stdout, stderr := runCmd(t, "statements", "-cache", cacheDir, "-service", "Kotihoito", "-month", "2026-11", "-out", out)
	if code != 1 || !strings.Contains(stderr, "H-9") || !strings.Contains(stderr, "U+1F600") || !strings.Contains(stdout, " 5 ") {
		t.Fatalf("exit %d, %q %q; want exit 1, H-9 told, 5 made", code, stdout, stderr)
	}
	names := dirNames(t, out)
	if len(names) != 7 || !slices.Contains(names, "kaikki.pdf") || slices.Contains(names, "H-9 Kotihoito 2026-11.pdf") {
		t.Errorf("files %q", names)
	}
}
