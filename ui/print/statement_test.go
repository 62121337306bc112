package print

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
)

// scenarioStatement is the November 2026 Kotihoito statement of
// shared/fixtures/scenario-small.json, made by data.MakeStatement from a
// customer whose henkilötunnus is set.
func scenarioStatement(t testing.TB) data.Statement {
	t.Helper()
	prov := data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy", BusinessID: "1234567-1",
		Contact: "puh. 09 123 4567, asiakaspalvelu@hoivapalvelu.example"}
	cust := data.Customer{ID: "cust-1", FirstNames: "Sinikka", LastName: "Ääpälä", Hetu: "010594Y9021",
		Address: "Esimerkkitie 1 A 2, 00100 Helsinki", CustomerNumber: "A-1001", Language: "fi"}
	svc := data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour}
	g := data.Grant{ID: "pp-1", CustomerID: "cust-1", Kind: data.KindPurchasingPower, VoucherNumber: "400123456",
		ServiceID: "svc-home", GrantedQuantity: 1000, Period: data.PeriodMonth, VoucherUnitValue: 3600,
		ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31)}
	ev := func(id string, day int, m time.Month, q data.Quantity, s data.Status) data.ServiceEvent {
		return data.ServiceEvent{ID: id, CustomerID: "cust-1", GrantID: "pp-1", ServiceID: "svc-home",
			Date: data.NewDate(2026, m, day), Content: "Kotihoidon käynti", Quantity: q, UnitPrice: 4250,
			VoucherUnitValue: 3600, Status: s}
	}
	events := []data.ServiceEvent{
		ev("e1", 2, 11, 200, data.StatusRecorded),
		ev("e2", 9, 11, 150, data.StatusApproved),
		ev("e3", 16, 11, 300, data.StatusInReview),
		ev("e4", 18, 11, 200, data.StatusRejected),
		ev("e5", 23, 11, 75, data.StatusRecorded),
		ev("e6", 27, 11, 100, data.StatusDeleted),
		ev("e7", 30, 10, 200, data.StatusSettled),
	}
	st, err := data.MakeStatement(data.StatementRequest{Provider: prov, Customer: cust, Service: svc,
		Grants: []data.Grant{g}, Events: events,
		From: data.NewDate(2026, 11, 1), To: data.NewDate(2026, 11, 30), Made: data.NewDate(2026, 12, 1)})
	if err != nil {
		t.Fatal(err)
	}
	// Defensive test: even if a statement carried it, it must not print.
	st.Customer.Hetu = "010594Y9021"
	return st
}

// twoVouchers is the scenario statement with a second voucher, a balance
// purchasing power, and a row of it.
func twoVouchers(t testing.TB) data.Statement {
	st := scenarioStatement(t)
	st.Grants = append(st.Grants, data.Grant{ID: "bp-9", Kind: data.KindBalancePurchasingPower,
		VoucherNumber: "400123999", ServiceID: st.Service.ID, Amount: 20000,
		ValidFrom: data.NewDate(2026, 6, 1), ValidTo: data.NewDate(2027, 5, 31)})
	r := st.Rows[0]
	r.EventID, r.VoucherNumber, r.Date = "b1", "400123999", data.NewDate(2026, 11, 20)
	r.Shares = data.Shares{Price: 8500, VoucherShare: 8500}
	st.Rows = append(st.Rows[:4:4], r)
	st.Totals.Price += r.Price
	st.Totals.VoucherShare += r.VoucherShare
	return st
}

// manyRows is the scenario statement with n rows, totals summed.
func manyRows(t testing.TB, n int) data.Statement {
	st := scenarioStatement(t)
	base := st.Rows
	st.Rows = nil
	st.Totals = data.Totals{}
	for i := range n {
		r := base[i%len(base)]
		r.EventID = fmt.Sprintf("x%d", i)
		r.Date = data.NewDate(2026, 11, 1+i*30/n)
		if i%7 == 3 {
			r.Content = "Kotihoidon käynti, lääkkeiden jako ja ulkoilu asiakkaan kanssa lähipuistossa"
		}
		st.Rows = append(st.Rows, r)
		st.Totals.Price += r.Price
		st.Totals.VoucherShare += r.VoucherShare
		st.Totals.CoPayment += r.CoPayment
	}
	return st
}

