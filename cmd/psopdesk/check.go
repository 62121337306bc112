package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"

	"psopdesk/data/cache"
)

// cmdCheck checks the cache at -cache (cache.Check: bbolt's full check,
// the rows, the indexes both ways) without changing it. A sound cache
// prints one line, "ok " and the digest of its content (the same for two
// caches synced from the same feed); otherwise one line per problem, by
// bucket and row id only (never a name or a henkilötunnus), then exit 1
// with what to do.
func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("cache", defaultCacheDir(), lang.L("cache folder"))
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	res, err := cache.Check(*dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return failure{lang.L("there is no PSOP Desk cache in {{.Dir}}: fetch the data first with psopdesk sync, or give the folder with -cache (the demo's is {{.Demo}})",
			map[string]any{"Dir": *dir, "Demo": demoCacheDir()})}
	case errors.Is(err, cache.ErrLocked):
		return lockedFailure(*dir)
	case err != nil:
		return err
	}
	if len(res.Problems) == 0 {
		fmt.Fprintln(stdout, "ok "+res.Digest)
		return nil
	}
	if len(res.Problems) == 1 && res.Problems[0].Code == cache.ProblemVersion {
		return failure{lang.L("the cache {{.Dir}} was made by another version of PSOP Desk: the next psopdesk sync (or opening PSOP Desk) fetches its data again; the changes waiting to be sent are kept",
			map[string]any{"Dir": *dir})}
	}
	for _, p := range res.Problems {
		fmt.Fprintln(stdout, problemLine(p))
	}
	return failure{damagedCLISentence(*dir)}
}

// lockedFailure is the sentence of a cache held by a running PSOP Desk.
func lockedFailure(dir string) failure {
	return failure{lang.L("the cache {{.Dir}} is in use by a running PSOP Desk: close the window, or run the command when it is closed",
		map[string]any{"Dir": dir})}
}

// damagedCLISentence tells a command line's user that the cache is damaged
// and how to rebuild it.
func damagedCLISentence(dir string) string {
	return lang.L("the local cache {{.Dir}} is damaged: rebuild it with psopdesk sync -rebuild -cache {{.Dir}} (with -server and -api-key-file); the changes waiting to be sent are kept",
		map[string]any{"Dir": dir})
}

// problemLine is one line of `psopdesk check` for p.
func problemLine(p cache.Problem) string {
	f := map[string]any{"Bucket": p.Bucket, "Rows": p.Rows, "ID": p.ID, "Detail": p.Detail}
	switch p.Code {
	case cache.ProblemDamaged:
		switch p.Detail {
		case cache.DamageTruncated:
			return lang.L("the cache file is shorter than its header says: it has been cut short")
		case cache.DamageMeta:
			return lang.L("the cache file's header pages are damaged, or it is not a PSOP Desk cache")
		}
		return lang.L("a page of the cache file is damaged")
	case cache.ProblemStore:
		return lang.L("the cache file's structure is inconsistent: {{.Detail}}", f)
	case cache.ProblemSchema:
		return lang.L("bucket {{.Bucket}} is missing", f)
	case cache.ProblemVersion:
		return lang.L("the cache file was made by another version of PSOP Desk")
	case cache.ProblemRow:
		return lang.L("{{.Bucket}}/{{.ID}}: the row cannot be read", f)
	case cache.ProblemIndexMissing:
		return lang.L("{{.Rows}}/{{.ID}}: its entry in the index {{.Bucket}} is missing or wrong", f)
	case cache.ProblemIndexExtra:
		return lang.L("index {{.Bucket}}: an entry of {{.Rows}}/{{.ID}} that no row gives", f)
	}
	return p.Code
}

// rebuildCacheCLI is `psopdesk sync -rebuild`: the cache dir opened (c,
// err of openCacheCLI) is made anew (cache.Rebuild), the outbox kept.
func rebuildCacheCLI(c *cache.Cache, err error, dir string, stderr io.Writer) (*cache.Cache, error) {
	switch {
	case err == nil:
		err = c.Rebuild()
	case errors.Is(err, cache.ErrDamaged):
		c, err = cache.Rebuild(dir)
		if errors.Is(err, cache.ErrLocked) {
			return nil, lockedFailure(dir)
		}
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stderr, "psopdesk sync:", lang.L("the cache was made anew; fetching everything"))
	return c, nil
}

// cacheFlag is the -cache folder of a command's arguments (the default
// when not given), for a sentence.
func cacheFlag(args []string) string {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimLeft(a, "-")
		if a == "cache" && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "cache="); ok {
			return v
		}
	}
	return defaultCacheDir()
}
