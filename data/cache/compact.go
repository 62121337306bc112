package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Compact rewrites the replica into a new file that holds only its live
// data (bbolt's Compact), syncs it to disk, renames it over the replica
// and reopens it. bbolt keeps freed pages in the file with their old
// bytes, so after a customer's deletion their henkilötunnus stays
// readable in the file until it is compacted (DOMAIN.md §3: no readable
// trace). The client calls it after a pull that applied a customer's
// Delete. Readers and writers wait for it (the handle's write lock). On
// a failure before the rename the replica is left as it was; a failure
// to reopen leaves the cache closed (every later call errors) and is
// returned.
func (c *Cache) Compact() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.Damaged(); d != nil {
		return d
	}
	path := c.db.Path()
	tmp := path + ".compact"
	_ = os.Remove(tmp) // a leftover of an interrupted Compact
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return fmt.Errorf("compact cache: %w", err)
	}
	fail := func(err error) error {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("compact cache: %w", err)
	}
	if err := c.file.guard(func() error { return bolt.Compact(dst, c.db, 0) }); err != nil {
		return fail(err)
	}
	if err := dst.Sync(); err != nil {
		return fail(err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact cache: %w", err)
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact cache: %w", err)
	}
	if err := c.db.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("compact cache: %w", err)
	}
	renameErr := os.Rename(tmp, path)
	if renameErr == nil {
		_ = syncFile(filepath.Dir(path)) // the rename itself; not possible on every OS
	} else {
		os.Remove(tmp)
	}
	db, err := bolt.Open(path, 0o600, replicaOptions())
	if err != nil {
		return fmt.Errorf("compact cache: reopen %s: %w", path, errors.Join(renameErr, err))
	}
	c.db = db
	if renameErr != nil {
		return fmt.Errorf("compact cache: %w", renameErr)
	}
	return nil
}

// syncFile fsyncs the file or directory at path.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}
