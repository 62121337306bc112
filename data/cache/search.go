package cache

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"psopdesk/data"
	"psopdesk/data/hetu"
	"psopdesk/sync/wire"
)

// fold lower-cases s and removes its diacritics ("Ääpälä" → "aapala",
// "Åberg" → "aberg"), the form name tokens are indexed and searched in.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		t := folders.Get().(transform.Transformer)
		if r, _, err := transform.String(t, s); err == nil { // String resets t first
			s = r
		}
		folders.Put(t)
	}
	return strings.ToLower(s)
}

// folders are fold's transformers (not safe for concurrent use), reused:
// making one allocates several kilobytes.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// Collators are not safe for concurrent use: one per caller from a pool.
var collators = sync.Pool{New: func() any { return collate.New(language.Finnish) }}

func getCollator() *collate.Collator  { return collators.Get().(*collate.Collator) }
func putCollator(c *collate.Collator) { collators.Put(c) }

// collBufs are key buffers for sortKey (a collate.Buffer is over 4 kB).
var collBufs = sync.Pool{New: func() any { return new(collate.Buffer) }}

// sortKey is the customer's stored sort key: the length of the last name's
// collation key (2 bytes, big endian), that key, the length of the first
// names' key (2 bytes), that key. The bSortKeys value is the sort key
// followed by the customer's search record (searchRecord).
func sortKey(c data.Customer) []byte {
	col := getCollator()
	defer putCollator(col)
	buf := collBufs.Get().(*collate.Buffer)
	defer collBufs.Put(buf)
	buf.Reset()
	last := col.KeyFromString(buf, c.LastName)
	out := make([]byte, 2, 4+len(last)+64)
	binary.BigEndian.PutUint16(out, uint16(len(last)))
	out = append(out, last...)
	first := col.KeyFromString(buf, c.FirstNames)
	out = binary.BigEndian.AppendUint16(out, uint16(len(first)))
	return append(out, first...)
}

// splitSortKey gives the last name's and first names' collation keys of a
// sort key or bSortKeys value, and what follows them (the search record).
func splitSortKey(k []byte) (last, first []byte) {
	last, first, _ = splitSortValue(k)
	return last, first
}

func splitSortValue(k []byte) (last, first, rest []byte) {
	if len(k) < 2 {
		return nil, nil, nil
	}
	n := int(binary.BigEndian.Uint16(k))
	if 2+n > len(k) {
		return k[2:], nil, nil
	}
	last, k = k[2:2+n], k[2+n:]
	if len(k) < 2 {
		return last, nil, nil
	}
	n = int(binary.BigEndian.Uint16(k))
	if 2+n > len(k) {
		return last, k[2:], nil
	}
	return last, k[2 : 2+n], k[2+n:]
}

// searchRecord is the customer's fields as a hit needs them, without JSON:
// each of ID, FirstNames, LastName, Hetu, Address, Language and
// CustomerNumber as a uvarint length and its bytes.
func searchRecord(dst []byte, c *data.Customer) []byte {
	for _, f := range [...]string{c.ID, c.FirstNames, c.LastName, c.Hetu, c.Address, c.Language, c.CustomerNumber} {
		dst = binary.AppendUvarint(dst, uint64(len(f)))
		dst = append(dst, f...)
	}
	return dst
}

// parseSearchRecord fills c from a searchRecord; false when rec is not one.
func parseSearchRecord(rec []byte, c *data.Customer) bool {
	// One string for all the fields, which are its substrings.
	s := string(rec)
	for _, f := range [...]*string{&c.ID, &c.FirstNames, &c.LastName, &c.Hetu, &c.Address, &c.Language, &c.CustomerNumber} {
		n, w := binary.Uvarint(rec)
		if w <= 0 || uint64(len(rec)-w) < n {
			return false
		}
		off := len(s) - len(rec) + w
		*f = s[off : off+int(n)]
		rec = rec[w+int(n):]
	}
	return len(rec) == 0
}

// SortCustomers sorts cs the Finnish way by last name, then first names,
// then id (golang.org/x/text/collate, language.Finnish).
func SortCustomers(cs []data.Customer) {
	if len(cs) < 2 {
		return
	}
	col := getCollator()
	defer putCollator(col)
	var buf collate.Buffer
	type keyed struct {
		c           data.Customer
		last, first []byte
	}
	ks := make([]keyed, len(cs))
	for i, c := range cs {
		ks[i] = keyed{c, col.KeyFromString(&buf, c.LastName), col.KeyFromString(&buf, c.FirstNames)}
	}
	sort.Slice(ks, func(i, j int) bool {
		if x := bytes.Compare(ks[i].last, ks[j].last); x != 0 {
			return x < 0
		}
		if x := bytes.Compare(ks[i].first, ks[j].first); x != 0 {
			return x < 0
		}
		return ks[i].c.ID < ks[j].c.ID
	})
	for i := range ks {
		cs[i] = ks[i].c
	}
}

