package cache

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// monthOf is d's calendar month as "YYYY-MM".
func monthOf(d data.Date) string { return string(appendMonth(nil, d)) }

// appendMonth appends monthOf(d) to b.
func appendMonth(b []byte, d data.Date) []byte {
	y, m := d.Year, int(d.Month)
	if y < 0 || y > 9999 || m < 1 || m > 12 {
		return fmt.Appendf(b, "%04d-%02d", y, m)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		'-', byte('0'+m/10), byte('0'+m%10))
}

// monthKeyOf is the month index entry's key (monthindex.go) of an event
// of customerID and serviceID on date: "YYYY-MM" + 0x00 + service id +
// 0x00 + customer id, cut from a (nil: allocated alone); nil for an event
// without a date or customer, or whose ids hold a 0x00. Every event is
// indexed whatever its status: the statement decides which of them are
// its rows.
func monthKeyOf(a *keyArena, date data.Date, serviceID, customerID string) []byte {
	if date.IsZero() || customerID == "" {
		return nil
	}
	if strings.IndexByte(serviceID, 0) >= 0 || strings.IndexByte(customerID, 0) >= 0 {
		return nil
	}
	k := a.alloc(7 + len(serviceID) + len(customerID) + 2)
	k = append(appendMonth(k, date), 0)
	k = append(append(k, serviceID...), 0)
	return append(k, customerID...)
}

// rebuildMonthIndex fills iMonthEvent from the stored events (a cache made
// before the index existed).
func rebuildMonthIndex(tx *bolt.Tx) error {
	m, err := monthCountsOf(tx)
	if err != nil {
		return err
	}
	it := m.iter()
	_, err = putMonths(tx.Bucket(iMonthEvent), it, it.next(), m.n+1)
	return err
}

// monthCountsOf gives the month index's entries of every stored event.
func monthCountsOf(tx *bolt.Tx) (*monthCounts, error) {
	m := &monthCounts{}
	err := tx.Bucket(bEvents).ForEach(func(id, raw []byte) error {
		row, err := parseRow(wire.KindEvent, string(id), unpackRow(raw), false, true)
		if err != nil {
			return nil // a damaged row is not indexed; reading it reports it
		}
		for _, e := range row.idx {
			if e.counted {
				m.add(e.key, 1)
			}
		}
		return nil
	})
	return m, err
}

// StatementCustomers returns the ids of the customers who have events of
// serviceID ("" = of any service) dated in month's calendar month (only
// its year and month count), in the Finnish order of their names (last
// name, then first names, then id), each once. Events of every status
// count, also those that do not show on a statement (rejected, deleted,
// credited): a caller making statements skips the customers whose
// statement has no rows. Customers not in the cache are left out. It reads
// an index, not every event. It gives ErrIncomplete while the cache has
// not caught up since it was emptied.
func (c *Cache) StatementCustomers(serviceID string, month data.Date) ([]string, error) {
	if strings.IndexByte(serviceID, 0) >= 0 {
		return nil, nil
	}
	prefix := append([]byte(monthOf(month)), 0) // the month's keys
	exact := serviceID != ""
	if exact {
		prefix = append(prefix, serviceID...) // its key of the service
	}
	type hit struct {
		id          string
		last, first []byte
	}
	var hits []hit
	err := c.viewIndexed(func(tx *bolt.Tx) error {
		if !completeTx(tx) {
			return ErrIncomplete
		}
		keys := tx.Bucket(bSortKeys)
		seen := map[string]bool{}
		cur := tx.Bucket(iMonthEvent).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			if exact && len(k) != len(prefix) {
				break // another service whose id starts with this one's
			}
			ents, _ := monthEntries(v)
			for _, e := range ents {
				if seen[e.cust] {
					continue
				}
				seen[e.cust] = true
				sk := keys.Get([]byte(e.cust))
				if sk == nil {
					continue // events of a customer not in the cache
				}
				last, first := splitSortKey(sk)
				hits = append(hits, hit{e.cust, bytes.Clone(last), bytes.Clone(first)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(hits, func(i, j int) bool {
		if x := bytes.Compare(hits[i].last, hits[j].last); x != 0 {
			return x < 0
		}
		if x := bytes.Compare(hits[i].first, hits[j].first); x != 0 {
			return x < 0
		}
		return hits[i].id < hits[j].id
	})
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.id
	}
	return out, nil
}
