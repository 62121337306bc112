package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A damaged cache never crashes the program (issue 9). It is found
//
//   - when a file is opened: checkFile reads its two meta pages (bbolt's
//     format: page size, high-water page id, root and freelist pages,
//     checksum) before bbolt maps it, so a truncated file is refused
//     instead of faulting (SIGBUS) on the first page past its end;
//   - when a transaction fails: every transaction of the replica (viewDB,
//     updateDB) and of the outbox runs under guard, which turns a panic of
//     bbolt (a zeroed or garbled page) or a memory fault on the mapped
//     file into a *DamagedError. After one, the Cache refuses every later
//     call with the same error (no second panic) until Rebuild.

// ErrDamaged: a file of the cache directory is damaged (truncated, zeroed
// or garbled pages). Every *DamagedError is ErrDamaged (errors.Is).
var ErrDamaged = errors.New("the cache file is damaged")

// Damage reasons, the codes of a DamagedError.
const (
	// DamageTruncated: the file is shorter than its meta page says.
	DamageTruncated = "cache_truncated"
	// DamageMeta: no valid meta page (not a cache file, or both meta
	// pages garbled), or one naming pages outside the file.
	DamageMeta = "cache_meta"
	// DamagePage: a page of the file is not what the tree says it is
	// (found by a read or write, or by Check).
	DamagePage = "cache_page"
)

// DamagedError is a damaged cache file: Path is the file (the replica,
// FileName, or the outbox, OutboxFileName), Reason one of the Damage*
// codes, Detail the English detail for the log (page numbers, never data
// of the file).
type DamagedError struct {
	Path   string
	Reason string
	Detail string
}

// Error is English, for logs.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("the cache file %s is damaged (%s): %s", e.Path, e.Reason, e.Detail)
}

// Is makes every DamagedError ErrDamaged.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

// Outbox reports whether the damaged file is the outbox (not the replica,
// which Rebuild makes anew).
func (e *DamagedError) Outbox() bool { return strings.HasSuffix(e.Path, OutboxFileName) }

// bbolt's file format (go.etcd.io/bbolt internal/common: page.go, meta.go,
// types.go): each page starts with a 16-byte header (id u64, flags u16,
// count u16, overflow u32); pages 0 and 1 are meta pages whose meta follows
// the header: magic u32, version u32, page size u32, flags u32, root
// bucket (root page id u64, sequence u64), freelist page id u64, high-water
// page id u64, txid u64, and an FNV-64a checksum of the 56 bytes before
// it. Integers are in the machine's byte order.
const (
	boltMagic          = 0xED0CDAED
	boltVersion        = 2
	pageHeaderSize     = 16
	metaSize           = 64
	flagBranch         = 0x01
	flagLeaf           = 0x02
	flagFreelist       = 0x10
	pgidNoFreelist     = ^uint64(0)
	maxPageSizeChecked = 1 << 24
)

// boltMeta is the part of a meta page checkFile needs.
type boltMeta struct {
	pageSize       uint64
	root, freelist uint64
	pgid, txid     uint64
}

