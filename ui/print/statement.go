// Package print writes printable documents as PDF: the co-payment statement
// (omavastuuerittely, DOMAIN.md §5). It imports no Fyne, so a command-line
// tool can use it as well as the desktop program.
//
// Text is set in the embedded Noto Sans (assets.FontRegular, assets.FontBold)
// as a subset CID font with a ToUnicode map, so the PDF's text can be
// searched and extracted. A character the font lacks is an error
// (*GlyphError), never a silently blank space.
package print

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/signintech/gopdf"
	"golang.org/x/text/unicode/norm"

	"psopdesk/assets"
	"psopdesk/data"
	"psopdesk/data/hetu"
)

// Options control how a statement is printed. The zero Options print in
// Finnish.
type Options struct {
	// Language picks the labels: "fi" (default), "sv" or "en"; see
	// LabelsFor. Ignored when Labels is set.
	Language string
	// Labels, when not nil, are used instead of Language's.
	Labels *Labels
	// Made is the date printed as the date made when the statement's own
	// Made is zero; when both are zero, today in Europe/Helsinki.
	Made data.Date
}

// GlyphError reports a character that the embedded font cannot draw. It
// names only the character's code point, never the text it was in (the
// text may be personal data).
type GlyphError struct {
	Rune rune
}

func (e *GlyphError) Error() string {
	return fmt.Sprintf("merkkiä U+%04X ei voi tulostaa, koska fontissa ei ole sitä: "+
		"korjaa merkki tiedoista ja tulosta uudelleen", e.Rune)
}

// Page geometry, millimetres (A4 portrait).
const (
	pageW        = 210.0
	pageH        = 297.0
	marginX      = 18.0
	marginTop    = 16.0
	marginBottom = 14.0
	contentW     = pageW - 2*marginX
	footerH      = 8.0                            // footer line and its text
	bodyBottom   = pageH - marginBottom - footerH // last y rows may reach
	cellPad      = 1.6                            // horizontal padding inside table cells
	ptToMM       = 25.4 / 72
)

// Font sizes, points.
const (
	sizeTitle  = 17.0
	sizeTitle2 = 12.0
	sizeSmall  = 7.5
	sizeBody   = 9.5
	sizeTable  = 8.5
)

const (
	famRegular = "NotoSans"
	famBold    = "NotoSans-Bold"
)

// lineH is the line height for a font size in points, in millimetres.
func lineH(size float64) float64 { return size * ptToMM * 1.35 }

// Table columns, left to right.
const (
	colDate = iota
	colContent
	colQuantity
	colUnitPrice
	colPrice
	colVoucherShare
	colCoPayment
	numCols
)

// colRight marks the right-aligned (numeric) columns.
var colRight = [numCols]bool{colQuantity: true, colUnitPrice: true, colPrice: true,
	colVoucherShare: true, colCoPayment: true}

// minContentW is the narrowest the service content column gets, mm.
const minContentW = 42.0

// WriteStatement writes st to w as a PDF: A4 portrait, as many pages as its
// rows need, each with the column headings and "Sivu n/N". It never prints
// st.Customer.Hetu or the customer's id, and any valid henkilötunnus found
// in a free text (names, address, contact, contents) is replaced by
// Labels.Redacted. It returns a *GlyphError when a text holds a character
// the font lacks (nothing is written then), or the error of w.
func WriteStatement(w io.Writer, st data.Statement, opt Options) error {
	pdf, err := renderStatement(st, opt)
	if err != nil {
		return err
	}
	if _, err := w.Write(pdf); err != nil {
		return fmt.Errorf("omavastuuerittelyn kirjoittaminen epäonnistui: %w", err)
	}
	return nil
}

// StatementFile writes st as a PDF file at path (see WriteStatement). It
// writes a temporary file in the same directory and renames it over path,
// so path holds either the old file or the whole new one; the file's mode
// is 0600. The file name is the caller's: it must not contain the
// henkilötunnus. Errors writing the file are *FileError.
func StatementFile(path string, st data.Statement, opt Options) error {
	pdf, err := renderStatement(st, opt)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, ".omavastuuerittely-*.pdf.tmp", pdf)
}

