package print

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"psopdesk/assets"
	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
)

// Names of a month's batch's combined PDF and summary, in its folder.
const (
	CombinedName = "kaikki.pdf"
	SummaryName  = "yhteenveto.csv"
)

// StatementSource is what a statement and a month's batch read: the local
// cache (*cache.Cache) implements it, and the window's Source holds it.
// Its methods may be called from any goroutine.
type StatementSource interface {
	// StatementCustomers gives the ids of the customers with events of
	// serviceID ("" any service) dated in month (any day of it), in
	// Finnish name order.
	StatementCustomers(serviceID string, month data.Date) ([]string, error)
	// Statement makes the co-payment statement of the customer's service
	// ("" all services: one statement over them, Kaikki palvelut) for
	// from..to, inclusive; made is the date printed on it. An error
	// wrapping cache.ErrNotFound: no such customer (any more).
	Statement(customerID, serviceID string, from, to, made data.Date) (data.Statement, error)
}

var _ StatementSource = (*cache.Cache)(nil)

// MonthBatch is a month's batch of co-payment statements: what the
// window's Omavastuuerittelyt kuukaudelta… and `psopdesk statements` make,
// both through MakeMonthBatch.
type MonthBatch struct {
	ServiceID string    // "": all services (one statement per customer over them)
	Month     data.Date // any day of the month
	Made      data.Date // the date made printed on the statements
	Dir       string    // the folder written in; made (0700) when missing
	// Language of every statement, "fi", "sv" or "en"; "": each
	// customer's own (CustomerLanguage).
	Language string
	// Progress, when not nil, is told after each customer is done
	// (written, skipped or failed): done of all. It is called from the
	// batch's goroutines, one call at a time, and should return soon.
	Progress func(done, all int)
}

// BatchFailure is a customer whose statement could not be written; the
// others are written all the same.
type BatchFailure struct {
	Customer data.Customer
	Err      error
}

// BatchResult counts a batch and names its files.
type BatchResult struct {
	Made    int // statements written
	Skipped int // customers without rows in the month (e.g. only rejected events)
	Failed  []BatchFailure
	// Cancelled: the context ended the batch. The PDFs written until then
	// stay (Files); kaikki.pdf and yhteenveto.csv are not made.
	Cancelled         bool
	Files             []string // one PDF per statement written, in the customers' order
	Combined, Summary string   // paths of kaikki.pdf and yhteenveto.csv; "" when not made
}

// batchItem is one customer's statement in a batch.
type batchItem struct {
	st   data.Statement
	lang string
	path string
	err  error
	done bool // written (or failed): not a reserved name left empty
}

// MakeMonthBatch makes the batch b from src: the customers of
// StatementCustomers (Finnish name order), their month's statements (a
// statement without rows, or a customer gone meanwhile, is skipped and
// counted), then, in b.Dir, one PDF per statement, named by
// StatementFileBase; kaikki.pdf, all of them in one file for printing; and
// yhteenveto.csv, the totals per customer. kaikki.pdf and yhteenveto.csv
// are in b.Language, else the customers' one language, else Finnish. The
// PDFs are made on 2×GOMAXPROCS workers while kaikki.pdf is made beside
// them. A statement that cannot be written is a BatchFailure, and
// kaikki.pdf holds those written. No file is ever overwritten: a name
// taken gets " (2)", " (3)" …; b.Dir is made only when there is a
// statement to write. When ctx ends, the batch stops after the PDFs being
// written (they stay) and says Cancelled. The error: reading src failed,
// or b.Dir, kaikki.pdf or yhteenveto.csv could not be written.
func MakeMonthBatch(ctx context.Context, src StatementSource, b MonthBatch) (BatchResult, error) {
	var res BatchResult
	from := data.NewDate(b.Month.Year, b.Month.Month, 1)
	to := data.NewDate(b.Month.Year, b.Month.Month+1, 0)
	ids, err := src.StatementCustomers(b.ServiceID, from)
	if err != nil {
		return res, err
	}
	var mu sync.Mutex
	done := 0
	step := func() {
		mu.Lock()
		defer mu.Unlock()
		done++
		if b.Progress != nil {
			b.Progress(done, len(ids))
		}
	}
	var items []*batchItem
	for _, id := range ids {
		if ctx.Err() != nil {
			res.Cancelled = true
			return res, nil
		}
		st, err := src.Statement(id, b.ServiceID, from, to, b.Made)
		switch {
		case errors.Is(err, cache.ErrNotFound): // gone from the cache meanwhile
			res.Skipped++
			step()
		case err != nil:
			return res, err
		case len(st.Rows) == 0:
			res.Skipped++
			step()
		default:
			l := b.Language
			if l == "" {
				l = CustomerLanguage(st.Customer)
			}
			items = append(items, &batchItem{st: st, lang: l})
		}
	}
	if ctx.Err() != nil {
		res.Cancelled = true
		return res, nil
	}
	if len(items) == 0 {
		return res, nil
	}
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return res, &FileError{Path: b.Dir, Err: err}
	}
	period := fmt.Sprintf("%04d-%02d", from.Year, int(from.Month))
	removeReserved := func() {
		for _, it := range items {
			if it.path != "" && !it.done {
				os.Remove(it.path)
			}
		}
	}
	for _, it := range items {
		if it.path, err = ReserveFile(filepath.Join(b.Dir, StatementFileBase(it.st, it.lang, period)+".pdf")); err != nil {
			removeReserved()
			return res, err
		}
	}
	if res.Combined, err = ReserveFile(filepath.Join(b.Dir, CombinedName)); err != nil {
		removeReserved()
		return res, err
	}
	combinedOpt := Options{Language: batchLanguage(b.Language, items), Made: b.Made}
	statementsOf := func(items []*batchItem) []data.Statement {
		sts := make([]data.Statement, len(items))
		for i, it := range items {
			sts[i] = it.st
		}
		return sts
	}
	// The PDFs on every core, twice as many writers as cores so that one
	// waiting for the disk leaves its core to another; kaikki.pdf of all
	// of them meanwhile.
	combinedDone := make(chan error, 1)
	go func() { combinedDone <- combinedFile(ctx, res.Combined, statementsOf(items), combinedOpt) }()
	work := make(chan *batchItem)
	var wg sync.WaitGroup
	for range 2 * max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				if ctx.Err() != nil {
					continue // left reserved: removed below
				}
				it.err = StatementFile(it.path, it.st, Options{Language: it.lang, Made: b.Made})
				it.done = true
				step()
			}
		}()
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
	combinedErr := <-combinedDone

	var written []*batchItem
	for _, it := range items {
		switch {
		case !it.done:
			os.Remove(it.path) // the reserved name, not written: stopped
		case it.err != nil:
			os.Remove(it.path) // the reserved name
			res.Failed = append(res.Failed, BatchFailure{Customer: it.st.Customer, Err: it.err})
		default:
			written = append(written, it)
			res.Files = append(res.Files, it.path)
		}
	}
	res.Made = len(written)
	if ctx.Err() != nil || res.Made == 0 {
		os.Remove(res.Combined)
		res.Combined = ""
		res.Cancelled = ctx.Err() != nil
		return res, nil
	}
	sts := statementsOf(written)
	if len(res.Failed) > 0 {
		// kaikki.pdf of those written (a statement that failed fails
		// the combined file too).
		combinedErr = combinedFile(ctx, res.Combined, sts, combinedOpt)
	}
	if combinedErr != nil {
		os.Remove(res.Combined)
		res.Combined = ""
		if ctx.Err() != nil {
			res.Cancelled = true
			return res, nil
		}
		return res, combinedErr
	}
	if res.Summary, err = ReserveFile(filepath.Join(b.Dir, SummaryName)); err != nil {
		return res, err
	}
	if err := SummaryCSVFile(res.Summary, sts, Options{Language: combinedOpt.Language}); err != nil {
		os.Remove(res.Summary)
		res.Summary = ""
		return res, err
	}
	return res, nil
}

