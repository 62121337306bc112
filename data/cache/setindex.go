package cache

import (
	"bytes"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Set-valued indexes (schema 5, issue 9): the customer → child row
// indexes (iCustVoucher, iCustGrant, iCustResv, iCustEvent) hold one key
// per customer, the customer id, whose value is the set of the
// customer's row ids of the kind: the ids sorted by their bytes, each
// once, separated by 0x00 (an id never holds one; checkChange refuses
// it). A key with no id left is deleted, never stored empty.
//
// Before, each row had a key of its own in these buckets (customer id +
// 0x00 + row id). Now a page's changes of the sets are gathered in memory
// (pageBuf.sets) and each key touched is read and written once, at the
// end of the page (flushSets), in key order: a feed sends a customer's
// rows together and customers in order, so a first sync writes about one
// key a customer and kind instead of one a row.
//
// An index entry of a set (indexEntry.member) is "member is in key's
// set"; a row's entries are made by appendEntries as before, and a put
// adds them, a delete or a put over an old row removes the old row's,
// the last change of a member in a page counting.

// setBuckets are the set-valued index buckets.
var setBuckets = [][]byte{iCustVoucher, iCustGrant, iCustResv, iCustEvent}

// setIndexOf is the place of bucket b in setBuckets, or -1.
func setIndexOf(b []byte) int {
	for i, s := range setBuckets {
		if bytes.Equal(s, b) {
			return i
		}
	}
	return -1
}

// setIDs gives the ids of a set's value, in order.
func setIDs(set []byte) []string {
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, bytes.Count(set, []byte{0})+1)
	for len(set) > 0 {
		i := bytes.IndexByte(set, 0)
		if i < 0 {
			i = len(set)
		}
		out = append(out, string(set[:i]))
		set = set[min(i+1, len(set)):]
	}
	return out
}

// setNext splits the first member off set: the member and the rest.
func setNext(set []byte) (member, rest []byte) {
	i := bytes.IndexByte(set, 0)
	if i < 0 {
		return set, nil
	}
	return set[:i], set[i+1:]
}

// setHas reports whether member is in set (a binary search over its
// bytes: a member's bounds are the 0x00s around it).
func setHas(set []byte, member string) bool {
	lo, hi := 0, len(set) // set[lo:hi] is whole members
	for lo < hi {
		s := lo + (hi-lo)/2
		for s > lo && set[s-1] != 0 {
			s--
		}
		e := s + bytes.IndexByte(set[s:hi], 0)
		if e < s {
			e = hi
		}
		switch m := set[s:e]; {
		case string(m) == member:
			return true
		case string(m) < member:
			lo = e + 1
		default:
			hi = max(s-1, lo)
		}
	}
	return false
}

// setWellFormed reports whether set is a stored set's value: not empty,
// members not empty and strictly ascending; n is its members.
func setWellFormed(set []byte) (n int, ok bool) {
	if len(set) == 0 {
		return 0, false
	}
	var prev []byte
	for rest := set; ; {
		var m []byte
		m, rest = setNext(rest)
		if len(m) == 0 || (n > 0 && bytes.Compare(prev, m) >= 0) {
			return n, false
		}
		prev = m
		n++
		if rest == nil {
			return n, true
		}
	}
}

// setOp is a change of a set in a page: member added or removed.
type setOp struct {
	member string
	add    bool
}

// setEdit is the changes of one key of a set-valued index in a page, in
// the order they were made.
type setEdit struct {
	key []byte
	ops []setOp
}

// setEdits are a page's changes of one set-valued index bucket.
type setEdits struct {
	pos   map[string]int32 // key → place in edits
	edits []setEdit        // the first n in use; reused page to page
	n     int
	// last is 1 + the edit of the last op (a feed sends a customer's rows
	// together), or 0.
	last  int32
	order []int32
}

