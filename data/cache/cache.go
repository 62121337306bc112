// Package cache is PSOP Desk's local cache of the organizer's data: one
// bbolt file per installation, filled from the change feed, read by the
// UI and the headless commands. Search and reading work offline.
//
// Layout of the file: one bucket per entity kind keyed by id holding the
// entity's JSON; a meta bucket holding the cursor; and secondary indexes as
// buckets of their own, written in the same transaction as the row: keyed
// value + 0x00 + primary key with empty values (name tokens,
// henkilötunnus, customer number, voucher number → customer), keyed by
// the customer with the set of their rows' ids as the value (customer →
// child rows: setindex.go), or keyed by month + service with the
// customers who have events then and how many as the value (for a
// month's statements: monthindex.go). An index added after a cache was
// made is built from its rows on Open. A first sync defers the customers'
// indexes and the month index and builds them once at its end (bulk.go).
package cache

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"psopdesk/sync/wire"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
	"golang.org/x/text/collate"

	"psopdesk/data"
)

// Errors of the cache.
var (
	// ErrLocked: another PSOP Desk holds the cache file.
	ErrLocked = errors.New("the cache is in use by another PSOP Desk")
	// ErrNotFound: no such entity in the cache.
	ErrNotFound = errors.New("not in the cache")
	// ErrInvalidChange: a change of the feed cannot be applied (unknown kind
	// or op, missing id, data that is not the kind's JSON). ApplyPage wraps
	// it; nothing of the page is applied then.
	ErrInvalidChange = errors.New("invalid change")
)

// FileName is the name of the cache file inside the cache directory.
const FileName = "cache.db"

// schemaVersion is the layout version; a file of another version is
// emptied on Open (the cache is refilled from the feed).
//
// 2: name search by ordered prefix indexes (iNamePrefix, iNameFoldPrefix)
// instead of idx_customer_name; henkilötunnus keys normalised by hetu.Parse.
//
// 3: bSortKeys values hold both collation keys length-prefixed, then the
// customer's search record (searchRecord), so that SearchHits fills its
// hits without reading and JSON-decoding the customer rows.
//
// 4: rows are stored packed (packrow.go): their common JSON keys one byte
// each.
//
// 5: the customer → child row indexes (idx_customer_vouchers, _grants,
// _reservations, _events) hold one key per customer whose value is the
// set of the row ids (setindex.go), and the month index one key per month
// and service whose value lists the customers with their events' counts
// (monthindex.go), instead of a key per row in each: a first sync at
// 50,000 customers put 3.4 million index keys besides its 1.9 million
// rows, now about 0.36 million (and 188 month keys at its end).
const schemaVersion = 5

// lockTimeout is how long Open waits for another process's lock.
const lockTimeout = time.Second

// Bucket names.
var (
	bMeta = []byte("meta")

	bOrganizer   = []byte("organizer")
	bProvider    = []byte("provider")
	bServices    = []byte("services")
	bCustomers   = []byte("customers")
	bVouchers    = []byte("vouchers")
	bGrants      = []byte("grants")
	bReservation = []byte("reservations")
	bEvents      = []byte("events")
	bPrices      = []byte("prices")

	// Index buckets, keys value + 0x00 + primary key.
	iHetu    = []byte("idx_customer_hetu")    // canonical henkilötunnus → customer id
	iNumber  = []byte("idx_customer_number")  // upper-cased customer number → customer id
	iVoucher = []byte("idx_voucher_customer") // voucher number → customer id
	// Customer id → the set of the customer's vouchers, grants,
	// reservations, events (setindex.go).
	iCustVoucher = []byte("idx_customer_vouchers")
	iCustGrant   = []byte("idx_customer_grants")
	iCustResv    = []byte("idx_customer_reservations")
	iCustEvent   = []byte("idx_customer_events")
	// "YYYY-MM" + 0x00 + service id → the customers with events of the
	// service in the month and how many (monthindex.go).
	iMonthEvent = []byte("idx_month_service_customer_events")
	// Customer id → sortKey of the customer (Finnish collation keys of the
	// last name and first names) + its search record (searchRecord), so
	// that Search sorts and fills its hits without decoding the rows.
	bSortKeys = []byte("customer_sortkeys")

	allBuckets = [][]byte{bMeta, bOrganizer, bProvider, bServices, bCustomers, bVouchers,
		bGrants, bReservation, bEvents, bPrices, iNamePrefix, iNameFoldPrefix, iHetu, iNumber, iVoucher, iCustVoucher,
		iCustGrant, iCustResv, iCustEvent, bSortKeys, iMonthEvent}

	// retiredBuckets are buckets of older layouts, dropped with the rest
	// when a cache of another layout is emptied on Open.
	retiredBuckets = [][]byte{[]byte("idx_customer_name")}

	keyCursor = []byte("cursor")
	keyFeed   = []byte("feed")
	keySchema = []byte("schema")
	keyColl   = []byte("collation")
	// collation identifies the collation tables the stored sort keys come
	// from; other tables (a newer x/text) empty the cache on Open.
	collation = []byte(collate.UnicodeVersion + "/" + collate.CLDRVersion)
)

