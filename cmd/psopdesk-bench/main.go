// Command psopdesk-bench measures the first sync of a large provider
// (issue 9): it starts the reference organizer with the demo data set of
// -customers customers (organizer.StartDemo), builds psopdesk into a
// temporary folder and runs `psopdesk sync` against it as a process of its
// own into an empty cache, sampling that process's memory, and then
// measures the floor: the same records' bytes, all fetched into memory
// first, written with plain bbolt puts into an empty file in as many
// transactions as the sync's pages, with no parsing and no index.
//
// Usage:
//
//	go run ./cmd/psopdesk-bench [-customers 50000] [-psopdesk BINARY] [-keep] [-cpuprofile FILE] [-compare BIN,… [-rounds N]]
//
// It prints one line:
//
//	sync_s=… floor_s=… ratio=… peak_rss_mb=… peak_anon_mb=… cache_mb=…
//
// sync_s is the wall time of the `psopdesk sync` process (start to exit),
// floor_s that of the plain puts (open to close), ratio sync_s/floor_s,
// peak_rss_mb the process's peak resident set (VmHWM of /proc/PID/status,
// which counts the cache file's mapped pages too; getrusage's maxrss
// would count this process's own memory at the fork), peak_anon_mb the
// largest of its private anonymous memory (RssAnon) sampled every 20 ms, cache_mb the cache file's size after the sync. Progress goes to
// stderr. -cpuprofile makes the sync process write a CPU profile there
// (PSOPDESK_CPUPROFILE).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/sync/client"
	"psopdesk/sync/organizer"
	"psopdesk/sync/wire"
)

func main() {
	fs := flag.NewFlagSet("psopdesk-bench", flag.ExitOnError)
	var cfg config
	fs.IntVar(&cfg.customers, "customers", 50000, "customers of the demo data set")
	fs.StringVar(&cfg.binary, "psopdesk", "", "a psopdesk binary to run (default: build ./cmd/psopdesk into a temporary folder)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder (its path goes to stderr)")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write the sync process's CPU profile to this file")
	fs.StringVar(&cfg.compare, "compare", "", "comma-separated psopdesk binaries whose syncs are also measured, each into an empty cache, against the same organizer after the first sync (lines to stderr)")
	fs.IntVar(&cfg.rounds, "rounds", 1, "with -compare: rounds of the first binary's and the compared binaries' syncs, in turn")
	_ = fs.Parse(os.Args[1:])
	res, err := run(context.Background(), cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "psopdesk-bench:", err)
		os.Exit(1)
	}
	fmt.Println(res)
}

// config is what a run measures.
type config struct {
	customers  int
	binary     string // "" builds psopdesk
	keep       bool
	cpuProfile string
	compare    string // binaries also measured, comma-separated
	rounds     int
}

// result is one run's figures.
type result struct {
	syncS, floorS         float64
	peakRSSMB, peakAnonMB float64
	cacheMB               float64
	changes, pages        int
}

// String is the one line the command prints.
func (r result) String() string {
	return fmt.Sprintf("sync_s=%.2f floor_s=%.2f ratio=%.2f peak_rss_mb=%.0f peak_anon_mb=%.0f cache_mb=%.0f",
		r.syncS, r.floorS, r.syncS/r.floorS, r.peakRSSMB, r.peakAnonMB, r.cacheMB)
}