func writePDF(t testing.TB, st data.Statement, opt Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteStatement(&b, st, opt); err != nil {
		t.Fatalf("WriteStatement: %v", err)
	}
	return b.Bytes()
}

var countRE = regexp.MustCompile(`/Type /Pages\s*/Kids \[[^\]]*\]\s*/Count (\d+)`)

// pageCount reads the page tree's /Count without any outside tool.
func pageCount(t *testing.T, pdf []byte) int {
	t.Helper()
	m := countRE.FindSubmatch(pdf)
	if m == nil {
		// Fall back to any /Count in the file.
		m = regexp.MustCompile(`/Count (\d+)`).FindSubmatch(pdf)
	}
	if m == nil {
		t.Fatal("no /Count in the PDF")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func TestStatementStructure(t *testing.T) {
	tests := []struct {
		name  string
		st    data.Statement
		pages int
	}{
		{"scenario fits one page", scenarioStatement(t), 1},
		{"200 rows need several pages", manyRows(t, 200), 0},
		{"no rows still prints", func() data.Statement {
			st := scenarioStatement(t)
			st.Rows, st.Totals = nil, data.Totals{}
			return st
		}(), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pdf := writePDF(t, tc.st, Options{})
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Fatalf("not a PDF: starts %q", pdf[:min(8, len(pdf))])
			}
			n := pageCount(t, pdf)
			if tc.pages > 0 && n != tc.pages {
				t.Errorf("pages = %d, want %d", n, tc.pages)
			}
			if tc.pages == 0 && n < 3 {
				t.Errorf("pages = %d, want at least 3 for %d rows", n, len(tc.st.Rows))
			}
			for _, want := range []string{"/FontFile2", "/ToUnicode", "/CIDFontType2"} {
				if !bytes.Contains(pdf, []byte(want)) {
					t.Errorf("PDF lacks %s: the font is not embedded for extraction", want)
				}
			}
			if bytes.Contains(pdf, []byte("010594Y9021")) {
				t.Error("the PDF's bytes hold the henkilötunnus")
			}
		})
	}
}

func TestMissingGlyphIsAnError(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*data.Statement)
		rune_ rune
	}{
		{"CJK in content", func(st *data.Statement) { st.Rows[1].Content = "Käynti \u4E2D" }, 0x4E2D},
		{"emoji in address", func(st *data.Statement) { st.Customer.Address = "Katu 1 \U0001F600" }, 0x1F600},
		{"CJK in provider name (bold)", func(st *data.Statement) { st.Provider.Name = "Hoiva \u4E2D Oy" }, 0x4E2D},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := scenarioStatement(t)
			tc.edit(&st)
			var b bytes.Buffer
			err := WriteStatement(&b, st, Options{})
			var ge *GlyphError
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v, want a *GlyphError", err)
			}
			if ge.Rune != tc.rune_ {
				t.Errorf("rune = %U, want %U", ge.Rune, tc.rune_)
			}
			msg := err.Error()
			if !strings.Contains(msg, fmt.Sprintf("U+%04X", tc.rune_)) {
				t.Errorf("error %q does not name the character", msg)
			}
			for _, private := range []string{"Käynti", "Katu", "Hoiva", "Sinikka", "Ääpälä"} {
				if strings.Contains(msg, private) {
					t.Errorf("error %q contains the text %q", msg, private)
				}
			}
			if b.Len() != 0 {
				t.Errorf("%d bytes written despite the error", b.Len())
			}
		})
	}
}

func TestStatementFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "omavastuuerittely.pdf")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A failing write leaves the old file and no temporary behind.
	bad := scenarioStatement(t)
	bad.Rows[0].Content = "\u4E2D"
	if err := StatementFile(path, bad, Options{}); err == nil {
		t.Fatal("no error for a missing glyph")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file changed by a failed write: %q", b)
	}
	if err := StatementFile(path, scenarioStatement(t), Options{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("file is not the new PDF (err %v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the PDF", len(entries))
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("levy täynnä") }

func TestWriteErrorIsReturned(t *testing.T) {
	err := WriteStatement(failingWriter{}, scenarioStatement(t), Options{})
	if err == nil || !strings.Contains(err.Error(), "levy täynnä") {
		t.Errorf("err = %v, want the writer's error", err)
	}
}

// pdfText extracts the text with pdftotext -layout, or skips the test.
// The layout mode drops a narrow space between a short number and its
// unit ("2 h" comes out "2h"), so the text of -raw follows it, after a
// form feed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) not installed")
	}
	path := filepath.Join(t.TempDir(), "s.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	raw, err := exec.Command(bin, "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out) + "\f" + string(raw)
}