// bucketOf maps a kind to its row bucket.
var bucketOf = map[wire.Kind][]byte{
	wire.KindOrganizer:   bOrganizer,
	wire.KindProvider:    bProvider,
	wire.KindService:     bServices,
	wire.KindCustomer:    bCustomers,
	wire.KindVoucher:     bVouchers,
	wire.KindGrant:       bGrants,
	wire.KindReservation: bReservation,
	wire.KindEvent:       bEvents,
	wire.KindPrice:       bPrices,
}

// childIndexes are the customer → child row indexes a customer's deletion
// follows.
var childIndexes = []struct {
	index []byte
	kind  wire.Kind
}{
	{iCustVoucher, wire.KindVoucher},
	{iCustGrant, wire.KindGrant},
	{iCustResv, wire.KindReservation},
	{iCustEvent, wire.KindEvent},
}

// Cache is an open cache: the replica (FileName) and the outbox
// (OutboxFileName) of one cache directory. Safe for concurrent use.
type Cache struct {
	// mu guards db, the handle of the replica: every transaction runs
	// under its read lock (viewDB, updateDB), Compact swaps the file
	// under its write lock.
	mu  sync.RWMutex
	db  *bolt.DB
	out *Outbox
	// applyMu serialises the writers of rows (ApplyPage, StartFeed,
	// BuildIndexes) and guards bulk, so that a build sees no row change
	// between its transactions. Taken before mu, never while holding it.
	applyMu sync.Mutex
	// bulk is the index sources of every row while a first sync runs in
	// bulk mode (bulk.go); nil when unknown (then read from the rows).
	bulk *bulkRows
	// file is the replica's path and damage state (damage.go).
	file fileGuard
	// pb is the page buffer of ApplyPage (under applyMu).
	pb pageBuf
}

// viewDB runs fn in a read transaction of the replica (under c.mu's read
// lock, so Compact never swaps the file under it).
func (c *Cache) viewDB(fn func(tx *bolt.Tx) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.file.run(c.db, false, fn)
}

// updateDB runs fn in a write transaction of the replica (under c.mu's
// read lock: bbolt serialises writers itself).
func (c *Cache) updateDB(fn func(tx *bolt.Tx) error) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.file.run(c.db, true, fn)
}

// Open opens (creating) the cache directory dir: the outbox
// dir/outbox.db first, then the replica dir/cache.db; dir is created with
// mode 0700 and the files with 0600. It gives an error wrapping ErrLocked
// within about a second when another process (or another Open in this one)
// holds a file. A replica of another layout version is emptied (it is
// refilled from the feed); the outbox is never emptied.
func Open(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create cache folder: %w", err)
	}
	out, err := openOutbox(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	db, err := openBolt(path, false)
	if errors.Is(err, bolterrors.ErrTimeout) {
		out.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("open cache %s: %w", path, err)
	}
	err = updateGuarded(path, db, func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil || m.Get(keySchema) == nil || decodeUint(m.Get(keySchema)) != schemaVersion ||
			!bytes.Equal(m.Get(keyColl), collation) {
			// New, or of another layout: empty and incomplete until a
			// pull catches up.
			return emptyTx(tx, "")
		}
		// A cache made before the month index gets it from its events, so
		// it need not be refilled from the feed.
		// (A cache whose indexes are pending gets it with the others.)
		rebuild := tx.Bucket(bMeta) != nil && tx.Bucket(iMonthEvent) == nil &&
			tx.Bucket(bMeta).Get(keyIndexesPending) == nil
		if err := createAll(tx); err != nil {
			return err
		}
		if rebuild {
			if err := rebuildMonthIndex(tx); err != nil {
				return err
			}
		}
		return putSchema(tx)
	})
	if err != nil {
		closeBolt(path, db, errors.Is(err, ErrDamaged))
		out.Close()
		return nil, fmt.Errorf("init cache %s: %w", path, err)
	}
	c := &Cache{db: db, out: out}
	c.file.path = path
	return c, nil
}

func createAll(tx *bolt.Tx) error {
	for _, b := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	return nil
}

func putSchema(tx *bolt.Tx) error {
	m := tx.Bucket(bMeta)
	if err := m.Put(keySchema, encodeUint(schemaVersion)); err != nil {
		return err
	}
	return m.Put(keyColl, collation)
}

func dropAll(tx *bolt.Tx) error {
	for _, b := range append(append([][]byte(nil), allBuckets...), retiredBuckets...) {
		if tx.Bucket(b) == nil {
			continue
		}
		if err := tx.DeleteBucket(b); err != nil {
			return err
		}
	}
	return nil
}

// Close closes both files.
func (c *Cache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.db != nil { // nil: damaged when opened, or a Rebuild that failed
		err = closeBolt(c.file.path, c.db, c.Damaged() != nil)
	}
	return errors.Join(err, c.out.Close())
}

