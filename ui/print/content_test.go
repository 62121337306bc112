package print

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
)

var update = flag.Bool("update", false, "rewrite testdata/statement-golden.txt from today's output")

// richStatement is an all-services statement over October and November
// 2026 of the scenario's customer: a purchasing power over its granted
// hours in November, a balance used up in mid-November with rows after
// it, long contents that wrap, a row in review, and enough rows for
// several pages.
func richStatement(t testing.TB, extra int) data.Statement {
	t.Helper()
	prov := data.Provider{ID: "prov-1", Name: "Hoivapalvelu Esimerkki Oy", BusinessID: "1234567-1",
		Address: "Hoivakatu 5 B, 00500 Helsinki", Contact: "puh. 09 123 4567, asiakaspalvelu@hoivapalvelu.example"}
	cust := data.Customer{ID: "cust-1", FirstNames: "Sinikka", LastName: "Ääpälä", Hetu: "010594Y9021",
		Address: "Esimerkkitie 1 A 2, 00100 Helsinki", CustomerNumber: "A-1001", Language: "fi"}
	home := data.Service{ID: "svc-home", Name: "Kotihoito", Content: "Kotihoidon käynti", Unit: data.UnitHour}
	clean := data.Service{ID: "svc-clean", Name: "Siivous", Content: "Siivouspalvelu", Unit: data.UnitHour}
	grants := []data.Grant{
		{ID: "pp-1", CustomerID: "cust-1", Kind: data.KindPurchasingPower, VoucherNumber: "400123456",
			ServiceID: "svc-home", GrantedQuantity: 1000, Period: data.PeriodMonth, VoucherUnitValue: 3600,
			ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31)},
		{ID: "bp-1", CustomerID: "cust-1", Kind: data.KindBalancePurchasingPower, VoucherNumber: "400123457",
			ServiceID: "svc-clean", Amount: 20000, ValidFrom: data.NewDate(2026, 1, 1), ValidTo: data.NewDate(2026, 12, 31)},
	}
	var events []data.ServiceEvent
	add := func(id, grant string, d data.Date, q data.Quantity, s data.Status, content string) {
		svc, price, value := home, data.Cents(4250), data.Cents(3600)
		if grant == "bp-1" {
			svc, price, value = clean, 3500, 0
		}
		if content == "" {
			content = svc.Content
		}
		events = append(events, data.ServiceEvent{ID: id, CustomerID: "cust-1", GrantID: grant, ServiceID: svc.ID,
			Date: d, Content: content, Quantity: q, UnitPrice: price, VoucherUnitValue: value, Status: s,
			RecordedAt: d.Time(data.Helsinki).Add(12 * time.Hour)})
	}
	add("e7", "pp-1", data.NewDate(2026, 10, 30), 200, data.StatusSettled, "")
	add("e1", "pp-1", data.NewDate(2026, 11, 2), 200, data.StatusRecorded, "")
	add("e2", "pp-1", data.NewDate(2026, 11, 9), 150, data.StatusApproved, "")
	add("e3", "pp-1", data.NewDate(2026, 11, 16), 300, data.StatusInReview, "")
	add("e4", "pp-1", data.NewDate(2026, 11, 18), 200, data.StatusRejected, "")
	add("e5", "pp-1", data.NewDate(2026, 11, 23), 75, data.StatusRecorded, "")
	add("e6", "pp-1", data.NewDate(2026, 11, 27), 100, data.StatusDeleted, "")
	add("e8", "pp-1", data.NewDate(2026, 11, 28), 300, data.StatusInReview,
		"Kotihoidon käynti, lääkkeiden jako, kauppa-asiointi ja ulkoilu asiakkaan kanssa lähipuistossa")
	add("c1", "bp-1", data.NewDate(2026, 11, 3), 300, data.StatusApproved, "")
	add("c2", "bp-1", data.NewDate(2026, 11, 10), 200, data.StatusApproved, "")
	add("c3", "bp-1", data.NewDate(2026, 11, 17), 150, data.StatusRecorded, "")
	add("c4", "bp-1", data.NewDate(2026, 11, 24), 100, data.StatusRecorded, "Ikkunanpesu")
	for i := range extra {
		add(fmt.Sprintf("x%03d", i), "pp-1", data.NewDate(2026, 10, 1+i%29), 50, data.StatusApproved,
			[]string{"", "Kotihoidon käynti ja asiointiapu apteekissa sekä kaupassa", "Saattaja-apu lääkärikäynnille"}[i%3])
	}
	st, err := data.MakeStatement(data.StatementRequest{Provider: prov, Customer: cust,
		Services: []data.Service{home, clean}, Grants: grants, Events: events,
		From: data.NewDate(2026, 10, 1), To: data.NewDate(2026, 11, 30), Made: data.NewDate(2026, 12, 1)})
	if err != nil {
		t.Fatal(err)
	}
	st.Customer.Hetu = "010594Y9021" // must not print even if carried
	return st
}

