package cache

import (
	"errors"
	"testing"

	"psopdesk/sync/wire"
)

// Pages prepared ahead (PreparePage) leave the cache byte for byte as the
// same pages applied plainly, in bulk mode and incrementally (the churn
// pages replace and delete rows), and a bad row fails its page with the
// same error.
func TestPreparedPagesEqualPlain(t *testing.T) {
	feed := demoPages(t, 30, 150)
	all := append(append([]wire.ChangesPage(nil), feed...), churnPages(t, feed)...)
	for _, bulk := range []bool{true, false} {
		bulkFirstSync = bulk
		ref, got := openTemp(t), openTemp(t)
		for _, p := range all {
			if err := ref.ApplyFeedPage("f", false, p.Changes, p.Next); err != nil {
				t.Fatal(err)
			}
			if err := got.ApplyPreparedFeedPage("f", false, PreparePage(p.Changes), p.Next); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []*Cache{ref, got} {
			if err := c.BuildIndexes(); err != nil {
				t.Fatal(err)
			}
		}
		sameBuckets(t, dumpAll(t, got), dumpAll(t, ref))
	}
	bulkFirstSync = true

	bad := append([]wire.Change(nil), feed[0].Changes...)
	for i := range bad {
		if bad[i].Kind == wire.KindEvent {
			bad[i].Data = []byte(`{"id":"` + bad[i].ID + `","date":"not a date"}`)
			break
		}
	}
	perr := openTemp(t).ApplyPreparedFeedPage("f", false, PreparePage(bad), feed[0].Next)
	err := openTemp(t).ApplyFeedPage("f", false, bad, feed[0].Next)
	if err == nil || perr == nil || err.Error() != perr.Error() || !errors.Is(perr, ErrInvalidChange) {
		t.Fatalf("prepared: %v; plain: %v", perr, err)
	}
}
