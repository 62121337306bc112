package organizer

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"psopdesk/sync/wire"
	"runtime"
	"slices"
	"strconv"
	gosync "sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"psopdesk/data"
)

// Errors of the store.
var (
	// ErrBusy: another process holds the store file (bbolt's file lock was
	// not had within OpenTimeout).
	ErrBusy = errors.New("organizer database is in use by another process")
	// ErrUnauthorized: the API key is missing, unknown or expired.
	ErrUnauthorized = errors.New("unauthorized")
)

// OpenTimeout is how long Open waits for the file lock before ErrBusy.
const OpenTimeout = time.Second

// Bucket names. Layout:
//
//	keys           sha256(key) hex → keyRecord JSON (never the key itself)
//	state/<part>   record key → record JSON (the Dataset, part by part)
//	log/<feed>     big-endian uint64 seq → wire.Change JSON, compacted:
//	               only the latest change of each record is kept (a Put
//	               or a Delete replaces the record's earlier change; a
//	               customer's Delete removes every change of the
//	               customer's records), so a client reading from 0 gets
//	               the current state and deletions, never history
//	vis/<feed>     kind \x00 id → sha256(data JSON) ‖ big-endian seq of
//	               its Put in the log ‖ customer id: what the feed
//	               currently holds
//
// <feed> is a feed's audience key (audienceKey): the provider id for the
// provider's pääkäyttäjät, "provider/user" for a kirjaaja.
//
//	meta           "store_id" → random hex made when the file is created
//	cmds/<provider> command id → cmdRecord JSON: the answer of each command
//	               answered (idempotency, Store.Command)
//	numidx/<provider> data.CustomerNumberKey(number) → customer id: who
//	               holds each of the provider's customer numbers
//	               (state/numbers indexed; Command and Apply keep it)
//	evgrant        grant id \x00 event id → provider id: every event of
//	               each grant, of any provider (state/events indexed, for
//	               the review rule; Command and Apply keep it)
//	adminkeys      sha256(key) hex → keyRecord JSON of an admin key
var (
	bMeta   = []byte("meta")
	bKeys   = []byte("keys")
	bState  = []byte("state")
	bLog    = []byte("log")
	bVis    = []byte("vis")
	bCmds   = []byte("cmds")
	bNumIdx = []byte("numidx")
	bEvIdx  = []byte("evgrant")
	bAdmin  = []byte("adminkeys")
)

// Store is the organizer's bbolt database. Safe for concurrent use; Apply,
// Command and the admin's changes are serialised with each other.
type Store struct {
	db    *bolt.DB
	apply gosync.Mutex
	id    string

	clockMu gosync.RWMutex
	clock   func() time.Time

	// evalMu guards evalDay and dirty: the Helsinki day visibility was
	// last evaluated for (Apply) and whether a write happened since
	// (Refresh).
	evalMu  gosync.Mutex
	evalDay data.Date
	dirty   bool
}

// markDirty records a write: the next Refresh evaluates visibility again.
func (s *Store) markDirty() {
	s.evalMu.Lock()
	s.dirty = true
	s.evalMu.Unlock()
}

// Refresh evaluates visibility (DOMAIN.md §3) at now again, as Apply with
// an empty Dataset, when a write (a command, an admin change) happened
// since the last evaluation or now is on another Helsinki day than it, so
// that a feed read at now never serves a customer who is out of sight at
// now. It is cheap when neither holds. The handler calls it before every
// feed page (and, for a new day, before every command).
func (s *Store) Refresh(now time.Time) error { return s.refresh(now, true) }

func (s *Store) refresh(now time.Time, writes bool) error {
	day := data.DateOf(now.In(data.Helsinki))
	s.evalMu.Lock()
	need := day != s.evalDay || (writes && s.dirty)
	s.evalMu.Unlock()
	if !need {
		return nil
	}
	_, err := s.Apply(Dataset{}, now)
	return err
}

