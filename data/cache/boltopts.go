package cache

import (
	"runtime"

	bolt "go.etcd.io/bbolt"
)

// replicaOptions are the bbolt options of the replica (FileName): the
// lock timeout, the map freelist (its allocations stay cheap with many
// free pages) and, except on Windows, a 1 GiB initial map, so that a
// first sync's growing file is never remapped while a transaction holds
// dirty nodes (bbolt copies them out of the map at every remap). On Linux
// and macOS the initial map is address space only; Windows would grow the
// file to it.
func replicaOptions() *bolt.Options {
	o := &bolt.Options{Timeout: lockTimeout, FreelistType: bolt.FreelistMapType}
	if runtime.GOOS != "windows" {
		o.InitialMmapSize = 1 << 30
	}
	return o
}
