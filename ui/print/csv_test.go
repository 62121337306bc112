package print

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStatementCSV(t *testing.T) {
	st := richStatement(t, 0)
	st.Rows[0].Content = "=HYPERLINK(\"x\")"
	st.Rows[1].Content = "-alennus"
	st.Rows[2].VoucherNumber = "0012"
	st.Rows[3].Content = "Käynti (asiakas 010594Y9021)"
	var b bytes.Buffer
	if err := WriteStatementCSV(&b, st, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatal("no byte order mark")
	}
	lines := strings.Split(strings.TrimSuffix(strings.TrimPrefix(out, "\uFEFF"), "\r\n"), "\r\n")
	if len(lines) != len(st.Rows)+2 {
		t.Fatalf("%d lines, want heading + %d rows + totals:\n%s", len(lines), len(st.Rows), out)
	}
	if want := "Päivämäärä;Palvelu;Palvelusisältö;Määrä;Yksikkö;Yksikköhinta;Hinta;Setelin osuus;Omavastuu;Setelin numero;Tarkastettavana"; lines[0] != want {
		t.Errorf("heading %q", lines[0])
	}
	if want := "30.10.2026;Kotihoito;\"'=HYPERLINK(\"\"x\"\")\";2;h;42,50;85,00;72,00;13,00;\u2060400123456;"; lines[1] != want {
		t.Errorf("row 1 %q, want %q", lines[1], want)
	}
	for _, w := range []string{";'-alennus;", ";\u20600012;", "[poistettu]", ";kyllä"} {
		if !strings.Contains(out, w) {
			t.Errorf("CSV lacks %q", w)
		}
	}
	if strings.Contains(out, "010594Y9021") {
		t.Error("CSV holds the henkilötunnus")
	}
	tot := st.Totals
	if want := "Yhteensä;;;;;;" + CSVAmount(tot.Price) + ";" + CSVAmount(tot.VoucherShare) + ";" + CSVAmount(tot.CoPayment) + ";;"; lines[len(lines)-1] != want {
		t.Errorf("totals %q, want %q", lines[len(lines)-1], want)
	}
	if got := CSVAmount(-1250); got != "-12,50" {
		t.Errorf("CSVAmount(-1250) = %q", got)
	}
	if got := CSVAmount(123456); got != "1234,56" {
		t.Errorf("CSVAmount(123456) = %q", got)
	}
	path := filepath.Join(t.TempDir(), "e.csv")
	if err := StatementCSVFile(path, st, Options{Language: "sv"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat %v mode %v", err, fi)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "Sedelns andel") {
		t.Error("Swedish headings missing")
	}
}
