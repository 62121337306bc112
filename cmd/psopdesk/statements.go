package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"psopdesk/assets"
	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
	"psopdesk/ui"
	"psopdesk/ui/print"
)

// Names of the batch's combined PDF and summary, in -out.
const (
	combinedName = "kaikki.pdf"
	summaryName  = "yhteenveto.csv"
)

// cmdStatements makes the co-payment statements of a month: one PDF per
// customer with events of the service (or of all services) in the month,
// one combined PDF for printing (kaikki.pdf) and a summary CSV
// (yhteenveto.csv), in -out. Customers whose statement has no rows are
// skipped and counted. It fails (exit 1) when no statement was made or one
// could not be written; the others are written all the same.
func cmdStatements(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("statements", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	service := fs.String("service", "", lang.L("the service's name, e.g. Kotihoito, or all for all services"))
	monthS := fs.String("month", "", lang.L("the month, YYYY-MM, e.g. 2026-11"))
	outDir := fs.String("out", "", lang.L("the folder to write the statements in (made when missing)"))
	pdfLang := fs.String("lang", "", lang.L("the statements' language: fi, sv or en (default: each customer's own)"))
	now := nowFlag(fs)
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *service == "" || *monthS == "" || *outDir == "" {
		return usageError{lang.L("give -service (a name or all), -month YYYY-MM and -out FOLDER")}
	}
	month, ok := parseMonth(*monthS)
	if !ok {
		return usageError{lang.L("-month {{.Month}} is not a month: give it as YYYY-MM, e.g. 2026-11", map[string]any{"Month": *monthS})}
	}
	if err := checkStatementLang(*pdfLang, true); err != nil {
		return err
	}
	c, err := openCacheCLI(*dir, false)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := requireData(c, *dir); err != nil {
		return err
	}
	svc, err := findService(c, *service)
	if err != nil {
		return err
	}
	res, err := makeMonthStatements(c, batchRequest{
		service: svc, month: month, made: now.Today(),
		outDir: *outDir, lang: *pdfLang,
	}, stderr)
	if err != nil {
		return err
	}
	what := svc.Name
	if svc.ID == "" {
		what = lang.L("all services")
	}
	if res.made == 0 {
		if res.failed > 0 {
			return failure{lang.L("no statement could be written: see the messages above")}
		}
		return failure{lang.L("no statements made: no customer has events of {{.Service}} on a statement in {{.Month}} ({{.Skipped}} skipped)",
			map[string]any{"Service": what, "Month": *monthS, "Skipped": res.skipped})}
	}
	fmt.Fprintln(stdout, lang.L("statements of {{.Service}} {{.Month}}: {{.Made}} made, {{.Skipped}} skipped (no rows), {{.Failed}} failed -> {{.Dir}} ({{.Combined}}, {{.Summary}})",
		map[string]any{"Service": what, "Month": *monthS, "Made": res.made, "Skipped": res.skipped, "Failed": res.failed,
			"Dir": *outDir, "Combined": filepath.Base(res.combined), "Summary": filepath.Base(res.summary)}))
	if res.failed > 0 {
		return refusedError{}
	}
	return nil
}

// parseMonth reads "YYYY-MM" as the month's first day.
func parseMonth(s string) (data.Date, bool) {
	var y, m int
	var rest string
	s = strings.TrimSpace(s)
	if len(s) != 7 || s[4] != '-' {
		return data.Date{}, false
	}
	if n, _ := fmt.Sscanf(s, "%4d-%2d%s", &y, &m, &rest); n != 2 || y < 1900 || m < 1 || m > 12 {
		return data.Date{}, false
	}
	return data.NewDate(y, time.Month(m), 1), true
}

// checkStatementLang refuses a -lang other than fi, sv, en (or "" when
// empty is allowed).
func checkStatementLang(l string, emptyOK bool) error {
	switch l {
	case "fi", "sv", "en":
		return nil
	case "":
		if emptyOK {
			return nil
		}
	}
	return usageError{lang.L("-lang {{.Lang}}: give fi, sv or en", map[string]any{"Lang": l})}
}

// customerLang is the language of cu's statements: l when given, else the
// customer's own (print.CustomerLanguage).
func customerLang(l string, cu data.Customer) string {
	if l != "" {
		return l
	}
	return print.CustomerLanguage(cu)
}

// requireData refuses a cache never synced, as statement does.
func requireData(c *cache.Cache, dir string) error {
	if cur, err := c.Cursor(); err != nil {
		return err
	} else if cur == 0 {
		return failure{lang.L("the cache {{.Dir}} holds no data yet: fetch it first with psopdesk sync (or open PSOP Desk)", map[string]any{"Dir": dir})}
	}
	return nil
}

// findService finds the service of -service: "all" or "kaikki" (any case)
// gives the zero Service (all the customer's services); an unknown name is
// a failure naming the services there are.
func findService(c *cache.Cache, name string) (data.Service, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "all", "kaikki", "alla":
		return data.Service{}, nil
	}
	svc, err := c.ServiceByName(name)
	if errors.Is(err, cache.ErrNotFound) {
		var names []string
		if all, lerr := c.Services(); lerr == nil {
			for _, s := range all {
				names = append(names, s.Name)
			}
		}
		return svc, failure{lang.L("no service {{.Name}}; the services: {{.All}}", map[string]any{"Name": name, "All": strings.Join(names, ", ")})}
	}
	return svc, err
}

