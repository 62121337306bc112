package cache

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// The month index (schema 5, issue 9): one key a month and service,
// "YYYY-MM" + 0x00 + service id, whose value lists the customers with
// events of the service dated in the month, each with how many: the
// customer ids in byte order, each followed by 0x00 and the count as a
// uvarint (at least 1; a uvarint of a positive number holds no 0x00 and
// its last byte is below 0x80, so the list reads back unambiguously). A
// customer whose count falls to 0 is dropped, a key left with none
// deleted. StatementCustomers reads one key (or a month's keys).
//
// Before, each event had a key of its own (month + service + customer +
// event id), written with its row: the feed sends a customer's events
// together, so each page of a first sync put keys all over the bucket
// (47 months × 4 services at the demo's 50,000 customers) and each commit
// rewrote a leaf page at each of those places: about 1.4 million keys and
// a third of the sync's time. Now an event's entry (indexEntry.counted,
// key month + 0x00 + service + 0x00 + customer as monthKeyOf makes it)
// is a change of its customer's count, gathered as compact records
// (monthCounts):
//
//   - applied incrementally, a page's changes are summed and each key
//     touched is read and written once at the page's end (flushMonths);
//   - during a bulk first sync (bulk.go) the records are kept for the
//     whole sync (bulkRows.months, 12 bytes a customer, month and service
//     at most) and BuildIndexes writes the bucket once (writeMonths: about
//     200 keys at 50,000 customers); after a restart they are read again
//     from the stored events;
//   - Check sums the events' entries the same way and compares the
//     bucket with the sums (checkMonths in check.go).

// monthCounts are changes of the month index's counts: records of an
// entry's key (its month-and-service part and its customer, each by a
// number) and a change of its count, in the order made.
type monthCounts struct {
	prefixIDs map[string]uint32 // "YYYY-MM" 0x00 service id → number
	prefixes  []string
	custIDs   map[string]uint32 // customer id → number
	custs     []string
	blocks    [][]monthRec
	n         int // records
}

type monthRec struct {
	prefix, cust uint32
	delta        int32
}

// monthBlock is the most records a block of monthCounts holds.
const monthBlock = 1 << 16

// intern gives the number of b in list (adding it).
func intern(ids *map[string]uint32, list *[]string, b []byte) uint32 {
	if l := len(*list); l > 0 && (*list)[l-1] == string(b) {
		return uint32(l - 1) // the last one: a customer's events come together
	}
	if id, ok := (*ids)[string(b)]; ok {
		return id
	}
	if *ids == nil {
		*ids = map[string]uint32{}
	}
	s := string(b)
	id := uint32(len(*list))
	*list = append(*list, s)
	(*ids)[s] = id
	return id
}

// add records delta to the count of entry key (monthKeyOf).
func (m *monthCounts) add(key []byte, delta int32) {
	i := bytes.LastIndexByte(key, 0) // a customer id holds no 0x00
	p := intern(&m.prefixIDs, &m.prefixes, key[:max(i, 0)])
	c := intern(&m.custIDs, &m.custs, key[i+1:])
	if nb := len(m.blocks); nb > 0 {
		if b := m.blocks[nb-1]; len(b) > 0 && b[len(b)-1].prefix == p && b[len(b)-1].cust == c {
			b[len(b)-1].delta += delta
			return
		}
	}
	if nb := len(m.blocks); nb == 0 || len(m.blocks[nb-1]) == cap(m.blocks[nb-1]) {
		size := 256
		if nb > 0 {
			size = min(monthBlock, 2*cap(m.blocks[nb-1]))
		}
		m.blocks = append(m.blocks, make([]monthRec, 0, size))
	}
	last := &m.blocks[len(m.blocks)-1]
	*last = append(*last, monthRec{p, c, delta})
	m.n++
}

// reset forgets the records, keeping the first block for reuse.
func (m *monthCounts) reset() {
	clear(m.prefixIDs)
	clear(m.custIDs)
	m.prefixes, m.custs = m.prefixes[:0], m.custs[:0]
	if len(m.blocks) > 0 {
		m.blocks = append(m.blocks[:0], m.blocks[0][:0])
	}
	m.n = 0
}

