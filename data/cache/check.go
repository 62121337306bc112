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
	// ProblemSchema: a bucket (Bucket) of the layout is missing, or the
	// file is of another layout version.
	ProblemSchema = "schema"
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
		add(Problem{Code: ProblemSchema, Bucket: string(bMeta)})
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
	// expected counts the entries each index bucket should hold.
	expected := map[string]int{}
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
				expected[string(e.bucket)]++
				ib := tx.Bucket(e.bucket)
				if ib == nil {
					continue // told as ProblemSchema
				}
				got := ib.Get(e.key)
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
	for _, kind := range indexedKinds {
		for _, ib := range indexesOf[kind] {
			b := tx.Bucket(ib)
			if b == nil || b.Stats().KeyN == expected[string(ib)] {
				continue
			}
			if !indexExtras(tx, kind, ib, add) {
				return nil
			}
		}
	}
	return nil
}

// indexExtras lists the entries of index ib (of rows of kind) that no row
// gives; false when the problem list is full.
func indexExtras(tx *bolt.Tx, kind wire.Kind, ib []byte, add func(Problem) bool) bool {
	rows := tx.Bucket(bucketOf[kind])
	var lastID string
	var lastKeys map[string]bool
	cur := tx.Bucket(ib).Cursor()
	for k, _ := cur.First(); k != nil; k, _ = cur.Next() {
		id, ok := indexRowID(ib, k)
		if !ok {
			if !add(Problem{Code: ProblemIndexExtra, Bucket: string(ib), Rows: string(bucketOf[kind])}) {
				return false
			}
			continue
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
			if !add(Problem{Code: ProblemIndexExtra, Bucket: string(ib), Rows: string(bucketOf[kind]), ID: safeID(id)}) {
				return false
			}
		}
	}
	return true
}

// indexRowID is the id of the row an entry of index ib names: the key of
// bSortKeys, the part before the 0x00 of the voucher index (voucher
// number + 0x00 + customer id), the part after the last 0x00 of the
// others (value + 0x00 + id).
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
