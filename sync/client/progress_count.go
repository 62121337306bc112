package client

import "psopdesk/sync/wire"

// countPage adds to p what one applied page brought: its customers and
// service events (puts and deletions alike), and the feed's head as the
// page told it, so that a window can show "12 000 customers, 310 000
// events" and the share cursor/head of a first sync.
func countPage(p *Progress, page wire.ChangesPage) {
	for i := range page.Changes {
		switch page.Changes[i].Kind {
		case wire.KindCustomer:
			p.Customers++
		case wire.KindEvent:
			p.Events++
		}
	}
	if page.Head > p.Head {
		p.Head = page.Head
	}
}

// Fraction is how far the cache is along the feed, 0…1: the cursor over
// the feed's head; 1 when Done, 0 while the head is not known.
func (p Progress) Fraction() float64 {
	switch {
	case p.Done:
		return 1
	case p.Head == 0:
		return 0
	case p.Cursor >= p.Head:
		return 1
	}
	return float64(p.Cursor) / float64(p.Head)
}