// batchRequest is a month's batch of statements.
type batchRequest struct {
	service data.Service // zero: all services
	month   data.Date    // any day of the month
	made    data.Date
	outDir  string
	lang    string // "" = each customer's own
}

// batchResult counts a batch and names its files.
type batchResult struct {
	made, skipped, failed int
	files                 []string // one PDF per customer made, in the customers' order
	combined, summary     string
}

// batchItem is one customer's statement in a batch.
type batchItem struct {
	st   data.Statement
	lang string
	path string
	err  error
}

// makeMonthStatements makes the batch: the customers from the cache's
// month index (Finnish name order), their statements (skipping those
// without rows), one PDF each, the combined PDF of those written and the
// summary. A statement that cannot be written is told on stderr (by the
// customer's number or name) and counted as failed. No file is ever
// overwritten: a name taken gets " (2)", " (3)" …
func makeMonthStatements(c *cache.Cache, r batchRequest, stderr io.Writer) (batchResult, error) {
	var res batchResult
	from := data.NewDate(r.month.Year, r.month.Month, 1)
	to := data.NewDate(r.month.Year, r.month.Month+1, 0)
	ids, err := c.StatementCustomers(r.service.ID, from)
	if err != nil {
		return res, err
	}
	var items []*batchItem
	for _, id := range ids {
		st, err := c.Statement(id, r.service.ID, from, to, r.made)
		if errors.Is(err, cache.ErrNotFound) {
			res.skipped++ // gone from the cache meanwhile
			continue
		}
		if err != nil {
			return res, err
		}
		if len(st.Rows) == 0 {
			res.skipped++
			continue
		}
		items = append(items, &batchItem{st: st, lang: customerLang(r.lang, st.Customer)})
	}
	if len(items) == 0 {
		return res, nil
	}
	if err := os.MkdirAll(r.outDir, 0o700); err != nil {
		return res, &print.FileError{Path: r.outDir, Err: err}
	}
	month := fmt.Sprintf("%04d-%02d", from.Year, int(from.Month))
	for _, it := range items {
		base := statementFileBase(it.st, it.lang, month)
		if it.path, err = reserveFile(r.outDir, base, ".pdf"); err != nil {
			return res, err
		}
	}
	if res.combined, err = reserveFile(r.outDir, strings.TrimSuffix(combinedName, ".pdf"), ".pdf"); err != nil {
		return res, err
	}
	combinedOpt := print.Options{Language: combinedLang(r.lang, items), Made: r.made}
	statementsOf := func(items []*batchItem) []data.Statement {
		sts := make([]data.Statement, len(items))
		for i, it := range items {
			sts[i] = it.st
		}
		return sts
	}
	// The PDFs on every core, twice as many writers as cores so that one
	// waiting for the disk leaves its core to another; the combined PDF of
	// all of them meanwhile.
	combinedDone := make(chan error, 1)
	go func() { combinedDone <- print.CombinedStatementsFile(res.combined, statementsOf(items), combinedOpt) }()
	work := make(chan *batchItem)
	var wg sync.WaitGroup
	for range 2 * max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				it.err = print.StatementFile(it.path, it.st, print.Options{Language: it.lang, Made: r.made})
			}
		}()
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
	combinedErr := <-combinedDone

	var done []*batchItem
	for _, it := range items {
		if it.err != nil {
			os.Remove(it.path) // the reserved name
			res.failed++
			fmt.Fprintf(stderr, "psopdesk statements: %s: %s\n", customerLabel(it.st.Customer), printSentence(it.err))
			continue
		}
		done = append(done, it)
		res.files = append(res.files, it.path)
	}
	res.made = len(done)
	if res.made == 0 {
		os.Remove(res.combined)
		res.combined = ""
		return res, nil
	}
	sts := statementsOf(done)
	if res.failed > 0 {
		// The combined PDF of those written (a statement that failed fails
		// the combined file too).
		combinedErr = print.CombinedStatementsFile(res.combined, sts, combinedOpt)
	}
	if combinedErr != nil {
		os.Remove(res.combined)
		return res, combinedErr
	}
	if res.summary, err = reserveFile(r.outDir, strings.TrimSuffix(summaryName, ".csv"), ".csv"); err != nil {
		return res, err
	}
	if err := print.SummaryCSVFile(res.summary, sts, print.Options{Language: combinedOpt.Language}); err != nil {
		os.Remove(res.summary)
		return res, err
	}
	return res, nil
}