// CombinedStatementsFile writes every statement of sts into one PDF file
// at path, for printing a month's batch (kaikki.pdf): each statement
// starts on a new page and has its own page numbering ("Sivu 1/2" of that
// statement). The PDF's author is the first statement's provider. It
// writes the file as StatementFile does; a *GlyphError of any statement
// fails the whole file (nothing is written). No statements is an error.
func CombinedStatementsFile(path string, sts []data.Statement, opt Options) error {
	return combinedFile(context.Background(), path, sts, opt)
}

// combinedFile is CombinedStatementsFile that stops, writing nothing, with
// ctx's error when ctx ends.
func combinedFile(ctx context.Context, path string, sts []data.Statement, opt Options) error {
	pdf, err := render(ctx, sts, opt)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, ".omavastuuerittelyt-*.pdf.tmp", pdf)
}

// WriteCombinedStatements writes sts to w as one PDF (see
// CombinedStatementsFile).
func WriteCombinedStatements(w io.Writer, sts []data.Statement, opt Options) error {
	pdf, err := render(context.Background(), sts, opt)
	if err != nil {
		return err
	}
	if _, err := w.Write(pdf); err != nil {
		return fmt.Errorf("omavastuuerittelyn kirjoittaminen epäonnistui: %w", err)
	}
	return nil
}

// writeFileAtomic writes b to a temporary file (pattern, in path's
// directory), syncs it, makes it 0600 (a statement holds the customer's
// name and address) and renames it over path.
func writeFileAtomic(path, pattern string, b []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return &FileError{Path: path, Err: err}
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return &FileError{Path: path, Err: err}
	}
	if err = tmp.Sync(); err != nil {
		return &FileError{Path: path, Err: err}
	}
	if err = tmp.Close(); err != nil {
		return &FileError{Path: path, Err: err}
	}
	if err = os.Chmod(tmp.Name(), 0o600); err != nil {
		return &FileError{Path: path, Err: err}
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return &FileError{Path: path, Err: err}
	}
	return nil
}

// FileError is a statement PDF that could not be written at Path; Err
// says why (for logs). The window and the CLI explain it in the user's
// language.
type FileError struct {
	Path string
	Err  error
}

// Error is English, for logs.
func (e *FileError) Error() string { return "write statement " + e.Path + ": " + e.Err.Error() }

// Unwrap gives the cause.
func (e *FileError) Unwrap() error { return e.Err }

// doc is one statement being drawn.
type doc struct {
	gp   *gopdf.GoPdf
	l    Labels
	st   data.Statement
	made data.Date
	err  error // first error while drawing; drawing stops mattering once set

	bold bool
	size float64

	pages int // total, known before drawing
	page  int // current, 1-based

	colW [numCols]float64 // column widths, mm; see layoutColumns
}

func (d *doc) colX(i int) float64 {
	x := marginX
	for j := 0; j < i; j++ {
		x += d.colW[j]
	}
	return x
}

// labels are opt's labels: opt.Labels, or those of opt.Language.
func (opt Options) labels() Labels {
	if opt.Labels != nil {
		return *opt.Labels
	}
	return LabelsFor(opt.Language)
}

// renderStatement lays out and compiles st; the whole PDF is made in
// memory (tens of kilobytes) because gopdf ignores its writer's errors.
func renderStatement(st data.Statement, opt Options) ([]byte, error) {
	return render(context.Background(), []data.Statement{st}, opt)
}

// ErrNoStatements: a combined PDF was asked of no statements.
var ErrNoStatements = errors.New("no statements to print")