func TestStatementText(t *testing.T) {
	st := scenarioStatement(t)
	tests := []struct {
		name    string
		opt     Options
		want    []string
		wantNot []string
	}{
		{"finnish", Options{}, []string{
			"Omavastuuerittely", "Hoivapalvelu Esimerkki Oy", "1234567-1",
			"Sinikka Ääpälä", "Esimerkkitie 1 A 2, 00100 Helsinki", "A-1001",
			"400123456", "1.1.2026–31.12.2026", "36,00 €/h", "10 h / kuukausi",
			"Kotihoito", "Kotihoidon käynti", "1.11.2026–30.11.2026", "1.12.2026",
			"Päivämäärä", "Palvelusisältö", "Määrä", "Yksikköhinta", "Hinta", "Setelin osuus", "Omavastuu",
			"2.11.2026", "2 h", "42,50 €", "85,00 €", "72,00 €", "13,00 €",
			"1,5 h", "63,75 €", "54,00 €", "9,75 €",
			"16.11.2026 *", "127,50 €", "108,00 €", "19,50 €",
			"0,75 h", "31,88 €", "27,00 €", "4,88 €",
			"308,13 €", "261,00 €", "47,13 €",
			"Tarkastettavana", "ei voi saada kotitalousvähennystä", "Sivu 1/1",
		}, []string{"010594Y9021", "cust-1", "18.11.2026", "27.11.2026", "30.10.2026"}},
		{"swedish", Options{Language: "sv"}, []string{
			"Specifikation av självriskandel", "Sedelns andel", "Självrisk", "47,13 €", "Sida 1/1", "hushållsavdrag",
		}, []string{"010594Y9021", "Omavastuuerittely"}},
		{"english", Options{Language: "en"}, []string{
			"Co-payment statement", "Voucher share", "Co-payment", "47,13 €", "Page 1/1", "household tax deduction",
		}, []string{"010594Y9021", "Omavastuuerittely"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := pdfText(t, writePDF(t, st, tc.opt))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("text holds %q", w)
				}
			}
			if t.Failed() {
				t.Logf("extracted text:\n%s", text)
			}
		})
	}
}

