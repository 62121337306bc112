package cache

import (
	"encoding"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"psopdesk/data"
	"psopdesk/data/jsonscan"
	"psopdesk/sync/wire"
)

// The fast path of a row (issue 9): the rows of a customer (vouchers,
// grants, reservations, events) are most of a feed, and decoding each
// into its type with encoding/json, then compacting its bytes, was most of
// a first sync's CPU. fastRow reads a row's bytes once with jsonscan,
// checks each field against its type's JSON (a string, a whole number, a
// date, a quantity, a time; schemaOf, made from the type's json tags),
// takes the few fields the indexes need and keeps the bytes as they came
// when they are compact already. Anything it does not handle exactly as
// encoding/json would (a key of another case, an escaped key, null, a
// nested object, an id to fill in or another id, whitespace) is left to
// the typed decode (decodeRow), so the rows stored and the errors given
// are the same as before.

// fieldType is how a field's JSON is checked.
type fieldType uint8

const (
	fString   fieldType = iota + 1 // a string of a string type
	fInt                           // a whole number of an int64 type
	fBool                          // true or false
	fDate                          // data.Date: "YYYY-MM-DD" or ""
	fQuantity                      // data.Quantity: "2.75" or 2.75
	fTime                          // time.Time: RFC 3339
)

// fieldRole names the fields the index source is made of.
type fieldRole uint8

const (
	roleNone fieldRole = iota
	roleID
	roleCustomer
	roleService
	roleDate
)

type schemaField struct {
	typ  fieldType // 0: not handled, decodeRow decides
	role fieldRole
	tok  byte // the key's byte in a packed row (packrow.go), 0: none
}

// schema of a kind: its fields by JSON name.
type schema = *keyTable[schemaField]

// fastSchemas are the kinds with a fast path.
var fastSchemas = map[wire.Kind]schema{
	wire.KindVoucher:     schemaOf[data.Voucher]("number"),
	wire.KindGrant:       schemaOf[data.Grant]("id"),
	wire.KindReservation: schemaOf[data.Reservation]("id"),
	wire.KindEvent:       schemaOf[data.ServiceEvent]("id"),
}

var (
	dateType     = reflect.TypeFor[data.Date]()
	quantityType = reflect.TypeFor[data.Quantity]()
	timeType     = reflect.TypeFor[time.Time]()
	unmarshaler  = reflect.TypeFor[json.Unmarshaler]()
	textUnmarsh  = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// schemaOf makes the schema of T, whose field idField is its id.
func schemaOf[T any](idField string) schema {
	t := reflect.TypeFor[T]()
	s := &keyTable[schemaField]{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			panic("cache: fast row schema: field " + f.Name + " of " + t.Name() + " has no json name")
		}
		var sf schemaField
		switch ft := f.Type; {
		case ft == dateType:
			sf.typ = fDate
		case ft == quantityType:
			sf.typ = fQuantity
		case ft == timeType:
			sf.typ = fTime
		case reflect.PointerTo(ft).Implements(unmarshaler) || reflect.PointerTo(ft).Implements(textUnmarsh):
			// another type of its own: decodeRow
		case ft.Kind() == reflect.String:
			sf.typ = fString
		case ft.Kind() == reflect.Int64:
			sf.typ = fInt
		case ft.Kind() == reflect.Bool:
			sf.typ = fBool
		}
		switch name {
		case idField:
			sf.role = roleID
		case "customer_id":
			sf.role = roleCustomer
		case "service_id":
			sf.role = roleService
		case "date":
			sf.role = roleDate
		}
		sf.tok, _ = keyToken.get([]byte(name))
		s.add(name, sf)
	}
	return s
}

// fastRow is parseRow's fast path for kinds of fastSchemas: ok false
// when the row is not one it handles (then decodeRow decides). r.raw is
// raw itself.
func fastRow(kind wire.Kind, id string, raw []byte) (r parsedRow, ok bool) {
	return fastRowMarks(kind, id, raw, nil)
}

// packMarks are where a row's packed keys are (fastRowMarks), so that it
// is packed (packMarks.pack) without scanning it again.
type packMarks struct {
	n    int
	at   [32]packMark
	over bool // more keys than at holds: pack with packRowTo
}

// packMark is a packed key at raw[start:end] (its quotes and colon).
type packMark struct {
	start, end int32
	tok        byte
}

