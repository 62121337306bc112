package cache

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// TestCompactLeavesNoTrace: a deleted customer's henkilötunnus is readable
// in the file's bytes until Compact, and not after; the cache keeps
// working (reads, writes, the cursor) after the file is swapped.
func TestCompactLeavesNoTrace(t *testing.T) {
	const gone, kept = "131052-308T", "010594Y9021"
	c := openTemp(t)
	applyAll(t, c,
		put(1, wire.KindCustomer, "c-1", cust("c-1", "Sinikka", "Ääpälä", gone, "A-1")),
		put(2, wire.KindCustomer, "c-2", cust("c-2", "Matti", "Virtanen", kept, "A-2")),
		put(3, wire.KindEvent, "e-1", data.ServiceEvent{ID: "e-1", CustomerID: "c-1", Date: data.MustDate("2026-01-05")}),
	)
	applyAll(t, c, del(4, wire.KindCustomer, "c-1"))
	contains := func(s string) bool {
		t.Helper()
		b, err := os.ReadFile(c.Path())
		if err != nil {
			t.Fatal(err)
		}
		return bytes.Contains(b, []byte(s))
	}
	if !contains(gone) {
		t.Log("the deleted henkilötunnus is gone even before Compact (bbolt reused the page)")
	}
	// Readers running while the file is swapped.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := c.Customer("c-2"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	if err := c.Compact(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if contains(gone) {
		t.Error("the deleted customer's henkilötunnus is in the file after Compact")
	}
	if !contains(kept) {
		t.Error("the kept customer's henkilötunnus is not in the file: the data was lost")
	}
	if _, err := c.Customer("c-1"); err == nil {
		t.Error("deleted customer readable")
	}
	if cur, err := c.Cursor(); err != nil || cur != 4 {
		t.Errorf("cursor after Compact: %d, %v", cur, err)
	}
	applyAll(t, c, put(5, wire.KindCustomer, "c-3", cust("c-3", "Anna", "Korhonen", "", "")))
	if _, err := c.Customer("c-3"); err != nil {
		t.Errorf("write after Compact: %v", err)
	}
	if _, err := os.Stat(c.Path() + ".compact"); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
}