// layoutPages is pdftotext -layout's text, one string per page.
func layoutPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	text := pdfText(t, pdf)
	layout := text[:strings.Index(text, "\f\f")+1] // -layout's pages, before the -raw text
	pages := strings.Split(strings.TrimSuffix(layout, "\f"), "\f")
	return pages
}

// TestStatementGolden compares the text of a multi-page, two-month,
// all-services statement, page by page, with testdata/statement-golden.txt.
// go test -run TestStatementGolden -update rewrites the file; look at the
// diff before committing it.
func TestStatementGolden(t *testing.T) {
	pdf := writePDF(t, richStatement(t, 40), Options{})
	pages := layoutPages(t, pdf)
	var b strings.Builder
	for i, p := range pages {
		fmt.Fprintf(&b, "==== page %d/%d ====\n", i+1, len(pages))
		for _, ln := range strings.Split(strings.TrimRight(p, "\n"), "\n") {
			b.WriteString(strings.TrimRight(ln, " ") + "\n")
		}
	}
	got := b.String()
	path := filepath.Join("testdata", "statement-golden.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("text differs from %s at line %d:\n got %q\nwant %q", path, i+1, g, w)
			}
		}
	}
	if len(pages) < 2 {
		t.Errorf("%d pages, want a multi-page statement", len(pages))
	}
}

// TestSameInputSameBytes: the same statement and clock give the same PDF.
func TestSameInputSameBytes(t *testing.T) {
	st := richStatement(t, 40)
	a, b := writePDF(t, st, Options{}), writePDF(t, st, Options{})
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same statement differ")
	}
	if !bytes.Contains(a, []byte("/CreationDate(D:20261201000000+02'00')")) {
		t.Error("creation date is not the date made, 1.12.2026 00:00 Helsinki")
	}
	for _, want := range []string{"/Title", "/Author", "/Subject"} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("PDF info lacks %s", want)
		}
	}
}