// printSentence is the sentence of a statement that could not be written.
func printSentence(err error) string {
	var ge *print.GlyphError
	if errors.As(err, &ge) {
		return lang.L("the character U+{{.Code}} cannot be printed (the font lacks it): correct it in the data and make the statements again",
			map[string]any{"Code": fmt.Sprintf("%04X", ge.Rune)})
	}
	return ui.Sentence(err)
}

// combinedLang is the language of the combined PDF and the summary: -lang
// when given, else the customers' own when they all share one, else
// Finnish.
func combinedLang(l string, items []*batchItem) string {
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

// customerLabel names a customer in a message: the customer number, else
// the name; never the id or the henkilötunnus.
func customerLabel(cu data.Customer) string {
	if n := strings.TrimSpace(cu.CustomerNumber); n != "" {
		return n
	}
	return strings.TrimSpace(cu.LastName + " " + cu.FirstNames)
}

// statementFileBase is a statement's file name without extension:
// the customer number (else the customer's name), the service's name (or
// "Kaikki palvelut") and the period ("2026-11"), made safe for a file
// name. It never holds the customer's id or henkilötunnus.
func statementFileBase(st data.Statement, language, period string) string {
	labels := print.LabelsFor(language)
	who := customerLabel(st.Customer)
	if who == "" {
		who = labels.Customer
	}
	svc := st.Service.Name
	if st.Service.ID == "" {
		svc = assets.Text(language, "pdf.all_services", nil)
	}
	parts := []string{fileSafe(who, labels.Redacted), fileSafe(svc, labels.Redacted), period}
	var keep []string
	for _, p := range parts {
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

// reserveFile creates dir/base+ext, or when that is taken dir/base (2)+ext,
// base (3)+ext …, empty and only for this process (O_EXCL), and returns
// its path: the caller writes it (print.StatementFile renames its whole
// file over the reserved one).
func reserveFile(dir, base, ext string) (string, error) {
	for n := 1; ; n++ {
		name := base + ext
		if n > 1 {
			name = fmt.Sprintf("%s (%d)%s", base, n, ext)
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			return path, f.Close()
		}
		if !errors.Is(err, fs.ErrExist) || n >= 1000 {
			return "", &print.FileError{Path: path, Err: err}
		}
	}
}
