package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/organizer"
)

// movableClock is an organizer clock a test sets.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// rawFeed reads the whole feed from after=0 over HTTP and returns the
// bodies of its pages, as a fresh client gets them.
func rawFeed(t *testing.T, url, key string) []byte {
	t.Helper()
	var all []byte
	var after uint64
	for range 1000 {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v1/changes?after=%d&limit=3", url, after), nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("feed: %d %s", resp.StatusCode, b)
		}
		all = append(all, b...)
		var p struct {
			Next uint64 `json:"next"`
			More bool   `json:"more"`
		}
		if err := jsonUnmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if !p.More {
			return all
		}
		after = p.Next
	}
	t.Fatal("feed does not end")
	return nil
}

// TestVisibilityWindowPasses moves the organizer's clock past the
// three-year window of scenario-small's customer (latest event
// 2026-11-27, no reservations): on 2029-11-27 the customer is still served; from
// 2029-11-28 (Helsinki)
// a pull deletes every record of theirs from the cache, indexes included,
// the henkilötunnus is not in the cache file's bytes, and a client
// starting from an empty cache never receives any record of theirs.
func TestVisibilityWindowPasses(t *testing.T) {
	const hetu, number = "010594Y9021", "A-1001"
	ds, err := organizer.LoadScenario(bytes.NewReader(organizer.ScenarioSmall))
	if err != nil {
		t.Fatal(err)
	}
	st, err := organizer.Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &movableClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, data.Helsinki)}
	st.SetClock(clock.now)
	if _, err := st.Apply(ds, clock.now()); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateKey("prov-1", "test", clock.now().AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	run, err := organizer.Start(context.Background(), "127.0.0.1:0", st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })

	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl := client.NewClient(run.URL, key)
	pull := func() {
		t.Helper()
		if _, err := cl.Pull(context.Background(), c, nil); err != nil {
			t.Fatal(err)
		}
	}
	fileHas := func(s string) bool {
		t.Helper()
		b, err := os.ReadFile(c.Path())
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b, []byte(s))
	}
	pull()
	if _, err := c.Customer("cust-1"); err != nil {
		t.Fatalf("customer not served at first: %v", err)
	}
	if !fileHas(hetu) {
		t.Fatal("the henkilötunnus is not in the cache at first: the test proves nothing")
	}

	// The last day of the window.
	clock.set(time.Date(2029, 11, 27, 23, 59, 0, 0, data.Helsinki))
	pull()
	if _, err := c.Customer("cust-1"); err != nil {
		t.Fatalf("customer gone on the window's last day: %v", err)
	}

	// The window has passed.
	clock.set(time.Date(2029, 11, 28, 0, 0, 1, 0, data.Helsinki))
	pull()
	if _, err := c.Customer("cust-1"); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("customer after the window: %v", err)
	}
	if _, err := c.CustomerByNumber(number); !errors.Is(err, cache.ErrNotFound) {
		t.Errorf("customer number index after the window: %v", err)
	}
	for what, n := range map[string]func() (int, error){
		"events":       func() (int, error) { v, err := c.Events("cust-1"); return len(v), err },
		"grants":       func() (int, error) { v, err := c.Grants("cust-1"); return len(v), err },
		"vouchers":     func() (int, error) { v, err := c.Vouchers("cust-1"); return len(v), err },
		"reservations": func() (int, error) { v, err := c.Reservations("cust-1"); return len(v), err },
	} {
		if got, err := n(); err != nil || got != 0 {
			t.Errorf("%s of the customer after the window: %d, %v", what, got, err)
		}
	}
	if fileHas(hetu) {
		t.Error("the henkilötunnus is still in the cache file's bytes")
	}

	// A fresh client: never a record of the customer.
	if body := rawFeed(t, run.URL, key); bytes.Contains(body, []byte(hetu)) || bytes.Contains(body, []byte(`"customer_id":"cust-1"`)) {
		t.Error("a fresh client's pages hold the customer's records")
	}
	fresh, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := cl.Pull(context.Background(), fresh, nil); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fresh.Path()); bytes.Contains(b, []byte(hetu)) {
		t.Error("the henkilötunnus is in a fresh client's cache")
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
