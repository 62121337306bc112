package cache

import (
	"bytes"
	"encoding/binary"
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
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if r, _, err := transform.String(t, s); err == nil {
			s = r
		}
	}
	return strings.ToLower(s)
}

// words splits folded text into its words (letters and digits; hyphens,
// apostrophes and spaces separate).
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// nameTokens are the customer's distinct folded name words.
func nameTokens(c data.Customer) []string {
	ws := words(c.LastName + " " + c.FirstNames)
	sort.Strings(ws)
	out := ws[:0]
	for i, w := range ws {
		if i == 0 || w != ws[i-1] {
			out = append(out, w)
		}
	}
	return out
}

// canonicalHetu is the henkilötunnus without spaces, upper case.
func canonicalHetu(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// looksLikeHetu reports whether the canonical h has the shape DDMMYYCZZZQ:
// 11 characters, six digits, then a century sign.
func looksLikeHetu(h string) bool {
	if len(h) != 11 || !strings.ContainsRune("+-YXWVUABCDEF", rune(h[6])) {
		return false
	}
	for i := range 6 {
		if h[i] < '0' || h[i] > '9' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Collators are not safe for concurrent use: one per caller from a pool.
var collators = sync.Pool{New: func() any { return collate.New(language.Finnish) }}

func getCollator() *collate.Collator  { return collators.Get().(*collate.Collator) }
func putCollator(c *collate.Collator) { collators.Put(c) }

// Search finds customers by the query q:
//   - a henkilötunnus (11 characters after removing spaces and upper-casing,
//     six digits and a century sign +-YXWVUABCDEF as the 7th): the customer
//     with exactly that code;
//   - all digits: customers holding a voucher whose number starts with q,
//     and the customer whose customer number is q;
//   - otherwise a name: customers for whom every word of q is the prefix of
//     some word of their names, accents and case folded ("aapa" and "Ääp"
//     find Ääpälä), and the customer whose customer number is q.
//
// Results sort the Finnish way (golang.org/x/text/collate, so Å, Ä, Ö come
// after Z) by last name, then first names; at most limit of them (0: all).
// An empty query finds nobody. The user's pending changes (the outbox) show
// in the results: a customer number waiting to be sent is shown, and found,
// as the customer's number.
func (c *Cache) Search(q string, limit int) ([]data.Customer, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	// The outbox before the replica, as in CustomerView.
	entries, err := c.out.Entries()
	if err != nil {
		return nil, err
	}
	var found []data.Customer
	err = c.db.View(func(tx *bolt.Tx) error {
		ids := map[string]struct{}{}
		add := func(list []string) {
			for _, id := range list {
				ids[id] = struct{}{}
			}
		}
		if h := canonicalHetu(q); looksLikeHetu(h) {
			add(prefixIDs(tx.Bucket(iHetu), []byte(h), true))
		} else {
			if allDigits(q) {
				add(prefixIDs(tx.Bucket(iVoucher), []byte(q), false))
			} else {
				add(nameMatches(tx.Bucket(iName), words(q)))
			}
			add(prefixIDs(tx.Bucket(iNumber), []byte(data.CustomerNumberKey(q)), true))
			for _, e := range entries {
				if e.Command.Type == wire.SetCustomerNumber && data.CustomerNumberKey(e.Command.CustomerNumber) == data.CustomerNumberKey(q) {
					add([]string{e.Command.CustomerID})
				}
			}
		}
		// Sort by the stored collation keys; decode only what is returned.
		keys := tx.Bucket(bSortKeys)
		type hit struct {
			id          string
			last, first []byte
		}
		hits := make([]hit, 0, len(ids))
		for id := range ids {
			k := keys.Get([]byte(id))
			if k == nil {
				continue // a voucher of a customer not (or no longer) in the cache
			}
			last, first := splitSortKey(k)
			hits = append(hits, hit{id, last, first})
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
		if limit > 0 && len(hits) > limit {
			hits = hits[:limit]
		}
		found = make([]data.Customer, 0, len(hits))
		for _, h := range hits {
			var v data.Customer
			ok, err := get(tx, bCustomers, h.id, &v)
			if err != nil {
				return err
			}
			if ok {
				found = append(found, v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range found {
		for _, e := range entries {
			if e.Command.CustomerID == found[i].ID {
				overlayCustomer(&found[i], e.Command)
			}
		}
	}
	return found, nil
}

// sortKey is the customer's stored sort key: the length of the last name's
// collation key (2 bytes, big endian), that key, then the first names' key.
func sortKey(c data.Customer) []byte {
	col := getCollator()
	defer putCollator(col)
	var buf collate.Buffer
	last := col.KeyFromString(&buf, c.LastName)
	out := make([]byte, 2, 2+len(last)+64)
	binary.BigEndian.PutUint16(out, uint16(len(last)))
	out = append(out, last...)
	return append(out, col.KeyFromString(&buf, c.FirstNames)...)
}

func splitSortKey(k []byte) (last, first []byte) {
	if len(k) < 2 {
		return nil, nil
	}
	n := int(binary.BigEndian.Uint16(k))
	if 2+n > len(k) {
		return k[2:], nil
	}
	return k[2 : 2+n], k[2+n:]
}

// nameMatches returns the ids of customers having, for every query word,
// a name token it prefixes. No words: nobody.
func nameMatches(b *bolt.Bucket, qwords []string) []string {
	if len(qwords) == 0 {
		return nil
	}
	// Longest word first: it usually matches the fewest.
	sort.Slice(qwords, func(i, j int) bool { return len(qwords[i]) > len(qwords[j]) })
	var set map[string]struct{}
	for _, w := range qwords {
		next := map[string]struct{}{}
		for _, id := range prefixIDs(b, []byte(w), false) {
			if _, ok := set[id]; set == nil || ok {
				next[id] = struct{}{}
			}
		}
		set = next
		if len(set) == 0 {
			return nil
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	return out
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