// Outbox is the cache directory's outbox of unsent changes.
func (c *Cache) Outbox() *Outbox { return c.out }

// Path is the cache file's path.
func (c *Cache) Path() string {
	return c.file.path
}

// Cursor is the Seq of the last change applied (0 for a new cache).
func (c *Cache) Cursor() (uint64, error) {
	var n uint64
	err := c.viewDB(func(tx *bolt.Tx) error {
		n = decodeUint(tx.Bucket(bMeta).Get(keyCursor))
		return nil
	})
	return n, err
}

// Reset empties the cache and sets the cursor to 0, so that the next pull
// fetches everything again.
func (c *Cache) Reset() error { return c.StartFeed("") }

// Feed names the change feed the cache was filled from ("" for a new
// cache); see sync.ChangesPage.
func (c *Cache) Feed() (string, error) {
	var f string
	err := c.viewDB(func(tx *bolt.Tx) error {
		f = string(tx.Bucket(bMeta).Get(keyFeed))
		return nil
	})
	return f, err
}

// StartFeed empties the cache, sets the cursor to 0 and records feed as the
// feed it is filled from, in one transaction. A client calls it when the
// server's feed is not the one the cache holds (another server, or a
// server whose data was reset), so that no data of the old feed lingers.
// The cache is incomplete (Complete) until a pull catches up.
func (c *Cache) StartFeed(feed string) error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	c.bulk = nil
	return c.updateDB(func(tx *bolt.Tx) error { return emptyTx(tx, feed) })
}

// Counts returns the number of rows of each kind.
func (c *Cache) Counts() (map[wire.Kind]int, error) {
	out := make(map[wire.Kind]int, len(bucketOf))
	err := c.viewDB(func(tx *bolt.Tx) error {
		for k, b := range bucketOf {
			out[k] = tx.Bucket(b).Stats().KeyN
		}
		return nil
	})
	return out, err
}

// ApplyPage applies changes and stores next as the cursor, in one
// transaction: a crash leaves either all of it or none. Every change is
// validated (known kind and op, an id, data that decodes as the kind's
// type with the same id); an invalid change fails the whole page with an
// error wrapping ErrInvalidChange, and nothing of the page is applied. A
// next below the current cursor is refused the same way. Deleting what is
// not there is no error. A customer's Delete removes the customer and all
// their vouchers, grants, reservations and events.
//
// A page applied to an empty cache (cursor 0, no rows) starts a first
// sync in bulk mode (bulk.go): until BuildIndexes, pages write the rows
// only and the secondary indexes are built once at the end.
func (c *Cache) ApplyPage(changes []wire.Change, next uint64) error {
	return c.applyPage(changes, next, nil, nil)
}

// applyPage is ApplyPage running before(tx) first, in the same
// transaction, when before is not nil; pre, if not nil, is the page
// prepared (PreparePage of changes).
func (c *Cache) applyPage(changes []wire.Change, next uint64, pre *PreparedPage, before func(tx *bolt.Tx) error) error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	c.pb.pre = pre
	defer func() { c.pb.pre = nil }()
	err := c.updateDB(func(tx *bolt.Tx) error {
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bMeta)
		cur := decodeUint(meta.Get(keyCursor))
		if next < cur {
			return fmt.Errorf("%w: cursor %d is before the current %d", ErrInvalidChange, next, cur)
		}
		if !writeIndexes { // benchmark only: rows, no index at all
			for i := range changes {
				if err := applyRow(tx, &changes[i], nil, nil); err != nil {
					return err
				}
			}
			return meta.Put(keyCursor, encodeUint(next))
		}
		bulk := meta.Get(keyIndexesPending) != nil
		if !bulk && bulkFirstSync && cur == 0 && len(changes) > 0 && noRows(tx) {
			if err := meta.Put(keyIndexesPending, []byte{1}); err != nil {
				return err
			}
			bulk, c.bulk = true, newBulkRows()
		}
		if bulk && c.bulk == nil { // a bulk sync of an earlier Open, or after a failed page
			var err error
			if c.bulk, err = loadBulkRows(tx); err != nil {
				return err
			}
		}
		c.bulkTx(tx, bulk)
		c.pb.a.reset() // the last page's transaction has ended
		c.pb.resetSets()
		c.pb.months.reset()
		c.pb.bulkMonths = nil
		if bulk {
			c.pb.bulkMonths = &c.bulk.months
		}
		for i := range changes {
			c.pb.i = i
			var err error
			if bulk {
				err = applyRow(tx, &changes[i], c.bulk, &c.pb)
			} else {
				err = applyChange(tx, &changes[i], false, &c.pb)
			}
			if err != nil {
				return err
			}
		}
		if err := c.pb.flushSets(tx); err != nil {
			return err
		}
		if err := c.pb.flushMonths(tx); err != nil {
			return err
		}
		return meta.Put(keyCursor, encodeUint(next))
	})
	if err != nil {
		// bulk may hold changes of the page rolled back: read it again
		// from the rows when next needed.
		c.bulk = nil
	}
	return err
}

