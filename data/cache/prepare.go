package cache

import (
	"psopdesk/sync/wire"
)

// Preparing a page ahead of its transaction (issue 9): checking each put's
// row (parseRow's one scan) and packing it is about a fifth of a large
// first sync's CPU, and none of it needs the file. PreparePage does it
// for a page on the caller's goroutine (a pull's, while the page before
// is applied) and ApplyPreparedFeedPage uses the results instead of
// doing it again in the transaction: the same rows, entries and errors,
// in the same order, as ApplyFeedPage.

// PreparedPage is a page's changes with each put's row checked and
// packed (PreparePage).
type PreparedPage struct {
	changes []wire.Change
	rows    []preparedRow // by change; the puts' only
	a       keyArena      // the packed rows
}

type preparedRow struct {
	row    parsedRow
	packed []byte
	err    error
}

// PreparePage checks and packs the rows of changes' puts (parseRow,
// packRow) without the cache. Safe on any goroutine; changes must not
// change until the page is applied.
func PreparePage(changes []wire.Change) *PreparedPage {
	p := &PreparedPage{changes: changes, rows: make([]preparedRow, len(changes))}
	for i := range changes {
		ch := &changes[i]
		if ch.Op != wire.OpPut {
			continue
		}
		r := &p.rows[i]
		r.row, r.packed, r.err = parseRowPacked(&p.a, ch.Kind, ch.ID, ch.Data)
	}
	return p
}

// ApplyPreparedFeedPage is ApplyFeedPage of p's changes (PreparePage).
func (c *Cache) ApplyPreparedFeedPage(feed string, restart bool, p *PreparedPage, next uint64) error {
	return c.applyFeedPage(feed, restart, p.changes, next, p)
}

// parse is parseRowPacked of ch, the change at pb.i of the page: its
// prepared row when the page was prepared (pb.pre).
func (pb *pageBuf) parse(a *keyArena, ch *wire.Change) (parsedRow, []byte, error) {
	if pb != nil && pb.pre != nil && pb.i < len(pb.pre.rows) && &pb.pre.changes[pb.i] == ch {
		r := &pb.pre.rows[pb.i]
		return r.row, r.packed, r.err
	}
	return parseRowPacked(a, ch.Kind, ch.ID, ch.Data)
}
