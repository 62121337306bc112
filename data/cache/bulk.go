package cache

import (
	"bytes"
	"encoding/binary"
	"runtime/debug"
	"slices"

	bolt "go.etcd.io/bbolt"

	"psopdesk/sync/wire"
)

// First sync in bulk mode (issue 8: keeping the secondary indexes may cost
// at most 20 % of a sync's time; issue 9: at most 150 MB of memory at
// 50,000 customers).
//
// Written change by change, the index entries of a customer (name
// prefixes, henkilötunnus, customer number, sort key) land all over their
// buckets, and each commit rewrites most of their pages. So a first sync
// defers the customers' indexes and builds them once at the end, in key
// order. The rows of a customer (vouchers, grants, reservations, events)
// keep their customer → row sets (setindex.go) and voucher → customer
// entries written with the page, as an incremental page does: a feed
// sends a customer's rows together and customers in order, so those are
// appended at a few places of their buckets, which is cheap, and nothing
// of them is held in memory (holding every row's index source made a
// 50,000-customer first sync take 1.4 GB). The events' month index
// entries, which would land all over their bucket too, are kept as
// compact counts (bulkRows.months, monthindex.go) and written by
// BuildIndexes.
//
//   - ApplyPage on an empty cache (cursor 0, no rows) sets the meta key
//     indexes_pending in the page's transaction. While it is set, a
//     customer's put writes the row only and keeps the customer (the
//     index source) in memory (Cache.bulk), and an event's month entry
//     changes a count there; a customer's Delete removes the customer and
//     their rows (found by the child indexes, which are kept) as usual.
//     After a restart (or a failed page) the customers and the counts are
//     read again from the rows.
//   - BuildIndexes writes the month index from the counts, then makes the
//     customers' index entries from them
//     (appendEntries, the same as an incremental page), sorts each
//     bucket's by key and writes the bucket anew in key order with
//     FillPercent 1.0, in transactions of indexChunk entries, then clears
//     the key in the last one. Pull calls it when the feed is caught up
//     (Done); an interrupted pull leaves the key, and the next one goes on
//     in bulk mode (an interrupted build is done again whole).
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

// deferredKinds are the kinds whose index entries a bulk first sync
// defers to BuildIndexes (the rest are written with their rows).
var deferredKinds = []wire.Kind{wire.KindCustomer}

