package cache

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"sync"

	bolt "go.etcd.io/bbolt"

	"psopdesk/sync/wire"
)

// First sync in bulk mode (issue 8: keeping the secondary indexes may cost
// at most 20 % of a sync's time).
//
// Written change by change, the index entries of a 500-change page land
// all over the index buckets, and each commit rewrites most of their
// pages. So a first sync writes the rows only and builds every index once
// at the end, in key order:
//
//   - ApplyPage on an empty cache (cursor 0, no rows) sets the meta key
//     indexes_pending in the page's transaction. While it is set, pages
//     write and delete rows only; the index sources of the rows (idxSource:
//     a customer's fields, a child row's customer, an event's service and
//     date, as parseRow decoded them anyway) are kept in memory
//     (Cache.bulk), so that a customer's Delete finds their rows without
//     the child indexes and the build need not decode the rows again.
//     After a restart (or a failed page) they are read again from the rows.
//   - BuildIndexes makes every index's entries from them (appendEntries,
//     the same as an incremental page), sorts them by key and writes each
//     index bucket anew in key order with FillPercent 1.0, a transaction a
//     kind, then clears the key. Two goroutines make and sort the entries
//     while the writes go on. Pull calls it when the feed is caught up
//     (Done); an interrupted pull leaves the key, and the next one goes on
//     in bulk mode.
//   - A read that uses an index (viewIndexed) while the key is set builds
//     the indexes first (ensureIndexes), so it is always right; the rest
//     of that sync is then applied incrementally. Open does not build.
//
// Locking: ApplyPage, StartFeed and BuildIndexes hold Cache.applyMu (the
// writers' lock, which also guards Cache.bulk) and reach the file through
// updateDB/viewDB as everything else, so a build sees no row change
// between its transactions, Compact can run between them, and readers of
// rows are not held up by a build.
//
// The key is new with this mode; an older PSOP Desk would not know it
// (downgrading over a cache whose first sync was interrupted is not
// supported).
var keyIndexesPending = []byte("indexes_pending")

// bulkFirstSync is false only in tests that compare bulk mode with
// incremental pages.
var bulkFirstSync = true

// writeIndexes is false only in the benchmarks that measure what keeping
// the indexes costs a sync: pages then write rows and nothing else (no
// index, no bulk state; a customer's Delete removes only their row).
var writeIndexes = true

// rowRef names a row.
type rowRef struct {
	kind wire.Kind
	id   string
}

// bulkRows holds the index source of every row of an indexed kind during
// a bulk first sync and, once a customer's Delete needed them, the rows of
// each customer.
type bulkRows struct {
	rows map[wire.Kind]*kindRows
	// children: customer id → their vouchers, grants, reservations and
	// events (the rows the child indexes would list); nil until the first
	// customer's Delete, then kept up to date.
	children map[string]map[rowRef]struct{}
}

// kindRows are the rows of one kind in the order they were put: a list
// kept in blocks (so that it grows without copying). While no row of the
// kind was deleted or needed looking up, it is only appended to, with no
// map (an id put twice is then in it twice; live sorts that out); pos is
// made on the first look-up.
type kindRows struct {
	pos    map[string]int32 // id → index in the list; nil until needed
	blocks [][]bulkRow
	n      int // rows in the list, dead ones and repeats included
}

const rowBlock = 1024

type bulkRow struct {
	id   string
	src  idxSource
	dead bool
}

func (k *kindRows) at(i int32) *bulkRow { return &k.blocks[i/rowBlock][i%rowBlock] }

// index makes pos: the last put of an id counts, the earlier ones are
// dead.
func (k *kindRows) index() {
	if k.pos != nil {
		return
	}
	k.pos = make(map[string]int32, k.n)
	for i := range int32(k.n) {
		r := k.at(i)
		if r.dead {
			continue
		}
		if j, ok := k.pos[r.id]; ok {
			*k.at(j) = bulkRow{dead: true}
		}
		k.pos[r.id] = i
	}
}

func (k *kindRows) get(id string) (idxSource, bool) {
	k.index()
	i, ok := k.pos[id]
	if !ok {
		return idxSource{}, false
	}
	return k.at(i).src, true
}

func (k *kindRows) set(id string, s idxSource) {
	if k.pos != nil {
		if i, ok := k.pos[id]; ok {
			k.at(i).src = s
			return
		}
		k.pos[id] = int32(k.n)
	}
	if k.n%rowBlock == 0 {
		k.blocks = append(k.blocks, make([]bulkRow, 0, rowBlock))
	}
	last := &k.blocks[len(k.blocks)-1]
	*last = append(*last, bulkRow{id: id, src: s})
	k.n++
}