// ranks gives each string of list its place in list sorted.
func ranks(list []string) []uint32 {
	order := make([]uint32, len(list))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(list[a], list[b]) })
	out := make([]uint32, len(list))
	for r, i := range order {
		out[i] = uint32(r)
	}
	return out
}

// monthIter gives the keys of monthCounts in key order, each with its
// customers in byte order and the sums of their changes (sums of 0 left
// out, and keys left with none): each block sorted, then merged.
type monthIter struct {
	m      *monthCounts
	pr, cr []uint32 // ranks of the prefixes and customers
	heads  []int    // the next record of each block
	rec    monthRec // the record ahead (has)
	sum    int64
	has    bool

	prefix string       // the current key
	ents   []monthEntry // its customers
}

// monthEntry is a customer of a month index key and its count (or a
// change of it).
type monthEntry struct {
	cust string
	n    int64
}

// iter sorts m's blocks and starts an iteration over it.
func (m *monthCounts) iter() *monthIter {
	it := &monthIter{m: m, pr: ranks(m.prefixes), cr: ranks(m.custs), heads: make([]int, len(m.blocks))}
	for _, b := range m.blocks {
		slices.SortFunc(b, it.cmp)
	}
	it.has = it.advance()
	return it
}

func (it *monthIter) cmp(a, b monthRec) int {
	if a.prefix != b.prefix {
		return int(it.pr[a.prefix]) - int(it.pr[b.prefix])
	}
	return int(it.cr[a.cust]) - int(it.cr[b.cust])
}

// advance reads the next customer of a key and the sum of its changes
// into rec and sum; false at the end.
func (it *monthIter) advance() bool {
	var least *monthRec
	for i, b := range it.m.blocks {
		if h := it.heads[i]; h < len(b) && (least == nil || it.cmp(b[h], *least) < 0) {
			least = &b[h]
		}
	}
	if least == nil {
		return false
	}
	it.rec, it.sum = *least, 0
	for i, b := range it.m.blocks {
		for h := it.heads[i]; h < len(b) && it.cmp(b[h], it.rec) == 0; h++ {
			it.sum += int64(b[h].delta)
			it.heads[i] = h + 1
		}
	}
	return true
}

// next moves to the next key; false at the end.
func (it *monthIter) next() bool {
	for it.has {
		p := it.rec.prefix
		it.prefix, it.ents = it.m.prefixes[p], it.ents[:0]
		for ; it.has && it.rec.prefix == p; it.has = it.advance() {
			if it.sum != 0 {
				it.ents = append(it.ents, monthEntry{it.m.custs[it.rec.cust], it.sum})
			}
		}
		if len(it.ents) > 0 {
			return true
		}
	}
	return false
}

// appendMonthEntry appends customer cust with count n (≥ 1) to a month
// key's value.
func appendMonthEntry[S string | []byte](dst []byte, cust S, n int64) []byte {
	return binary.AppendUvarint(append(append(dst, cust...), 0), uint64(n))
}

// monthNext splits the first customer off a month key's value v: its id,
// count and the rest; ok false when v does not start with one (no id, a
// count that is 0, not a uvarint or not its shortest form).
func monthNext(v []byte) (cust []byte, n int64, rest []byte, ok bool) {
	i := bytes.IndexByte(v, 0)
	if i <= 0 {
		return nil, 0, nil, false
	}
	u, k := binary.Uvarint(v[i+1:])
	if k <= 0 || u == 0 || u > 1<<40 || k != len(binary.AppendUvarint(nil, u)) {
		return nil, 0, nil, false
	}
	return v[:i], int64(u), v[i+1+k:], true
}