// parseMeta reads the meta at the start of b (after a page header); false
// when its magic, version or checksum is wrong.
func parseMeta(b []byte) (boltMeta, bool) {
	if len(b) < metaSize {
		return boltMeta{}, false
	}
	ne := binary.NativeEndian
	h := fnv.New64a()
	h.Write(b[:56])
	if ne.Uint32(b[0:]) != boltMagic || ne.Uint32(b[4:]) != boltVersion || ne.Uint64(b[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: uint64(ne.Uint32(b[8:])), root: ne.Uint64(b[16:]), freelist: ne.Uint64(b[32:]),
		pgid: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}, true
}

// checkFile checks the bbolt file at path before it is mapped: a file
// that is missing or empty is new (nil); otherwise the meta bbolt will use
// (the valid one of the higher txid) must name a page size of its own
// page, pages inside the file (high-water mark × page size ≤ size), a root
// page that is a branch or leaf and a freelist page that is one. It reads
// a few pages, not the file. A damaged file gives a *DamagedError; a file
// that cannot be read, the read error.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	damaged := func(reason, format string, a ...any) error {
		return &DamagedError{Path: path, Reason: reason, Detail: fmt.Sprintf(format, a...)}
	}
	readPage := func(off int64, n int) []byte {
		buf := make([]byte, n)
		k, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil
		}
		return buf[:k]
	}
	metaAt := func(off int64) (boltMeta, bool) {
		b := readPage(off, pageHeaderSize+metaSize)
		if len(b) < pageHeaderSize+metaSize {
			return boltMeta{}, false
		}
		return parseMeta(b[pageHeaderSize:])
	}
	m0, ok0 := metaAt(0)
	pageSize := m0.pageSize
	if !ok0 {
		// As bbolt does: look for the second meta page at the page sizes
		// it may have been made with.
		for ps := int64(1024); ps <= maxPageSizeChecked && ps < size; ps <<= 1 {
			if m, ok := metaAt(ps); ok && int64(m.pageSize) == ps {
				pageSize = m.pageSize
				break
			}
		}
		if pageSize == 0 {
			return damaged(DamageMeta, "no valid meta page in %d bytes", size)
		}
	}
	if pageSize < 512 || pageSize > maxPageSizeChecked || pageSize&(pageSize-1) != 0 {
		return damaged(DamageMeta, "page size %d", pageSize)
	}
	if uint64(size) < 2*pageSize {
		return damaged(DamageTruncated, "%d bytes, less than the two meta pages of %d", size, pageSize)
	}
	m1, ok1 := metaAt(int64(pageSize))
	if ok1 && m1.pageSize != pageSize {
		ok1 = false
	}
	if ok0 && m0.pageSize != pageSize {
		ok0 = false
	}
	m := m0
	switch {
	case ok0 && ok1 && m1.txid > m0.txid:
		m = m1
	case !ok0 && ok1:
		m = m1
	case !ok0 && !ok1:
		return damaged(DamageMeta, "no valid meta page")
	}
	if m.pgid < 2 || m.pgid > uint64(size)/pageSize {
		if m.pgid >= 2 && m.pgid <= (1<<62)/pageSize {
			return damaged(DamageTruncated, "%d bytes, the meta page's high-water mark needs %d", size, m.pgid*pageSize)
		}
		return damaged(DamageMeta, "high-water mark %d", m.pgid)
	}
	// pageOK checks the header of page id: its own id, one of flags, and
	// its overflow pages below the high-water mark.
	pageOK := func(id uint64, flags ...uint16) bool {
		if id < 2 || id >= m.pgid {
			return false
		}
		b := readPage(int64(id*pageSize), pageHeaderSize)
		if len(b) < pageHeaderSize {
			return false
		}
		ne := binary.NativeEndian
		if ne.Uint64(b[0:]) != id || id+uint64(ne.Uint32(b[12:])) >= m.pgid {
			return false
		}
		fl := ne.Uint16(b[8:])
		for _, want := range flags {
			if fl == want {
				return true
			}
		}
		return false
	}
	if !pageOK(m.root, flagBranch, flagLeaf) {
		return damaged(DamagePage, "root page %d", m.root)
	}
	if m.freelist != pgidNoFreelist && !pageOK(m.freelist, flagFreelist) {
		return damaged(DamagePage, "freelist page %d", m.freelist)
	}
	return nil
}

