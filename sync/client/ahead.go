package client

import (
	"context"

	"psopdesk/data/cache"
	"psopdesk/sync/wire"
)

// Fetching, decoding and preparing the next page while the cache applies
// one (issue 9): the prefetch transport (prefetch.go) already has the
// next page's body on its way, but reading it into a wire.ChangesPage
// (decodePage, which checks every change) and checking and packing its
// rows took the pull's own time between two commits. pageAhead does the
// next fetch, decode and checks included, and prepares the page's rows
// (cache.PreparePage) on a goroutine of its own as soon as a page has
// passed its checks, and the pull takes it when it asks that cursor
// next. The fetch is the very
// fetch the pull would make (same request, same errors), only earlier; a
// pull that ends first cancels it and waits for it. At most one page is
// ahead.
type pageAhead struct {
	cl     *Client
	parent context.Context // the pull's
	ctx    context.Context // parent's, canceled by drop and stop
	cancel context.CancelFunc
	after  uint64           // the cursor asked ahead
	done   chan fetchedPage // its reply, nil when none is ahead
}

type fetchedPage struct {
	page wire.ChangesPage
	pre  *cache.PreparedPage // its rows checked and packed (PreparePage)
	err  error
}

func newPageAhead(ctx context.Context, cl *Client) *pageAhead {
	a := &pageAhead{cl: cl, parent: ctx}
	a.ctx, a.cancel = context.WithCancel(ctx)
	return a
}

// start asks the page after cursor ahead.
func (a *pageAhead) start(after uint64) {
	a.drop()
	done := make(chan fetchedPage, 1)
	a.after, a.done = after, done
	go func() {
		page, err := a.cl.fetch(a.ctx, after)
		var pre *cache.PreparedPage
		if err == nil {
			pre = cache.PreparePage(page.Changes)
		}
		done <- fetchedPage{page, pre, err}
	}()
}

// fetch gives the page after cursor: the one asked ahead when it is
// that cursor's (with its rows prepared), else fetched now (pre nil).
func (a *pageAhead) fetch(after uint64) (page wire.ChangesPage, pre *cache.PreparedPage, err error) {
	if a.done != nil && a.after == after {
		r := <-a.done
		a.done = nil
		return r.page, r.pre, r.err
	}
	a.drop()
	page, err = a.cl.fetch(a.ctx, after)
	return page, nil, err
}

// drop waits for a page asked ahead that is not wanted, canceling it.
func (a *pageAhead) drop() {
	if a.done == nil {
		return
	}
	a.cancel()
	<-a.done
	a.done = nil
	a.ctx, a.cancel = context.WithCancel(a.parent)
}

// stop ends a page asked ahead (the pull is over).
func (a *pageAhead) stop() {
	a.cancel()
	if a.done != nil {
		<-a.done
		a.done = nil
	}
}

// applyFeedPage applies page to c, with its rows prepared when pre is
// not nil.
func applyFeedPage(c *cache.Cache, page wire.ChangesPage, pre *cache.PreparedPage, restart bool) error {
	if pre != nil {
		return c.ApplyPreparedFeedPage(page.Feed, restart, pre, page.Next)
	}
	return c.ApplyFeedPage(page.Feed, restart, page.Changes, page.Next)
}