// checkChange checks a change's kind and id; bad makes its error.
func checkChange(ch *wire.Change) (bad func(format string, a ...any) error, err error) {
	bad = func(format string, a ...any) error {
		return fmt.Errorf("%w %d (%s %q): %s", ErrInvalidChange, ch.Seq, ch.Kind, ch.ID, fmt.Sprintf(format, a...))
	}
	if _, ok := bucketOf[ch.Kind]; !ok {
		return bad, bad("unknown kind")
	}
	if ch.ID == "" || strings.IndexByte(ch.ID, 0) >= 0 {
		return bad, bad("missing or invalid id")
	}
	return bad, nil
}

// pageBuf is where a page's transaction cuts the keys and packed rows it
// puts (bbolt keeps what Put is given until the commit, so it is reset
// only when the next page begins): a page's millions of small
// allocations were a sixth of a large first sync's CPU with the
// collector's work.
type pageBuf struct {
	a   keyArena
	idx []indexEntry
	pre *PreparedPage // the page prepared, or nil (prepare.go)
	i   int           // the change being applied
	// sets are the page's changes of the set-valued indexes, by
	// setBuckets, written at its end (flushSets).
	sets [4]setEdits
	// months are the page's changes of the month index's counts, written
	// at its end (flushMonths); during a bulk first sync they go to
	// bulkMonths (the sync's, written by BuildIndexes) instead.
	months     monthCounts
	bulkMonths *monthCounts
}

// applyChange is apply; fresh tells that a put's row is not stored (so
// there is no old row whose index entries to remove); pb is the page's
// buffer (its sets and month counts are written at the page's end).
func applyChange(tx *bolt.Tx, ch *wire.Change, fresh bool, pb *pageBuf) error {
	bad, err := checkChange(ch)
	if err != nil {
		return err
	}
	switch ch.Op {
	case wire.OpPut:
		a := &pb.a
		row, packed, err := pb.parse(a, ch)
		if err != nil {
			return bad("%v", err)
		}
		if !fresh {
			if err := deleteRow(tx, ch.Kind, ch.ID, pb); err != nil {
				return err
			}
		}
		pb.idx = appendEntries(pb.idx[:0], a, ch.Kind, ch.ID, row.src)
		key := append(a.alloc(len(ch.ID)), ch.ID...)
		if err := tx.Bucket(bucketOf[ch.Kind]).Put(key, packed); err != nil {
			return err
		}
		for i := range pb.idx {
			if err := pb.entryOp(tx, &pb.idx[i], true); err != nil {
				return err
			}
		}
		return nil
	case wire.OpDelete:
		if ch.Kind == wire.KindCustomer {
			return deleteCustomer(tx, ch.ID, pb)
		}
		return deleteRow(tx, ch.Kind, ch.ID, pb)
	default:
		return bad("unknown op %q", ch.Op)
	}
}

// deleteRow removes the row id of kind and its index entries, if present
// (those of the sets and the month counts recorded in pb, for its
// flushSets and flushMonths).
func deleteRow(tx *bolt.Tx, kind wire.Kind, id string, pb *pageBuf) error {
	b := tx.Bucket(bucketOf[kind])
	old := b.Get([]byte(id))
	if old == nil {
		return nil
	}
	row, err := parseRow(kind, id, unpackRow(old), false, true)
	if err != nil {
		// A stored row always parses; if it does not, drop it anyway.
		row = parsedRow{}
	}
	for i := range row.idx {
		if err := pb.entryOp(tx, &row.idx[i], false); err != nil {
			return err
		}
	}
	return b.Delete([]byte(id))
}

// entryOp adds (add) or removes a row's index entry e: an entry of a set
// or a month count is recorded in pb (written at the page's end by
// flushSets and flushMonths), any other is put or deleted at once.
func (pb *pageBuf) entryOp(tx *bolt.Tx, e *indexEntry, add bool) error {
	switch {
	case e.member != "":
		pb.setOp(e, add)
		return nil
	case e.counted:
		pb.monthOp(e, add)
		return nil
	case add:
		return tx.Bucket(e.bucket).Put(e.key, e.value)
	default:
		return tx.Bucket(e.bucket).Delete(e.key)
	}
}

// deleteCustomer removes the customer and every row of theirs (found by
// the child indexes: the page's changes of the sets so far are written
// first).
func deleteCustomer(tx *bolt.Tx, id string, pb *pageBuf) error {
	if err := pb.flushSets(tx); err != nil {
		return err
	}
	for _, ci := range childIndexes {
		for _, child := range setIDs(tx.Bucket(ci.index).Get([]byte(id))) {
			if err := deleteRow(tx, ci.kind, child, pb); err != nil {
				return err
			}
		}
	}
	return deleteRow(tx, wire.KindCustomer, id, pb)
}