// op records member added to (add) or removed from key's set. key must
// stay unchanged until the page's transaction ends.
func (s *setEdits) op(key []byte, member string, add bool) {
	i := s.last - 1
	if i < 0 || !bytes.Equal(s.edits[i].key, key) {
		j, ok := s.pos[string(key)]
		if !ok {
			if s.pos == nil {
				s.pos = map[string]int32{}
			}
			j = int32(s.n)
			if s.n == len(s.edits) {
				s.edits = append(s.edits, setEdit{})
			}
			e := &s.edits[j]
			e.key, e.ops = key, e.ops[:0]
			s.n++
			s.pos[string(key)] = j
		}
		i = j
		s.last = i + 1
	}
	e := &s.edits[i]
	e.ops = append(e.ops, setOp{member, add})
}

func (s *setEdits) reset() {
	clear(s.pos)
	for i := range s.edits[:s.n] {
		s.edits[i] = setEdit{ops: s.edits[i].ops[:0]}
	}
	s.n, s.last = 0, 0
}

// setOp records an index entry of a set (e.member) added to or removed
// from its set, for flushSets.
func (pb *pageBuf) setOp(e *indexEntry, add bool) {
	pb.sets[setIndexOf(e.bucket)].op(e.key, e.member, add)
}

// resetSets forgets the recorded changes (a page begins).
func (pb *pageBuf) resetSets() {
	for i := range pb.sets {
		pb.sets[i].reset()
	}
}

// flushSets writes the recorded changes of the sets: each key's stored
// set read, changed and written (deleted when empty) once, in key order,
// the new values cut from pb.a; then forgets them.
func (pb *pageBuf) flushSets(tx *bolt.Tx) error {
	defer pb.resetSets()
	for i, name := range setBuckets {
		s := &pb.sets[i]
		if s.n == 0 {
			continue
		}
		bk := tx.Bucket(name)
		s.order = s.order[:0]
		for i := range int32(s.n) {
			s.order = append(s.order, i)
		}
		slices.SortFunc(s.order, func(a, b int32) int { return bytes.Compare(s.edits[a].key, s.edits[b].key) })
		for _, i := range s.order {
			e := &s.edits[i]
			ops := lastOps(e.ops)
			stored := bk.Get(e.key)
			n := len(stored)
			for _, op := range ops {
				if op.add {
					n += len(op.member) + 1
				}
			}
			out := mergeSet(pb.a.alloc(n), stored, ops)
			switch {
			case len(out) == 0:
				if stored != nil {
					if err := bk.Delete(e.key); err != nil {
						return err
					}
				}
			case !bytes.Equal(out, stored):
				if err := bk.Put(e.key, out); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// lastOps sorts ops by member (in place), keeping each member's last op
// only.
func lastOps(ops []setOp) []setOp {
	if len(ops) < 2 {
		return ops
	}
	slices.SortStableFunc(ops, func(a, b setOp) int { return strings.Compare(a.member, b.member) })
	out := ops[:0]
	for i, op := range ops {
		if i+1 < len(ops) && ops[i+1].member == op.member {
			continue // a later op of the member counts
		}
		out = append(out, op)
	}
	return out
}

// mergeSet appends to dst the set stored (a set's value, or nil) with
// ops (sorted by member, one a member) applied.
func mergeSet(dst, stored []byte, ops []setOp) []byte {
	n := 0
	emit := func(m []byte, s string) {
		if n > 0 {
			dst = append(dst, 0)
		}
		n++
		if m != nil {
			dst = append(dst, m...)
		} else {
			dst = append(dst, s...)
		}
	}
	m, rest := setNext(stored)
	if len(stored) == 0 {
		m = nil
	}
	for m != nil || len(ops) > 0 {
		switch {
		case m != nil && (len(ops) == 0 || string(m) < ops[0].member):
			emit(m, "")
		case m != nil && string(m) == ops[0].member:
			if ops[0].add {
				emit(m, "")
			}
			ops = ops[1:]
		default:
			if ops[0].add {
				emit(nil, ops[0].member)
			}
			ops = ops[1:]
			continue
		}
		if m != nil {
			if rest == nil {
				m = nil
			} else {
				m, rest = setNext(rest)
			}
		}
	}
	return dst
}
