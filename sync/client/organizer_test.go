package client_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/organizer"
)

// serveScenario runs the reference organizer on loopback with a fresh store
// holding the scenario fixture, and returns its URL and prov-1's key.
func serveScenario(t *testing.T, scenario []byte) (url, key string) {
	t.Helper()
	ds, err := organizer.LoadScenario(bytes.NewReader(scenario))
	if err != nil {
		t.Fatal(err)
	}
	st, err := organizer.Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, data.Helsinki)
	if _, err := st.Apply(ds, now); err != nil {
		t.Fatal(err)
	}
	if key, err = st.CreateKey("prov-1", "test", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	run, err := organizer.Start(context.Background(), "127.0.0.1:0", st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	return run.URL, key
}

// TestPullFromReferenceOrganizer: the real server and the real client agree
// on the contract, and the scenario's statement comes out of the cache.
func TestPullFromReferenceOrganizer(t *testing.T) {
	url, key := serveScenario(t, organizer.ScenarioSmall)
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := client.NewClient(url, key).Pull(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	cust, err := c.CustomerByNumber("A-1001")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Statement(cust.ID, "svc-home", data.MustDate("2026-11-01"), data.MustDate("2026-11-30"), data.MustDate("2026-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Totals.CoPayment != 4713 || st.Totals.Price != 30813 || st.Totals.VoucherShare != 26100 {
		t.Errorf("statement totals %+v, want 30813/26100/4713", st.Totals)
	}
}

// TestNewFeedEmptiesCache: a cache filled from one server, then pointed at
// another (or at a server whose data was reset), holds only the new
// server's data afterwards, instead of mixing both under an old cursor.
func TestNewFeedEmptiesCache(t *testing.T) {
	dir := t.TempDir()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	url1, key1 := serveScenario(t, organizer.ScenarioSmall)
	if _, err := client.NewClient(url1, key1).Pull(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	if res, _ := c.Search("Ääpälä", 0); len(res) != 1 {
		t.Fatalf("first server: search found %d, want 1", len(res))
	}

	// The second server's scenario names the customer differently.
	other, err := os.ReadFile("../../testdata/fixtures/scenario-small.json")
	if err != nil {
		t.Fatal(err)
	}
	other = bytes.ReplaceAll(other, []byte("Ääpälä"), []byte("Öhman"))
	url2, key2 := serveScenario(t, other)
	p, err := client.NewClient(url2, key2).Pull(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := c.Search("Ääpälä", 0); len(res) != 0 {
		t.Errorf("after switching servers the old server's customer is still cached")
	}
	if res, _ := c.Search("Öhman", 0); len(res) != 1 {
		t.Errorf("after switching servers: search for the new server's customer found %d, want 1", len(res))
	}
	if cur, _ := c.Cursor(); cur != p.Cursor || cur == 0 {
		t.Errorf("cursor %d, pull reported %d", cur, p.Cursor)
	}
}

// BenchmarkPullDemo2000 measures the first sync of the demo organizer's
// 2000-customer feed for prov-1 (about 76 000 changes) into an empty cache,
// over real HTTP on loopback.
func BenchmarkPullDemo2000(b *testing.B) {
	run, err := organizer.StartDemo(context.Background(), b.TempDir(), 2000)
	if err != nil {
		b.Fatal(err)
	}
	defer run.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c, err := cache.Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		p, err := client.NewClient(run.URL, run.Keys["prov-1"]).Pull(context.Background(), c, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(p.Changes), "changes/op")
		c.Close()
		b.StartTimer()
	}
}