// TestRichStatementText reads the text a customer gets: header, usage,
// balance, subtotals per month, totals equal to the computed ones, the
// balance used up said in words, every page with its header and number,
// and never the henkilötunnus.
func TestRichStatementText(t *testing.T) {
	st := richStatement(t, 40)
	pdf := writePDF(t, st, Options{})
	text := pdfText(t, pdf)
	flat := strings.Join(strings.Fields(text), " ")
	for _, w := range []string{
		"Hoivakatu 5 B, 00500 Helsinki", "asiakaspalvelu@hoivapalvelu.example", "1234567-1",
		"Esimerkkitie 1 A 2, 00100 Helsinki", "A-1001", "Kaikki palvelut (Kotihoito, Siivous)",
		"400123456", "400123457", "36,00 €/h", "10 h / kuukausi",
		"Myönnetty saldo: 200,00 €", "Käytetty ennen jaksoa: 0,00 €", "Käytetty jaksolla: 200,00 €", "Jäljellä: 0,00 €",
		"11/2026: 10,25 h / 10 h", "saldo käytetty loppuun",
		"Yhteensä 10/2026", "Yhteensä 11/2026", "kotitalousvähennystä", "Tarkastettavana",
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	// Totals equal the computed ones; the month subtotals add up to them.
	m := st.MonthlyTotals()
	for _, w := range []string{
		"Yhteensä " + st.Totals.Price.String() + " " + st.Totals.VoucherShare.String() + " " + st.Totals.CoPayment.String(),
		"Yhteensä 10/2026 " + m[0].Price.String() + " " + m[0].VoucherShare.String() + " " + m[0].CoPayment.String(),
		"Yhteensä 11/2026 " + m[1].Price.String() + " " + m[1].VoucherShare.String() + " " + m[1].CoPayment.String(),
	} {
		if !strings.Contains(flat, w) {
			t.Errorf("text lacks the totals %q", w)
		}
	}
	if strings.Contains(text, "010594") || strings.Contains(text, "cust-1") {
		t.Error("the text holds the henkilötunnus or the customer's id")
	}
	pages := layoutPages(t, pdf)
	n := pageCount(t, pdf)
	if len(pages) != n || n < 2 {
		t.Fatalf("%d pages of text, /Count %d", len(pages), n)
	}
	for i, p := range pages {
		for _, w := range []string{fmt.Sprintf("Sivu %d/%d", i+1, n), "Päivämäärä", "Setelin osuus", "Omavastuu", "Sinikka Ääpälä"} {
			if !strings.Contains(p, w) {
				t.Errorf("page %d lacks %q", i+1, w)
			}
		}
	}
}

// TestCombinedStatements: one PDF, each statement from a new page with its
// own numbering.
func TestCombinedStatements(t *testing.T) {
	a, b := richStatement(t, 40), scenarioStatement(t)
	b.Customer.FirstNames, b.Customer.LastName = "Bertil", "Öhman"
	var one bytes.Buffer
	if err := WriteStatement(&one, a, Options{}); err != nil {
		t.Fatal(err)
	}
	na := pageCount(t, one.Bytes())
	path := filepath.Join(t.TempDir(), "kaikki.pdf")
	if err := CombinedStatementsFile(path, []data.Statement{a, b}, Options{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file %v, mode %v", err, fi)
	}
	pdf, _ := os.ReadFile(path)
	if n := pageCount(t, pdf); n != na+1 {
		t.Fatalf("%d pages, want %d + 1", n, na)
	}
	pages := layoutPages(t, pdf)
	for i := range na {
		if w := fmt.Sprintf("Sivu %d/%d", i+1, na); !strings.Contains(pages[i], w) || !strings.Contains(pages[i], "Ääpälä") {
			t.Errorf("page %d lacks %q or the first customer", i+1, w)
		}
	}
	last := pages[na]
	if !strings.Contains(last, "Sivu 1/1") || !strings.Contains(last, "Bertil Öhman") || strings.Contains(last, "Ääpälä") {
		t.Errorf("the second statement's page:\n%s", last)
	}
	if err := CombinedStatementsFile(path, nil, Options{}); err == nil {
		t.Error("no error for no statements")
	}
}

// TestRenderPagesToLook writes /tmp/st-multi.pdf when PSOP_PRINT_CHECK is
// set, to render with pdftoppm and look at.
func TestRenderPagesToLook(t *testing.T) {
	dir := os.Getenv("PSOP_PRINT_CHECK")
	if dir == "" {
		t.Skip("set PSOP_PRINT_CHECK=/tmp/print-check to write the PDFs to look at")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := StatementFile(filepath.Join(dir, "statement-rich.pdf"), richStatement(t, 40), Options{}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStatementPDF1000Rows: a 1,000-row statement to PDF (issue 7:
// at most 100 ms on the 2-core development machine).
func BenchmarkStatementPDF1000Rows(b *testing.B) {
	st := richStatement(b, 990) // 10 scenario rows + 990: 1,000 rows
	if len(st.Rows) != 1000 {
		b.Fatalf("%d rows", len(st.Rows))
	}
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteStatement(&buf, st, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bytes/pdf")
}
