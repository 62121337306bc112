package cache

// Packed rows (issue 9: the cache file of a 50,000-customer provider at
// most 600 MB). A row is stored as its compact JSON with each object key
// of rowKeys, with its quotes and colon ("customer_id":), replaced by one
// byte 0x01+i: about half an event's bytes are its keys. A byte below
// 0x20 is never in compact JSON (in a string it must be escaped), so the
// packing is undone exactly, and a row stored plain (no such byte) reads
// as it is.

// rowKeys are the keys packed, at most 31 (tokens 0x01…0x1F).
var rowKeys = []string{"id", "customer_id", "grant_id", "service_id", "date", "start", "end",
	"content", "quantity", "unit_price_cents", "voucher_unit_value_cents", "status", "recorded_by",
	"recorded_at", "version", "reservation_id", "number", "decision_date", "valid_from", "valid_to",
	"value_type", "kind", "voucher_number", "granted_quantity", "period", "amount_cents", "from", "to",
	"note", "first_names", "last_name"}

// keyToken maps a packed key to its byte.
var keyToken = func() *keyTable[byte] {
	if len(rowKeys) > 31 {
		panic("cache: more than 31 packed keys")
	}
	m := &keyTable[byte]{}
	for i, k := range rowKeys {
		m.add(k, byte(1+i))
	}
	return m
}()

// tokenKey is the `"key":` of each token.
var tokenKey = func() [32][]byte {
	var t [32][]byte
	for i, k := range rowKeys {
		t[1+i] = []byte(`"` + k + `":`)
	}
	return t
}()

// packRow gives raw, a row's compact JSON, packed.
func packRow(raw []byte) []byte { return packRowTo(nil, raw) }

// packRowTo is packRow cut from a (nil: allocated alone).
func packRowTo(a *keyArena, raw []byte) []byte {
	out := a.alloc(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '"' {
			out = append(out, c)
			i++
			continue
		}
		j := i + 1
		for j < len(raw) && raw[j] != '"' {
			if raw[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(raw) { // not JSON: leave the rest as it is
			return append(out, raw[i:]...)
		}
		if j+1 < len(raw) && raw[j+1] == ':' {
			if tok, ok := keyToken.get(raw[i+1 : j]); ok {
				out = append(out, tok)
				i = j + 2
				continue
			}
		}
		out = append(out, raw[i:j+1]...)
		i = j + 1
	}
	return out
}

// unpackRow gives a stored row's JSON (raw itself when not packed).
func unpackRow(raw []byte) []byte {
	n := 0
	for _, c := range raw {
		if c < 0x20 {
			n += len(tokenKey[c&31]) - 1
		}
	}
	if n == 0 {
		return raw
	}
	out := make([]byte, 0, len(raw)+n)
	for _, c := range raw {
		if c < 0x20 {
			out = append(out, tokenKey[c&31]...)
		} else {
			out = append(out, c)
		}
	}
	return out
}