// openBolt opens the bbolt file at path (mode 0600, waiting lockTimeout
// for another process's lock) after checkFile, and turns a panic or a
// fault of bbolt while it opens into a *DamagedError.
func openBolt(path string, readOnly bool) (db *bolt.DB, err error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	err = guard(path, func() error {
		var err error
		o := &bolt.Options{Timeout: lockTimeout, ReadOnly: true}
		if !readOnly {
			o = replicaOptions()
		}
		db, err = bolt.Open(path, 0o600, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// guard runs fn, which uses the bbolt file at path, and turns a panic of
// bbolt (raised in its code: a page that is not what the tree says) or a
// memory fault (a page past the end of a file cut short while mapped)
// into a *DamagedError of path, logged with its detail. A panic of other
// code is a bug, not damage: it is logged with its stack and returned as
// an error (the program goes on).
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverDamage(path, &err)
	return fn()
}

// recoverDamage is guard's deferred recovery: it sets *err from the
// panic being recovered, if any.
func recoverDamage(path string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	where := panicSite()
	var fault interface{ Addr() uintptr }
	if re, ok := r.(error); (ok && errors.As(re, &fault)) || strings.HasPrefix(where, "go.etcd.io/bbolt") {
		// bbolt prints some keys in hex ("misplaced bucket header"):
		// never a key in the log.
		msg := hexRun.ReplaceAllString(fmt.Sprint(r), "(bytes)")
		e := &DamagedError{Path: path, Reason: DamagePage, Detail: fmt.Sprintf("%s (in %s)", msg, where)}
		slog.Error("cache: damaged file", "path", path, "detail", e.Detail)
		*err = e
		return
	}
	slog.Error("cache: panic", "panic", r, "stack", string(debug.Stack()))
	*err = fmt.Errorf("cache: internal error: %v", r)
}

// hexRun is a run of hex digits long enough to be a key's bytes.
var hexRun = regexp.MustCompile(`[0-9a-fA-F]{12,}`)

// panicSite names the function that raised the panic being recovered:
// the first frame after the runtime's own.
func panicSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	inPanic := false
	for {
		f, more := frames.Next()
		switch {
		case strings.HasPrefix(f.Function, "runtime."):
			inPanic = inPanic || f.Function == "runtime.gopanic"
		case inPanic:
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

// fileGuard is the damage state of one bbolt file (the replica or the
// outbox): once damaged is set, every transaction gives it.
type fileGuard struct {
	path    string
	damaged atomic.Pointer[DamagedError]
	// onDamaged, when set, is told when damaged is set.
	onDamaged atomic.Pointer[func(*DamagedError)]
}

// run runs fn in a transaction of db, the file (a write one with write)
// under guard's recovery; a damaged file, now or before, gives its
// *DamagedError and ends the file's use. (Written without closures: it
// wraps every read.)
func (g *fileGuard) run(db *bolt.DB, write bool, fn func(*bolt.Tx) error) (err error) {
	if d := g.damaged.Load(); d != nil {
		return d
	}
	defer g.mark(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverDamage(g.path, &err)
	if write {
		return db.Update(fn)
	}
	return db.View(fn)
}

// mark ends the file's use when *err is its damage, and tells onDamaged.
func (g *fileGuard) mark(err *error) {
	if *err != nil {
		g.markErr(*err)
	}
}

// markErr is mark of an error (apart, so that a transaction without one
// allocates nothing for it).
func (g *fileGuard) markErr(err error) {
	var d *DamagedError
	if !errors.As(err, &d) || !g.damaged.CompareAndSwap(nil, d) {
		return
	}
	if fn := g.onDamaged.Load(); fn != nil {
		(*fn)(d)
	}
}

// Damaged gives the *DamagedError the replica was found damaged with (at
// OpenOrDamaged or by a read or write since), or nil. A damaged Cache
// refuses every read and write of the replica with it until Rebuild; its
// outbox works as long as that file is sound.
func (c *Cache) Damaged() *DamagedError { return c.file.damaged.Load() }

// OnDamaged sets fn to be called when a read or write finds the replica
// damaged (once per damage, on that call's goroutine, with the Cache's
// lock held: fn must not call the Cache). The window shows its dialog so.
func (c *Cache) OnDamaged(fn func(*DamagedError)) { c.file.onDamaged.Store(&fn) }

// viewTx runs fn in a read transaction of the outbox, under guard.
func (o *Outbox) viewTx(fn func(*bolt.Tx) error) error { return o.file.run(o.db, false, fn) }

// updateTx runs fn in a write transaction of the outbox, under guard.
func (o *Outbox) updateTx(fn func(*bolt.Tx) error) error { return o.file.run(o.db, true, fn) }

// closeWait bounds how long closing a damaged file may take.
const closeWait = time.Second

// closeBolt closes db, the bbolt file at path. A damaged one (damaged
// true) is given up after closeWait: a fault inside bbolt's Begin leaves
// its locks held and its Close would wait for ever; the handle is then
// left to the process's end (the file is removed by Rebuild).
func closeBolt(path string, db *bolt.DB, damaged bool) error {
	if !damaged {
		return guard(path, db.Close)
	}
	done := make(chan error, 1)
	go func() { done <- guard(path, db.Close) }()
	select {
	case err := <-done:
		return err
	case <-time.After(closeWait):
		slog.Error("cache: the damaged file did not close; left open", "path", path)
		return nil
	}
}

// guard runs fn (a use of the file other than a transaction) under guard,
// and ends the file's use when it finds it damaged.
func (g *fileGuard) guard(fn func() error) (err error) {
	if d := g.damaged.Load(); d != nil {
		return d
	}
	defer g.mark(&err)
	return guard(g.path, fn)
}

// updateGuarded runs fn in a write transaction of db, the file at path,
// under guard (Open's first transaction, before the Cache exists).
func updateGuarded(path string, db *bolt.DB, fn func(*bolt.Tx) error) error {
	return guard(path, func() error { return db.Update(fn) })
}