// monthEntries reads a month key's value; ok false when it is not one
// (empty, a customer not well formed, customers out of order or twice).
func monthEntries(v []byte) (out []monthEntry, ok bool) {
	for len(v) > 0 {
		c, n, rest, good := monthNext(v)
		if !good || (len(out) > 0 && out[len(out)-1].cust >= string(c)) {
			return out, false
		}
		out = append(out, monthEntry{string(c), n})
		v = rest
	}
	return out, len(out) > 0
}

// mergeMonth appends to dst the month key's value stored (or nil) with
// the changes d (by customer, in byte order) applied; customers whose
// count falls to 0 or below are dropped. A stored value not well formed
// counts from where it stops being so as empty.
func mergeMonth(dst, stored []byte, d []monthEntry) []byte {
	c, n, rest, ok := monthNext(stored)
	for ok || len(d) > 0 {
		switch {
		case ok && (len(d) == 0 || string(c) < d[0].cust):
			dst = appendMonthEntry(dst, c, n)
		case ok && string(c) == d[0].cust:
			if m := n + d[0].n; m > 0 {
				dst = appendMonthEntry(dst, d[0].cust, m)
			}
			d = d[1:]
		default:
			if d[0].n > 0 {
				dst = appendMonthEntry(dst, d[0].cust, d[0].n)
			}
			d = d[1:]
			continue
		}
		c, n, rest, ok = monthNext(rest)
	}
	return dst
}

// monthOp records a month entry's event added (add) or removed: into the
// bulk first sync's records when it runs, else into the page's.
func (pb *pageBuf) monthOp(e *indexEntry, add bool) {
	m := &pb.months
	if pb.bulkMonths != nil {
		m = pb.bulkMonths
	}
	if add {
		m.add(e.key, 1)
	} else {
		m.add(e.key, -1)
	}
}

// flushMonths applies the page's changes of the month counts: each key
// touched read and written (deleted when left with no customer) once, in
// key order, keys and values cut from pb.a; then forgets them.
func (pb *pageBuf) flushMonths(tx *bolt.Tx) error {
	defer pb.months.reset()
	if pb.months.n == 0 {
		return nil
	}
	bk := tx.Bucket(iMonthEvent)
	for it := pb.months.iter(); it.next(); {
		k := append(pb.a.alloc(len(it.prefix)), it.prefix...)
		stored := bk.Get(k)
		size := len(stored)
		for _, e := range it.ents {
			size += len(e.cust) + 1 + binary.MaxVarintLen64
		}
		v := mergeMonth(pb.a.alloc(size), stored, it.ents)
		switch {
		case len(v) == 0:
			if stored != nil {
				if err := bk.Delete(k); err != nil {
					return err
				}
			}
		case !bytes.Equal(v, stored):
			if err := bk.Put(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// putMonths puts the keys of it into bk, with the counts of it (every
// event's entry: a bucket written anew), from its current key on, until
// the values put hold about limit customers or it ends; false at its end.
func putMonths(bk *bolt.Bucket, it *monthIter, more bool, limit int) (bool, error) {
	for n := 0; more && n < limit; more = it.next() {
		var v []byte
		for _, e := range it.ents {
			if e.n > 0 {
				v = appendMonthEntry(v, e.cust, e.n)
				n++
			}
		}
		if len(v) > 0 {
			if err := bk.Put([]byte(it.prefix), v); err != nil {
				return false, err
			}
		}
	}
	return more, nil
}

// writeMonths writes the month index anew from the counts of m (every
// event's entry: a bulk first sync's records), in key order with full
// pages, about indexChunk customers a transaction.
func (c *Cache) writeMonths(m *monthCounts) error {
	it := m.iter()
	more := it.next()
	for first := true; first || more; first = false {
		err := c.updateDB(func(tx *bolt.Tx) error {
			if first && tx.Bucket(iMonthEvent) != nil {
				if err := tx.DeleteBucket(iMonthEvent); err != nil {
					return err
				}
			}
			bk, err := tx.CreateBucketIfNotExists(iMonthEvent)
			if err != nil {
				return err
			}
			bk.FillPercent = 1.0 // keys come in order: full pages
			more, err = putMonths(bk, it, more, indexChunk)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
