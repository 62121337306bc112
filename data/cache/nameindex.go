package cache

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/unicode/norm"

	"psopdesk/data"
)

// Name search indexes (schema 2). Each word of a customer's names is
// indexed under its first 1…namePrefixRunes letters, in two buckets:
//
//	iNamePrefix      the word's own prefixes, lower case, diacritics kept
//	iNameFoldPrefix  the folded prefixes ("aap" of Ääpälä) that differ
//	                 from the word's own
//
// Key: prefix 0x00 lastP 0x00 firstP 0x00 id, where lastP and firstP are
// the primary-level Finnish collation keys of the last name and the first
// names (cut at their first 0x00 byte), so that a cursor over one prefix
// yields the customers in Finnish order and a search stops after the
// first limit matches. Value: the customer's name words, lower case, joined
// by spaces, then 0x00 and the folded words (empty when the same), for
// matching the query's other words and longer prefixes without reading
// the row.
const namePrefixRunes = 4

// The name index buckets (listed in allBuckets).
var (
	iNamePrefix     = []byte("idx_name_prefix")
	iNameFoldPrefix = []byte("idx_name_fold_prefix")
)

// exactWords splits s into its lower-case NFC words (letters and digits;
// hyphens, apostrophes and spaces separate), diacritics kept.
func exactWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(norm.NFC.String(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// runePrefix is the first n runes of s (all of s when shorter).
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// primary is the primary level of a collation key: up to its first 0x00.
func primary(k []byte) []byte {
	if i := bytes.IndexByte(k, 0); i >= 0 {
		return k[:i]
	}
	return k
}

// appendNameEntries appends the name index entries of customer c (id,
// stored sort key sk) to out, their keys cut from a (nil: each allocated
// alone).
func appendNameEntries(out []indexEntry, a *keyArena, c data.Customer, id string, sk []byte) []indexEntry {
	ws := exactWords(c.LastName + " " + c.FirstNames)
	if len(ws) == 0 {
		return out
	}
	fs := make([]string, len(ws))
	differ := false
	for i, w := range ws {
		fs[i] = fold(w)
		differ = differ || fs[i] != w
	}
	val := []byte(strings.Join(ws, " "))
	val = append(val, 0)
	if differ {
		val = append(val, strings.Join(fs, " ")...)
	}
	last, first := splitSortKey(sk)
	suffix := a.alloc(3 + len(last) + len(first) + len(id))
	suffix = append(suffix, 0)
	suffix = append(suffix, primary(last)...)
	suffix = append(suffix, 0)
	suffix = append(suffix, primary(first)...)
	suffix = append(suffix, 0)
	suffix = append(suffix, id...)

	mine := len(out) // out[mine:] are c's entries
	entry := func(b []byte, p string) {
		for _, e := range out[mine:] { // a customer has a few words
			if bytes.Equal(e.bucket, b) && len(e.key) == len(p)+len(suffix) && string(e.key[:len(p)]) == p {
				return
			}
		}
		k := a.alloc(len(p) + len(suffix))
		k = append(append(k, p...), suffix...)
		out = append(out, indexEntry{bucket: b, key: k, value: val})
	}
	for i, w := range ws {
		for n := 1; n <= namePrefixRunes; n++ {
			pe, pf := runePrefix(w, n), runePrefix(fs[i], n)
			entry(iNamePrefix, pe)
			if pf != pe {
				entry(iNameFoldPrefix, pf)
			}
			if len(pe) == len(w) {
				break
			}
		}
	}
	return out
}

// queryWord is a word of a name query, as typed and folded.
type queryWord struct{ exact, folded string }

func queryWords(q string) []queryWord {
	ws := exactWords(q)
	out := make([]queryWord, len(ws))
	for i, w := range ws {
		out[i] = queryWord{w, fold(w)}
	}
	return out
}

// matchesAll reports whether every query word prefixes a word of the index
// value val: the words as stored (folded false) or folded.
func matchesAll(val []byte, qs []queryWord, folded bool) bool {
	i := bytes.IndexByte(val, 0)
	if i < 0 {
		return false
	}
	ws := val[:i]
	if folded && len(val) > i+1 {
		ws = val[i+1:]
	}
	for _, q := range qs {
		w := q.exact
		if folded {
			w = q.folded
		}
		if !prefixesAWord(ws, w) {
			return false
		}
	}
	return true
}

// prefixesAWord reports whether p is the prefix of some word of the
// space-separated ws.
func prefixesAWord(ws []byte, p string) bool {
	for len(ws) > 0 {
		j := bytes.IndexByte(ws, ' ')
		w := ws
		if j >= 0 {
			w, ws = ws[:j], ws[j+1:]
		} else {
			ws = nil
		}
		if len(w) >= len(p) && string(w[:len(p)]) == p {
			return true
		}
	}
	return false
}

// prefixScan walks the index entries under one prefix in Finnish order.
type prefixScan struct {
	cur    *bolt.Cursor
	prefix []byte
	k, v   []byte
}

func newPrefixScan(b *bolt.Bucket, p string) *prefixScan {
	s := &prefixScan{cur: b.Cursor(), prefix: append([]byte(p), 0)}
	s.k, s.v = s.cur.Seek(s.prefix)
	s.check()
	return s
}

func (s *prefixScan) check() {
	if s.k != nil && !bytes.HasPrefix(s.k, s.prefix) {
		s.k, s.v = nil, nil
	}
}

func (s *prefixScan) next() {
	s.k, s.v = s.cur.Next()
	s.check()
}

// order is the entry's key after the prefix: lastP 0x00 firstP 0x00 id.
func (s *prefixScan) order() []byte { return s.k[len(s.prefix):] }

// orderID splits an order into its collation part and the id.
func orderID(o []byte) (coll []byte, id string) {
	i := bytes.LastIndexByte(o, 0)
	return o[:i], string(o[i+1:])
}

// nameHits returns the ids of the customers matching every query word:
// g1 those matching with the query's diacritics, g2 those matching only
// folded, each in Finnish order of the primary collation keys; together
// at least the first limit (0: all) of them, and every customer whose
// primary keys equal those of the last one kept, so that the caller's
// final sort by the full keys and its cut are those of all matches.
func nameHits(tx *bolt.Tx, qs []queryWord, limit int) (g1, g2 []string) {
	if len(qs) == 0 {
		return nil, nil
	}
	// The longest word drives the scan; the others are matched on the value.
	drv := qs[0]
	for _, q := range qs[1:] {
		if utf8.RuneCountInString(q.exact) > utf8.RuneCountInString(drv.exact) {
			drv = q
		}
	}
	full := func(n int, lastColl, coll []byte) bool {
		return limit > 0 && n >= limit && !bytes.Equal(coll, lastColl)
	}
	var lastColl []byte
	for s := newPrefixScan(tx.Bucket(iNamePrefix), runePrefix(drv.exact, namePrefixRunes)); s.k != nil; s.next() {
		coll, id := orderID(s.order())
		if full(len(g1), lastColl, coll) {
			return g1, nil
		}
		if matchesAll(s.v, qs, false) {
			g1 = append(g1, id)
			lastColl = append(lastColl[:0], coll...)
		}
	}
	// Folded only: the words whose own prefix is the folded one, merged
	// with those whose folded prefix differs from their own.
	p := runePrefix(drv.folded, namePrefixRunes)
	a := newPrefixScan(tx.Bucket(iNamePrefix), p)
	f := newPrefixScan(tx.Bucket(iNameFoldPrefix), p)
	var prev []byte
	for a.k != nil || f.k != nil {
		var s *prefixScan
		switch {
		case a.k == nil:
			s = f
		case f.k == nil:
			s = a
		case bytes.Compare(f.order(), a.order()) < 0:
			s = f
		default:
			s = a
		}
		o := s.order()
		if prev != nil && bytes.Equal(o, prev) {
			s.next()
			continue
		}
		prev = append(prev[:0], o...)
		coll, id := orderID(o)
		if full(len(g1)+len(g2), lastColl, coll) {
			break
		}
		if matchesAll(s.v, qs, true) && !matchesAll(s.v, qs, false) {
			g2 = append(g2, id)
			lastColl = append(lastColl[:0], coll...)
		}
		s.next()
	}
	return g1, g2
}
