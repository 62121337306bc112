package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"psopdesk/data/hetu"
	"psopdesk/sync/wire"
)

// Problem codes of Check.
const (
	// ProblemDamaged: the file is damaged (Detail: a Damage* code); the
	// rest of it was not checked.
	ProblemDamaged = "damaged"
	// ProblemStore: bbolt's own consistency check (Tx.Check) found a fault
	// of the file's structure (Detail: bbolt's English message, keys
	// hidden).
	ProblemStore = "store"
	// ProblemSchema: a bucket (Bucket) of the layout is missing.
	ProblemSchema = "schema"
	// ProblemVersion: the file is of another layout version (or collation
	// tables): made by another version of PSOP Desk. Open empties it and
	// a sync refills it, the outbox kept; its rows and indexes, in
	// another layout, are not checked.
	ProblemVersion = "version"
	// ProblemRow: the row ID of bucket Bucket is not its kind's data.
	ProblemRow = "row"
	// ProblemIndexMissing: the row ID of bucket Rows lacks its entry in
	// the index Bucket (or the entry's value is not the row's).
	ProblemIndexMissing = "index_missing"
	// ProblemIndexExtra: an entry of the index Bucket has no row of
	// bucket Rows that gives it; ID is the row it names ("" when its key
	// names none).
	ProblemIndexExtra = "index_extra"
)

// Problem is one fault Check found. It names buckets and row ids only,
// never a key or value that may hold a name or a henkilötunnus.
type Problem struct {
	Code   string
	Bucket string
	Rows   string
	ID     string
	Detail string
}

// CheckResult is what Check found.
type CheckResult struct {
	// Digest is the SHA-256 (hex) of the cache's content alone: its feed,
	// its cursor and every row of every kind, in key order. Two caches
	// filled from the same feed to the same cursor have the same digest,
	// whatever their pages' layout, their indexes' state or their outbox.
	// Empty when the file could not be read.
	Digest string
	// Problems are the faults found, none when the cache is sound.
	Problems []Problem
	// IndexesPending: a first sync left the secondary indexes to be built
	// (BuildIndexes), so they were not checked.
	IndexesPending bool
}

// maxProblems bounds the problems one Check lists.
const maxProblems = 1000

// Check checks the replica of the cache directory dir without changing
// it (opened read-only): the file's meta pages (checkFile), bbolt's full
// consistency check (every page reachable once, freed pages unused, keys
// in order), the layout's buckets, that every row decodes as its kind,
// that every row has its secondary index entries and every index entry
// its row (unless a first sync left the indexes pending), and the
// content's Digest. A damaged file is a Problem, never a panic. The error
// is for a cache that is not there (wrapping os.ErrNotExist) or held by a
// running PSOP Desk (ErrLocked).
func Check(dir string) (CheckResult, error) {
	var res CheckResult
	path := filepath.Join(dir, FileName)
	st, err := os.Stat(path)
	if err != nil {
		return res, err
	}
	add := func(p Problem) bool {
		if len(res.Problems) >= maxProblems {
			return false
		}
		res.Problems = append(res.Problems, p)
		return true
	}
	damaged := func(err error) bool {
		var d *DamagedError
		if errors.As(err, &d) {
			add(Problem{Code: ProblemDamaged, Detail: d.Reason})
			return true
		}
		return false
	}
	if st.Size() == 0 { // bbolt would make it anew; its content is lost
		add(Problem{Code: ProblemDamaged, Detail: DamageTruncated})
		return res, nil
	}
	db, err := openBolt(path, true)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return res, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if damaged(err) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	defer guard(path, db.Close)
	// The content first, in this goroutine (guard recovers bbolt's panics
	// and faults here); bbolt's check runs on a goroutine of its own,
	// which recovers its own panics.
	err = guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error { return checkContent(tx, &res, add) })
	})
	if damaged(err) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	err = guard(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			for e := range tx.Check(bolt.WithKVStringer(hiddenKV{})) {
				add(Problem{Code: ProblemStore, Detail: e.Error()})
			}
			return nil
		})
	})
	if damaged(err) {
		return res, nil
	}
	return res, err
}

// hiddenKV shows bbolt's check messages keys and values by their length
// only: keys of the indexes hold names and henkilötunnus.
type hiddenKV struct{}

func (hiddenKV) KeyToString(k []byte) string   { return fmt.Sprintf("(key of %d bytes)", len(k)) }
func (hiddenKV) ValueToString(v []byte) string { return fmt.Sprintf("(value of %d bytes)", len(v)) }

