package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Rebuilding a damaged cache (Rakenna välimuisti uudelleen, `psopdesk
// sync -rebuild`): the replica is made anew, empty, and the next sync
// fills it from the feed; the outbox, the only copy of the user's unsent
// work, is kept and its commands are sent by that sync.
//
// The damaged replica is not kept. It holds the customers' personal data
// (henkilötunnus, names, events), all of which the organizer holds and the
// sync fetches again; nothing in it is the user's own work (that is in the
// outbox). A copy kept "aside" would be a readable trace of customers who
// may since have left the provider's sight (DOMAIN.md §3), that no one is
// told to delete. So the file is renamed (atomically, so that a crash
// never leaves a half-removed replica under the cache's name) to
// FileName+damagedSuffix and removed at once; a leftover of a crash in
// between is removed by the next Rebuild or OpenOrDamaged. The detail of
// the damage is in the log.

// damagedSuffix is the name the damaged replica has between its rename
// and its removal.
const damagedSuffix = ".damaged"

// OpenOrDamaged is Open for the window: when the replica is damaged
// (ErrDamaged, not the outbox) it gives a Cache whose outbox works and
// whose every read and write of the replica gives the *DamagedError
// (Damaged tells it) until Rebuild, so the window can open and offer
// the rebuild. A damaged outbox is salvaged first (salvageOutbox). Other
// errors as Open's.
func OpenOrDamaged(dir string) (*Cache, error) {
	c, err := Open(dir)
	var d *DamagedError
	if errors.As(err, &d) && d.Outbox() {
		slog.Error("cache: the outbox is damaged; salvaging it", "err", err)
		out, serr := salvageOutbox(dir)
		if serr != nil {
			return nil, errors.Join(err, serr)
		}
		out.Close()
		c, err = Open(dir)
	}
	if err == nil || !errors.As(err, &d) || d.Outbox() {
		return c, err
	}
	slog.Error("cache: the replica is damaged; the window offers to rebuild it", "err", err)
	out, err := openOutbox(dir)
	if err != nil {
		return nil, err
	}
	c = &Cache{out: out}
	c.file.path = d.Path
	c.file.damaged.Store(d)
	return c, nil
}

// Rebuild makes the replica anew, empty (cursor 0, no feed), in place:
// the damaged file is removed (see above) and readers and writers wait
// for it; the outbox is kept. The next sync fills the replica from the
// feed and sends the outbox. Works on a sound replica too (it starts it
// over). On failure the Cache stays (or becomes) damaged.
func (c *Cache) Rebuild() error {
	c.applyMu.Lock()
	defer c.applyMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	path := c.file.path
	if c.db != nil {
		if err := closeBolt(path, c.db, c.Damaged() != nil); err != nil {
			slog.Error("cache: closing the damaged replica", "err", err)
		}
		c.db = nil
	}
	c.bulk = nil
	db, err := freshReplica(path)
	if err != nil {
		c.file.damaged.CompareAndSwap(nil, &DamagedError{Path: path, Reason: DamageMeta, Detail: "rebuild failed: " + err.Error()})
		return err
	}
	c.db = db
	c.file.damaged.Store(nil)
	slog.Info("cache: rebuilt empty; the next sync fills it", "path", path)
	return nil
}

// Rebuild opens the cache directory dir with its replica made anew,
// empty, whatever state it was in (`psopdesk sync -rebuild`): the outbox
// is opened first, so a directory another PSOP Desk holds is left alone
// (ErrLocked); a damaged outbox is salvaged (salvageOutbox). The replica
// is removed (see above) and made anew.
func Rebuild(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create cache folder: %w", err)
	}
	out, err := openOutbox(dir)
	var d *DamagedError
	if errors.As(err, &d) {
		out, err = salvageOutbox(dir)
	}
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, FileName)
	db, err := freshReplica(path)
	if err != nil {
		out.Close()
		return nil, err
	}
	c := &Cache{db: db, out: out}
	c.file.path = path
	slog.Info("cache: rebuilt empty; the next sync fills it", "path", path)
	return c, nil
}

// freshReplica removes the replica at path (removeReplica) and makes a
// new, empty one.
func freshReplica(path string) (*bolt.DB, error) {
	if err := removeReplica(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, false)
	if err != nil {
		return nil, fmt.Errorf("rebuild cache %s: %w", path, err)
	}
	// Empty, and incomplete until a pull catches up.
	err = updateGuarded(path, db, func(tx *bolt.Tx) error { return emptyTx(tx, "") })
	if err != nil {
		closeBolt(path, db, errors.Is(err, ErrDamaged))
		return nil, fmt.Errorf("rebuild cache %s: %w", path, err)
	}
	return db, nil
}

// removeReplica renames the replica at path to path+damagedSuffix and
// removes it, with the leftover of an interrupted Compact.
func removeReplica(path string) error {
	aside := path + damagedSuffix
	if err := os.Rename(path, aside); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("rebuild cache: %w", err)
	}
	_ = syncFile(filepath.Dir(path))
	for _, p := range []string{aside, path + ".compact"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("rebuild cache: %w", err)
		}
	}
	return nil
}

// salvageOutbox replaces the damaged outbox of dir by a new one holding
// every entry and refusal that can still be read from it (a command is
// the user's unsent work: what is readable is kept, in its order, with its
// id, so the server applies it at most once). The damaged file is removed
// afterwards (it holds the same personal data as the entries). What could
// not be read is lost; the log says how much was kept.
func salvageOutbox(dir string) (*Outbox, error) {
	path := OutboxPath(dir)
	aside := path + damagedSuffix
	if err := os.Rename(path, aside); err != nil {
		return nil, fmt.Errorf("salvage outbox: %w", err)
	}
	type kv struct{ b, k, v []byte }
	var kept []kv
	if old, err := openBolt(aside, true); err == nil {
		for _, b := range [][]byte{bOutbox, bRefused} {
			_ = guard(aside, func() error {
				return old.View(func(tx *bolt.Tx) error {
					bk := tx.Bucket(b)
					if bk == nil {
						return nil
					}
					return bk.ForEach(func(k, v []byte) error {
						if len(k) == 8 && json.Valid(v) {
							kept = append(kept, kv{b, append([]byte(nil), k...), append([]byte(nil), v...)})
						}
						return nil
					})
				})
			})
		}
		_ = closeBolt(aside, old, true)
	}
	out, err := openOutbox(dir)
	if err != nil {
		return nil, err
	}
	err = out.updateTx(func(tx *bolt.Tx) error {
		var last uint64
		for _, e := range kept {
			if err := tx.Bucket(e.b).Put(e.k, e.v); err != nil {
				return err
			}
			if string(e.b) != string(bOutbox) {
				continue
			}
			var en Entry
			if json.Unmarshal(e.v, &en) == nil && en.Command.ID != "" {
				if err := tx.Bucket(bOutboxIDs).Put([]byte(en.Command.ID), e.k); err != nil {
					return err
				}
			}
			last = max(last, decodeUint(e.k))
		}
		return tx.Bucket(bOutbox).SetSequence(last)
	})
	if err != nil {
		out.Close()
		return nil, fmt.Errorf("salvage outbox: %w", err)
	}
	_ = os.Remove(aside)
	slog.Error("cache: the outbox was damaged; salvaged what could be read", "entries_kept", len(kept))
	return out, nil
}
