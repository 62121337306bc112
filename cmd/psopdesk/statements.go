package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/ui"
	"psopdesk/ui/print"
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
	res, err := print.MakeMonthBatch(context.Background(), c, print.MonthBatch{
		ServiceID: svc.ID, Month: month, Made: now.Today(), Dir: *outDir, Language: *pdfLang,
	})
	for _, f := range res.Failed {
		fmt.Fprintf(stderr, "psopdesk statements: %s: %s\n", print.CustomerLabel(f.Customer), printSentence(f.Err))
	}
	if err != nil {
		return err
	}
	what := svc.Name
	if svc.ID == "" {
		what = lang.L("all services")
	}
	if res.Made == 0 {
		if len(res.Failed) > 0 {
			return failure{lang.L("no statement could be written: see the messages above")}
		}
		return failure{lang.L("no statements made: no customer has events of {{.Service}} on a statement in {{.Month}} ({{.Skipped}} skipped)",
			map[string]any{"Service": what, "Month": *monthS, "Skipped": res.Skipped})}
	}
	fmt.Fprintln(stdout, lang.L("statements of {{.Service}} {{.Month}}: {{.Made}} made, {{.Skipped}} skipped (no rows), {{.Failed}} failed -> {{.Dir}} ({{.Combined}}, {{.Summary}})",
		map[string]any{"Service": what, "Month": *monthS, "Made": res.Made, "Skipped": res.Skipped, "Failed": len(res.Failed),
			"Dir": *outDir, "Combined": filepath.Base(res.Combined), "Summary": filepath.Base(res.Summary)}))
	if len(res.Failed) > 0 {
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

// printSentence is the sentence of a statement that could not be written.
func printSentence(err error) string {
	var ge *print.GlyphError
	if errors.As(err, &ge) {
		return lang.L("the character U+{{.Code}} cannot be printed (the font lacks it): correct it in the data and make the statements again",
			map[string]any{"Code": fmt.Sprintf("%04X", ge.Rune)})
	}
	return ui.Sentence(err)
}
