package cache_test

import (
	"testing"
	"time"

	"psopdesk/data/cache"
	"psopdesk/data/feedgen"
	"psopdesk/sync/wire"
)

// BenchmarkOpen50kSearch times the desk's start on an existing cache of
// 50,000 customers (feedgen: each with a voucher, a grant, a reservation
// and 10 events, indexes built): open the cache and run the search page's
// first search (a name prefix, 201 hits at most, as ui's search asks),
// then close. The file is in the system's cache (a warm start).
// Reported: ms/op and the slowest op (max-ms). Target (issue 9): 1 s.
func BenchmarkOpen50kSearch(b *testing.B) {
	dir := b.TempDir()
	c, err := cache.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range feedgen.Pages(50000, 10, wire.MaxPageSize) {
		if err := c.ApplyPage(p.Changes, p.Next); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.BuildIndexes(); err != nil {
		b.Fatal(err)
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	var slowest time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		c, err := cache.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		hits, err := c.SearchHits("virta", 201)
		if err != nil || len(hits) == 0 {
			b.Fatalf("%d hits, %v", len(hits), err)
		}
		if err := c.Close(); err != nil {
			b.Fatal(err)
		}
		slowest = max(slowest, time.Since(t0))
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "max-ms")
}
