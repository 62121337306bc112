package cache

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"psopdesk/sync/wire"
)

// OutboxFileName is the outbox's file inside the cache directory. It is a
// file of its own, next to the replica (FileName), so that emptying,
// rebuilding or losing the replica never loses the user's unsent work
// (DOMAIN.md §8: the outbox is the only copy of it).
const OutboxFileName = "outbox.db"

// Outbox buckets: commands by local order; an id → order index; refusals.
var (
	bOutbox    = []byte("outbox")     // big-endian order → Entry JSON
	bOutboxIDs = []byte("outbox_ids") // command id → big-endian order
	bRefused   = []byte("refused")    // big-endian order → Refusal JSON
)

// refusedKept is how many refusals the outbox keeps (the newest).
const refusedKept = 200

// EntryState is where a command of the outbox is.
type EntryState string

// Entry states.
const (
	// StatePending: not yet answered by the server (never sent, or sent
	// without an answer heard: it is sent again with the same id).
	StatePending EntryState = "pending"
	// StateApplied: the server applied it at AppliedSeq; it stays until
	// the cache has pulled the feed past that seq, so the view never shows
	// the old value in between.
	StateApplied EntryState = "applied"
)

// Entry is one command of the outbox.
type Entry struct {
	// Order is the outbox's own sequence: commands are sent in this order.
	Order   uint64       `json:"order"`
	Command wire.Command `json:"command"`
	Created time.Time    `json:"created"`
	State   EntryState   `json:"state"`
	// AppliedSeq is the feed position that carries the effect (StateApplied).
	AppliedSeq uint64 `json:"applied_seq,omitempty"`
	// Attempts counts the sends that got no answer; LastError is the
	// English kind of the last failure ("unreachable", "server", …) and
	// LastTried its time.
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	LastTried time.Time `json:"last_tried,omitzero"`
}

// Refusal is a command the server refused, kept so that the user can be
// told why (the window and `psopdesk outbox`).
type Refusal struct {
	Order   uint64       `json:"order"`
	Command wire.Command `json:"command"`
	Answer  wire.Answer  `json:"answer"`
	At      time.Time    `json:"at"`
}

// ErrUnknownCommand: no command with that id in the outbox.
var ErrUnknownCommand = errors.New("no such command in the outbox")

// Outbox is the durable queue of the user's changes not yet settled with
// the server. Safe for concurrent use.
type Outbox struct {
	db *bolt.DB
	// file is its path and damage state (damage.go).
	file fileGuard
}

// openOutbox opens (creating) dir/OutboxFileName, mode 0600. It gives an
// error wrapping ErrLocked when another process holds it.
func openOutbox(dir string) (*Outbox, error) {
	path := filepath.Join(dir, OutboxFileName)
	db, err := openBolt(path, false)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("open outbox %s: %w", path, err)
	}
	o := &Outbox{db: db}
	o.file.path = path
	err = o.updateTx(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bOutbox, bOutboxIDs, bRefused} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		closeBolt(path, db, errors.Is(err, ErrDamaged))
		return nil, fmt.Errorf("init outbox %s: %w", path, err)
	}
	return o, nil
}

// OutboxPath is the outbox file of the cache directory dir.
func OutboxPath(dir string) string { return filepath.Join(dir, OutboxFileName) }

// Close closes the file.
func (o *Outbox) Close() error { return o.db.Close() }

// Add stores cmd as the last pending command, created at now, and gives
// its entry. The command's id must be set and unique; a second Add of the
// same id is an error (nothing stored). The write is synced to disk before
// Add returns: a crash right after keeps it.
func (o *Outbox) Add(cmd wire.Command, now time.Time) (Entry, error) {
	if cmd.ID == "" || cmd.Type == "" {
		return Entry{}, errors.New("outbox: a command needs an id and a type")
	}
	var e Entry
	err := o.updateTx(func(tx *bolt.Tx) error {
		ids := tx.Bucket(bOutboxIDs)
		if ids.Get([]byte(cmd.ID)) != nil {
			return fmt.Errorf("outbox: command %s is there already", cmd.ID)
		}
		b := tx.Bucket(bOutbox)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		e = Entry{Order: n, Command: cmd, Created: now.UTC(), State: StatePending}
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if err := b.Put(orderKey(n), raw); err != nil {
			return err
		}
		return ids.Put([]byte(cmd.ID), orderKey(n))
	})
	return e, err
}