func (k *kindRows) delete(id string) {
	k.index()
	if i, ok := k.pos[id]; ok {
		*k.at(i) = bulkRow{dead: true}
		delete(k.pos, id)
	}
}

// live readies the list for each when the kind's rows bucket holds
// stored rows: without pos, the list is the live rows as it is only if
// it holds as many rows as the bucket (no id was put twice).
func (k *kindRows) live(stored int) {
	if k.pos == nil && k.n != stored {
		k.index()
	}
}

// each calls fn for every live row, in list order (after live).
func (k *kindRows) each(fn func(id string, s idxSource)) {
	for _, b := range k.blocks {
		for i := range b {
			if r := &b[i]; !r.dead {
				fn(r.id, r.src)
			}
		}
	}
}

func newBulkRows() *bulkRows {
	b := &bulkRows{rows: map[wire.Kind]*kindRows{}}
	for _, k := range indexedKinds {
		b.rows[k] = &kindRows{}
	}
	return b
}

// isChildKind reports whether kind's rows belong to a customer (childIndexes).
func isChildKind(kind wire.Kind) bool {
	return kind == wire.KindVoucher || kind == wire.KindGrant || kind == wire.KindReservation || kind == wire.KindEvent
}

// childOf is the customer whose child index would list a row of
// customerID ("" when none would: appendEntries' rule).
func childOf(customerID string) string {
	if strings.IndexByte(customerID, 0) >= 0 {
		return ""
	}
	return customerID
}

func (b *bulkRows) put(kind wire.Kind, id string, s idxSource) {
	rows, ok := b.rows[kind]
	if !ok {
		return
	}
	if b.children != nil && isChildKind(kind) {
		b.remove(kind, id)
	}
	rows.set(id, s)
	if b.children != nil && isChildKind(kind) {
		b.addChild(kind, id, s)
	}
}

func (b *bulkRows) addChild(kind wire.Kind, id string, s idxSource) {
	cid := childOf(s.customerID)
	if cid == "" {
		return
	}
	set := b.children[cid]
	if set == nil {
		set = map[rowRef]struct{}{}
		b.children[cid] = set
	}
	set[rowRef{kind, id}] = struct{}{}
}

func (b *bulkRows) remove(kind wire.Kind, id string) {
	rows, ok := b.rows[kind]
	if !ok {
		return
	}
	old, had := rows.get(id)
	if !had {
		return
	}
	rows.delete(id)
	if b.children == nil || !isChildKind(kind) {
		return
	}
	if cid := childOf(old.customerID); cid != "" {
		if set := b.children[cid]; set != nil {
			delete(set, rowRef{kind, id})
			if len(set) == 0 {
				delete(b.children, cid)
			}
		}
	}
}

// childrenOf lists the rows of customer id (deleteCustomer's), making
// b.children on first use.
func (b *bulkRows) childrenOf(id string) []rowRef {
	if b.children == nil {
		b.children = map[string]map[rowRef]struct{}{}
		for _, kind := range indexedKinds {
			if !isChildKind(kind) {
				continue
			}
			b.rows[kind].index() // no repeats
			b.rows[kind].each(func(id string, s idxSource) { b.addChild(kind, id, s) })
		}
	}
	var refs []rowRef
	for ref := range b.children[id] {
		refs = append(refs, ref)
	}
	return refs
}