// indexEntry is a key of an index bucket (value nil), of bSortKeys; or,
// with member set, member's place in the set of key in a set-valued index
// (setindex.go); or, counted, one of the events key's count in the month
// index counts (monthindex.go).
type indexEntry struct {
	bucket  []byte
	key     []byte
	value   []byte
	member  string
	counted bool
}

type parsedRow struct {
	raw []byte       // the bytes to store (wantRaw)
	src idxSource    // what the index entries are made of
	idx []indexEntry // the index entries (wantIdx)
}

// ikey is value + 0x00 + pk, cut from a (nil: allocated alone).
func ikey(a *keyArena, value, pk string) []byte {
	k := a.alloc(len(value) + 1 + len(pk))
	k = append(k, value...)
	k = append(k, 0)
	return append(k, pk...)
}

// keyArena hands out key buffers cut from larger blocks, so that the
// entries of a BuildIndexes are not an allocation each. A nil *keyArena
// allocates each buffer alone.
type keyArena struct{ buf []byte }

// reset makes a's last block free for reuse: the keys cut from it before
// must no longer be used.
func (a *keyArena) reset() { a.buf = a.buf[:0] }

// alloc gives an empty slice of capacity n.
func (a *keyArena) alloc(n int) []byte {
	if a == nil {
		return make([]byte, 0, n)
	}
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(n, 64<<10))
	}
	l := len(a.buf)
	a.buf = a.buf[:l+n]
	return a.buf[l : l : l+n]
}

// decodeRow decodes raw as T, checks that its id (field got by idOf) is id
// or empty (then fills it in) and, with wantRaw, returns the bytes to
// store.
func decodeRow[T any](raw []byte, id string, idOf func(*T) *string, wantRaw bool) (T, []byte, error) {
	var v T
	if len(raw) == 0 {
		return v, nil, errors.New("no data")
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, nil, fmt.Errorf("data is not valid: %v", err)
	}
	p := idOf(&v)
	switch *p {
	case id:
		if !wantRaw {
			return v, nil, nil
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return v, nil, fmt.Errorf("data is not valid: %v", err)
		}
		return v, buf.Bytes(), nil
	case "":
		*p = id
		if !wantRaw {
			return v, nil, nil
		}
		b, err := json.Marshal(&v)
		return v, b, err
	default:
		return v, nil, fmt.Errorf("data id %q is not the change's id", *p)
	}
}

// parseRow validates raw as kind's JSON and gives its index source and,
// with wantRaw, its stored bytes, with wantIdx its index entries.
func parseRow(kind wire.Kind, id string, raw []byte, wantRaw, wantIdx bool) (parsedRow, error) {
	if r, ok := fastRow(kind, id, raw); ok {
		if wantIdx {
			r.idx = appendEntries(nil, nil, kind, id, r.src)
		}
		return r, nil
	}
	return parseRowTyped(kind, id, raw, wantRaw, wantIdx)
}

// parseRowTyped is parseRow decoding raw into kind's type (decodeRow).
func parseRowTyped(kind wire.Kind, id string, raw []byte, wantRaw, wantIdx bool) (parsedRow, error) {
	var r parsedRow
	var err error
	switch kind {
	case wire.KindOrganizer:
		_, r.raw, err = decodeRow(raw, id, func(v *data.Organizer) *string { return &v.ID }, wantRaw)
	case wire.KindProvider:
		_, r.raw, err = decodeRow(raw, id, func(v *data.Provider) *string { return &v.ID }, wantRaw)
	case wire.KindService:
		_, r.raw, err = decodeRow(raw, id, func(v *data.Service) *string { return &v.ID }, wantRaw)
	case wire.KindPrice:
		_, r.raw, err = decodeRow(raw, id, func(v *data.ServicePrice) *string { return &v.ID }, wantRaw)
	case wire.KindCustomer:
		var v data.Customer
		v, r.raw, err = decodeRow(raw, id, func(v *data.Customer) *string { return &v.ID }, wantRaw)
		r.src.customer = &v
	case wire.KindVoucher:
		var v data.Voucher
		v, r.raw, err = decodeRow(raw, id, func(v *data.Voucher) *string { return &v.Number }, wantRaw)
		r.src.customerID = v.CustomerID
	case wire.KindGrant:
		var v data.Grant
		v, r.raw, err = decodeRow(raw, id, func(v *data.Grant) *string { return &v.ID }, wantRaw)
		r.src.customerID = v.CustomerID
	case wire.KindReservation:
		var v data.Reservation
		v, r.raw, err = decodeRow(raw, id, func(v *data.Reservation) *string { return &v.ID }, wantRaw)
		r.src.customerID = v.CustomerID
	case wire.KindEvent:
		var v data.ServiceEvent
		v, r.raw, err = decodeRow(raw, id, func(v *data.ServiceEvent) *string { return &v.ID }, wantRaw)
		r.src.customerID, r.src.serviceID, r.src.date = v.CustomerID, v.ServiceID, v.Date
	default:
		return r, errors.New("unknown kind")
	}
	if err != nil {
		return parsedRow{}, err
	}
	if wantIdx {
		r.idx = appendEntries(nil, nil, kind, id, r.src)
	}
	return r, nil
}

