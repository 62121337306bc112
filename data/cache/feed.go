package cache

import (
	"errors"

	bolt "go.etcd.io/bbolt"

	"psopdesk/sync/wire"
)

// ErrIncomplete: the cache has not caught up with the organizer's feed
// since it was last emptied (a first sync, or a rebuild, that has not
// ended), so sums made from it would look final while data is missing.
// Statement and StatementCustomers give it; the UI and the CLI say to
// sync first.
var ErrIncomplete = errors.New("the cache has not caught up with the organizer since it was emptied")

// keyIncomplete marks a cache emptied and not yet caught up (meta bucket).
var keyIncomplete = []byte("incomplete")

// emptyTx empties the replica within tx and records feed as the feed it is
// filled from; the cache is marked incomplete until MarkCaughtUp.
func emptyTx(tx *bolt.Tx, feed string) error {
	if err := dropAll(tx); err != nil {
		return err
	}
	if err := createAll(tx); err != nil {
		return err
	}
	if err := putSchema(tx); err != nil {
		return err
	}
	m := tx.Bucket(bMeta)
	if err := m.Put(keyIncomplete, []byte{1}); err != nil {
		return err
	}
	if feed == "" {
		return nil
	}
	return m.Put(keyFeed, []byte(feed))
}

// ApplyFeedPage is ApplyPage for a page of the named feed. When the cache
// holds another feed (another server, or a server whose data was reset),
// or restart is set (the server is behind the cache: restored from a
// backup), the cache is emptied and the page applied to the empty cache
// in the same transaction, so the old data stays until the new feed has
// delivered its first page; such a page must start at cursor 0, which the
// caller asked for. feed "" (a server that names no feed) never replaces.
func (c *Cache) ApplyFeedPage(feed string, restart bool, changes []wire.Change, next uint64) error {
	return c.applyFeedPage(feed, restart, changes, next, nil)
}

// applyFeedPage is ApplyFeedPage with the page's rows prepared (pre, if
// not nil: PreparePage of changes).
func (c *Cache) applyFeedPage(feed string, restart bool, changes []wire.Change, next uint64, pre *PreparedPage) error {
	return c.applyPage(changes, next, pre, func(tx *bolt.Tx) error {
		held := string(tx.Bucket(bMeta).Get(keyFeed))
		if !restart && (feed == "" || feed == held) {
			return nil
		}
		c.bulk = nil
		return emptyTx(tx, feed)
	})
}

// MarkCaughtUp records that the cache has caught up with its feed (a pull
// ended with no more changes): it is complete from now on, until it is
// emptied again.
func (c *Cache) MarkCaughtUp() error {
	return c.updateDB(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m.Get(keyIncomplete) == nil {
			return nil
		}
		return m.Delete(keyIncomplete)
	})
}

// Complete reports whether the cache has caught up with its feed since it
// was last emptied. A new cache is incomplete.
func (c *Cache) Complete() (bool, error) {
	var ok bool
	err := c.viewDB(func(tx *bolt.Tx) error {
		ok = completeTx(tx)
		return nil
	})
	return ok, err
}

func completeTx(tx *bolt.Tx) bool { return tx.Bucket(bMeta).Get(keyIncomplete) == nil }