// Hit is one customer found by SearchHits.
type Hit struct {
	Customer data.Customer
	// Voucher is the number of the customer's voucher that the query
	// matched (exactly or as a prefix); "" when the customer was found
	// otherwise.
	Voucher string
}

// Search is SearchHits without the matched vouchers.
func (c *Cache) Search(q string, limit int) ([]data.Customer, error) {
	hits, err := c.SearchHits(q, limit)
	if err != nil || hits == nil {
		return nil, err
	}
	out := make([]data.Customer, len(hits))
	for i, h := range hits {
		out[i] = h.Customer
	}
	return out, nil
}

// SearchHits finds at most limit (0: all) customers by the query q
// (issue 8, DOMAIN.md §3), the kind of key told by what is typed:
//   - a henkilötunnus shape (hetu.Looks: six digits and a century sign
//     after removing spaces, upper-casing and turning en dashes and minus
//     signs into "-"; or 11 characters DDMMYY?ZZZ? with a wrong sign): the customer with exactly that code, as normalised
//     by hetu.Parse; 100190-999P and 100190Y999P are different people. An
//     invalid code gives no hits and the *hetu.Error saying why (its
//     Reason), never "nobody";
//   - all digits: customers holding a voucher whose number is q or, for 4
//     or more digits, starts with q (Hit.Voucher says which voucher, the
//     lowest matching number), and customers whose customer number starts
//     with q;
//   - otherwise a name: customers for whom every word of q is the prefix of
//     some word of their last name or first names, in any order; hyphens
//     separate words; case, diacritics and Unicode composition ignored
//     ("aapala" and "ÄÄP" find Ääpälä); and the customer whose customer
//     number is q (any case), or starts with q when q holds a digit
//     ("a-10" finds A-1001; "a" finds no customer by number).
//
// Order: first the customers whose customer number or a voucher number is
// the whole query (so Enter on "A-1001" opens A-1001, not A-10013), then
// the customers matched with the query's own diacritics (or by voucher or
// customer number), then those matched only with diacritics
// ignored ("mak" finds Makkonen before Mäkinen; "mäk" Mäkinen before
// Makkonen); within each group the Finnish way (golang.org/x/text/collate:
// Å, Ä, Ö after Z) by last name, first names, then id. limit applies after
// ordering. An empty query finds nobody. The user's pending changes (the
// outbox) show: a customer number waiting to be sent is shown, and found,
// as the customer's number. Errors: the *hetu.Error above, or a damaged
// cache file.
func (c *Cache) SearchHits(q string, limit int) ([]Hit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	var hetuKeyQ string
	if hetuShaped(q) {
		h, err := hetu.Parse(q)
		if err != nil {
			return nil, err
		}
		hetuKeyQ = h.String()
	}
	// The outbox before the replica, as in CustomerView.
	entries, err := c.out.Entries()
	if err != nil {
		return nil, err
	}
	var hits []Hit
	err = c.viewIndexed(func(tx *bolt.Tx) error {
		var m matches
		if hetuKeyQ != "" {
			for _, id := range prefixIDs(tx.Bucket(iHetu), []byte(hetuKeyQ), true) {
				m.add(id, "")
			}
		} else {
			numKey := data.CustomerNumberKey(q)
			numPrefix := strings.ContainsAny(q, "0123456789")
			if allDigits(q) {
				voucherHits(tx, q, &m)
			} else {
				m.named1, m.named2 = nameHits(tx, queryWords(q), limit)
			}
			for _, id := range prefixIDs(tx.Bucket(iNumber), []byte(numKey), true) {
				m.addExact(id, "")
			}
			if numPrefix {
				for _, id := range prefixIDs(tx.Bucket(iNumber), []byte(numKey), false) {
					m.add(id, "")
				}
			}
			for _, e := range entries {
				if e.Command.Type != wire.SetCustomerNumber {
					continue
				}
				switch k := data.CustomerNumberKey(e.Command.CustomerNumber); {
				case k == numKey:
					m.addExact(e.Command.CustomerID, "")
				case numPrefix && strings.HasPrefix(k, numKey):
					m.add(e.Command.CustomerID, "")
				}
			}
		}
		var err error
		hits, err = m.ordered(tx, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range hits {
		for _, e := range entries {
			if e.Command.CustomerID == hits[i].Customer.ID {
				overlayCustomer(&hits[i].Customer, e.Command)
			}
		}
	}
	return hits, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// hetuShaped reports whether the query q is meant as a henkilötunnus:
// hetu.Looks, or, with white space removed, 11 characters of which the
// first six and the 8th to 10th are digits and the 7th is not (a wrong
// century sign, "010106_9012"), so that hetu.Parse tells what is wrong.
func hetuShaped(q string) bool {
	if hetu.Looks(q) {
		return true
	}
	var rs []rune
	for _, r := range q {
		if !unicode.IsSpace(r) {
			rs = append(rs, r)
		}
	}
	if len(rs) != 11 || unicode.IsDigit(rs[6]) {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9} {
		if rs[i] < '0' || rs[i] > '9' {
			return false
		}
	}
	return true
}

// hetuKey is the henkilötunnus index key of a stored code: its canonical
// form by hetu.Parse; "" for an invalid code (no query can find it).
func hetuKey(s string) string {
	h, err := hetu.Parse(s)
	if err != nil {
		return ""
	}
	return h.String()
}

// minVoucherPrefix is the fewest digits searched as a voucher number prefix.
const minVoucherPrefix = 4

// voucherHits adds the holders of the vouchers numbered q or, when q has
// minVoucherPrefix digits or more, starting with q.
func voucherHits(tx *bolt.Tx, q string, m *matches) {
	prefix := []byte(q)
	if len(q) < minVoucherPrefix {
		prefix = append(prefix, 0)
	}
	cur := tx.Bucket(iVoucher).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			continue
		}
		if string(k[:i]) == q {
			m.addExact(string(k[i+1:]), string(k[:i]))
		} else {
			m.add(string(k[i+1:]), string(k[:i]))
		}
	}
}

// matches gathers a search's customers before ordering: by identifiers
// (voucher, customer number, henkilötunnus) and by name, in the two rank
// groups of SearchHits.
type matches struct {
	ids            []string
	exact          []string          // ids also in ids matched exactly: a whole customer or voucher number
	voucher        map[string]string // customer id → first matching voucher
	named1, named2 []string          // ids of name matches with and without the query's diacritics
}

// addExact is add for an exact match, which goes first.
func (m *matches) addExact(id, voucher string) {
	if !slices.Contains(m.exact, id) {
		m.exact = append(m.exact, id)
	}
	m.add(id, voucher)
}

func (m *matches) add(id, voucher string) {
	if m.voucher == nil {
		m.voucher = map[string]string{}
	}
	if _, ok := m.voucher[id]; ok {
		return
	}
	m.voucher[id] = voucher
	m.ids = append(m.ids, id)
}

// ordered sorts the matches (rank group, then Finnish order of the stored
// sort keys), cuts at limit and decodes only the rows returned.
func (m *matches) ordered(tx *bolt.Tx, limit int) ([]Hit, error) {
	// One cursor for all the look-ups: a Get each would allocate its own.
	keys := tx.Bucket(bSortKeys).Cursor()
	type keyed struct {
		id, voucher string
		last, first []byte
		rec         []byte // the search record; valid during tx
	}
	// named1 and named2 are disjoint and without repeats, as are the ids:
	// only a customer found both ways needs skipping.
	var seen map[string]struct{}
	if len(m.ids) > 0 {
		seen = make(map[string]struct{}, len(m.ids)+len(m.named1)+len(m.named2))
	}
	all := make([]keyed, 0, len(m.ids)+len(m.named1)+len(m.named2))
	add := func(ids []string) {
		for _, id := range ids {
			if seen != nil {
				if _, ok := seen[id]; ok {
					continue
				}
				seen[id] = struct{}{}
			}
			k, v := keys.Seek([]byte(id))
			if v == nil || string(k) != id {
				continue // a voucher of a customer not (or no longer) in the cache
			}
			last, first, rec := splitSortValue(v)
			all = append(all, keyed{id, m.voucher[id], last, first, rec})
		}
	}
	cmp := func(a, b keyed) int {
		if x := bytes.Compare(a.last, b.last); x != 0 {
			return x
		}
		if x := bytes.Compare(a.first, b.first); x != 0 {
			return x
		}
		return strings.Compare(a.id, b.id)
	}
	add(m.exact)
	slices.SortFunc(all, cmp)
	n0 := len(all)
	add(m.ids)
	add(m.named1)
	slices.SortFunc(all[n0:], cmp)
	n1 := len(all)
	add(m.named2)
	slices.SortFunc(all[n1:], cmp)
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	hits := make([]Hit, 0, len(all))
	for _, k := range all {
		var v data.Customer
		if !parseSearchRecord(k.rec, &v) {
			// No record (it always has one): the row itself.
			v = data.Customer{}
			ok, err := get(tx, bCustomers, k.id, &v)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		hits = append(hits, Hit{Customer: v, Voucher: k.voucher})
	}
	return hits, nil
}
