package cache

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// TestOutboxOutlivesTheReplica: the user's unsent changes survive a
// closed program, a replica emptied for another feed, a replica file
// deleted or replaced by garbage and rebuilt.
func TestOutboxOutlivesTheReplica(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	people(t, c)
	if _, err := c.SetCustomerNumber("c-aalto", "B-7", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := c.StartFeed("another-server/prov-1"); err != nil {
		t.Fatal(err)
	}
	if p, _ := c.Outbox().Pending(); len(p) != 1 {
		t.Fatalf("a new feed lost the outbox: %d pending", len(p))
	}
	c.Close()
	for _, damage := range []func(path string) error{
		os.Remove,
		func(path string) error { return os.WriteFile(path, []byte("not a bbolt file at all"), 0o600) },
	} {
		if err := damage(filepath.Join(dir, FileName)); err != nil {
			t.Fatal(err)
		}
		if c, err := Open(dir); err == nil { // the garbage file is refused: move it aside
			c.Close()
		} else if err := os.Rename(filepath.Join(dir, FileName), filepath.Join(dir, FileName+".damaged")); err != nil {
			t.Fatal(err)
		}
		c, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.Outbox().Pending()
		c.Close()
		if err != nil || len(p) != 1 || p[0].Command.CustomerNumber != "B-7" {
			t.Fatalf("after the replica was lost: %+v, %v", p, err)
		}
	}
}

// TestPendingChangesShowInTheView: the view shows a pending change as
// applied and marked; a local clash with a number another customer holds
// (in the replica or by a pending change) is refused at once.
func TestPendingChangesShowInTheView(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	today := data.NewDate(2026, 12, 1)
	if _, err := c.SetCustomerNumber("c-aalto", " B-7 ", time.Now()); err != nil {
		t.Fatal(err)
	}
	v, err := c.CustomerView("c-aalto", today)
	if err != nil || v.Customer.CustomerNumber != "B-7" || !v.NumberPending || len(v.Pending) != 1 {
		t.Fatalf("view %+v, %v: want B-7 pending", v.Customer, err)
	}
	if cu, _ := c.Customer("c-aalto"); cu.CustomerNumber != "" {
		t.Errorf("the replica itself changed: %q", cu.CustomerNumber)
	}
	for _, tc := range []struct{ id, number, code string }{
		{"c-ohman", "a-1001", string(wire.CodeCustomerNumberTaken)}, // the replica's holder
		{"c-ohman", "b-7", string(wire.CodeCustomerNumberTaken)},    // a pending holder
		{"c-nobody", "C-1", string(wire.CodeNotFound)},
		{"c-ohman", "", data.CodeCustomerNumberEmpty},
	} {
		_, err := c.SetCustomerNumber(tc.id, tc.number, time.Now())
		var de *data.Error
		if !errors.As(err, &de) || de.Code != tc.code {
			t.Errorf("SetCustomerNumber(%s, %q): %v, want %s", tc.id, tc.number, err, tc.code)
		}
	}
	// A pending removal frees A-1001 for another customer at once.
	if _, err := c.RemoveCustomerNumber("c-aapala", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetCustomerNumber("c-ohman", "A-1001", time.Now()); err != nil {
		t.Errorf("A-1001 after its pending removal: %v", err)
	}
	if p, _ := c.Outbox().Pending(); len(p) != 3 {
		t.Errorf("%d pending, want 3", len(p))
	}
}

// TestSearchShowsPendingNumbers: the results show a number waiting to be
// sent, and a search by that number finds its customer.
func TestSearchShowsPendingNumbers(t *testing.T) {
	c := openTemp(t)
	people(t, c)
	if _, err := c.SetCustomerNumber("c-aapala", "Z-9", time.Now()); err != nil {
		t.Fatal(err)
	}
	found, err := c.Search("Ääpälä", 0)
	if err != nil || len(found) != 1 || found[0].CustomerNumber != "Z-9" {
		t.Fatalf("search by name: %+v, %v; want Z-9 shown", found, err)
	}
	if found, _ := c.Search("z-9", 0); len(found) != 1 || found[0].ID != "c-aapala" {
		t.Errorf("search by the pending number: %+v", found)
	}
}