// idxSource is what a row's index entries are made of (appendEntries): the
// customer of a customer row, the customer id of a child row, and an
// event's service and date.
type idxSource struct {
	customer   *data.Customer
	customerID string
	serviceID  string
	date       data.Date
	// sortKey is the customer's sortKey when made already (BuildIndexes
	// makes it once for all its passes), or nil.
	sortKey []byte
}

// indexesOf lists the index buckets each kind's rows have entries in
// (appendEntries), for BuildIndexes.
var indexesOf = map[wire.Kind][][]byte{
	wire.KindCustomer:    {iNamePrefix, iNameFoldPrefix, iHetu, iNumber, bSortKeys},
	wire.KindVoucher:     {iCustVoucher, iVoucher},
	wire.KindGrant:       {iCustGrant},
	wire.KindReservation: {iCustResv},
	wire.KindEvent:       {iCustEvent, iMonthEvent},
}

// indexedKinds are the keys of indexesOf, in the order BuildIndexes
// builds them.
var indexedKinds = []wire.Kind{wire.KindCustomer, wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindEvent}

// appendEntries appends the index entries of row id of kind made of s to
// out: the same for a page applied incrementally (parseRow) and for
// BuildIndexes. Keys of the child and month indexes are cut from a (nil:
// each allocated alone).
func appendEntries(out []indexEntry, a *keyArena, kind wire.Kind, id string, s idxSource) []indexEntry {
	child := func(index []byte) {
		if s.customerID != "" && strings.IndexByte(s.customerID, 0) < 0 {
			out = append(out, indexEntry{bucket: index, key: append(a.alloc(len(s.customerID)), s.customerID...), member: id})
		}
	}
	switch kind {
	case wire.KindCustomer:
		v := s.customer
		if v == nil {
			return nil
		}
		sk := s.sortKey
		if sk == nil {
			sk = sortKey(*v)
		}
		out = appendNameEntries(out, a, *v, id, sk)
		if h := hetuKey(v.Hetu); h != "" {
			out = append(out, indexEntry{bucket: iHetu, key: ikey(a, h, id)})
		}
		if n := data.CustomerNumberKey(v.CustomerNumber); n != "" && strings.IndexByte(n, 0) < 0 {
			out = append(out, indexEntry{bucket: iNumber, key: ikey(a, n, id)})
		}
		out = append(out, indexEntry{bucket: bSortKeys, key: []byte(id), value: searchRecord(sk, v)})
	case wire.KindVoucher:
		child(iCustVoucher)
		if s.customerID != "" && strings.IndexByte(s.customerID, 0) < 0 {
			out = append(out, indexEntry{bucket: iVoucher, key: ikey(a, id, s.customerID)})
		}
	case wire.KindGrant:
		child(iCustGrant)
	case wire.KindReservation:
		child(iCustResv)
	case wire.KindEvent:
		child(iCustEvent)
		if k := monthKeyOf(a, s.date, s.serviceID, s.customerID); k != nil {
			out = append(out, indexEntry{bucket: iMonthEvent, key: k, counted: true})
		}
	}
	return out
}

// prefixIDs returns the primary keys of index entries whose value is
// value (exact) or, with exact false, starts with value.
func prefixIDs(b *bolt.Bucket, value []byte, exact bool) []string {
	var out []string
	prefix := value
	if exact {
		prefix = append(append([]byte(nil), value...), 0)
	}
	cur := b.Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		i := bytes.IndexByte(k[len(value):], 0)
		if i < 0 {
			continue
		}
		out = append(out, string(k[len(value)+i+1:]))
	}
	return out
}