// checkContent is Check's part inside the file: layout, rows, indexes,
// digest.
func checkContent(tx *bolt.Tx, res *CheckResult, add func(Problem) bool) error {
	for _, b := range allBuckets {
		if tx.Bucket(b) == nil {
			add(Problem{Code: ProblemSchema, Bucket: string(b)})
		}
	}
	meta := tx.Bucket(bMeta)
	if meta == nil {
		return nil
	}
	if v := meta.Get(keySchema); decodeUint(v) != schemaVersion || !bytes.Equal(meta.Get(keyColl), collation) {
		res.Problems = nil // buckets of another layout are not missing
		add(Problem{Code: ProblemVersion})
		return nil
	}
	res.IndexesPending = meta.Get(keyIndexesPending) != nil

	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field(meta.Get(keyFeed))
	field(encodeUint(decodeUint(meta.Get(keyCursor))))

	kinds := make([]wire.Kind, 0, len(bucketOf))
	for k := range bucketOf {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return string(bucketOf[kinds[i]]) < string(bucketOf[kinds[j]]) })
	checkIdx := !res.IndexesPending
	// expected counts the entries each index bucket should hold; months
	// the month index's counts (monthindex.go).
	expected := map[string]int{}
	var months monthCounts
	for _, kind := range kinds {
		name := bucketOf[kind]
		rows := tx.Bucket(name)
		if rows == nil {
			continue
		}
		_, indexed := indexesOf[kind]
		field(name)
		err := rows.ForEach(func(k, v []byte) error {
			// The row as the feed gave it (rows are stored packed,
			// packrow.go), so the digest is of the content, not the layout.
			if v != nil {
				v = unpackRow(v)
			}
			field(k)
			field(v)
			id := string(k)
			row, err := parseRow(kind, id, v, false, indexed && checkIdx)
			if err != nil || v == nil {
				add(Problem{Code: ProblemRow, Bucket: string(name), ID: safeID(id)})
				return nil
			}
			for _, e := range row.idx {
				if e.counted {
					months.add(e.key, 1)
					continue
				}
				expected[string(e.bucket)]++
				ib := tx.Bucket(e.bucket)
				if ib == nil {
					continue // told as ProblemSchema
				}
				got := ib.Get(e.key)
				if e.member != "" {
					got = setMember(got, e.member)
				}
				if got == nil || (e.value != nil && !bytes.Equal(got, e.value)) {
					add(Problem{Code: ProblemIndexMissing, Bucket: string(e.bucket), Rows: string(name), ID: safeID(id)})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	res.Digest = hex.EncodeToString(h.Sum(nil))
	if !checkIdx {
		return nil
	}
	if !checkMonths(tx, &months, add) {
		return nil
	}
	for _, kind := range indexedKinds {
		for _, ib := range indexesOf[kind] {
			b := tx.Bucket(ib)
			if b == nil || bytes.Equal(ib, iMonthEvent) {
				continue
			}
			entries, ok := b.Stats().KeyN, true
			if setIndexOf(ib) >= 0 {
				entries, ok = setEntries(b)
			}
			if ok && entries == expected[string(ib)] {
				continue
			}
			if !indexExtras(tx, kind, ib, add) {
				return nil
			}
		}
	}
	return nil
}

// checkMonths compares the month index with the counts its events give
// (m), key by key and customer by customer: a customer missing or
// counting too few is told as ProblemIndexMissing of each of their events
// of the key, a key or customer no event gives, one counting too many or
// a value not well formed as ProblemIndexExtra (no row named: a count
// names none). False when the problem list is full.
func checkMonths(tx *bolt.Tx, m *monthCounts, add func(Problem) bool) bool {
	b := tx.Bucket(iMonthEvent)
	if b == nil {
		return true // told as ProblemSchema
	}
	extra := func() bool {
		return add(Problem{Code: ProblemIndexExtra, Bucket: string(iMonthEvent), Rows: string(bEvents)})
	}
	short := map[string]bool{} // entry keys (monthKeyOf) whose events lack their count
	shortAll := func(prefix string, ents []monthEntry) {
		for _, e := range ents {
			short[prefix+"\x00"+e.cust] = true
		}
	}
	cur := b.Cursor()
	k, v := cur.First()
	it := m.iter()
	more := it.next()
	var want []byte
	for more || k != nil {
		switch c := compareKeys([]byte(it.prefix), more, k); {
		case c < 0: // expected, absent
			shortAll(it.prefix, it.ents)
			more = it.next()
		case c > 0: // present, not expected
			if !extra() {
				return false
			}
			k, v = cur.Next()
		default:
			want = want[:0]
			for _, e := range it.ents {
				want = appendMonthEntry(want, e.cust, e.n)
			}
			if !bytes.Equal(v, want) && !compareMonth(it.prefix, it.ents, v, short, extra) {
				return false
			}
			more = it.next()
			k, v = cur.Next()
		}
	}
	if len(short) == 0 {
		return true
	}
	ok := true
	_ = tx.Bucket(bEvents).ForEach(func(id, raw []byte) error {
		row, err := parseRow(wire.KindEvent, string(id), unpackRow(raw), false, true)
		if err != nil || !ok {
			return nil
		}
		for _, e := range row.idx {
			if e.counted && short[string(e.key)] {
				ok = add(Problem{Code: ProblemIndexMissing, Bucket: string(iMonthEvent), Rows: string(bEvents), ID: safeID(string(id))})
			}
		}
		return nil
	})
	return ok
}

// compareMonth compares the month key prefix's stored value v with the
// counts its events give (want), marking the customers short of their
// count in short and telling the rest with extra; false when extra does.
func compareMonth(prefix string, want []monthEntry, v []byte, short map[string]bool, extra func() bool) bool {
	got, ok := monthEntries(v)
	if !ok && !extra() {
		return false
	}
	for len(want) > 0 || len(got) > 0 {
		switch {
		case len(got) == 0 || (len(want) > 0 && want[0].cust < got[0].cust):
			short[prefix+"\x00"+want[0].cust] = true
			want = want[1:]
		case len(want) == 0 || got[0].cust < want[0].cust:
			if !extra() {
				return false
			}
			got = got[1:]
		default:
			if got[0].n < want[0].n {
				short[prefix+"\x00"+want[0].cust] = true
			} else if got[0].n > want[0].n && !extra() {
				return false
			}
			want, got = want[1:], got[1:]
		}
	}
	return true
}

// compareKeys compares the key a (none when !hasA) with the key b (none
// when nil); none is after every key.
func compareKeys(a []byte, hasA bool, b []byte) int {
	switch {
	case !hasA:
		return 1
	case b == nil:
		return -1
	}
	return bytes.Compare(a, b)
}

// setMember is the value a set-valued index's entry of member is checked
// by: set (not nil) when member is in it, else nil.
func setMember(set []byte, member string) []byte {
	if set == nil || !setHas(set, member) {
		return nil
	}
	return set
}

// setEntries counts the members of the sets of b (its entries); false
// when a set is not well formed (then indexExtras tells which).
func setEntries(b *bolt.Bucket) (int, bool) {
	n, ok := 0, true
	_ = b.ForEach(func(_, v []byte) error {
		m, good := setWellFormed(v)
		n += m
		ok = ok && good
		return nil
	})
	return n, ok
}

// indexExtras lists the entries of index ib (of rows of kind) that no row
// gives, and, in a set-valued index, the sets not well formed (empty, a
// member empty, repeated or out of order); false when the problem list
// is full.
func indexExtras(tx *bolt.Tx, kind wire.Kind, ib []byte, add func(Problem) bool) bool {
	rows := tx.Bucket(bucketOf[kind])
	isSet := setIndexOf(ib) >= 0
	var lastID string
	var lastKeys map[string]bool
	// entry checks the entry k of row id (ok: a key that names a row).
	entry := func(k []byte, id string, ok bool) bool {
		if !ok {
			return add(Problem{Code: ProblemIndexExtra, Bucket: string(ib), Rows: string(bucketOf[kind])})
		}
		if id != lastID || lastKeys == nil {
			lastID, lastKeys = id, map[string]bool{}
			if raw := rows.Get([]byte(id)); raw != nil {
				if row, err := parseRow(kind, id, unpackRow(raw), false, true); err == nil {
					for _, e := range row.idx {
						if bytes.Equal(e.bucket, ib) {
							lastKeys[string(e.key)] = true
						}
					}
				}
			}
		}
		if !lastKeys[string(k)] {
			return add(Problem{Code: ProblemIndexExtra, Bucket: string(ib), Rows: string(bucketOf[kind]), ID: safeID(id)})
		}
		return true
	}
	cur := tx.Bucket(ib).Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if !isSet {
			id, ok := indexRowID(ib, k)
			if !entry(k, id, ok) {
				return false
			}
			continue
		}
		if _, good := setWellFormed(v); !good && !entry(k, "", false) {
			return false
		}
		for _, id := range setIDs(v) {
			if !entry(k, id, id != "") {
				return false
			}
		}
	}
	return true
}

// indexRowID is the id of the row an entry of index ib names: the key of
// bSortKeys, the part before the 0x00 of the voucher index (voucher
// number + 0x00 + customer id), the part after the last 0x00 of the
// others (value + 0x00 + id) but the set-valued ones (setindex.go), whose
// entries are the members of their keys' sets.
func indexRowID(ib, k []byte) (string, bool) {
	switch {
	case bytes.Equal(ib, bSortKeys):
		return string(k), len(k) > 0
	case bytes.Equal(ib, iVoucher):
		i := bytes.IndexByte(k, 0)
		return string(k[:max(i, 0)]), i > 0
	}
	i := bytes.LastIndexByte(k, 0)
	return string(k[i+1:]), i >= 0 && i < len(k)-1
}

// safeID is id for a Problem when it looks like an id (printable ASCII
// without spaces, at most 100 bytes, not a henkilötunnus), else "?": a
// garbled key must not put a name or a henkilötunnus in the output.
func safeID(id string) string {
	if id == "" || len(id) > 100 || hetu.Looks(id) {
		return "?"
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return "?"
		}
	}
	return id
}

// CheckContent is Check's part inside the file (layout, rows, indexes
// both ways, the Digest) for an open cache, in one read transaction; it
// does not run bbolt's page check.
func (c *Cache) CheckContent() (CheckResult, error) {
	var res CheckResult
	add := func(p Problem) bool {
		if len(res.Problems) >= maxProblems {
			return false
		}
		res.Problems = append(res.Problems, p)
		return true
	}
	err := c.viewDB(func(tx *bolt.Tx) error { return checkContent(tx, &res, add) })
	return res, err
}