// bulkRows holds the index source of every row of a deferred kind during
// a bulk first sync.
type bulkRows struct {
	rows map[wire.Kind]*kindRows
	// months are the changes of the month index's counts (monthindex.go):
	// the events' entries, written by BuildIndexes.
	months monthCounts
	// last is, by kind, a key at least as large as any stored (read from
	// the bucket when first needed, then the largest put): a put of a
	// larger id adds a row (applyChange's fresh), with no look-up.
	last map[wire.Kind]string
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

// eachRef calls fn with every live row, in list order (after live).
func (k *kindRows) eachRef(fn func(r *bulkRow)) {
	for _, b := range k.blocks {
		for i := range b {
			if r := &b[i]; !r.dead {
				fn(r)
			}
		}
	}
}

// each calls fn for every live row, in list order (after live).
func (k *kindRows) each(fn func(id string, s idxSource)) {
	k.eachRef(func(r *bulkRow) { fn(r.id, r.src) })
}

func newBulkRows() *bulkRows {
	b := &bulkRows{rows: map[wire.Kind]*kindRows{}, last: map[wire.Kind]string{}}
	for _, k := range deferredKinds {
		b.rows[k] = &kindRows{}
	}
	return b
}

func (b *bulkRows) put(kind wire.Kind, id string, s idxSource) {
	if rows, ok := b.rows[kind]; ok {
		rows.set(id, s)
	}
}

func (b *bulkRows) remove(kind wire.Kind, id string) {
	if rows, ok := b.rows[kind]; ok {
		rows.delete(id)
	}
}

// loadBulkRows reads the index sources of every stored row. A row that
// does not parse is left out (it has no index entries, as in deleteRow).
func loadBulkRows(tx *bolt.Tx) (*bulkRows, error) {
	b := newBulkRows()
	for _, kind := range deferredKinds {
		err := tx.Bucket(bucketOf[kind]).ForEach(func(k, raw []byte) error {
			row, err := parseRow(kind, string(k), unpackRow(raw), false, false)
			if err == nil {
				b.put(kind, string(k), row.src)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	m, err := monthCountsOf(tx)
	if err != nil {
		return nil, err
	}
	b.months = *m
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

// applyRow applies one change in bulk mode: a row of a deferred kind
// without its index entries, its index source kept in b; any other with
// its entries (apply). With b nil (the benchmark without indexes) every
// row is written alone.
func applyRow(tx *bolt.Tx, ch *wire.Change, b *bulkRows, pb *pageBuf) error {
	if _, deferred := b.rowsOf(ch.Kind); b != nil && !deferred {
		return applyChange(tx, ch, ch.Op == wire.OpPut && b.beyondLast(tx, ch), pb)
	}
	bad, err := checkChange(ch)
	if err != nil {
		return err
	}
	rows := tx.Bucket(bucketOf[ch.Kind])
	switch ch.Op {
	case wire.OpPut:
		var a *keyArena
		if pb != nil {
			a = &pb.a
		}
		row, packed, err := pb.parse(a, ch)
		if err != nil {
			return bad("%v", err)
		}
		if err := rows.Put([]byte(ch.ID), packed); err != nil {
			return err
		}
		if b != nil {
			b.put(ch.Kind, ch.ID, row.src)
		}
		return nil
	case wire.OpDelete:
		if b == nil {
			return rows.Delete([]byte(ch.ID))
		}
		b.remove(ch.Kind, ch.ID)
		if ch.Kind == wire.KindCustomer {
			return deleteCustomer(tx, ch.ID, pb) // their rows by the child indexes
		}
		return rows.Delete([]byte(ch.ID))
	default:
		return bad("unknown op %q", ch.Op)
	}
}

// bulkTx readies a page's transaction tx: in bulk mode, the buckets a
// feed appends to fill their pages (FillPercent 1.0: the rows and their
// child and month indexes come in about key order, and half-full pages
// made the file twice as large), and the commit is not synced to disk
// (NoSync; BuildIndexes syncs the file at the end). A first sync's pages
// hold nothing the server does not: a file left damaged by a power cut
// in the middle of it is rebuilt from the feed, while fsync per page cost
// a large provider's first sync about a third of its time. A process
// killed midway loses nothing (the writes are in the system's cache).
func (c *Cache) bulkTx(tx *bolt.Tx, bulk bool) {
	c.db.NoSync = bulk
	if !bulk {
		return
	}
	for _, name := range bucketOf {
		tx.Bucket(name).FillPercent = 1.0
	}
	for _, ci := range childIndexes {
		tx.Bucket(ci.index).FillPercent = 1.0
	}
	tx.Bucket(iVoucher).FillPercent = 1.0
}

// beyondLast reports whether ch's id is larger than every stored key of
// its kind, and records it as the largest.
func (b *bulkRows) beyondLast(tx *bolt.Tx, ch *wire.Change) bool {
	last, known := b.last[ch.Kind]
	if !known {
		if bk := tx.Bucket(bucketOf[ch.Kind]); bk != nil {
			k, _ := bk.Cursor().Last()
			last = string(k)
		}
	}
	if ch.ID > last {
		b.last[ch.Kind] = ch.ID
		return true
	}
	b.last[ch.Kind] = last
	return false
}

// rowsOf gives the kind's list when its index entries are deferred.
func (b *bulkRows) rowsOf(kind wire.Kind) (*kindRows, bool) {
	if b == nil {
		return nil, false
	}
	rows, ok := b.rows[kind]
	return rows, ok
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

// BuildIndexes builds the indexes a first sync defers anew (the month
// index from the events' counts; the customers' name prefixes,
// henkilötunnus, customer numbers, sort keys and search records from the
// customers) and ends its bulk mode. Each bucket is written anew in key
// order (FillPercent 1.0) in transactions of about indexChunk entries;
// the last transaction clears indexes_pending, so an interrupted build is
// done again whole. The contents are those that applying the pages
// incrementally gives. Writers (ApplyPage) wait for it; readers of rows
// do not.
func (c *Cache) BuildIndexes() error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	return c.buildIndexes()
}

// buildIndexes is BuildIndexes under applyMu.
func (c *Cache) buildIndexes() error {
	// The build holds the deferred rows' sources and one bucket's entries
	// (at 50,000 customers about 60 MB): with the default GOGC the heap
	// grew to twice that before a collection. The build makes little
	// garbage, so collecting sooner costs little (issue 9: the client's
	// memory at most 150 MB).
	defer debug.SetGCPercent(debug.SetGCPercent(buildGCPercent))
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
		for _, kind := range deferredKinds {
			b.rows[kind].live(tx.Bucket(bucketOf[kind]).Stats().KeyN)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := c.writeMonths(&b.months); err != nil {
		return err
	}
	b.months = monthCounts{} // written: let it go
	for i, kind := range deferredKinds {
		if kind == wire.KindCustomer { // for every bucket's pass: made once
			b.rows[kind].eachRef(func(r *bulkRow) {
				if r.src.customer != nil {
					r.src.sortKey = sortKey(*r.src.customer)
				}
			})
		}
		passes := buildPasses[kind]
		for p, names := range passes {
			lists := bucketEntries(kind, b.rows[kind], names)
			for j, name := range names {
				last := i == len(deferredKinds)-1 && p == len(passes)-1 && j == len(names)-1
				if err := c.writeIndex(name, lists[j], last); err != nil {
					return err
				}
				lists[j] = nil
			}
		}
		b.rows[kind] = &kindRows{} // no longer needed: let it go
	}
	c.bulk = nil
	return nil
}

// buildGCPercent is the GOGC while BuildIndexes runs.
const buildGCPercent = 25

// indexChunk is how many entries BuildIndexes writes in one transaction:
// bbolt holds a transaction's new pages, and the node the entries are
// appended to, in memory until it commits (50,000 before issue 9's third
// pass; fewer keep the build's memory lower).
const indexChunk = 10000

// writeIndex writes the bucket name anew from l (sorted by key), in key
// order with full pages, indexChunk entries a transaction; with last, the
// last transaction also clears indexes_pending.
func (c *Cache) writeIndex(name []byte, l *entryList, last bool) error {
	for from := 0; from == 0 || from < len(l.ents); from += indexChunk {
		to := min(from+indexChunk, len(l.ents))
		err := c.updateDB(func(tx *bolt.Tx) error {
			if from == 0 {
				if tx.Bucket(name) != nil {
					if err := tx.DeleteBucket(name); err != nil {
						return err
					}
				}
				if _, err := tx.CreateBucket(name); err != nil {
					return err
				}
			}
			bk := tx.Bucket(name)
			bk.FillPercent = 1.0 // keys come in order: full pages
			for i := from; i < to; i++ {
				if err := bk.Put(l.key(i), l.value(i)); err != nil {
					return err
				}
			}
			if last && to == len(l.ents) {
				// The end of bulk mode: this commit syncs the file,
				// with every page of the first sync (bulkTx).
				c.db.NoSync = false
				return tx.Bucket(bMeta).Delete(keyIndexesPending)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// bucketEntries gives the entries of rows (of kind) in the index buckets
// names, each bucket's sorted by key. BuildIndexes makes a few buckets'
// at a time (buildPasses), so that not every entry is in memory at once.
func bucketEntries(kind wire.Kind, rows *kindRows, names [][]byte) []*entryList {
	out := make([]*entryList, len(names))
	for j := range out {
		out[j] = &entryList{}
	}
	var a keyArena
	var scratch []indexEntry
	rows.each(func(id string, s idxSource) {
		a.reset()
		scratch = appendEntries(scratch[:0], &a, kind, id, s)
		for _, e := range scratch {
			for j, name := range names {
				if bytes.Equal(e.bucket, name) {
					out[j].add(e.key, e.value)
				}
			}
		}
	})
	for _, l := range out {
		l.sort()
	}
	return out
}

// buildPasses groups a kind's index buckets (indexesOf) into the passes
// of BuildIndexes over its rows: a customer's name entries are the most
// and the dearest to make.
var buildPasses = map[wire.Kind][][][]byte{
	wire.KindCustomer: {{iNamePrefix, iNameFoldPrefix}, {iHetu, iNumber, bSortKeys}},
}

// entryList is one index bucket's entries, without pointers (so the GC
// need not scan them): keys and values in blocks of bytes. The entries are
// added in chunks and made one slice when sorted: grown by append, the
// slice of a bucket of name prefixes (about ten a customer) was copied
// again and again, a fifth of BuildIndexes' time.
type entryList struct {
	blocks [][]byte
	chunks [][]entRef // as added, until sort
	ents   []entRef   // sorted
	n      int        // entries
	first  entRef
	lcp    int // length of the prefix all the keys share
}

// entChunk is the size of an entryList's chunks (a variable for tests).
var entChunk = 16 << 10

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
	e := entRef{block: uint32(bi), off: uint32(off), klen: uint32(len(key)), vlen: uint32(len(value))}
	if l.n == 0 {
		l.lcp, l.first = len(key), e
	} else {
		first := l.keyOf(&l.first)
		m := min(l.lcp, len(key))
		i := 0
		for i < m && key[i] == first[i] {
			i++
		}
		l.lcp = i
	}
	if len(l.chunks) == 0 || len(l.chunks[len(l.chunks)-1]) == entChunk {
		l.chunks = append(l.chunks, make([]entRef, 0, entChunk))
	}
	c := &l.chunks[len(l.chunks)-1]
	*c = append(*c, e)
	l.n++
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
func (l *entryList) sort() {
	l.ents = make([]entRef, 0, l.n)
	for i, c := range l.chunks {
		l.ents = append(l.ents, c...)
		l.chunks[i] = nil
	}
	l.chunks = nil
	l.sortFrom(l.ents, l.lcp)
}

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
