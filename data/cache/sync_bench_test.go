package cache_test

import (
	"path/filepath"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/organizer"
	"psopdesk/sync/wire"
)

// BenchmarkSyncIndexesDemo applies the demo organizer's whole feed for
// prov-1 (2000 customers, their grants, reservations and events: a
// realistic first sync) into an empty cache, with the secondary indexes
// (bulk mode and the final BuildIndexes, as Pull does) and without any
// (rows only, no build), so that their share of a sync can be read off.
func BenchmarkSyncIndexesDemo(b *testing.B) {
	st, err := organizer.Open(filepath.Join(b.TempDir(), "org.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, data.Helsinki)
	if _, err := st.Apply(organizer.Demo(2000, organizer.DemoSeed, now), now); err != nil {
		b.Fatal(err)
	}
	var pages []wire.ChangesPage
	for after := uint64(0); ; {
		p, err := st.Changes(organizer.DemoProvider1, after, wire.DefaultPageSize)
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, p)
		after = p.Next
		if !p.More {
			break
		}
	}
	for _, with := range []bool{true, false} {
		name := "with-indexes"
		if !with {
			name = "without-indexes"
		}
		b.Run(name, func(b *testing.B) {
			cache.SetWriteIndexes(with)
			defer cache.SetWriteIndexes(true)
			var build time.Duration // of BuildIndexes, also reported alone
			for range b.N {
				b.StopTimer()
				c, err := cache.Open(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for _, p := range pages {
					if err := c.ApplyPage(p.Changes, p.Next); err != nil {
						b.Fatal(err)
					}
				}
				if with {
					t0 := time.Now()
					if err := c.BuildIndexes(); err != nil {
						b.Fatal(err)
					}
					build += time.Since(t0)
				}
				b.StopTimer()
				c.Close()
			}
			if with {
				b.ReportMetric(build.Seconds()/float64(b.N), "build-s/op")
			}
		})
	}
}