// batchLanguage is the language of kaikki.pdf and yhteenveto.csv: l when
// given, else the statements' own when they all share one, else Finnish.
func batchLanguage(l string, items []*batchItem) string {
	if l != "" {
		return l
	}
	for _, it := range items {
		if it.lang != items[0].lang {
			return "fi"
		}
	}
	return items[0].lang
}

// CustomerLabel names a customer in a file name or a message: the
// customer number, else the name (last name first); never the id or the
// henkilötunnus.
func CustomerLabel(cu data.Customer) string {
	if n := strings.TrimSpace(cu.CustomerNumber); n != "" {
		return n
	}
	return strings.TrimSpace(cu.LastName + " " + cu.FirstNames)
}

// StatementFileBase is the file name, without extension, of a statement
// in a month's batch: the customer number (else the customer's name), the
// service's name (or "Kaikki palvelut" in language) and the period
// ("2026-11"), made safe for a file name: "A-1001 Kotihoito 2026-11". It
// never holds the customer's id or henkilötunnus.
func StatementFileBase(st data.Statement, language, period string) string {
	labels := LabelsFor(language)
	who := CustomerLabel(st.Customer)
	if who == "" {
		who = labels.Customer
	}
	svc := st.Service.Name
	if st.AllServices() {
		svc = assets.Text(language, "pdf.all_services", nil)
	}
	var keep []string
	for _, p := range []string{fileSafe(who, labels.Redacted), fileSafe(svc, labels.Redacted), period} {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, " ")
}

// fileSafe makes s usable in a file name on Windows, macOS and Linux:
// characters a file system refuses (/ \ : * ? " < > | and control
// characters) become "-", runs of spaces one space, leading and trailing
// spaces and dots go, and at most 60 characters stay. A henkilötunnus
// becomes redacted.
func fileSafe(s, redacted string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune(`/\:*?"<>|`, r):
			b.WriteRune('-')
		case unicode.IsControl(r) || unicode.IsSpace(r):
			b.WriteRune(' ')
		case r == utf8.RuneError:
		default:
			b.WriteRune(r)
		}
	}
	words := strings.Fields(hetu.Redact(b.String(), redacted))
	out := strings.Trim(strings.Join(words, " "), " .")
	if rs := []rune(out); len(rs) > 60 {
		out = strings.TrimRight(string(rs[:60]), " .")
	}
	return out
}

// ReserveFile creates path empty, or when a file is there the first free
// of "name (2).ext", "name (3).ext" … (O_EXCL, so two writers never pick
// the same), and gives the path created: the caller writes over it
// (StatementFile renames its whole file over the reserved one). The
// error is a *FileError.
func ReserveFile(path string) (string, error) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for n := 1; ; n++ {
		p := path
		if n > 1 {
			p = fmt.Sprintf("%s (%d)%s", stem, n, ext)
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return p, f.Close()
		}
		if !errors.Is(err, fs.ErrExist) || n >= 10000 {
			return "", &FileError{Path: p, Err: err}
		}
	}
}