// SetClock makes now the organizer's clock: Handler and Start read it for
// every request (key expiry, the settlement lock, RecordedAt of a recorded
// event, credit times) and for the daily visibility re-evaluation. nil
// restores time.Now. Tests and psop-organizer -now move it (ClockFrom).
func (s *Store) SetClock(now func() time.Time) {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	s.clock = now
}

// Now reads the organizer's clock (SetClock; time.Now by default).
func (s *Store) Now() time.Time {
	s.clockMu.RLock()
	c := s.clock
	s.clockMu.RUnlock()
	if c == nil {
		return time.Now()
	}
	return c()
}

// ClockFrom returns a clock that reads start at the moment ClockFrom is
// called and runs on at the pace of the wall clock from there.
func ClockFrom(start time.Time) func() time.Time {
	origin := time.Now()
	return func() time.Time { return start.Add(time.Since(origin)) }
}

// Open opens (creating) the store file path. It gives ErrBusy (wrapped)
// when another process holds the file for OpenTimeout.
func Open(path string) (*Store, error) {
	opts := &bolt.Options{
		Timeout:        OpenTimeout,
		NoFreelistSync: true,
		FreelistType:   bolt.FreelistMapType,
	}
	if runtime.GOOS != "windows" {
		// Address space only (Windows would grow the file to it): a large
		// Apply then never remaps, which copies every dirty node.
		opts.InitialMmapSize = 1 << 30
	}
	db, err := bolt.Open(path, 0o600, opts)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("open organizer database %s: %w", path, err)
	}
	var id string
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bKeys, bState, bLog, bVis, bCmds, bAdmin} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if tx.Bucket(bNumIdx) == nil {
			// A file from before the index: make it from the numbers.
			var numbers []CustomerNumber
			if nb := tx.Bucket(bState).Bucket([]byte("numbers")); nb != nil {
				if err := nb.ForEach(func(_, v []byte) error {
					var n CustomerNumber
					numbers = append(numbers, n)
					return json.Unmarshal(v, &numbers[len(numbers)-1])
				}); err != nil {
					return err
				}
			}
			if err := rebuildNumberIndex(tx, numbers); err != nil {
				return err
			}
		}
		if tx.Bucket(bEvIdx) == nil {
			// A file from before the index: make it from the events.
			var events []Event
			if eb := tx.Bucket(bState).Bucket([]byte("events")); eb != nil {
				if err := eb.ForEach(func(_, v []byte) error {
					var e Event
					events = append(events, e)
					return json.Unmarshal(v, &events[len(events)-1])
				}); err != nil {
					return err
				}
			}
			if err := rebuildEventIndex(tx, events); err != nil {
				return err
			}
		}
		m := tx.Bucket(bMeta)
		if string(m.Get([]byte("feed_format"))) != feedFormat {
			// Feeds of an older layout (uncompacted log, vis without
			// seqs): emptied, with a new store id so that clients start
			// over; the next Apply fills them. Seqs go on from where
			// each log was.
			if err := resetFeeds(tx); err != nil {
				return err
			}
			if err := m.Delete([]byte("store_id")); err != nil {
				return err
			}
			if err := m.Put([]byte("feed_format"), []byte(feedFormat)); err != nil {
				return err
			}
		}
		if v := m.Get([]byte("store_id")); v != nil {
			id = string(v)
			return nil
		}
		var raw [12]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return err
		}
		id = hex.EncodeToString(raw[:])
		return m.Put([]byte("store_id"), []byte(id))
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init organizer database %s: %w", path, err)
	}
	return &Store{db: db, id: id}, nil
}

// feedFormat names the layout of the log and vis buckets (meta
// "feed_format"): "2" is the compacted log with seqs in vis.
const feedFormat = "2"

