package print

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"psopdesk/data"
	"psopdesk/data/cache"
)

// fakeSource gives the scenario's statement for every customer of ids,
// under the customer of custs; gone is a customer no longer in the cache;
// empty has no rows; fail is a read that fails.
type fakeSource struct {
	st    data.Statement
	ids   []string
	custs map[string]data.Customer

	mu    sync.Mutex
	asked []string
}

func (f *fakeSource) StatementCustomers(serviceID string, month data.Date) ([]string, error) {
	if serviceID != f.st.Service.ID || month != data.NewDate(2026, 11, 1) {
		return nil, fmt.Errorf("asked for %q %v", serviceID, month)
	}
	return f.ids, nil
}

func (f *fakeSource) Statement(id, serviceID string, from, to, made data.Date) (data.Statement, error) {
	f.mu.Lock()
	f.asked = append(f.asked, id)
	f.mu.Unlock()
	switch id {
	case "gone":
		return data.Statement{}, fmt.Errorf("customer %s: %w", id, cache.ErrNotFound)
	case "fail":
		return data.Statement{}, errors.New("disk read failed")
	}
	if from != data.NewDate(2026, 11, 1) || to != data.NewDate(2026, 11, 30) || made != data.NewDate(2026, 12, 1) {
		return data.Statement{}, fmt.Errorf("asked for %v–%v made %v", from, to, made)
	}
	st := f.st
	st.Customer = f.custs[id]
	if id == "empty" {
		st.Rows = nil
	}
	return st, nil
}

func batchSource(t *testing.T, n int) *fakeSource {
	f := &fakeSource{st: scenarioStatement(t), custs: map[string]data.Customer{}}
	for i := range n {
		id := fmt.Sprintf("c%02d", i)
		f.ids = append(f.ids, id)
		f.custs[id] = data.Customer{ID: id, FirstNames: "Asiakas", LastName: fmt.Sprintf("Testi%02d", i), CustomerNumber: fmt.Sprintf("N-%02d", i)}
	}
	return f
}

