package cache

// SetWriteIndexes switches the secondary indexes off entirely (pages write
// rows only, no bulk state), for the benchmark that measures their share
// of a sync (package cache_test).
func SetWriteIndexes(on bool) { writeIndexes = on }
