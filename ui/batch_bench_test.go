package ui

import (
	"path/filepath"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/organizer"
)

// demoCache is a cache synced from the demo organizer's feed of prov-1
// (customers customers, the demo's seed, its clock at 1.12.2026 9.00), as
// the window's demo mode fills it.
func demoCache(tb testing.TB, customers int) *cache.Cache {
	tb.Helper()
	st, err := organizer.Open(filepath.Join(tb.TempDir(), "org.db"))
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, data.Helsinki)
	if _, err := st.Apply(organizer.Demo(customers, organizer.DemoSeed, now), now); err != nil {
		tb.Fatal(err)
	}
	c, err := cache.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	for after, more := uint64(0), true; more; {
		p, err := st.Changes(organizer.DemoProvider1, after, 500)
		if err != nil {
			tb.Fatal(err)
		}
		if err := c.ApplyPage(p.Changes, p.Next); err != nil {
			tb.Fatal(err)
		}
		after, more = p.Next, p.More
	}
	if err := c.MarkCaughtUp(); err != nil {
		tb.Fatal(err)
	}
	return c
}

// BenchmarkBatchDemo2000: the window's month batch (Ctrl+E, Kaikki
// palvelut, marraskuu 2026) over the demo's 2000 customers, from Tee
// erittelyt to the result shown: every customer's PDF, kaikki.pdf and
// yhteenveto.csv, the progress bar updated through the UI queue.
func BenchmarkBatchDemo2000(b *testing.B) {
	f := newFixtureOn(b, demoCache(b, 2000), Options{DataDir: b.TempDir(),
		Today: func() data.Date { return data.NewDate(2026, time.December, 1) }})
	f.bound = 5 * time.Minute // a loaded machine is slow; the bound only stops a broken run
	f.d.showBatch()
	f.wait(b, "batch:ready")
	bd := f.d.batch
	made := 0
	b.ResetTimer()
	for range b.N {
		bd.month.SetSelected("lokakuu 2026")
		bd.month.SetSelected("marraskuu 2026") // a fresh folder each time
		bd.startBtn.OnTapped()
		f.wait(b, "batch:done")
		made = bd.result.Made
	}
	b.StopTimer()
	if made < 500 {
		b.Fatalf("made %d statements; the demo's November has some 750", made)
	}
}
