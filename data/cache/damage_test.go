package cache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/sync/wire"
)

// syncedDir is a closed cache directory filled from the demo feed (n
// customers), its indexes built, with one command in the outbox; it gives
// the directory and the customers' ids.
func syncedDir(t *testing.T, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	applyPages(t, c, demoPages(t, n, 500))
	if err := c.BuildIndexes(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := c.viewDB(func(tx *bolt.Tx) error {
		return tx.Bucket(bCustomers).ForEach(func(k, _ []byte) error { ids = append(ids, string(k)); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Outbox().Add(wire.Command{ID: "cmd-1", Type: wire.SetCustomerNumber, CustomerID: ids[0], CustomerNumber: "X-1"},
		time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, ids
}

// customerLeaf is the page id of a leaf page of the customers bucket in
// the middle of the bucket's tree, and the file's page size.
func customerLeaf(t *testing.T, path string) (page uint64, pageSize int) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pageSize = db.Info().PageSize
	var root uint64
	db.View(func(tx *bolt.Tx) error { root = uint64(tx.Bucket(bCustomers).Root()); return nil })
	if root == 0 {
		t.Fatal("the customers bucket is inline: use more customers")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ne := binary.NativeEndian
	for {
		p := raw[root*uint64(pageSize):]
		if ne.Uint16(p[8:]) == flagLeaf {
			return root, pageSize
		}
		count := int(ne.Uint16(p[10:]))
		el := p[pageHeaderSize+16*(count/2):] // branch element: pos u32, ksize u32, pgid u64
		root = ne.Uint64(el[8:])
	}
}

func isDamaged(t *testing.T, err error) {
	t.Helper()
	var d *DamagedError
	if !errors.Is(err, ErrDamaged) || !errors.As(err, &d) {
		t.Fatalf("error %v, want a *DamagedError", err)
	}
}

// TestTruncatedCache: a cache file cut short (as `truncate -s 8192`) is
// refused on Open with a DamagedError before bbolt maps it (no SIGBUS),
// Check tells it, the window's OpenOrDamaged gives a Cache that refuses
// reads cleanly and keeps the outbox, and Rebuild makes it work again
// with the outbox's command kept.
func TestTruncatedCache(t *testing.T) {
	dir, _ := syncedDir(t, 60)
	path := filepath.Join(dir, FileName)
	if err := os.Truncate(path, 8192); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir)
	isDamaged(t, err)
	var d *DamagedError
	errors.As(err, &d)
	if d.Reason != DamageTruncated || d.Outbox() {
		t.Errorf("reason %s (outbox %v), want %s of the replica", d.Reason, d.Outbox(), DamageTruncated)
	}
	res, err := Check(dir)
	if err != nil || len(res.Problems) != 1 || res.Problems[0].Code != ProblemDamaged || res.Problems[0].Detail != DamageTruncated {
		t.Fatalf("Check: %+v, %v", res, err)
	}

	c, err := OpenOrDamaged(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Damaged() == nil {
		t.Fatal("OpenOrDamaged: Damaged() is nil")
	}
	_, err = c.SearchHits("a", 10)
	isDamaged(t, err)
	_, err = c.Cursor()
	isDamaged(t, err)
	isDamaged(t, c.ApplyPage(nil, 1))
	isDamaged(t, c.Compact())
	if p, err := c.Outbox().Pending(); err != nil || len(p) != 1 {
		t.Fatalf("outbox of a damaged cache: %v, %v", p, err)
	}

	if err := c.Rebuild(); err != nil {
		t.Fatal(err)
	}
	if c.Damaged() != nil {
		t.Error("still damaged after Rebuild")
	}
	if cur, err := c.Cursor(); err != nil || cur != 0 {
		t.Errorf("after Rebuild: cursor %d, %v; want 0", cur, err)
	}
	if p, err := c.Outbox().Pending(); err != nil || len(p) != 1 || p[0].Command.ID != "cmd-1" {
		t.Errorf("outbox after Rebuild: %v, %v", p, err)
	}
	if leftovers, _ := filepath.Glob(path + ".*"); len(leftovers) > 0 {
		t.Errorf("the damaged file is kept: %v", leftovers)
	}
}

// TestZeroedPage: a zeroed page of customer rows in the middle of a synced
// cache opens (the meta pages are sound), and reading the customers on it
// gives a DamagedError, not a panic; from then on every read is refused
// the same way. Check lists it.
func TestZeroedPage(t *testing.T) {
	dir, ids := syncedDir(t, 300)
	path := filepath.Join(dir, FileName)
	page, pageSize := customerLeaf(t, path)
	zeroPage(t, path, page, pageSize, false)

	res, err := Check(dir)
	if err != nil || len(res.Problems) == 0 {
		t.Fatalf("Check of a zeroed page: %+v, %v", res, err)
	}
	c, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v (the meta pages are sound)", err)
	}
	defer c.Close()
	var first error
	for _, id := range ids {
		if _, err := c.Customer(id); err != nil {
			first = err
			break
		}
	}
	isDamaged(t, first)
	_, err = c.Customer(ids[0])
	isDamaged(t, err)
	_, err = c.Cursor()
	isDamaged(t, err)
	if c.Damaged() == nil {
		t.Error("Damaged() is nil after a damaged read")
	}
	if err := c.Rebuild(); err != nil {
		t.Fatal(err)
	}
	if res, err := Check(dir); err == nil {
		t.Errorf("Check while open: %+v, want ErrLocked", res)
	} else if !errors.Is(err, ErrLocked) {
		t.Errorf("Check while open: %v, want ErrLocked", err)
	}
}

// zeroPage overwrites page id of the file with zeros, or with random
// bytes when garbage.
func zeroPage(t *testing.T, path string, id uint64, pageSize int, garbage bool) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, pageSize)
	if garbage {
		r := rand.New(rand.NewPCG(1, uint64(id)))
		for i := range buf {
			buf[i] = byte(r.Uint32())
		}
	}
	if _, err := f.WriteAt(buf, int64(id)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
}

// TestGarbageFiles: a file of random bytes, a garbled customer page and a
// garbled meta page are each a DamagedError (or a Problem of Check),
// never a panic.
func TestGarbageFiles(t *testing.T) {
	t.Run("random file", func(t *testing.T) {
		dir := t.TempDir()
		b := make([]byte, 64<<10)
		r := rand.New(rand.NewPCG(7, 7))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if err := os.WriteFile(filepath.Join(dir, FileName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir)
		isDamaged(t, err)
		res, err := Check(dir)
		if err != nil || len(res.Problems) != 1 || res.Problems[0].Code != ProblemDamaged {
			t.Fatalf("Check: %+v, %v", res, err)
		}
	})
	t.Run("garbled customer page", func(t *testing.T) {
		dir, ids := syncedDir(t, 300)
		path := filepath.Join(dir, FileName)
		page, pageSize := customerLeaf(t, path)
		zeroPage(t, path, page, pageSize, true)
		c, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var first error
		for _, id := range ids {
			if _, err := c.Customer(id); err != nil {
				first = err
				break
			}
		}
		isDamaged(t, first)
	})
	t.Run("both meta pages", func(t *testing.T) {
		dir, _ := syncedDir(t, 20)
		path := filepath.Join(dir, FileName)
		zeroPage(t, path, 0, 4096, true)
		zeroPage(t, path, 1, 4096, true)
		_, err := Open(dir)
		isDamaged(t, err)
	})
	t.Run("outbox", func(t *testing.T) {
		dir, _ := syncedDir(t, 20)
		if err := os.WriteFile(OutboxPath(dir), []byte(strings.Repeat("x", 10000)), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir)
		var d *DamagedError
		if !errors.As(err, &d) || !d.Outbox() {
			t.Fatalf("Open with a garbage outbox: %v", err)
		}
		c, err := OpenOrDamaged(dir) // salvages: nothing readable, a new outbox
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if c.Damaged() != nil {
			t.Error("the replica is sound")
		}
		if p, err := c.Outbox().Pending(); err != nil || len(p) != 0 {
			t.Errorf("salvaged outbox: %v, %v", p, err)
		}
	})
}

// TestCheckDigestAndIndexes: a sound cache checks clean; its digest is
// the same for the same feed applied in other pages and incrementally
// (content alone), and differs for other content. A missing index entry
// and an entry without its row are told by bucket and row id, never by
// the key (which holds names and henkilötunnus).
func TestCheckDigestAndIndexes(t *testing.T) {
	dir, _ := syncedDir(t, 60)
	res, err := Check(dir)
	if err != nil || len(res.Problems) > 0 || len(res.Digest) != 64 || res.IndexesPending {
		t.Fatalf("Check of a sound cache: %+v, %v", res, err)
	}

	other := t.TempDir()
	c, err := Open(other)
	if err != nil {
		t.Fatal(err)
	}
	bulkFirstSync = false
	applyPages(t, c, demoPages(t, 60, 137))
	bulkFirstSync = true
	c.Close()
	res2, err := Check(other)
	if err != nil || len(res2.Problems) > 0 || res2.Digest != res.Digest {
		t.Fatalf("same feed in other pages: %+v, %v; want digest %s", res2, err, res.Digest)
	}

	db, err := bolt.Open(filepath.Join(other, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var victim, hetuKey string
	var gone int64 // events of the month key deleted
	err = db.Update(func(tx *bolt.Tx) error {
		// A member dropped from a customer's events, a grant listed
		// twice (the sets of setindex.go), a month key deleted, one
		// counting one event more, one with no events (monthindex.go).
		k, v := tx.Bucket(iCustEvent).Cursor().First()
		ids := setIDs(v)
		victim = ids[0]
		if err := tx.Bucket(iCustEvent).Put(bytes.Clone(k), []byte(strings.Join(ids[1:], "\x00"))); err != nil {
			return err
		}
		months := tx.Bucket(iMonthEvent)
		k, v = months.Cursor().Last()
		ents, _ := monthEntries(v)
		for _, e := range ents {
			gone += e.n
		}
		if err := months.Delete(bytes.Clone(k)); err != nil {
			return err
		}
		k, v = months.Cursor().First()
		ents, _ = monthEntries(v)
		if err := months.Put(bytes.Clone(k), mergeMonth(nil, v, []monthEntry{{ents[0].cust, 1}})); err != nil {
			return err
		}
		if err := months.Put([]byte("2026-13\x00svc-home"), appendMonthEntry(nil, "ghost-2", 1)); err != nil {
			return err
		}
		k, v = tx.Bucket(iCustGrant).Cursor().First()
		first, _ := setNext(v)
		if err := tx.Bucket(iCustGrant).Put(bytes.Clone(k), append(append(bytes.Clone(first), 0), v...)); err != nil {
			return err
		}
		hetuKey = "010594Y9021"
		return tx.Bucket(iHetu).Put([]byte(hetuKey+"\x00ghost-1"), nil)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	res3, err := Check(other)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		ProblemIndexMissing + " " + string(iCustEvent) + " events " + victim: false,
		ProblemIndexExtra + " " + string(iMonthEvent) + " events ":           false,
		ProblemIndexExtra + " " + string(iCustGrant) + " grants ":            false,
		ProblemIndexExtra + " " + string(iHetu) + " customers ghost-1":       false,
	}
	var monthMissing, monthExtra int64
	for _, p := range res3.Problems {
		want[p.Code+" "+p.Bucket+" "+p.Rows+" "+p.ID] = true
		if p.Bucket == string(iMonthEvent) && p.Code == ProblemIndexMissing {
			monthMissing++
		}
		if p.Bucket == string(iMonthEvent) && p.Code == ProblemIndexExtra {
			monthExtra++
		}
		if strings.Contains(p.ID+p.Detail, "010594") {
			t.Errorf("a problem shows the henkilötunnus: %+v", p)
		}
	}
	for k, found := range want {
		if !found {
			t.Errorf("problem %q not found in %+v", k, res3.Problems)
		}
	}
	if monthMissing != gone || monthExtra != 2 || gone == 0 {
		t.Errorf("month index: %d events told missing, %d keys extra; want %d and 2", monthMissing, monthExtra, gone)
	}
	if res3.Digest != res.Digest {
		t.Error("the digest depends on the indexes")
	}
}

// TestTruncatedWhileOpen: a file cut short while the cache has it mapped
// (another program, a full disk's repair) faults on the pages past its
// end (SIGBUS); the read gives a DamagedError instead of killing the
// program, the OnDamaged function is told once, and Rebuild works.
func TestTruncatedWhileOpen(t *testing.T) {
	dir, ids := syncedDir(t, 300)
	c, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	told := 0
	c.OnDamaged(func(*DamagedError) { told++ })
	if err := os.Truncate(filepath.Join(dir, FileName), 8192); err != nil {
		t.Fatal(err)
	}
	var first error
	for _, id := range ids {
		if _, err := c.Customer(id); err != nil {
			first = err
			break
		}
	}
	isDamaged(t, first)
	_, err = c.Events(ids[0])
	isDamaged(t, err)
	if told != 1 {
		t.Errorf("OnDamaged told %d times, want 1", told)
	}
	if err := c.Rebuild(); err != nil {
		t.Fatal(err)
	}
	applyPages(t, c, demoPages(t, 20, 500))
	if n, err := c.Counts(); err != nil || n[wire.KindCustomer] == 0 {
		t.Errorf("after Rebuild: %v, %v", n, err)
	}
}

// TestRebuildLeavesAHeldCacheAlone: Rebuild of a directory another
// PSOP Desk holds (the window open while `psopdesk sync -rebuild` runs)
// gives ErrLocked and removes nothing.
func TestRebuildLeavesAHeldCacheAlone(t *testing.T) {
	dir, ids := syncedDir(t, 20)
	held, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if c, err := Rebuild(dir); !errors.Is(err, ErrLocked) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("Rebuild of a held cache: %v, want ErrLocked", err)
	}
	if _, err := held.Customer(ids[0]); err != nil {
		t.Errorf("the held cache after a refused Rebuild: %v", err)
	}
}