// pack gives raw, which fastRowMarks read into m, packed as packRowTo
// packs it, cut from a.
func (m *packMarks) pack(a *keyArena, raw []byte) []byte {
	if m.over {
		return packRowTo(a, raw)
	}
	n := len(raw)
	for _, k := range m.at[:m.n] {
		n -= int(k.end-k.start) - 1
	}
	out := a.alloc(n)
	prev := 0
	for _, k := range m.at[:m.n] {
		out = append(append(out, raw[prev:k.start]...), k.tok)
		prev = int(k.end)
	}
	return append(out, raw[prev:]...)
}

// fastRowMarks is fastRow marking the packed keys in m (nil: not).
// A fast row is a flat object of compact JSON whose keys hold no escape,
// so its only strings followed by a colon are its keys, each of which
// the scan sees: the marks pack it as packRowTo would.
func fastRowMarks(kind wire.Kind, id string, raw []byte, m *packMarks) (r parsedRow, ok bool) {
	sch, has := fastSchemas[kind]
	if !has || len(raw) == 0 {
		return r, false
	}
	var s jsonscan.Scanner
	s.Reset(raw)
	sawID := false
	fail := errFallback
	if m != nil {
		*m = packMarks{}
	}
	err := s.Object(func(key []byte, escaped bool) error {
		f, known := sch.get(key)
		if escaped || !known || f.typ == 0 {
			return fail
		}
		if m != nil && f.tok != 0 {
			// The scanner is just past the key's colon; compact JSON
			// (checked at the end) has nothing between the key's
			// closing quote and it.
			end := s.Pos()
			start := end - len(key) - 3
			switch {
			case start < 0 || raw[start] != '"' || raw[end-2] != '"' || raw[end-1] != ':':
				m.over = true // not as expected: pack the slow way
			case m.n < len(m.at):
				m.at[m.n] = packMark{start: int32(start), end: int32(end), tok: f.tok}
				m.n++
			default:
				m.over = true
			}
		}
		if s.Null() {
			return fail
		}
		switch f.typ {
		case fString, fDate:
			v, esc, err := s.String()
			if err != nil || (f.role != roleNone && (esc || !utf8.Valid(v))) {
				return fail
			}
			switch f.role {
			case roleID:
				if string(v) != id {
					return fail // empty (to fill in) or another id
				}
				sawID = true
			case roleCustomer:
				r.src.customerID = string(v)
			case roleService:
				r.src.serviceID = string(v)
			}
			if f.typ == fDate {
				d, err := parseDate(v)
				if err != nil {
					return fail
				}
				if f.role == roleDate {
					r.src.date = d
				}
			}
		case fInt:
			if _, err := s.Int(); err != nil {
				return fail
			}
		case fBool:
			if _, err := s.Bool(); err != nil {
				return fail
			}
		case fQuantity:
			start := s.Peek()
			var tok []byte
			var err error
			if start == '"' {
				var esc bool
				if tok, esc, err = s.String(); err != nil || esc {
					return fail
				}
			} else if tok, err = s.Skip(); err != nil || start < '-' || start > '9' {
				return fail
			}
			if _, err := data.ParseQuantity(string(tok)); err != nil {
				return fail
			}
		case fTime:
			i := s.Pos()
			if _, esc, err := s.String(); err != nil || esc {
				return fail
			}
			var t time.Time
			if t.UnmarshalJSON(raw[i:s.Pos()]) != nil {
				return fail
			}
		}
		return nil
	})
	if err != nil || s.End() != nil || !s.Compact() || !sawID {
		return parsedRow{}, false
	}
	if kind != wire.KindEvent { // only an event's service and date are indexed
		r.src.serviceID, r.src.date = "", data.Date{}
	}
	r.raw = raw
	return r, true
}

// errFallback ends a fast row: decodeRow decides.
var errFallback = errors.New("not a fast row")

// parseDate is data.Date's UnmarshalJSON on a string's raw bytes.
func parseDate(v []byte) (data.Date, error) {
	if len(v) == 0 {
		return data.Date{}, nil
	}
	return data.ParseDate(string(v))
}

// parseRowPacked is parseRow for a row to store (wantRaw, not wantIdx)
// that also gives the row packed (packRow), cut from a: a fast row is
// packed from the marks of its one scan.
func parseRowPacked(a *keyArena, kind wire.Kind, id string, raw []byte) (parsedRow, []byte, error) {
	var m packMarks
	if r, ok := fastRowMarks(kind, id, raw, &m); ok {
		return r, m.pack(a, r.raw), nil
	}
	r, err := parseRowTyped(kind, id, raw, true, false)
	if err != nil {
		return r, nil, err
	}
	return r, packRowTo(a, r.raw), nil
}
