package cache

// SetWriteIndexes switches the secondary index writes, for the benchmark
// that measures their share of a sync (package cache_test).
func SetWriteIndexes(on bool) { writeIndexes = on }