// resetFeeds empties every log and vis bucket, keeping each log's sequence.
func resetFeeds(tx *bolt.Tx) error {
	seqs := map[string]uint64{}
	if err := tx.Bucket(bLog).ForEachBucket(func(k []byte) error {
		seqs[string(k)] = tx.Bucket(bLog).Bucket(k).Sequence()
		return nil
	}); err != nil {
		return err
	}
	for _, b := range [][]byte{bLog, bVis} {
		if err := tx.DeleteBucket(b); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(b); err != nil {
			return err
		}
	}
	for k, seq := range seqs {
		lb, err := tx.Bucket(bLog).CreateBucket([]byte(k))
		if err != nil {
			return err
		}
		if err := lb.SetSequence(seq); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store's file.
func (s *Store) Path() string { return s.db.Path() }

// state parts: name and how a Dataset's records of it are keyed.
type statePart struct {
	name string
	put  func(d *Dataset, emit func(key string, v any))
	load func(d *Dataset, v []byte) error
}

func part[T any](name string, get func(*Dataset) *[]T, key func(T) string) statePart {
	return statePart{
		name: name,
		put: func(d *Dataset, emit func(string, any)) {
			for _, v := range *get(d) {
				emit(key(v), v)
			}
		},
		load: func(d *Dataset, b []byte) error {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return err
			}
			*get(d) = append(*get(d), v)
			return nil
		},
	}
}

var stateParts = []statePart{
	{name: "organizer",
		put: func(d *Dataset, emit func(string, any)) {
			if d.Organizer.ID != "" {
				emit("organizer", d.Organizer)
			}
		},
		load: func(d *Dataset, b []byte) error { return json.Unmarshal(b, &d.Organizer) }},
	part("providers", func(d *Dataset) *[]data.Provider { return &d.Providers }, func(v data.Provider) string { return v.ID }),
	part("services", func(d *Dataset) *[]data.Service { return &d.Services }, func(v data.Service) string { return v.ID }),
	part("prices", func(d *Dataset) *[]Price { return &d.Prices }, Price.key),
	part("customers", func(d *Dataset) *[]data.Customer { return &d.Customers }, func(v data.Customer) string { return v.ID }),
	part("numbers", func(d *Dataset) *[]CustomerNumber { return &d.Numbers }, func(v CustomerNumber) string { return v.ProviderID + "\x00" + v.CustomerID }),
	part("vouchers", func(d *Dataset) *[]data.Voucher { return &d.Vouchers }, func(v data.Voucher) string { return v.Number }),
	part("grants", func(d *Dataset) *[]data.Grant { return &d.Grants }, func(v data.Grant) string { return v.ID }),
	part("reservations", func(d *Dataset) *[]Reservation { return &d.Reservations }, func(v Reservation) string { return v.ID }),
	part("events", func(d *Dataset) *[]Event { return &d.Events }, func(v Event) string { return v.ID }),
	part("users", func(d *Dataset) *[]data.User { return &d.Users }, func(v data.User) string { return v.ID }),
	part("teams", func(d *Dataset) *[]data.ServiceTeam { return &d.Teams }, func(v data.ServiceTeam) string { return v.ID }),
}

// Dataset reads the whole stored data set (records in key order).
func (s *Store) Dataset() (Dataset, error) {
	var d Dataset
	err := s.db.View(func(tx *bolt.Tx) error {
		st := tx.Bucket(bState)
		for _, p := range stateParts {
			b := st.Bucket([]byte(p.name))
			if b == nil {
				continue
			}
			if err := b.ForEach(func(_, v []byte) error { return p.load(&d, v) }); err != nil {
				return fmt.Errorf("stored %s: %w", p.name, err)
			}
		}
		return nil
	})
	return d, err
}

// IsNew reports whether the store holds no organizer yet: a new file, or
// one that no data set with an organizer was applied to.
func (s *Store) IsNew() (bool, error) {
	isNew := true
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bState).Bucket([]byte("organizer")); b != nil && b.Get([]byte("organizer")) != nil {
			isNew = false
		}
		return nil
	})
	return isNew, err
}