// render lays out and compiles sts into one PDF, each statement from a
// new page with its own page numbers. The PDF's creation date is the
// first statement's date made (00:00 Europe/Helsinki) and it has no
// random ids, so the same statements and options give the same bytes.
// When ctx ends it stops with ctx's error.
func render(ctx context.Context, sts []data.Statement, opt Options) ([]byte, error) {
	if len(sts) == 0 {
		return nil, ErrNoStatements
	}
	l := opt.labels()
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	var glyphErr error
	onMissing := func(r rune) {
		if glyphErr == nil {
			glyphErr = &GlyphError{Rune: r}
		}
	}
	for _, f := range []struct {
		fam   string
		data  []byte
		style int
	}{{famRegular, assets.FontRegular, gopdf.Regular}, {famBold, assets.FontBold, gopdf.Regular}} {
		if err := gp.AddTTFFontDataWithOption(f.fam, f.data, gopdf.TtfOption{
			UseKerning: false, Style: f.style, OnGlyphNotFound: onMissing,
		}); err != nil {
			return nil, fmt.Errorf("tulostuksen fonttia ei voi ladata: %w", err)
		}
	}
	var first data.Date
	for i, st := range sts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Defensive: the statement never carries the henkilötunnus.
		st.Customer.Hetu = ""
		made := st.Made
		if made.IsZero() {
			made = opt.Made
		}
		if made.IsZero() {
			made = data.Today()
		}
		if i == 0 {
			first = made
		}
		d := &doc{gp: gp, l: l, st: st, made: made}
		d.draw()
		if d.err == nil {
			d.err = glyphErr
		}
		if d.err != nil {
			return nil, d.err
		}
	}
	subject := l.Subject
	if len(sts) == 1 {
		st := sts[0]
		svc := st.Service.Name
		if st.AllServices() {
			svc = l.AllServices
		}
		subject += ": " + strings.TrimSpace(svc+" "+l.rangeText(st.From, st.To))
	}
	gp.SetInfo(gopdf.PdfInfo{Title: l.Title, Author: sts[0].Provider.Name, Subject: subject,
		Creator: "PSOP Desk", Producer: "PSOP Desk", CreationDate: first.Time(data.Helsinki)})
	var buf bytes.Buffer
	buf.Grow(64 << 10)
	if _, err := gp.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("omavastuuerittelyn kokoaminen epäonnistui: %w", err)
	}
	return buf.Bytes(), nil
}

func (d *doc) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *doc) font(bold bool, size float64) {
	d.bold, d.size = bold, size
	fam := famRegular
	if bold {
		fam = famBold
	}
	if err := d.gp.SetFont(fam, "", size); err != nil {
		d.fail(fmt.Errorf("tulostuksen fonttia ei voi ottaa käyttöön: %w", err))
	}
}