func TestTextIsNormalised(t *testing.T) {
	st := scenarioStatement(t)
	st.Customer.LastName = "A\u0308a\u0308pa\u0308la\u0308" // decomposed, as some keyboards send it
	st.Rows[0].Content = "Kotihoidon\u200b käynti\nja\tulkoilu"
	text := pdfText(t, writePDF(t, st, Options{}))
	for _, w := range []string{"Sinikka Ääpälä", "Kotihoidon käynti ja ulkoilu"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func TestHetuInFreeTextIsRedacted(t *testing.T) {
	st := scenarioStatement(t)
	st.Rows[0].Content = "Käynti (asiakas 010594Y9021)"
	st.Customer.Address = "Esimerkkitie 1, hetu 010594-9021"
	text := pdfText(t, writePDF(t, st, Options{}))
	for _, h := range []string{"010594Y9021", "010594-9021"} {
		if strings.Contains(text, h) {
			t.Errorf("text holds the henkilötunnus %s", h)
		}
	}
	if !strings.Contains(text, "[poistettu]") {
		t.Error("no redaction mark where the henkilötunnus was")
	}
	// A number of the same shape that is no valid henkilötunnus stays.
	st = scenarioStatement(t)
	st.Rows[0].Content = "Tilaus 123456-123X"
	if text := pdfText(t, writePDF(t, st, Options{})); !strings.Contains(text, "123456-123X") {
		t.Error("a non-hetu number was removed")
	}
}

func TestPagesRepeatHeaderAndNumber(t *testing.T) {
	st := manyRows(t, 200)
	pdf := writePDF(t, st, Options{})
	n := pageCount(t, pdf)
	text := pdfText(t, pdf)
	pages := strings.Split(text, "\f")
	if len(pages) < n {
		t.Fatalf("pdftotext gave %d pages, /Count says %d", len(pages), n)
	}
	rows := 0
	for i, p := range pages[:n] {
		for _, w := range []string{fmt.Sprintf("Sivu %d/%d", i+1, n), "Päivämäärä", "Setelin osuus", "Sinikka Ääpälä"} {
			if !strings.Contains(p, w) {
				t.Errorf("page %d lacks %q", i+1, w)
			}
		}
		rows += len(regexp.MustCompile(`(?m)^\s*\d{1,2}\.11\.2026`).FindAllString(p, -1))
	}
	if rows != 200 {
		t.Errorf("%d rows across the pages, want 200", rows)
	}
	last := pages[n-1]
	if !strings.Contains(last, "Yhteensä") || !strings.Contains(last, st.Totals.CoPayment.String()) {
		t.Errorf("last page lacks the totals %s", st.Totals.CoPayment)
	}
}

func TestLabelsFor(t *testing.T) {
	tests := []struct{ lang, title string }{
		{"", "Omavastuuerittely"}, {"fi", "Omavastuuerittely"}, {"fi_FI", "Omavastuuerittely"},
		{"sv", "Specifikation av självriskandel"}, {"sv-FI", "Specifikation av självriskandel"},
		{"EN", "Co-payment statement"}, {"de", "Omavastuuerittely"},
	}
	for _, tc := range tests {
		if got := LabelsFor(tc.lang).Title; got != tc.title {
			t.Errorf("LabelsFor(%q).Title = %q, want %q", tc.lang, got, tc.title)
		}
	}
	for _, code := range []string{"fi", "sv", "en"} {
		l := LabelsFor(code)
		if got := l.unitWord(data.UnitVisit, 100); got == "" {
			t.Errorf("%s: no word for one visit", code)
		}
		if got := fmt.Sprintf(l.Page, 2, 7); !strings.Contains(got, "2/7") {
			t.Errorf("%s: page 2 of 7 is %q", code, got)
		}
		// A key the catalog lacks comes back as itself.
		v := reflect.ValueOf(l)
		for i := range v.NumField() {
			if s, ok := v.Field(i).Interface().(string); ok && (s == "" || strings.HasPrefix(s, "pdf.")) {
				t.Errorf("%s: %s is %q: is its key in translations/%s.json?", code, v.Type().Field(i).Name, s, code)
			}
		}
		for u, n := range l.Units {
			if n.One == "" || n.Many == "" || n.Per == "" || strings.HasPrefix(n.One, "unit.") {
				t.Errorf("%s: unit %s has words %+v", code, u, n)
			}
		}
	}
	if got := LabelsFor("fi").unitWord(data.UnitVisit, 200); got != "käyntiä" {
		t.Errorf("2 visits: %q, want käyntiä", got)
	}
}

// TestNoFyne keeps ui/print usable without Fyne (no cgo, no GL), so the
// command line prints statements on a server: nothing it imports, at any
// depth, may be a fyne.io package.
func TestNoFyne(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH to list ui/print's dependencies")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "psopdesk/assets") {
		t.Fatalf("go list -deps gave %d packages without psopdesk/assets: %q", len(deps), out)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "fyne.io/") {
			t.Errorf("ui/print depends on %s", d)
		}
	}
}

// TestRenderForLooking writes the PDFs that a person looks at; it runs
// only when PSOP_PRINT_CHECK names a directory.
func TestRenderForLooking(t *testing.T) {
	dir := os.Getenv("PSOP_PRINT_CHECK")
	if dir == "" {
		t.Skip("set PSOP_PRINT_CHECK=/tmp/print-check to write the PDFs to look at")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]data.Statement{"statement": scenarioStatement(t), "statement-200": manyRows(t, 200)} {
		if err := StatementFile(filepath.Join(dir, name+".pdf"), st, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := StatementFile(filepath.Join(dir, "statement-sv.pdf"), scenarioStatement(t), Options{Language: "sv"}); err != nil {
		t.Fatal(err)
	}
	if err := StatementFile(filepath.Join(dir, "statement-two.pdf"), twoVouchers(t), Options{}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkWriteStatement(b *testing.B) {
	for _, bc := range []struct {
		name string
		st   data.Statement
	}{{"onePage", scenarioStatement(b)}, {"200rows", manyRows(b, 200)}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := WriteStatement(&buf, bc.st, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/pdf")
		})
	}
}