// Providers reads the stored providers, in id order.
func (s *Store) Providers() ([]data.Provider, error) {
	var out []data.Provider
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bState).Bucket([]byte("providers"))
		if b == nil {
			return nil
		}
		return b.ForEach(func(_, v []byte) error {
			var p data.Provider
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("stored providers: %w", err)
	}
	return out, nil
}

// ApplyStats tells what Apply appended: change count per provider id.
type ApplyStats struct {
	Changes map[string]int
}

// entry is one marshalled feed item.
type entry struct {
	key      []byte // kind \x00 id
	kind     wire.Kind
	id       string
	customer string
	data     []byte
	sum      [sha256.Size]byte
}

// Apply merges ds into the stored data set (Dataset.Merge), validates the
// result and brings every provider's feed up to date at now: a Put for each
// entity new or changed in the provider's view, a Delete for each that left
// it (a customer who is no longer visible gets one customer Delete that
// covers their records). The customer-number index that Command checks
// and the index of events by grant are made anew from the merged data. Everything is written in one
// transaction; nothing is written when validation fails. Apply with an empty Dataset re-applies
// the visibility rule at a new now.
func (s *Store) Apply(ds Dataset, now time.Time) (ApplyStats, error) {
	s.apply.Lock()
	defer s.apply.Unlock()
	cur, err := s.Dataset()
	if err != nil {
		return ApplyStats{}, err
	}
	merged := cur.Merge(ds)
	if err := merged.Validate(); err != nil {
		return ApplyStats{}, fmt.Errorf("invalid data: %w", err)
	}
	ix := newIndex(&merged)
	auds := audiences(&merged)
	providers := make(map[string]data.Provider, len(merged.Providers))
	for _, p := range merged.Providers {
		providers[p.ID] = p
	}
	feeds := make(map[string][]entry, len(auds))
	for _, a := range auds {
		items := ix.feed(providers[a.user.ProviderID], a.user, now)
		es := make([]entry, len(items))
		for i, it := range items {
			b, err := json.Marshal(it.value)
			if err != nil {
				return ApplyStats{}, fmt.Errorf("marshal %s %s: %w", it.kind, it.id, err)
			}
			es[i] = entry{key: []byte(string(it.kind) + "\x00" + it.id), kind: it.kind, id: it.id,
				customer: it.customer, data: b, sum: sha256.Sum256(b)}
		}
		feeds[a.key] = es
	}
	day := data.DateOf(now.In(data.Helsinki))
	stats := ApplyStats{Changes: map[string]int{}}
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := putState(tx, &ds); err != nil {
			return err
		}
		if err := rebuildNumberIndex(tx, merged.Numbers); err != nil {
			return fmt.Errorf("customer number index: %w", err)
		}
		if err := rebuildEventIndex(tx, merged.Events); err != nil {
			return fmt.Errorf("event index: %w", err)
		}
		for _, a := range auds {
			n, err := appendFeed(tx, a.key, feeds[a.key])
			if err != nil {
				return fmt.Errorf("feed of %s: %w", a.key, err)
			}
			stats.Changes[a.key] = n
		}
		return nil
	})
	if err == nil {
		s.evalMu.Lock()
		s.evalDay, s.dirty = day, false
		s.evalMu.Unlock()
	}
	return stats, err
}

