package print

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"psopdesk/data"
	"psopdesk/data/hetu"
)

// csvBOM makes Excel read the file as UTF-8.
const csvBOM = "\uFEFF"

// csvTextMark is put before a digit-only identifier (a voucher or customer
// number such as "0012") so that Excel keeps it as text and its leading
// zeros survive: U+2060 WORD JOINER, an invisible, zero-width character
// that is neither a digit nor white space, so Excel does not read the cell
// as a number and shows just "0012". (A ="0012" formula or a leading tab is
// not used: the first is a formula, the second shows as white space.)
const csvTextMark = "\u2060"

// WriteStatementCSV writes st's rows to w as CSV that Finnish Excel opens
// as is: UTF-8 with a byte order mark, ";" between cells, CRLF line ends,
// amounts and quantities with a decimal comma and no currency sign or
// thousands separator ("-12,50", "1,5"), dates d.m.yyyy. The first row is
// the column headings in opt.Language (or opt.Labels): date, service,
// content, quantity, unit, unit price, price, voucher share, co-payment,
// voucher number, in review; then one row per statement row; then a totals
// row (price, voucher share, co-payment).
//
// Cells are made safe and exact for a spreadsheet (see CSVText,
// CSVIdentifier): a text cell that begins with "=", "+", "-", "@", a tab
// or a carriage return gets an apostrophe before it, so it is never read
// as a formula, while amounts such as "-12,50" stay numbers; a digit-only
// voucher number gets an invisible U+2060 WORD JOINER before it, so Excel
// keeps it as text and a leading zero survives. A valid henkilötunnus in a
// free text is replaced by Labels.Redacted; the customer's henkilötunnus
// and ids are never written. It returns the error of w.
func WriteStatementCSV(w io.Writer, st data.Statement, opt Options) error {
	b, err := renderStatementCSV(st, opt)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("omavastuuerittelyn kirjoittaminen epäonnistui: %w", err)
	}
	return nil
}

// StatementCSVFile writes st as a CSV file at path (see WriteStatementCSV)
// the way StatementFile writes a PDF: through a temporary file in the same
// directory renamed over path, mode 0600. Errors are *FileError.
func StatementCSVFile(path string, st data.Statement, opt Options) error {
	b, err := renderStatementCSV(st, opt)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, ".omavastuuerittely-*.csv.tmp", b)
}

func renderStatementCSV(st data.Statement, opt Options) ([]byte, error) {
	l := opt.labels()
	var buf bytes.Buffer
	buf.WriteString(csvBOM)
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	head := []string{l.ColDate, l.CSVService, l.ColContent, l.ColQuantity, l.CSVUnit, l.ColUnitPrice,
		l.ColPrice, l.ColVoucherShare, l.ColCoPayment, l.CSVVoucherNumber, l.CSVInReview}
	for i, s := range head {
		head[i] = CSVText(s)
	}
	if err := cw.Write(head); err != nil {
		return nil, err
	}
	text := func(s string) string { return CSVText(hetu.Redact(s, l.Redacted)) }
	for _, r := range st.Rows {
		svc, _ := st.ServiceByID(r.ServiceID)
		if svc.ID == "" {
			svc = st.Service
		}
		content := r.Content
		if content == "" {
			content = svc.Content
		}
		review := ""
		if r.InReview {
			review = CSVText(l.CSVInReviewYes)
		}
		if err := cw.Write([]string{
			r.Date.Format(), text(svc.Name), text(content), CSVQuantity(r.Quantity),
			text(l.unitWord(r.Unit, r.Quantity)), CSVAmount(r.UnitPrice), CSVAmount(r.Price),
			CSVAmount(r.VoucherShare), CSVAmount(r.CoPayment), CSVIdentifier(r.VoucherNumber), review,
		}); err != nil {
			return nil, err
		}
	}
	t := st.Totals
	if err := cw.Write([]string{CSVText(l.Total), "", "", "", "", "",
		CSVAmount(t.Price), CSVAmount(t.VoucherShare), CSVAmount(t.CoPayment), "", ""}); err != nil {
		return nil, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CSVAmount is cents as a number cell for Finnish Excel: a decimal comma,
// no thousands separator, no currency sign: "-12,50", "1234,00".
func CSVAmount(c data.Cents) string {
	sign := ""
	v := uint64(c)
	if c < 0 {
		sign, v = "-", -v
	}
	return sign + strconv.FormatUint(v/100, 10) + fmt.Sprintf(",%02d", v%100)
}

// CSVQuantity is a quantity as a number cell: "1,5", "0,75", "2".
func CSVQuantity(q data.Quantity) string { return q.String() }

// CSVText makes a free text safe as a CSV cell: a text that begins with
// "=", "+", "-", "@", a tab or a carriage return gets an apostrophe (')
// before it, so a spreadsheet shows it as text and never runs it as a
// formula (OWASP "CSV injection"). Other texts are unchanged.
func CSVText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// CSVIdentifier is an identifier cell (voucher number, customer number)
// kept as text: a digit-only identifier gets an invisible U+2060 WORD
// JOINER before it, so Excel does not turn it into a number and its
// leading zeros survive ("0012" shows as 0012); others go through CSVText.
func CSVIdentifier(s string) string {
	if s == "" {
		return s
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return CSVText(s)
		}
	}
	return csvTextMark + s
}

// SummaryCSVFile writes yhteenveto.csv of a month's batch at path (as
// StatementCSVFile: atomic, 0600; UTF-8 with a BOM, ";", CRLF): a heading
// row in opt's language, then per statement the customer number (kept as
// text), the name, and the totals of price, voucher share and co-payment
// with a decimal comma. Never the henkilötunnus.
func SummaryCSVFile(path string, sts []data.Statement, opt Options) error {
	l := opt.labels()
	var buf bytes.Buffer
	buf.WriteString(csvBOM)
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	cw.UseCRLF = true
	_ = cw.Write([]string{CSVText(l.CustomerNumber), CSVText(l.Customer),
		CSVText(l.ColPrice), CSVText(l.ColVoucherShare), CSVText(l.ColCoPayment)})
	for _, st := range sts {
		cu := st.Customer
		name := hetu.Redact(strings.TrimSpace(cu.LastName+" "+cu.FirstNames), l.Redacted)
		_ = cw.Write([]string{CSVIdentifier(hetu.Redact(cu.CustomerNumber, l.Redacted)), CSVText(name),
			CSVAmount(st.Totals.Price), CSVAmount(st.Totals.VoucherShare), CSVAmount(st.Totals.CoPayment)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return writeFileAtomic(path, ".yhteenveto-*.csv.tmp", buf.Bytes())
}