// clean makes s printable on one line: it is put in NFC (a decomposed "ä"
// becomes one character), control characters become spaces, invisible
// format characters (zero-width space, BOM, direction marks) are dropped,
// a valid henkilötunnus becomes Labels.Redacted, and every rune is checked
// against the current font (a missing one fails the document).
func (d *doc) clean(s string) string {
	if !isPlainASCII(s) {
		s = norm.NFC.String(s)
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	s = hetu.Redact(s, d.l.Redacted)
	for _, r := range s {
		if r < 0x80 && r != 0 {
			continue // Noto Sans has all of printable ASCII
		}
		ok, err := d.gp.IsCurrFontContainGlyph(r)
		if err != nil || !ok {
			d.fail(&GlyphError{Rune: r})
			return ""
		}
	}
	return s
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// width is the width of s in the current font, mm.
func (d *doc) width(s string) float64 {
	if s == "" {
		return 0
	}
	w, err := d.gp.MeasureTextWidth(s)
	if err != nil {
		d.fail(fmt.Errorf("tekstin leveyttä ei voi mitata: %w", err))
		return 0
	}
	return w
}

// text draws s (already clean) in the box x,y,w,h, vertically centred.
func (d *doc) text(x, y, w, h float64, s string, right bool) {
	if s == "" || d.err != nil {
		return
	}
	align := gopdf.Left | gopdf.Middle
	if right {
		align = gopdf.Right | gopdf.Middle
	}
	d.gp.SetXY(x, y)
	if err := d.gp.CellWithOption(&gopdf.Rect{W: w, H: h}, s, gopdf.CellOption{Align: align}); err != nil {
		d.fail(fmt.Errorf("tekstiä ei voi piirtää: %w", err))
	}
}

// wrap cleans s and breaks it into lines no wider than w (mm) in the
// current font, at spaces where it can, inside a word where it must.
func (d *doc) wrap(s string, w float64) []string {
	s = d.clean(s)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if d.width(try) <= w {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		line = ""
		for d.width(word) > w {
			// Break a word longer than the line.
			rs := []rune(word)
			n := len(rs) - 1
			for n > 1 && d.width(string(rs[:n])) > w {
				n--
			}
			lines = append(lines, string(rs[:n]))
			word = string(rs[n:])
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// block is a labelled group of lines in the header ("Asiakas" and the
// customer's name, address, number).
type block struct {
	heading string
	lines   []headerLine
}

type headerLine struct {
	key, value string // key may be empty; value is wrapped
	bold       bool
}

func (l Labels) rangeText(from, to data.Date) string {
	if from.IsZero() && to.IsZero() {
		return ""
	}
	return from.Format() + "–" + to.Format()
}

// serviceName is the statement's service, or the names of all its
// services after Labels.AllServices.
func (d *doc) serviceName() string {
	if !d.st.AllServices() {
		return d.st.Service.Name
	}
	var names []string
	for _, s := range d.st.Services {
		if s.Name != "" {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return d.l.AllServices
	}
	return d.l.AllServices + " (" + strings.Join(names, ", ") + ")"
}

// service is the service of id on the statement (the zero Service with
// that id when it is unknown).
func (d *doc) service(id string) data.Service {
	if s, ok := d.st.ServiceByID(id); ok {
		return s
	}
	if id == "" || id == d.st.Service.ID {
		return d.st.Service
	}
	return data.Service{ID: id}
}

// quantityText is "10,25 h".
func (l Labels) quantityText(q data.Quantity, u data.Unit) string {
	return q.String() + " " + l.unitWord(u, q)
}

func (d *doc) headerBlocks() (provider, customer, service, voucher block) {
	st, l := d.st, d.l
	provider = block{heading: l.Provider, lines: []headerLine{{value: st.Provider.Name, bold: true}}}
	if st.Provider.BusinessID != "" {
		provider.lines = append(provider.lines, headerLine{key: l.BusinessID, value: st.Provider.BusinessID})
	}
	if st.Provider.Address != "" {
		provider.lines = append(provider.lines, headerLine{value: st.Provider.Address})
	}
	if st.Provider.Contact != "" {
		provider.lines = append(provider.lines, headerLine{value: st.Provider.Contact})
	}

	// Only these customer fields are printed: never Hetu, never ID.
	name := strings.TrimSpace(st.Customer.FirstNames + " " + st.Customer.LastName)
	customer = block{heading: l.Customer, lines: []headerLine{{value: name, bold: true}}}
	if st.Customer.Address != "" {
		customer.lines = append(customer.lines, headerLine{value: st.Customer.Address})
	}
	if st.Customer.CustomerNumber != "" {
		customer.lines = append(customer.lines, headerLine{key: l.CustomerNumber, value: st.Customer.CustomerNumber})
	}

	service = block{heading: l.Service, lines: []headerLine{{value: d.serviceName(), bold: true}}}
	if st.Service.Content != "" {
		service.lines = append(service.lines, headerLine{key: l.ServiceContent, value: st.Service.Content})
	}
	service.lines = append(service.lines,
		headerLine{key: l.Period, value: l.rangeText(st.From, st.To)},
		headerLine{key: l.Made, value: d.made.Format()})

	voucher = block{heading: l.Voucher}
	usage := map[string]data.GrantUsage{}
	for _, u := range st.Usage {
		usage[u.GrantID] = u
	}
	for i, g := range st.Grants {
		if i > 0 {
			voucher.lines = append(voucher.lines, headerLine{}) // a gap between vouchers
		}
		svc := d.service(g.ServiceID)
		voucher.lines = append(voucher.lines, headerLine{key: l.VoucherNumber, value: g.VoucherNumber, bold: true})
		if st.AllServices() && svc.Name != "" {
			voucher.lines = append(voucher.lines, headerLine{key: l.Service, value: svc.Name})
		}
		from, to := g.ValidFrom, g.ValidTo
		if from.IsZero() && to.IsZero() {
			for _, v := range st.Vouchers {
				if v.Number == g.VoucherNumber {
					from, to = v.ValidFrom, v.ValidTo
				}
			}
		}
		if r := l.rangeText(from, to); r != "" {
			voucher.lines = append(voucher.lines, headerLine{key: l.Validity, value: r})
		}
		u, hasUsage := usage[g.ID]
		switch g.Kind {
		case data.KindBalancePurchasingPower:
			voucher.lines = append(voucher.lines, headerLine{key: l.Balance, value: g.Amount.String()})
			if hasUsage {
				voucher.lines = append(voucher.lines,
					headerLine{key: l.BalanceUsedBefore, value: u.UsedBefore.String()},
					headerLine{key: l.BalanceUsedIn, value: u.UsedIn.String()},
					headerLine{key: l.BalanceRemaining, value: u.Remaining.String()})
			}
		default:
			voucher.lines = append(voucher.lines, headerLine{key: l.ValuePerUnit,
				value: g.VoucherUnitValue.String() + "/" + l.perUnit(svc.Unit)})
			per := l.PerMonth
			switch g.Period {
			case data.PeriodWeek:
				per = l.PerWeek
			case data.PeriodTotal:
				per = l.PerValidity
			}
			voucher.lines = append(voucher.lines, headerLine{key: l.Granted,
				value: l.quantityText(g.GrantedQuantity, svc.Unit) + " / " + per})
			for _, p := range u.Periods {
				v := l.quantityText(p.Used, svc.Unit) + " / " + l.quantityText(p.Granted, svc.Unit)
				switch {
				case g.Period == data.PeriodMonth && p.From.Day == 1 && p.To == p.From.AddDays(32).AddDays(-p.From.AddDays(32).Day):
					v = fmt.Sprintf("%d/%d: ", int(p.From.Month), p.From.Year) + v
				case len(u.Periods) > 1 || g.Period != data.PeriodTotal:
					v = l.rangeText(p.From, p.To) + ": " + v
				}
				voucher.lines = append(voucher.lines, headerLine{key: l.Used, value: v})
			}
		}
	}
	return
}

// drawBlock draws b at x,y in width w and returns its height; with draw
// false it only measures.
func (d *doc) drawBlock(b block, x, y, w float64, draw bool) float64 {
	y0 := y
	d.font(true, sizeSmall)
	hh := lineH(sizeSmall) + 0.6
	if draw {
		d.gp.SetTextColor(100, 100, 100)
		d.text(x, y, w, hh, d.clean(strings.ToUpper(b.heading)), false)
		d.gp.SetTextColor(0, 0, 0)
	}
	y += hh
	lh := lineH(sizeBody)
	keyW := 0.0
	d.font(false, sizeBody)
	for _, ln := range b.lines {
		if ln.key != "" {
			keyW = max(keyW, d.width(d.clean(ln.key+":"))+2)
		}
	}
	keyW = min(keyW, w*0.5)
	for _, ln := range b.lines {
		if ln.key == "" && ln.value == "" {
			y += lh * 0.4
			continue
		}
		vx, vw := x, w
		if ln.key != "" {
			vx, vw = x+keyW, w-keyW
			d.font(false, sizeBody)
			if draw {
				d.gp.SetTextColor(90, 90, 90)
				d.text(x, y, keyW, lh, d.clean(ln.key+":"), false)
				d.gp.SetTextColor(0, 0, 0)
			}
		}
		d.font(ln.bold, sizeBody)
		lines := d.wrap(ln.value, vw)
		if len(lines) == 0 {
			lines = []string{""}
		}
		for _, s := range lines {
			if draw {
				d.text(vx, y, vw, lh, s, false)
			}
			y += lh
		}
	}
	return y - y0
}

// row is one table row ready to draw: cell texts and the content's lines.
type row struct {
	cells     [numCols]string
	text, sub string   // content and, with several vouchers, the voucher, unwrapped
	content   []string // text and sub wrapped to the content column
	bold      bool     // the totals row
	subtotal  bool     // a month's totals
	h         float64
}

const (
	rowPadY   = 1.2 // above and below a row's text, mm
	headPadY  = 1.4
	gapBlocks = 5.0
)

// tableRows makes the rows' cells; their content is wrapped later by
// wrapContents, once the column widths are known. Under a row's content
// go, where they tell something: its service (on an all-services
// statement), its voucher (with several vouchers) and that the balance was
// used up. When the period spans months, a subtotal row follows each
// month's last row.
func (d *doc) tableRows() []row {
	st, l := d.st, d.l
	multi := len(st.Grants) > 1
	multiSvc := st.AllServices() && len(st.Services) > 1
	grantsOf := map[string]int{} // a service's grants on the statement
	for _, g := range st.Grants {
		grantsOf[g.ServiceID]++
	}
	if !multiSvc {
		grantsOf[st.Service.ID] = len(st.Grants) // rows of one service name no other
		for _, r := range st.Rows {
			grantsOf[r.ServiceID] = len(st.Grants)
		}
	}
	spans := st.SpansMonths()
	months := st.MonthlyTotals()
	d.font(false, sizeTable)
	rows := make([]row, 0, len(st.Rows)+len(months)+1)
	for i, r := range st.Rows {
		var rw row
		date := r.Date.Format()
		if r.InReview {
			date += " " + l.ReviewMark
		}
		svc := d.service(r.ServiceID)
		rw.text = r.Content
		if rw.text == "" {
			rw.text = svc.Content
		}
		var sub []string
		if multiSvc && svc.Name != "" {
			sub = append(sub, svc.Name)
		}
		if multi && r.VoucherNumber != "" && grantsOf[r.ServiceID] > 1 {
			sub = append(sub, l.VoucherNumber+" "+r.VoucherNumber)
		}
		if r.BalanceUsedUp {
			sub = append(sub, l.BalanceUsedUp)
		}
		rw.sub = strings.Join(sub, " · ")
		rw.cells = [numCols]string{
			colDate:         d.clean(date),
			colQuantity:     d.clean(l.quantityText(r.Quantity, r.Unit)),
			colUnitPrice:    d.clean(r.UnitPrice.String()),
			colPrice:        d.clean(r.Price.String()),
			colVoucherShare: d.clean(r.VoucherShare.String()),
			colCoPayment:    d.clean(r.CoPayment.String()),
		}
		rows = append(rows, rw)
		last := i == len(st.Rows)-1 || st.Rows[i+1].Date.Month != r.Date.Month || st.Rows[i+1].Date.Year != r.Date.Year
		if spans && last {
			for _, m := range months {
				if m.Year == r.Date.Year && m.Month == r.Date.Month {
					rows = append(rows, d.subtotalRow(m))
				}
			}
		}
	}
	if len(rows) == 0 {
		rows = append(rows, row{text: l.NoRows})
	}
	return rows
}

// subtotalRow is the row of one month's totals.
func (d *doc) subtotalRow(m data.MonthTotals) row {
	rw := row{subtotal: true, text: fmt.Sprintf(d.l.MonthTotal, fmt.Sprintf("%d/%d", int(m.Month), m.Year))}
	rw.cells[colPrice] = d.clean(m.Price.String())
	rw.cells[colVoucherShare] = d.clean(m.VoucherShare.String())
	rw.cells[colCoPayment] = d.clean(m.CoPayment.String())
	return rw
}

func (d *doc) totalsRow() row {
	t := d.st.Totals
	d.font(true, sizeTable)
	rw := row{bold: true, content: []string{d.clean(d.l.Total)}}
	rw.cells[colPrice] = d.clean(t.Price.String())
	rw.cells[colVoucherShare] = d.clean(t.VoucherShare.String())
	rw.cells[colCoPayment] = d.clean(t.CoPayment.String())
	rw.h = lineH(sizeTable) + 2*rowPadY + 0.6
	return rw
}

func (d *doc) headingNames() [numCols]string {
	l := d.l
	return [numCols]string{l.ColDate, l.ColContent, l.ColQuantity, l.ColUnitPrice,
		l.ColPrice, l.ColVoucherShare, l.ColCoPayment}
}

// layoutColumns sets d.colW: each column but the content is as wide as its
// widest cell or its heading on one line; when that leaves the content
// column narrower than minContentW, headings wrap at spaces instead. The
// content column takes the rest.
func (d *doc) layoutColumns(rows []row, total row) {
	var cellW, headW, wordW [numCols]float64
	d.font(false, sizeTable)
	for _, r := range rows {
		for i, s := range r.cells {
			cellW[i] = max(cellW[i], d.width(s))
		}
	}
	d.font(true, sizeTable)
	for i, s := range total.cells {
		cellW[i] = max(cellW[i], d.width(s))
	}
	for i, s := range d.headingNames() {
		s = d.clean(s)
		headW[i] = d.width(s)
		for _, w := range strings.Fields(s) {
			wordW[i] = max(wordW[i], d.width(w))
		}
	}
	fit := func(head [numCols]float64) float64 {
		rest := contentW
		for i := range d.colW {
			if i == colContent {
				continue
			}
			d.colW[i] = max(cellW[i], head[i], 12) + 2*cellPad + 1
			rest -= d.colW[i]
		}
		d.colW[colContent] = rest
		return rest
	}
	if fit(headW) < minContentW {
		fit(wordW)
	}
}

// wrapContents wraps each row's content to the content column and sets
// the row's height.
func (d *doc) wrapContents(rows []row) {
	d.font(false, sizeTable)
	lh := lineH(sizeTable)
	w := d.colW[colContent] - 2*cellPad
	for i := range rows {
		r := &rows[i]
		d.font(r.subtotal, sizeTable)
		r.content = d.wrap(r.text, w)
		if r.sub != "" {
			d.font(false, sizeTable)
			r.content = append(r.content, d.wrap(r.sub, w)...)
		}
		r.h = float64(max(1, len(r.content)))*lh + 2*rowPadY
	}
}

// headings are the table's column headings, each wrapped to its column.
func (d *doc) headings() ([numCols][]string, float64) {
	d.font(true, sizeTable)
	var out [numCols][]string
	n := 1
	for i, s := range d.headingNames() {
		out[i] = d.wrap(s, d.colW[i]-2*cellPad)
		n = max(n, len(out[i]))
	}
	return out, float64(n)*lineH(sizeTable) + 2*headPadY
}

// notes are the footnotes under the table, already wrapped.
func (d *doc) notes() ([]string, float64) {
	d.font(false, sizeSmall+0.5)
	var lines []string
	for _, r := range d.st.Rows {
		if r.InReview {
			lines = append(lines, d.wrap(d.l.ReviewMark+" "+d.l.ReviewNote, contentW)...)
			break
		}
	}
	lines = append(lines, d.wrap(d.l.TaxNote, contentW)...)
	return lines, float64(len(lines))*lineH(sizeSmall+0.5) + 4
}

// pageItems is what goes on one page.
type pageItems struct {
	rows   []row // table rows, the totals row included where it falls
	notes  bool
	header bool // the table header (false on a page of notes only)
}

func (d *doc) draw() {
	prov, cust, svc, vouch := d.headerBlocks()
	half := (contentW - 8) / 2
	// Measure the first page's header.
	d.font(true, sizeTitle)
	title := d.clean(d.l.Title)
	titleH := lineH(sizeTitle) + 3
	top1 := max(d.drawBlock(prov, 0, 0, half, false), d.drawBlock(cust, 0, 0, half, false))
	top2 := max(d.drawBlock(svc, 0, 0, half, false), d.drawBlock(vouch, 0, 0, half, false))
	firstHeaderH := titleH + top1 + gapBlocks + top2 + gapBlocks
	contHeaderH := lineH(sizeTitle2) + lineH(sizeBody) + 4

	rows := d.tableRows()
	total := d.totalsRow()
	d.layoutColumns(rows, total)
	d.wrapContents(rows)
	heads, headH := d.headings()
	notes, notesH := d.notes()
	if d.err != nil {
		return
	}

	// Paginate: rows, then totals kept with the last row, then the notes.
	var pages []pageItems
	y := marginTop + firstHeaderH + headH
	cur := pageItems{header: true}
	newPage := func(header bool) {
		pages = append(pages, cur)
		cur = pageItems{header: header}
		y = marginTop + contHeaderH
		if header {
			y += headH
		}
	}
	for i, r := range rows {
		need := r.h
		if i == len(rows)-1 {
			need += total.h // never leave the totals alone on a page
		}
		if y+need > bodyBottom && len(cur.rows) > 0 {
			newPage(true)
		}
		cur.rows = append(cur.rows, r)
		y += r.h
	}
	cur.rows = append(cur.rows, total)
	y += total.h
	if y+notesH > bodyBottom {
		newPage(false)
	}
	cur.notes = true
	pages = append(pages, cur)
	d.pages = len(pages)

	for i, p := range pages {
		d.page = i + 1
		d.gp.AddPage()
		y := marginTop
		if i == 0 {
			d.font(true, sizeTitle)
			d.text(marginX, y, contentW, lineH(sizeTitle), title, false)
			y += titleH
			d.drawBlock(prov, marginX, y, half, true)
			d.drawBlock(cust, marginX+half+8, y, half, true)
			y += top1 + gapBlocks/2
			d.rule(y, 0.2, 200)
			y += gapBlocks / 2
			d.drawBlock(svc, marginX, y, half, true)
			d.drawBlock(vouch, marginX+half+8, y, half, true)
			y += top2 + gapBlocks
		} else {
			y = d.drawContHeader(y)
		}
		if p.header {
			y = d.drawHeadings(y, heads, headH)
		}
		for _, r := range p.rows {
			y = d.drawRow(y, r)
		}
		if p.notes {
			y += 4
			d.font(false, sizeSmall+0.5)
			d.gp.SetTextColor(60, 60, 60)
			for _, s := range notes {
				d.text(marginX, y, contentW, lineH(sizeSmall+0.5), s, false)
				y += lineH(sizeSmall + 0.5)
			}
			d.gp.SetTextColor(0, 0, 0)
		}
		d.drawFooter()
	}
}

func (d *doc) rule(y, width float64, gray uint8) {
	d.gp.SetLineWidth(width)
	d.gp.SetStrokeColor(gray, gray, gray)
	d.gp.Line(marginX, y, marginX+contentW, y)
	d.gp.SetStrokeColor(0, 0, 0)
}

func (d *doc) drawContHeader(y float64) float64 {
	d.font(true, sizeTitle2)
	d.text(marginX, y, contentW, lineH(sizeTitle2), d.clean(d.l.Title+" "+d.l.Continued), false)
	y += lineH(sizeTitle2)
	c := d.st.Customer
	parts := []string{strings.TrimSpace(c.FirstNames + " " + c.LastName)}
	if c.CustomerNumber != "" {
		parts = append(parts, d.l.CustomerNumber+" "+c.CustomerNumber)
	}
	svc := d.st.Service.Name
	if d.st.AllServices() {
		svc = d.l.AllServices
	}
	parts = append(parts, svc, d.l.Period+" "+d.l.rangeText(d.st.From, d.st.To))
	d.font(false, sizeBody)
	lines := d.wrap(strings.Join(parts, "  ·  "), contentW)
	if len(lines) > 0 {
		d.text(marginX, y, contentW, lineH(sizeBody), lines[0], false)
	}
	return y + lineH(sizeBody) + 4
}

func (d *doc) drawHeadings(y float64, heads [numCols][]string, h float64) float64 {
	d.gp.SetFillColor(236, 239, 243)
	d.gp.RectFromUpperLeftWithStyle(marginX, y, contentW, h, "F")
	d.gp.SetFillColor(0, 0, 0)
	d.font(true, sizeTable)
	lh := lineH(sizeTable)
	for i, lines := range heads {
		// Headings sit on the bottom line, like the numbers under them.
		ly := y + h - headPadY - float64(len(lines))*lh
		for _, s := range lines {
			d.text(d.colX(i)+cellPad, ly, d.colW[i]-2*cellPad, lh, s, colRight[i])
			ly += lh
		}
	}
	d.rule(y+h, 0.4, 60)
	return y + h
}

func (d *doc) drawRow(y float64, r row) float64 {
	lh := lineH(sizeTable)
	ty := y + rowPadY
	if r.bold {
		d.rule(y, 0.5, 40)
		ty += 0.6
	}
	if r.subtotal {
		d.gp.SetFillColor(246, 247, 249)
		d.gp.RectFromUpperLeftWithStyle(marginX, y, contentW, r.h, "F")
		d.gp.SetFillColor(0, 0, 0)
	}
	d.font(r.bold || r.subtotal, sizeTable)
	for i := range d.colW {
		if i == colContent {
			cy := ty
			for _, s := range r.content {
				d.text(d.colX(i)+cellPad, cy, d.colW[i]-2*cellPad, lh, s, false)
				cy += lh
			}
			continue
		}
		d.text(d.colX(i)+cellPad, ty, d.colW[i]-2*cellPad, lh, r.cells[i], colRight[i])
	}
	if !r.bold {
		d.rule(y+r.h, 0.15, 205)
	}
	return y + r.h
}

func (d *doc) drawFooter() {
	y := pageH - marginBottom - footerH + 3
	d.rule(y, 0.2, 180)
	d.font(false, sizeSmall)
	d.gp.SetTextColor(90, 90, 90)
	left := d.st.Provider.Name
	if d.st.Provider.BusinessID != "" {
		left += "  ·  " + d.l.BusinessID + " " + d.st.Provider.BusinessID
	}
	lines := d.wrap(left, contentW-30)
	if len(lines) > 0 {
		d.text(marginX, y+1, contentW-30, lineH(sizeSmall), lines[0], false)
	}
	d.text(marginX+contentW-30, y+1, 30, lineH(sizeSmall), d.clean(fmt.Sprintf(d.l.Page, d.page, d.pages)), true)
	d.gp.SetTextColor(0, 0, 0)
}