// run does the whole measurement, logging progress to log.
func run(ctx context.Context, cfg config, log io.Writer) (result, error) {
	var res result
	tmp, err := os.MkdirTemp("", "psopdesk-bench-")
	if err != nil {
		return res, err
	}
	if cfg.keep {
		fmt.Fprintln(log, "temporary folder:", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := cfg.binary
	if bin == "" {
		bin = filepath.Join(tmp, "psopdesk")
		t0 := time.Now()
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "psopdesk/cmd/psopdesk")
		build.Stdout, build.Stderr = log, log
		if err := build.Run(); err != nil {
			return res, fmt.Errorf("build psopdesk: %w", err)
		}
		fmt.Fprintf(log, "built psopdesk in %.1f s\n", time.Since(t0).Seconds())
	}

	t0 := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	org, err := organizer.StartDemo(ctx, filepath.Join(tmp, "organizer"), cfg.customers)
	if err != nil {
		return res, fmt.Errorf("start the demo organizer: %w", err)
	}
	defer org.Close()
	key := org.Keys[organizer.DemoProvider1]
	keyFile := filepath.Join(tmp, "key")
	if err := os.WriteFile(keyFile, []byte(key+"\n"), 0o600); err != nil {
		return res, err
	}
	fmt.Fprintf(log, "demo organizer with %d customers up in %.1f s at %s\n", cfg.customers, time.Since(t0).Seconds(), org.URL)

	cacheDir := filepath.Join(tmp, "cache")
	if err := measureSync(ctx, &res, bin, cacheDir, org.URL, keyFile, cfg.cpuProfile, log); err != nil {
		return res, err
	}
	fi, err := os.Stat(filepath.Join(cacheDir, "cache.db"))
	if err != nil {
		return res, err
	}
	res.cacheMB = float64(fi.Size()) / (1 << 20)
	if err := compareSyncs(ctx, cfg, bin, tmp, org.URL, keyFile, log); err != nil {
		return res, err
	}

	var served time.Duration
	pages, err := fetchAll(ctx, org.URL, key, &served)
	if err != nil {
		return res, fmt.Errorf("fetch the feed for the floor: %w", err)
	}
	for _, p := range pages {
		res.changes += len(p)
	}
	res.pages = len(pages)
	// Not part of the floor: how long the organizer took to serve the
	// feed, page after page (request to last byte, decoding not counted).
	fmt.Fprintf(log, "floor: %d changes in %d pages of %d, served in %.1f s\n", res.changes, res.pages, client.FirstSyncPageSize, served.Seconds())
	floorDB := filepath.Join(tmp, "floor.db")
	if res.floorS, err = floor(floorDB, pages); err != nil {
		return res, fmt.Errorf("floor: %w", err)
	}
	if fi, err := os.Stat(floorDB); err == nil {
		fmt.Fprintf(log, "floor file: %.0f MB\n", float64(fi.Size())/(1<<20))
	}
	return res, nil
}

// compareSyncs measures the syncs of the binaries of cfg.compare and of
// bin, in turn, cfg.rounds times, against the same organizer at url: on
// a shared machine, figures of runs minutes apart are hard to compare.
func compareSyncs(ctx context.Context, cfg config, bin, tmp, url, keyFile string, log io.Writer) error {
	if cfg.compare == "" {
		return nil
	}
	bins := append([]string{bin}, strings.Split(cfg.compare, ",")...)
	for r := range max(cfg.rounds, 1) {
		for i, b := range bins {
			if r == 0 && i == 0 {
				continue // the first sync
			}
			dir := filepath.Join(tmp, fmt.Sprintf("compare-%d-%d", r, i))
			var res result
			if err := measureSync(ctx, &res, b, dir, url, keyFile, "", io.Discard); err != nil {
				return fmt.Errorf("%s: %w", b, err)
			}
			fmt.Fprintf(log, "compare round %d %s: sync_s=%.2f peak_anon_mb=%.0f\n", r+1, b, res.syncS, res.peakAnonMB)
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// measureSync runs `psopdesk sync` into the empty cacheDir and fills
// res's sync time and memory peaks.
func measureSync(ctx context.Context, res *result, bin, cacheDir, url, keyFile, cpuProfile string, log io.Writer) error {
	cmd := exec.CommandContext(ctx, bin, "sync", "-cache", cacheDir, "-server", url, "-api-key-file", keyFile)
	cmd.Env = os.Environ()
	if cpuProfile != "" {
		abs, err := filepath.Abs(cpuProfile)
		if err != nil {
			return err
		}
		cmd.Env = append(cmd.Env, "PSOPDESK_CPUPROFILE="+abs)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start psopdesk sync: %w", err)
	}
	done := make(chan struct{})
	peaks := make(chan [2]uint64, 1)
	go func() {
		var hwm, anon uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			kb := statusKB(status, "VmHWM:", "RssAnon:")
			hwm, anon = max(hwm, kb[0]), max(anon, kb[1])
			select {
			case <-done:
				peaks <- [2]uint64{hwm, anon}
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	res.syncS = time.Since(t0).Seconds()
	close(done)
	p := <-peaks
	res.peakRSSMB, res.peakAnonMB = float64(p[0])/1024, float64(p[1])/1024
	fmt.Fprint(log, out.String())
	if err != nil {
		return fmt.Errorf("psopdesk sync: %w", err)
	}
	return nil
}

// statusKB reads "Name:   123 kB" lines of a /proc/PID/status file, the
// value of each of names (0 when absent or unreadable).
func statusKB(path string, names ...string) []uint64 {
	out := make([]uint64, len(names))
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for line := range strings.Lines(string(b)) {
		for i, name := range names {
			if rest, ok := strings.CutPrefix(line, name); ok {
				out[i], _ = strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			}
		}
	}
	return out
}

// record is one change of the floor: its bucket, key and bytes (nil for
// a delete).
type record struct {
	kind wire.Kind
	id   string
	data []byte
}

// fetchAll reads the whole feed into memory, a page per element, in pages
// of the first sync's size; it adds the time of the requests (to their
// body's last byte) to served.
func fetchAll(ctx context.Context, url, key string, served *time.Duration) ([][]record, error) {
	var pages [][]record
	for after := uint64(0); ; {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet,
			fmt.Sprintf("%s%s?after=%d&limit=%d", url, wire.PathChanges, after, client.FirstSyncPageSize), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		*served += time.Since(t0)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		var p wire.ChangesPage
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, err
		}
		recs := make([]record, len(p.Changes))
		for i, c := range p.Changes {
			recs[i] = record{kind: c.Kind, id: c.ID}
			if c.Op == wire.OpPut {
				recs[i].data = c.Data
			}
		}
		pages = append(pages, recs)
		if !p.More {
			return pages, nil
		}
		if p.Next <= after {
			return nil, errors.New("the feed's cursor does not advance")
		}
		after = p.Next
	}
}

// floor writes pages into a new bbolt file at path with plain puts (a
// bucket per kind, the id as key), one transaction per page, and gives
// the seconds from open to close.
func floor(path string, pages [][]record) (float64, error) {
	t0 := time.Now()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return 0, err
	}
	for _, p := range pages {
		err := db.Update(func(tx *bolt.Tx) error {
			for _, r := range p {
				b, err := tx.CreateBucketIfNotExists([]byte(r.kind))
				if err != nil {
					return err
				}
				if r.data == nil {
					err = b.Delete([]byte(r.id))
				} else {
					err = b.Put([]byte(r.id), r.data)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			db.Close()
			return 0, err
		}
	}
	if err := db.Close(); err != nil {
		return 0, err
	}
	return time.Since(t0).Seconds(), nil
}
