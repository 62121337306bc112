package client

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"psopdesk/data/cache"
	"psopdesk/data/feedgen"
	"psopdesk/sync/wire"
)

// BenchmarkDelta100Events50k times a delta end to end: a Pull that
// fetches one page of 100 changed events over loopback HTTP and applies
// it to a cache of 50,000 customers (feedgen: each with a voucher, a
// grant, a reservation and 10 events, 650,002 rows, indexes built).
// Reported: ms/op and the slowest op (max-ms). Target (issue 9): 50 ms.
func BenchmarkDelta100Events50k(b *testing.B) {
	const customers, events = 50000, 10
	c, err := cache.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, p := range feedgen.Pages(customers, events, wire.MaxPageSize) {
		if err := c.ApplyPage(p.Changes, p.Next); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.BuildIndexes(); err != nil {
		b.Fatal(err)
	}
	version := int64(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseUint(r.URL.Query().Get("after"), 10, 64)
		version++
		changes := feedgen.EventEdits(customers, events, 100, after, version)
		writeJSON(w, http.StatusOK, wire.ChangesPage{Changes: changes, Next: after + 100, Head: after + 100})
	}))
	defer srv.Close()
	cl := NewClient(srv.URL, testKey)
	var slowest time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		p, err := cl.Pull(b.Context(), c, nil)
		if err != nil {
			b.Fatal(err)
		}
		if p.Changes != 100 || !p.Done {
			b.Fatalf("pulled %+v", p)
		}
		slowest = max(slowest, time.Since(t0))
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "max-ms")
}