// names are the names of the files in dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	out, err := fs.Glob(os.DirFS(dir), "*")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMonthBatch: every customer's PDF, named by number or name (never
// the henkilötunnus), kaikki.pdf and yhteenveto.csv; a customer without
// rows or gone from the cache skipped and counted; progress told for each
// customer, up to all of them.
func TestMonthBatch(t *testing.T) {
	src := batchSource(t, 2)
	src.ids = append(src.ids, "empty", "gone", "nonum", "hetu")
	src.custs["empty"] = data.Customer{ID: "empty", LastName: "Tyhjä", CustomerNumber: "T-1"}
	src.custs["nonum"] = data.Customer{ID: "nonum", FirstNames: "Erik", LastName: "Aalto: Jr/3", Language: "sv"}
	src.custs["hetu"] = data.Customer{ID: "hetu", FirstNames: "Väärä", LastName: "Numero", CustomerNumber: "010594Y9021"}
	dir := filepath.Join(t.TempDir(), "2026-11")
	var progress []int
	res, err := MakeMonthBatch(context.Background(), src, MonthBatch{ServiceID: "svc-home", Month: data.NewDate(2026, 11, 17),
		Made: data.NewDate(2026, 12, 1), Dir: dir, Progress: func(done, all int) {
			if all != 6 {
				t.Errorf("progress of %d customers, want 6", all)
			}
			progress = append(progress, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Made != 4 || res.Skipped != 2 || len(res.Failed) != 0 || res.Cancelled {
		t.Errorf("result %+v, want 4 made, 2 skipped", res)
	}
	if !slices.Equal(progress, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("progress %v, want 1…6", progress)
	}
	want := []string{"Aalto- Jr-3 Erik Kotihoito 2026-11.pdf", "N-00 Kotihoito 2026-11.pdf", "N-01 Kotihoito 2026-11.pdf",
		"[poistettu] Kotihoito 2026-11.pdf", "kaikki.pdf", "yhteenveto.csv"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if res.Combined != filepath.Join(dir, "kaikki.pdf") || res.Summary != filepath.Join(dir, "yhteenveto.csv") ||
		len(res.Files) != 4 || res.Files[0] != filepath.Join(dir, "N-00 Kotihoito 2026-11.pdf") {
		t.Errorf("paths %q %q %q", res.Files, res.Combined, res.Summary)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("folder %v %v, want 0700", fi, err)
	}
	raw, err := os.ReadFile(res.Summary)
	if err != nil {
		t.Fatal(err)
	}
	// Languages differ (one Swedish customer): the summary is Finnish.
	if !strings.HasPrefix(string(raw), "\ufeffAsiakasnumero;") || strings.Count(string(raw), "\r\n") != 5 {
		t.Errorf("yhteenveto.csv:\n%s", raw)
	}
	if strings.Contains(string(raw), "010594Y9021") {
		t.Error("yhteenveto.csv holds a henkilötunnus")
	}
}

// TestMonthBatchCancel: a context ended while the PDFs are written stops
// the batch: the PDFs written stay, no reserved name is left empty, no
// kaikki.pdf or yhteenveto.csv.
func TestMonthBatchCancel(t *testing.T) {
	src := batchSource(t, 30)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := MakeMonthBatch(ctx, src, MonthBatch{ServiceID: "svc-home", Month: data.NewDate(2026, 11, 1),
		Made: data.NewDate(2026, 12, 1), Dir: dir, Progress: func(done, all int) {
			if done == 2 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	got := names(t, dir)
	if !res.Cancelled || res.Made < 2 || res.Made >= 30 || res.Combined != "" || res.Summary != "" || len(got) != res.Made {
		t.Fatalf("result %+v with files %q; want cancelled after 2 or a few more", res, got)
	}
	for i, p := range res.Files {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v, want a whole PDF", p, err)
		}
		if filepath.Base(p) != got[i] {
			t.Errorf("file %d %q; in the folder %q", i, p, got)
		}
	}

	// Ended before: nothing read, nothing made.
	src.asked = nil
	res, err = MakeMonthBatch(ctx, src, MonthBatch{ServiceID: "svc-home", Month: data.NewDate(2026, 11, 1),
		Made: data.NewDate(2026, 12, 1), Dir: filepath.Join(dir, "sub")})
	if err != nil || !res.Cancelled || res.Made != 0 || len(src.asked) != 0 {
		t.Errorf("ended context: %+v %v, %d read", res, err, len(src.asked))
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ended context made the folder: %v", err)
	}
}

// TestMonthBatchFailures: a statement the font cannot print is a failure
// of its customer, the others and kaikki.pdf of them are written; a read
// that fails stops the batch with its error before anything is written;
// a second batch into the same folder overwrites nothing.
func TestMonthBatchFailures(t *testing.T) {
	src := batchSource(t, 3)
	src.custs["c01"] = data.Customer{ID: "c01", LastName: "Naama\U0001F600", CustomerNumber: "H-9"}
	dir := t.TempDir()
	b := MonthBatch{ServiceID: "svc-home", Month: data.NewDate(2026, 11, 1), Made: data.NewDate(2026, 12, 1), Dir: dir}
	res, err := MakeMonthBatch(context.Background(), src, b)
	if err != nil {
		t.Fatal(err)
	}
	var ge *GlyphError
	if res.Made != 2 || len(res.Failed) != 1 || res.Failed[0].Customer.CustomerNumber != "H-9" || !errors.As(res.Failed[0].Err, &ge) {
		t.Fatalf("result %+v, want 2 made and H-9 failed", res)
	}
	want := []string{"N-00 Kotihoito 2026-11.pdf", "N-02 Kotihoito 2026-11.pdf", "kaikki.pdf", "yhteenveto.csv"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}

	res, err = MakeMonthBatch(context.Background(), src, b)
	if err != nil || res.Combined != filepath.Join(dir, "kaikki (2).pdf") || res.Summary != filepath.Join(dir, "yhteenveto (2).csv") ||
		res.Files[0] != filepath.Join(dir, "N-00 Kotihoito 2026-11 (2).pdf") {
		t.Errorf("second batch: %+v %v", res, err)
	}

	src.ids = append([]string{"c00", "fail"}, src.ids...)
	empty := filepath.Join(dir, "fail")
	b.Dir = empty
	if _, err := MakeMonthBatch(context.Background(), src, b); err == nil || !strings.Contains(err.Error(), "disk read failed") {
		t.Errorf("a failed read: %v", err)
	}
	if _, err := os.Stat(empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed read made the folder: %v", err)
	}
}