func orderKey(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// Entries lists the outbox in order: pending and applied-but-not-pulled.
func (o *Outbox) Entries() ([]Entry, error) {
	var out []Entry
	err := o.viewTx(func(tx *bolt.Tx) error {
		return tx.Bucket(bOutbox).ForEach(func(_, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("outbox entry: %w", err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// Pending lists the commands still to send, in order.
func (o *Outbox) Pending() ([]Entry, error) {
	all, err := o.Entries()
	out := all[:0]
	for _, e := range all {
		if e.State == StatePending {
			out = append(out, e)
		}
	}
	return out, err
}

// update changes the entry of id with fn in one transaction; fn returning
// drop removes it.
func (o *Outbox) update(id string, fn func(tx *bolt.Tx, e *Entry) (drop bool, err error)) error {
	return o.updateTx(func(tx *bolt.Tx) error {
		ids, b := tx.Bucket(bOutboxIDs), tx.Bucket(bOutbox)
		k := ids.Get([]byte(id))
		if k == nil {
			return fmt.Errorf("%w: %s", ErrUnknownCommand, id)
		}
		k = append([]byte(nil), k...)
		var e Entry
		if err := json.Unmarshal(b.Get(k), &e); err != nil {
			return fmt.Errorf("outbox entry %s: %w", id, err)
		}
		drop, err := fn(tx, &e)
		if err != nil {
			return err
		}
		if drop {
			if err := ids.Delete([]byte(id)); err != nil {
				return err
			}
			return b.Delete(k)
		}
		raw, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return b.Put(k, raw)
	})
}

// MarkApplied records that the server applied command id at feed
// position seq. The entry stays (StateApplied) until Settle.
func (o *Outbox) MarkApplied(id string, seq uint64) error {
	return o.update(id, func(_ *bolt.Tx, e *Entry) (bool, error) {
		e.State, e.AppliedSeq, e.LastError = StateApplied, seq, ""
		return false, nil
	})
}

// MarkFailed records a send of id that got no answer: kind is the English
// failure kind (for `psopdesk outbox` and the log), at its time. The
// command stays pending and is sent again with the same id.
func (o *Outbox) MarkFailed(id, kind string, at time.Time) error {
	return o.update(id, func(_ *bolt.Tx, e *Entry) (bool, error) {
		e.Attempts++
		e.LastError, e.LastTried = kind, at.UTC()
		return false, nil
	})
}

// Refuse removes command id, refused by the server with ans, and keeps the
// refusal (the newest refusedKept) for Refusals.
func (o *Outbox) Refuse(id string, ans wire.Answer, at time.Time) (Refusal, error) {
	var r Refusal
	err := o.update(id, func(tx *bolt.Tx, e *Entry) (bool, error) {
		r = Refusal{Order: e.Order, Command: e.Command, Answer: ans, At: at.UTC()}
		raw, err := json.Marshal(r)
		if err != nil {
			return false, err
		}
		rb := tx.Bucket(bRefused)
		if err := rb.Put(orderKey(e.Order), raw); err != nil {
			return false, err
		}
		for rb.Stats().KeyN > refusedKept {
			k, _ := rb.Cursor().First()
			if err := rb.Delete(k); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	return r, err
}

// Refusals lists the kept refusals, oldest first.
func (o *Outbox) Refusals() ([]Refusal, error) {
	var out []Refusal
	err := o.viewTx(func(tx *bolt.Tx) error {
		return tx.Bucket(bRefused).ForEach(func(_, v []byte) error {
			var r Refusal
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("outbox refusal: %w", err)
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// Settle removes the applied commands the cache now shows: those whose
// AppliedSeq is at most cursor (the cache's cursor after a pull). With
// caughtUp (the pull reached the feed's end) every applied command goes:
// the feed's end is past any seq the same feed answered, so one still
// ahead was answered by another feed (a reset or different server), whose
// data the cache no longer follows. It gives how many it removed.
func (o *Outbox) Settle(cursor uint64, caughtUp bool) (int, error) {
	n := 0
	err := o.updateTx(func(tx *bolt.Tx) error {
		b, ids := tx.Bucket(bOutbox), tx.Bucket(bOutboxIDs)
		var drop [][]byte
		var dropIDs []string
		if err := b.ForEach(func(k, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.State == StateApplied && (e.AppliedSeq <= cursor || caughtUp) {
				drop = append(drop, append([]byte(nil), k...))
				dropIDs = append(dropIDs, e.Command.ID)
			}
			return nil
		}); err != nil {
			return err
		}
		for i, k := range drop {
			if err := b.Delete(k); err != nil {
				return err
			}
			if err := ids.Delete([]byte(dropIDs[i])); err != nil {
				return err
			}
		}
		n = len(drop)
		return nil
	})
	return n, err
}