// loadBulkRows reads the index sources of every stored row. A row that
// does not parse is left out (it has no index entries, as in deleteRow).
func loadBulkRows(tx *bolt.Tx) (*bulkRows, error) {
	b := newBulkRows()
	for _, kind := range indexedKinds {
		err := tx.Bucket(bucketOf[kind]).ForEach(func(k, raw []byte) error {
			row, err := parseRow(kind, string(k), raw, false, false)
			if err == nil {
				b.put(kind, string(k), row.src)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

// noRows reports whether the cache holds no row of any kind.
func noRows(tx *bolt.Tx) bool {
	for _, name := range bucketOf {
		if k, _ := tx.Bucket(name).Cursor().First(); k != nil {
			return false
		}
	}
	return true
}

// applyRow applies one change in bulk mode: the row only, its index
// source kept in b (nil: not kept, for the benchmark without indexes).
func applyRow(tx *bolt.Tx, ch *wire.Change, b *bulkRows) error {
	bad, err := checkChange(ch)
	if err != nil {
		return err
	}
	rows := tx.Bucket(bucketOf[ch.Kind])
	switch ch.Op {
	case wire.OpPut:
		row, err := parseRow(ch.Kind, ch.ID, ch.Data, true, false)
		if err != nil {
			return bad("%v", err)
		}
		if err := rows.Put([]byte(ch.ID), row.raw); err != nil {
			return err
		}
		if b != nil {
			b.put(ch.Kind, ch.ID, row.src)
		}
		return nil
	case wire.OpDelete:
		if ch.Kind == wire.KindCustomer && b != nil {
			// The rows the child indexes would list (deleteCustomer).
			for _, ref := range b.childrenOf(ch.ID) {
				if err := tx.Bucket(bucketOf[ref.kind]).Delete([]byte(ref.id)); err != nil {
					return err
				}
				b.remove(ref.kind, ref.id)
			}
		}
		if b != nil {
			b.remove(ch.Kind, ch.ID)
		}
		return rows.Delete([]byte(ch.ID))
	default:
		return bad("unknown op %q", ch.Op)
	}
}

// IndexesPending reports whether a first sync left the secondary indexes
// to be built (BuildIndexes).
func (c *Cache) IndexesPending() (bool, error) {
	var pending bool
	err := c.viewDB(func(tx *bolt.Tx) error {
		pending = tx.Bucket(bMeta).Get(keyIndexesPending) != nil
		return nil
	})
	return pending, err
}

// BuildIndexes builds every secondary index anew from the rows (name
// prefixes, henkilötunnus, customer and voucher numbers, the customer →
// row indexes, the sort keys and search records, the month index) and
// ends a first sync's bulk mode. Each kind's entries are sorted by key and
// written in one transaction into fresh buckets filled in key order
// (FillPercent 1.0), while the next kind's entries are made and sorted on
// another goroutine; the last transaction clears indexes_pending, so an
// interrupted build is done again whole. The contents are those that
// applying the pages incrementally gives. Writers (ApplyPage) wait for
// it; readers of rows do not.
func (c *Cache) BuildIndexes() error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	return c.buildIndexes()
}

// buildIndexes is BuildIndexes under applyMu.
func (c *Cache) buildIndexes() error {
	b := c.bulk
	if b == nil {
		err := c.viewDB(func(tx *bolt.Tx) error {
			var err error
			b, err = loadBulkRows(tx)
			return err
		})
		if err != nil {
			return err
		}
	}
	// Without a map of the ids, a kind's list is its live rows only if
	// its bucket holds as many.
	err := c.viewDB(func(tx *bolt.Tx) error {
		for _, kind := range indexedKinds {
			b.rows[kind].live(tx.Bucket(bucketOf[kind]).Stats().KeyN)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The entries are made and sorted on two goroutines while the writes
	// go on: the events (the most rows) on one, the other kinds on the
	// other, smallest first so that writing starts soon.
	made := make(map[wire.Kind]chan []*entryList, len(indexedKinds))
	for _, kind := range indexedKinds {
		made[kind] = make(chan []*entryList, 1)
	}
	for _, kinds := range [][]wire.Kind{buildOrder[:len(buildOrder)-1], buildOrder[len(buildOrder)-1:]} {
		go func() {
			for _, kind := range kinds {
				made[kind] <- kindEntries(kind, b.rows[kind])
			}
		}()
	}
	for i, kind := range buildOrder {
		byBucket := <-made[kind]
		last := i == len(buildOrder)-1
		err := c.updateDB(func(tx *bolt.Tx) error {
			for j, name := range indexesOf[kind] {
				if tx.Bucket(name) != nil {
					if err := tx.DeleteBucket(name); err != nil {
						return err
					}
				}
				bk, err := tx.CreateBucket(name)
				if err != nil {
					return err
				}
				bk.FillPercent = 1.0 // keys come in order: full pages
				l := byBucket[j]
				for i := range l.ents {
					if err := bk.Put(l.key(i), l.value(i)); err != nil {
						return err
					}
				}
			}
			if !last {
				return nil
			}
			return tx.Bucket(bMeta).Delete(keyIndexesPending)
		})
		if err != nil {
			return err
		}
	}
	c.bulk = nil
	return nil
}

// buildOrder is the order BuildIndexes writes the kinds' indexes in: by
// number of rows in a usual feed, the events last.
var buildOrder = []wire.Kind{wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindCustomer, wire.KindEvent}

// kindEntries gives the index entries of rows (of kind) by bucket, in the
// order of indexesOf[kind], each bucket's sorted by key (the buckets on
// goroutines of their own).
func kindEntries(kind wire.Kind, rows *kindRows) []*entryList {
	names := indexesOf[kind]
	out := make([]*entryList, len(names))
	for j := range out {
		out[j] = &entryList{ents: make([]entRef, 0, rows.n)}
	}
	var a keyArena
	var scratch []indexEntry
	rows.each(func(id string, s idxSource) {
		a.reset()
		scratch = appendEntries(scratch[:0], &a, kind, id, s)
		for _, e := range scratch {
			j := 0
			for j < len(names) && !bytes.Equal(e.bucket, names[j]) {
				j++
			}
			if j == len(names) {
				panic("cache: an index entry of " + string(e.bucket) + " is not in indexesOf")
			}
			out[j].add(e.key, e.value)
		}
	})
	var wg sync.WaitGroup
	for _, l := range out {
		wg.Go(l.sort)
	}
	wg.Wait()
	return out
}

// entryList is one index bucket's entries, without pointers (so the GC
// need not scan them): keys and values in blocks of bytes.
type entryList struct {
	blocks [][]byte
	ents   []entRef
	lcp    int // length of the prefix all the keys share
}

// entRef is an entry of an entryList: its key at blocks[block][off:],
// then its value; p and tail are for sort.
type entRef struct {
	p                      uint64
	block, off, klen, vlen uint32
	tail                   uint8 // bytes of the key from p's on, up to 9
}

const entryBlock = 256 << 10

func (l *entryList) add(key, value []byte) {
	n := len(key) + len(value)
	if len(l.blocks) == 0 || cap(l.blocks[len(l.blocks)-1])-len(l.blocks[len(l.blocks)-1]) < n {
		l.blocks = append(l.blocks, make([]byte, 0, max(n, entryBlock)))
	}
	bi := len(l.blocks) - 1
	b := l.blocks[bi]
	off := len(b)
	b = append(append(b, key...), value...)
	l.blocks[bi] = b
	if len(l.ents) == 0 {
		l.lcp = len(key)
	} else {
		first := l.key(0)
		m := min(l.lcp, len(key))
		i := 0
		for i < m && key[i] == first[i] {
			i++
		}
		l.lcp = i
	}
	l.ents = append(l.ents, entRef{block: uint32(bi), off: uint32(off), klen: uint32(len(key)), vlen: uint32(len(value))})
}

func (l *entryList) key(i int) []byte { return l.keyOf(&l.ents[i]) }

func (l *entryList) keyOf(e *entRef) []byte {
	return l.blocks[e.block][e.off : e.off+e.klen]
}

func (l *entryList) value(i int) []byte {
	e := &l.ents[i]
	return l.blocks[e.block][e.off+e.klen : e.off+e.klen+e.vlen]
}

// sort sorts the entries by key, eight bytes at a time (most significant
// first): by those bytes as a number (and, for keys ending within them,
// their length), then each run of keys equal so far by their next eight
// bytes. Keys of an index share long prefixes (a customer id, a month),
// which this skips without comparing them byte by byte again and again.
func (l *entryList) sort() { l.sortFrom(l.ents, l.lcp) }

// sortFrom sorts ents, whose keys agree on their first depth bytes.
func (l *entryList) sortFrom(ents []entRef, depth int) {
	for i := range ents {
		e := &ents[i]
		k := l.keyOf(e)[depth:]
		var b [8]byte
		copy(b[:], k)
		e.p = binary.BigEndian.Uint64(b[:])
		e.tail = uint8(min(len(k), 9)) // 9: the key goes on after these bytes
	}
	slices.SortFunc(ents, func(a, b entRef) int {
		if a.p != b.p {
			if a.p < b.p {
				return -1
			}
			return 1
		}
		return int(a.tail) - int(b.tail)
	})
	for i := 0; i < len(ents); {
		j := i + 1
		for j < len(ents) && ents[j].p == ents[i].p && ents[j].tail == ents[i].tail {
			j++
		}
		if j-i > 1 && ents[i].tail == 9 {
			l.sortFrom(ents[i:j], depth+8)
		}
		i = j
	}
}

// ensureIndexes builds the secondary indexes if a first sync left them
// pending.
func (c *Cache) ensureIndexes() error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	pending, err := c.IndexesPending()
	if err != nil || !pending {
		return err
	}
	return c.buildIndexes()
}

// viewIndexed is view for reads that use a secondary index: when the
// indexes are pending (bulk mode), it builds them first (ensureIndexes)
// and then runs fn, so that the read sees them. The check is made in fn's
// own transaction.
func (c *Cache) viewIndexed(fn func(tx *bolt.Tx) error) error {
	for {
		pending := false
		err := c.viewDB(func(tx *bolt.Tx) error {
			if tx.Bucket(bMeta).Get(keyIndexesPending) != nil {
				pending = true
				return nil
			}
			return fn(tx)
		})
		if err != nil || !pending {
			return err
		}
		if err := c.ensureIndexes(); err != nil {
			return err
		}
	}
}