func encodeUint(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func decodeUint(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// get decodes the row id of bucket b into v; false when there is none.
func get(tx *bolt.Tx, b []byte, id string, v any) (bool, error) {
	raw := tx.Bucket(b).Get([]byte(id))
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(unpackRow(raw), v); err != nil {
		return false, fmt.Errorf("cache row %s/%s is damaged: %w", b, id, err)
	}
	return true, nil
}

// childrenTx decodes the rows of bucket rows listed in the set of
// customerID in index.
func childrenTx[T any](tx *bolt.Tx, index, rows []byte, customerID string) ([]T, error) {
	var out []T
	for _, id := range setIDs(tx.Bucket(index).Get([]byte(customerID))) {
		var v T
		ok, err := get(tx, rows, id, &v)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// allTx decodes every row of bucket b.
func allTx[T any](tx *bolt.Tx, b []byte) ([]T, error) {
	var out []T
	err := tx.Bucket(b).ForEach(func(k, raw []byte) error {
		var v T
		if err := json.Unmarshal(unpackRow(raw), &v); err != nil {
			return fmt.Errorf("cache row %s/%s is damaged: %w", b, k, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// view runs fn in one read transaction, so everything fn reads is of one
// sync state. Reads that use a secondary index go through viewIndexed
// (bulk.go) instead.
func (c *Cache) view(fn func(tx *bolt.Tx) error) error { return c.viewDB(fn) }

// customerTx reads one customer; an error wrapping ErrNotFound when absent.
func customerTx(tx *bolt.Tx, id string) (data.Customer, error) {
	var v data.Customer
	ok, err := get(tx, bCustomers, id, &v)
	if err == nil && !ok {
		err = fmt.Errorf("customer %q: %w", id, ErrNotFound)
	}
	return v, err
}

// Customer returns one customer as the server last sent it (no pending
// change applied), or an error wrapping ErrNotFound.
func (c *Cache) Customer(id string) (v data.Customer, err error) {
	err = c.view(func(tx *bolt.Tx) error {
		v, err = customerTx(tx, id)
		return err
	})
	return v, err
}

// CustomerByNumber returns the customer with the provider's customer number
// (asiakasnumero) n (surrounding spaces and case ignored), or an error
// wrapping ErrNotFound.
func (c *Cache) CustomerByNumber(n string) (data.Customer, error) {
	var v data.Customer
	var ok bool
	err := c.viewIndexed(func(tx *bolt.Tx) error {
		key := data.CustomerNumberKey(n)
		if key == "" {
			return nil
		}
		for _, id := range prefixIDs(tx.Bucket(iNumber), []byte(key), true) {
			var err error
			if ok, err = get(tx, bCustomers, id, &v); ok || err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && !ok {
		err = fmt.Errorf("customer number: %w", ErrNotFound)
	}
	return v, err
}

func grantsTx(tx *bolt.Tx, customerID string) ([]data.Grant, error) {
	out, err := childrenTx[data.Grant](tx, iCustGrant, bGrants, customerID)
	sort.Slice(out, func(i, j int) bool {
		if out[i].VoucherNumber != out[j].VoucherNumber {
			return out[i].VoucherNumber < out[j].VoucherNumber
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

func vouchersTx(tx *bolt.Tx, customerID string) ([]data.Voucher, error) {
	out, err := childrenTx[data.Voucher](tx, iCustVoucher, bVouchers, customerID)
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, err
}

func reservationsTx(tx *bolt.Tx, customerID string) ([]data.Reservation, error) {
	out, err := childrenTx[data.Reservation](tx, iCustResv, bReservation, customerID)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if x := a.From.Compare(b.From); x != 0 {
			return x > 0
		}
		if x := a.To.Compare(b.To); x != 0 {
			return x > 0
		}
		return a.ID < b.ID
	})
	return out, err
}

func eventsTx(tx *bolt.Tx, customerID string) ([]data.ServiceEvent, error) {
	out, err := childrenTx[data.ServiceEvent](tx, iCustEvent, bEvents, customerID)
	sortEvents(out)
	return out, err
}

// sortEvents orders events newest first (by date, start time, recording
// time, descending; then id).
func sortEvents(out []data.ServiceEvent) {
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if x := a.Date.Compare(b.Date); x != 0 {
			return x > 0
		}
		if a.Start != b.Start {
			return a.Start > b.Start
		}
		if !a.RecordedAt.Equal(b.RecordedAt) {
			return a.RecordedAt.After(b.RecordedAt)
		}
		return a.ID > b.ID
	})
}

func servicesTx(tx *bolt.Tx) ([]data.Service, error) {
	out, err := allTx[data.Service](tx, bServices)
	if err != nil {
		return nil, err
	}
	col := getCollator()
	defer putCollator(col)
	sort.SliceStable(out, func(i, j int) bool {
		if x := col.CompareString(out[i].Name, out[j].Name); x != 0 {
			return x < 0
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// validOn keeps the reservations valid (voimassa olevat) on today: those
// whose To is today or later (a zero To is open-ended).
func validOn(rs []data.Reservation, today data.Date) []data.Reservation {
	out := rs[:0]
	for _, r := range rs {
		if r.To.IsZero() || !r.To.Before(today) {
			out = append(out, r)
		}
	}
	return out
}

// Grants returns the customer's grants, both kinds, by voucher number (then id).
func (c *Cache) Grants(customerID string) (out []data.Grant, err error) {
	err = c.viewIndexed(func(tx *bolt.Tx) error { out, err = grantsTx(tx, customerID); return err })
	return out, err
}

// Vouchers returns the customer's vouchers by number.
func (c *Cache) Vouchers(customerID string) (out []data.Voucher, err error) {
	err = c.viewIndexed(func(tx *bolt.Tx) error { out, err = vouchersTx(tx, customerID); return err })
	return out, err
}

// Reservations returns all the customer's reservations, newest first (by
// From, then To, descending; then id).
func (c *Cache) Reservations(customerID string) (out []data.Reservation, err error) {
	err = c.viewIndexed(func(tx *bolt.Tx) error { out, err = reservationsTx(tx, customerID); return err })
	return out, err
}

// ValidReservations returns the customer's valid (voimassa olevat)
// reservations on today: those whose To is today or later (a zero To is
// open-ended), newest first. The Palveluvaraukset tab shows only these.
func (c *Cache) ValidReservations(customerID string, today data.Date) ([]data.Reservation, error) {
	all, err := c.Reservations(customerID)
	return validOn(all, today), err
}

// Events returns the provider's events of the customer, newest first (by
// date, start time, recording time, descending; then id).
func (c *Cache) Events(customerID string) (out []data.ServiceEvent, err error) {
	err = c.viewIndexed(func(tx *bolt.Tx) error { out, err = eventsTx(tx, customerID); return err })
	return out, err
}

// Services returns every service, by name (Finnish collation).
func (c *Cache) Services() (out []data.Service, err error) {
	err = c.view(func(tx *bolt.Tx) error { out, err = servicesTx(tx); return err })
	return out, err
}

// Prices returns the provider's own prices of every service (hinnasto),
// for data.PriceOn.
func (c *Cache) Prices() (out []data.ServicePrice, err error) {
	err = c.view(func(tx *bolt.Tx) error { out, err = allTx[data.ServicePrice](tx, bPrices); return err })
	return out, err
}

// Service returns the service with id, or an error wrapping ErrNotFound.
func (c *Cache) Service(id string) (data.Service, error) {
	var v data.Service
	var ok bool
	err := c.view(func(tx *bolt.Tx) error {
		var err error
		ok, err = get(tx, bServices, id, &v)
		return err
	})
	if err == nil && !ok {
		err = fmt.Errorf("service %q: %w", id, ErrNotFound)
	}
	return v, err
}

// ServiceByName returns the service whose name or id is name
// (case-insensitive, surrounding spaces ignored), or an error wrapping
// ErrNotFound.
func (c *Cache) ServiceByName(name string) (data.Service, error) {
	svcs, err := c.Services()
	if err != nil {
		return data.Service{}, err
	}
	n := strings.TrimSpace(name)
	for _, s := range svcs {
		if strings.EqualFold(s.ID, n) {
			return s, nil
		}
	}
	for _, s := range svcs {
		if strings.EqualFold(s.Name, n) {
			return s, nil
		}
	}
	return data.Service{}, fmt.Errorf("service %q: %w", name, ErrNotFound)
}

// firstTx decodes the first row of bucket b into v (zero when empty).
func firstTx(tx *bolt.Tx, b []byte, v any) error {
	k, raw := tx.Bucket(b).Cursor().First()
	if k == nil {
		return nil
	}
	return json.Unmarshal(unpackRow(raw), v)
}

// Organizer returns the organizer (zero before the first sync).
func (c *Cache) Organizer() (v data.Organizer, err error) {
	err = c.view(func(tx *bolt.Tx) error { return firstTx(tx, bOrganizer, &v) })
	return v, err
}

// Provider returns the provider the cache belongs to (zero before the first sync).
func (c *Cache) Provider() (v data.Provider, err error) {
	err = c.view(func(tx *bolt.Tx) error { return firstTx(tx, bProvider, &v) })
	return v, err
}

// Statement gathers the customer's data of serviceID (provider, customer,
// service, grants, vouchers, all events) in one read transaction and makes
// the co-payment statement for from..to (inclusive) with
// data.MakeStatement. serviceID "" makes the statement of all the
// customer's services (a zero Service in the request; every service of
// the cache in its Services, for their names and units). It shows the server's data: a customer number still
// waiting in the outbox is not printed until the server has accepted it.
// It errors (wrapping ErrNotFound) on an unknown customer or service, and
// as MakeStatement does when to is before from, and with ErrIncomplete
// while the cache has not caught up since it was emptied.
func (c *Cache) Statement(customerID, serviceID string, from, to, made data.Date) (data.Statement, error) {
	var req data.StatementRequest
	err := c.viewIndexed(func(tx *bolt.Tx) error {
		if !completeTx(tx) {
			return ErrIncomplete
		}
		var err error
		if req.Customer, err = customerTx(tx, customerID); err != nil {
			return err
		}
		if serviceID != "" {
			var ok bool
			if ok, err = get(tx, bServices, serviceID, &req.Service); err != nil {
				return err
			} else if !ok {
				return fmt.Errorf("service %q: %w", serviceID, ErrNotFound)
			}
		}
		if req.Services, err = servicesTx(tx); err != nil {
			return err
		}
		if err := firstTx(tx, bProvider, &req.Provider); err != nil {
			return err
		}
		if req.Grants, err = grantsTx(tx, customerID); err != nil {
			return err
		}
		if req.Vouchers, err = vouchersTx(tx, customerID); err != nil {
			return err
		}
		req.Events, err = eventsTx(tx, customerID)
		return err
	})
	if err != nil {
		return data.Statement{}, err
	}
	req.From, req.To, req.Made = from, to, made
	return data.MakeStatement(req)
}