func putState(tx *bolt.Tx, ds *Dataset) error {
	st := tx.Bucket(bState)
	for _, p := range stateParts {
		type kv struct {
			k string
			v []byte
		}
		var kvs []kv
		var merr error
		p.put(ds, func(k string, v any) {
			b, err := json.Marshal(v)
			if err != nil && merr == nil {
				merr = err
			}
			kvs = append(kvs, kv{k, b})
		})
		if merr != nil {
			return merr
		}
		if len(kvs) == 0 {
			continue
		}
		b, err := st.CreateBucketIfNotExists([]byte(p.name))
		if err != nil {
			return err
		}
		slices.SortFunc(kvs, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
		b.FillPercent = 0.9 // keys go in sorted: fuller pages
		for _, e := range kvs {
			if err := b.Put([]byte(e.k), e.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// visValue is a vis bucket's value: the record's sum, the seq of its Put
// in the log and its owning customer ("" for none).
func visValue(sum []byte, seq uint64, customer string) []byte {
	v := make([]byte, 0, sha256.Size+8+len(customer))
	v = append(v, sum[:sha256.Size]...)
	v = binary.BigEndian.AppendUint64(v, seq)
	return append(v, customer...)
}

// visSeq and visCustomer read a vis value (visValue).
func visSeq(v []byte) uint64 {
	if len(v) < sha256.Size+8 {
		return 0
	}
	return binary.BigEndian.Uint64(v[sha256.Size:])
}

func visCustomer(v []byte) string {
	if len(v) < sha256.Size+8 {
		return ""
	}
	return string(v[sha256.Size+8:])
}

// logAppend appends c to log bucket lb under the next seq, which it
// returns, and removes the change at seq prev (the record's earlier
// change; 0: none), so the log keeps only the latest change of a record.
func logAppend(lb *bolt.Bucket, c wire.Change, prev uint64) (uint64, error) {
	if prev != 0 {
		if err := lb.Delete(seqKey(prev)); err != nil {
			return 0, err
		}
	}
	seq, err := lb.NextSequence()
	if err != nil {
		return 0, err
	}
	c.Seq = seq
	return seq, lb.Put(seqKey(seq), changeJSON(c))
}

// appendFeed diffs the feed's new content es against its vis bucket and
// appends the changes to its log, compacting it (logAppend; a customer
// who left the feed takes every change of their records out of the log,
// leaving the customer's Delete). It returns how many it appended.
func appendFeed(tx *bolt.Tx, feed string, es []entry) (int, error) {
	vb, err := tx.Bucket(bVis).CreateBucketIfNotExists([]byte(feed))
	if err != nil {
		return 0, err
	}
	lb, err := tx.Bucket(bLog).CreateBucketIfNotExists([]byte(feed))
	if err != nil {
		return 0, err
	}
	lb.FillPercent = 1.0 // appended at the end: full pages
	vb.FillPercent = 0.9
	old := map[string][]byte{}
	if err := vb.ForEach(func(k, v []byte) error {
		old[string(k)] = bytes.Clone(v)
		return nil
	}); err != nil {
		return 0, err
	}
	type pending struct {
		c    wire.Change
		e    *entry // a Put's entry
		prev uint64
	}
	var changes []pending
	for i := range es {
		e := &es[i]
		k := string(e.key)
		ov, had := old[k]
		delete(old, k)
		if had && len(ov) >= sha256.Size && bytes.Equal(ov[:sha256.Size], e.sum[:]) {
			continue
		}
		changes = append(changes, pending{c: wire.Change{Kind: e.kind, Op: wire.OpPut, ID: e.id, Data: e.data}, e: e, prev: visSeq(ov)})
	}
	// What is left of old has left the feed.
	gone := slices.Sorted(func(yield func(string) bool) {
		for k := range old {
			if !yield(k) {
				return
			}
		}
	})
	goneCustomers := map[string]bool{}
	for _, k := range gone {
		if kind, id, _ := bytes.Cut([]byte(k), []byte{0}); wire.Kind(kind) == wire.KindCustomer {
			goneCustomers[string(id)] = true
		}
	}
	var customerDeletes []pending
	for _, k := range gone {
		kind, id, _ := bytes.Cut([]byte(k), []byte{0})
		owner := visCustomer(old[k])
		c := wire.Change{Kind: wire.Kind(kind), Op: wire.OpDelete, ID: string(id)}
		p := pending{c: c, prev: visSeq(old[k])}
		switch {
		case c.Kind == wire.KindCustomer:
			customerDeletes = append(customerDeletes, p)
		case owner == "" || !goneCustomers[owner]:
			changes = append(changes, p)
		default:
			// Covered by the customer's Delete: only out of the log.
			if p.prev != 0 {
				if err := lb.Delete(seqKey(p.prev)); err != nil {
					return 0, err
				}
			}
		}
		if err := vb.Delete([]byte(k)); err != nil {
			return 0, err
		}
	}
	changes = append(changes, customerDeletes...)
	type visPut struct{ k, v []byte }
	var puts []visPut
	for _, p := range changes {
		seq, err := logAppend(lb, p.c, p.prev)
		if err != nil {
			return 0, err
		}
		if p.e != nil {
			puts = append(puts, visPut{p.e.key, visValue(p.e.sum[:], seq, p.e.customer)})
		}
	}
	// In key order: a bucket's node takes a key put out of order by
	// moving every key after it, which made a large feed's first Apply
	// quadratic (10,000 customers: minutes).
	slices.SortFunc(puts, func(a, b visPut) int { return bytes.Compare(a.k, b.k) })
	for _, p := range puts {
		if err := vb.Put(p.k, p.v); err != nil {
			return 0, err
		}
	}
	return len(changes), nil
}

// changeJSON is json.Marshal(c) without re-scanning c.Data, which is
// json.Marshal output already.
func changeJSON(c wire.Change) []byte {
	id, _ := json.Marshal(c.ID) // a string: never fails
	b := make([]byte, 0, 64+len(id)+len(c.Data))
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, c.Seq, 10)
	b = append(b, `,"kind":"`...)
	b = append(b, c.Kind...)
	b = append(b, `","op":"`...)
	b = append(b, c.Op...)
	b = append(b, `","id":`...)
	b = append(b, id...)
	if len(c.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, c.Data...)
	}
	return append(b, '}')
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// rawPage reads at most limit changes of provider with Seq > after, as the
// stored JSON of each. next is the last one's Seq (after when none); more
// tells that changes remain after next; head is the feed's last Seq.
func (s *Store) rawPage(provider string, after uint64, limit int) (raw [][]byte, next, head uint64, more bool, err error) {
	next = after
	err = s.db.View(func(tx *bolt.Tx) error {
		lb := tx.Bucket(bLog).Bucket([]byte(provider))
		if lb == nil {
			return nil
		}
		head = lb.Sequence()
		if after == ^uint64(0) {
			return nil
		}
		c := lb.Cursor()
		k, v := c.Seek(seqKey(after + 1))
		for ; k != nil && len(raw) < limit; k, v = c.Next() {
			raw = append(raw, bytes.Clone(v))
			next = binary.BigEndian.Uint64(k)
		}
		more = k != nil
		return nil
	})
	return raw, next, head, more, err
}

// Feed names provider's change feed in this store: the store's random id
// and the provider. A new store (a reset server) has a new Feed, so that a
// client holding a cursor of another feed starts over (sync.ChangesPage).
func (s *Store) Feed(provider string) string { return s.id + "/" + provider }

// Changes returns provider's changes with Seq > after, at most limit (1 or
// more) of them, in Seq order; Next and More as in the wire contract.
func (s *Store) Changes(provider string, after uint64, limit int) (wire.ChangesPage, error) {
	if limit < 1 {
		return wire.ChangesPage{}, fmt.Errorf("limit %d: want 1 or more", limit)
	}
	raw, next, head, more, err := s.rawPage(provider, after, limit)
	if err != nil {
		return wire.ChangesPage{}, err
	}
	p := wire.ChangesPage{Feed: s.Feed(provider), Changes: make([]wire.Change, len(raw)), Next: next, More: more, Head: head}
	for i, b := range raw {
		if err := json.Unmarshal(b, &p.Changes[i]); err != nil {
			return wire.ChangesPage{}, fmt.Errorf("stored change: %w", err)
		}
	}
	return p, nil
}

// LastSeq is the Seq of provider's latest change (0 when none).
func (s *Store) LastSeq(provider string) (uint64, error) {
	var seq uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		if lb := tx.Bucket(bLog).Bucket([]byte(provider)); lb != nil {
			seq = lb.Sequence()
		}
		return nil
	})
	return seq, err
}

// keyRecord is what the store keeps of an API key: never the key.
// UserID is the user the key belongs to; "" for a key made for the
// provider (CreateKey), which acts as the provider's pääkäyttäjä.
type keyRecord struct {
	ProviderID string    `json:"provider_id"`
	UserID     string    `json:"user_id,omitempty"`
	Name       string    `json:"name"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
	Revoked    time.Time `json:"revoked,omitzero"`
}

// Principal is whom an API key authenticates: a provider's user, its role
// and the feed it reads (an audience key: the provider id for a
// pääkäyttäjä, "provider/user" for a kirjaaja).
type Principal struct {
	ProviderID string
	UserID     string // "" for a provider's key without a user (CreateKey)
	Role       data.Role
	Feed       string
	// KeyExpires is when the key that authenticated stops being accepted.
	KeyExpires time.Time
}

// KeyPrefix starts every API key the store creates.
const KeyPrefix = "psopk_"

func keyHash(key string) []byte {
	sum := sha256.Sum256([]byte(key))
	return []byte(hex.EncodeToString(sum[:]))
}

// CreateKey makes a new API key for the provider (which must exist in the
// stored data), valid until expires, and returns it. The key acts as the
// provider's pääkäyttäjä (data.RoleAdmin). Only its SHA-256 is stored: the
// key cannot be read back.
func (s *Store) CreateKey(providerID, name string, expires time.Time) (string, error) {
	return s.createKey(keyRecord{ProviderID: providerID, Name: name, Expires: expires.UTC()})
}

// CreateUserKey makes a new API key of the stored user userID (of the
// Dataset's Users), valid until expires, and returns it: the key sees
// what the user's role and teams let it see (data.Visible). Only its
// SHA-256 is stored.
func (s *Store) CreateUserKey(userID, name string, expires time.Time) (string, error) {
	var u data.User
	err := s.db.View(func(tx *bolt.Tx) error {
		found, err := getJSON(tx, "users", userID, &u)
		if err == nil && !found {
			err = fmt.Errorf("create API key: unknown user %q", userID)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return s.createKey(keyRecord{ProviderID: u.ProviderID, UserID: u.ID, Name: name, Expires: expires.UTC()})
}

func (s *Store) createKey(rec keyRecord) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	key := KeyPrefix + hex.EncodeToString(raw[:])
	rec.Created = time.Now().UTC()
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bState).Bucket([]byte("providers"))
		if pb == nil || pb.Get([]byte(rec.ProviderID)) == nil {
			return fmt.Errorf("create API key: unknown provider %q", rec.ProviderID)
		}
		return tx.Bucket(bKeys).Put(keyHash(key), b)
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// ErrUnknownKey: RevokeKey was given a key the store never made.
var ErrUnknownKey = errors.New("no such API key")

// RevokeKey revokes the API key at now: from then on it is refused
// (ErrUnauthorized, HTTP 401) as an unknown one. Revoking a revoked key
// keeps its first revocation time. It gives ErrUnknownKey (wrapped) for a
// key the store does not hold.
func (s *Store) RevokeKey(key string, now time.Time) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bKeys)
		v := b.Get(keyHash(key))
		if key == "" || v == nil {
			return fmt.Errorf("revoke: %w", ErrUnknownKey)
		}
		var rec keyRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		if !rec.Revoked.IsZero() {
			return nil
		}
		rec.Revoked = now.UTC()
		nb, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return b.Put(keyHash(key), nb)
	})
}

// Authenticate returns the provider id the API key belongs to, or
// ErrUnauthorized when the key is empty, unknown, revoked or expired at
// now (AuthenticateUser).
func (s *Store) Authenticate(key string, now time.Time) (string, error) {
	p, err := s.AuthenticateUser(key, now)
	return p.ProviderID, err
}

// AuthenticateUser returns whom the API key authenticates at now, or
// ErrUnauthorized when the key is empty, unknown, revoked, expired at now,
// or its user is no longer stored. The user's role and teams are read now,
// so a change of them applies to keys made before.
func (s *Store) AuthenticateUser(key string, now time.Time) (Principal, error) {
	if key == "" {
		return Principal{}, ErrUnauthorized
	}
	var rec keyRecord
	var u data.User
	found, userFound := false, false
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bKeys).Get(keyHash(key))
		if v == nil {
			return nil
		}
		found = true
		if err := json.Unmarshal(v, &rec); err != nil {
			return err
		}
		if rec.UserID == "" {
			return nil
		}
		var err error
		userFound, err = getJSON(tx, "users", rec.UserID, &u)
		return err
	})
	if err != nil {
		return Principal{}, err
	}
	if !found || !now.Before(rec.Expires) || !rec.Revoked.IsZero() {
		return Principal{}, ErrUnauthorized
	}
	if rec.UserID == "" {
		return Principal{ProviderID: rec.ProviderID, Role: data.RoleAdmin, Feed: rec.ProviderID, KeyExpires: rec.Expires}, nil
	}
	if !userFound || u.ProviderID != rec.ProviderID || !u.Role.Valid() {
		return Principal{}, ErrUnauthorized
	}
	return Principal{ProviderID: u.ProviderID, UserID: u.ID, Role: u.Role, Feed: audienceKey(u), KeyExpires: rec.Expires}, nil
}

// rebuildEventIndex makes evgrant (grant id \x00 event id → provider id)
// anew from events, within tx.
func rebuildEventIndex(tx *bolt.Tx, events []Event) error {
	if tx.Bucket(bEvIdx) != nil {
		if err := tx.DeleteBucket(bEvIdx); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(bEvIdx)
	if err != nil {
		return err
	}
	for _, e := range events {
		if err := b.Put([]byte(e.GrantID+"\x00"+e.ID), []byte(e.ProviderID)); err != nil {
			return err
		}
	}
	return nil
}

// AdminKeyPrefix starts every admin key the store creates.
const AdminKeyPrefix = "psopa_"

// CreateAdminKey makes a new key of the organizer's admin (pääkäyttäjä)
// named name, valid until expires, and returns it. Only its SHA-256 is
// stored. An admin key is not a provider's API key: it opens the admin
// endpoints (Handler, /v1/admin/) and nothing else.
func (s *Store) CreateAdminKey(name string, expires time.Time) (string, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	key := AdminKeyPrefix + hex.EncodeToString(raw[:])
	rec, err := json.Marshal(keyRecord{Name: name, Created: time.Now().UTC(), Expires: expires.UTC()})
	if err != nil {
		return "", err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bAdmin)
		if err != nil {
			return err
		}
		return b.Put(keyHash(key), rec)
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// AuthenticateAdmin returns the name of the admin key, or ErrUnauthorized
// when the key is empty, not an admin key (a provider's key is not) or
// expired at now.
func (s *Store) AuthenticateAdmin(key string, now time.Time) (string, error) {
	if key == "" {
		return "", ErrUnauthorized
	}
	var rec keyRecord
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAdmin)
		if b == nil {
			return nil
		}
		v := b.Get(keyHash(key))
		if v == nil {
			return nil
		}
		found = true
		return json.Unmarshal(v, &rec)
	})
	if err != nil {
		return "", err
	}
	if !found || !now.Before(rec.Expires) {
		return "", ErrUnauthorized
	}
	return rec.Name, nil
}
