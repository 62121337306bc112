package client

import (
	"errors"
	"fmt"
	"strings"

	"psopdesk/data"
	"psopdesk/data/jsonscan"
	"psopdesk/data/validate"
	"psopdesk/sync/wire"
)

// decodePage reads body, a reply of GET /v1/changes asked with limit, as a
// wire.ChangesPage in one pass over its bytes (jsonscan), or refuses it
// whole with an error: not JSON or not a page's shape (a field of the
// wrong type); more than limit changes; a change without its seq (above
// 0), a known kind, a known op or an id (not empty, no NUL); a put whose
// data is not an object; a customer's put without a last name or with a
// henkilötunnus that is missing or not valid in canonical form
// (validate.Customer); a voucher's, grant's, reservation's or event's put
// without its customer id; a change over wire.MaxChangeBytes.
//
// The changes' Data are the bytes received (slices of body, not copies).
// Keys match exactly (encoding/json would also take "Seq"); unknown keys
// are skipped. Errors name changes by their place and seq, never a
// record's contents.
func decodePage(body []byte, limit int) (wire.ChangesPage, error) {
	var page wire.ChangesPage
	s := jsonscan.New(body)
	err := s.Object(func(key []byte, escaped bool) error {
		if s.Null() { // as encoding/json: the field's zero value
			return nil
		}
		if escaped {
			_, err := s.Skip()
			return err
		}
		var err error
		switch string(key) {
		case "feed":
			page.Feed, err = s.Text()
		case "changes":
			page.Changes = make([]wire.Change, 0, min(limit, wire.MaxPageSize))
			err = s.Array(func() error {
				if len(page.Changes) == limit {
					return fmt.Errorf("more than the %d changes asked", limit)
				}
				ch, err := decodeChange(s)
				if err != nil {
					return fmt.Errorf("change %d: %w", len(page.Changes), err)
				}
				page.Changes = append(page.Changes, ch)
				return nil
			})
		case "next":
			page.Next, err = s.Uint()
		case "more":
			page.More, err = s.Bool()
		case "head":
			page.Head, err = s.Uint()
		default:
			_, err = s.Skip()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if err == nil {
		err = s.End()
	}
	if err != nil {
		return wire.ChangesPage{}, err
	}
	return page, nil
}

// decodeChange reads one change at s and checks it (decodePage).
func decodeChange(s *jsonscan.Scanner) (wire.Change, error) {
	var ch wire.Change
	s.Peek()
	start := s.Pos()
	var hasSeq, hasData bool
	var f dataFields // read with the data when the kind came before it
	err := s.Object(func(key []byte, escaped bool) error {
		if escaped {
			_, err := s.Skip()
			return err
		}
		var err error
		switch string(key) {
		case "seq":
			ch.Seq, err = s.Uint()
			hasSeq = true
		case "kind":
			ch.Kind, err = scanKind(s)
		case "op":
			ch.Op, err = scanOp(s)
		case "id":
			ch.ID, err = s.Text()
		case "data":
			if s.Null() {
				ch.Data, hasData = nil, false
				return nil
			}
			f = dataFields{}
			if ch.Kind != "" {
				ch.Data, err = scanData(s, ch.Kind, &f)
			} else {
				ch.Data, err = s.Skip()
			}
			hasData = true
		default:
			_, err = s.Skip()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return ch, err
	}
	if n := s.Pos() - start; n > wire.MaxChangeBytes {
		return ch, fmt.Errorf("seq %d: %d bytes, more than %d", ch.Seq, n, wire.MaxChangeBytes)
	}
	switch {
	case !hasSeq || ch.Seq == 0:
		return ch, errors.New("no seq")
	case ch.Kind == "":
		return ch, fmt.Errorf("seq %d: no kind", ch.Seq)
	case ch.Op == "":
		return ch, fmt.Errorf("seq %d: no op", ch.Seq)
	case ch.ID == "" || strings.IndexByte(ch.ID, 0) >= 0:
		return ch, fmt.Errorf("seq %d: no id", ch.Seq)
	case ch.Op == wire.OpDelete:
		return ch, nil
	case !hasData:
		return ch, fmt.Errorf("seq %d: a put without data", ch.Seq)
	}
	if f.kind != ch.Kind { // the data came before the kind
		f = dataFields{}
		if _, err := scanData(jsonscan.New(ch.Data), ch.Kind, &f); err != nil {
			return ch, fmt.Errorf("seq %d: data: %w", ch.Seq, err)
		}
	}
	if err := f.check(ch.ID); err != nil {
		return ch, fmt.Errorf("seq %d: %w", ch.Seq, err)
	}
	return ch, nil
}

// kinds are the known kinds by name.
var kinds = map[string]wire.Kind{}

func init() {
	for _, k := range []wire.Kind{wire.KindOrganizer, wire.KindProvider, wire.KindService, wire.KindCustomer,
		wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindEvent, wire.KindPrice} {
		kinds[string(k)] = k
	}
}

func scanKind(s *jsonscan.Scanner) (wire.Kind, error) {
	raw, _, err := s.String()
	if err != nil {
		return "", err
	}
	k, ok := kinds[string(raw)]
	if !ok {
		return "", errors.New("unknown kind")
	}
	return k, nil
}

func scanOp(s *jsonscan.Scanner) (wire.Op, error) {
	raw, _, err := s.String()
	if err != nil {
		return "", err
	}
	switch string(raw) {
	case string(wire.OpPut):
		return wire.OpPut, nil
	case string(wire.OpDelete):
		return wire.OpDelete, nil
	}
	return "", errors.New("unknown op")
}

// dataFields are the fields of a put's data that its kind cannot be
// without (dataFields.check).
type dataFields struct {
	kind           wire.Kind // whose fields these are
	lastName, hetu string
	// customer: a child row's customer_id is a string not empty (its
	// text is not needed, so not made: a child row is most of a feed).
	customer bool
}

// scanData reads a put's data of kind at s, an object, into f and gives
// its bytes.
func scanData(s *jsonscan.Scanner, kind wire.Kind, f *dataFields) ([]byte, error) {
	f.kind = kind
	child := kind == wire.KindVoucher || kind == wire.KindGrant || kind == wire.KindReservation || kind == wire.KindEvent
	s.Peek()
	start := s.Pos()
	err := s.Object(func(key []byte, escaped bool) error {
		var p *string
		switch {
		case escaped:
		case kind == wire.KindCustomer && string(key) == "last_name":
			p = &f.lastName
		case kind == wire.KindCustomer && string(key) == "hetu":
			p = &f.hetu
		case child && string(key) == "customer_id" && s.Peek() == '"':
			raw, _, err := s.String() // an escape is at least one character
			f.customer = len(raw) > 0
			return err
		}
		if p != nil && s.Peek() == '"' {
			var err error
			*p, err = s.Text()
			return err
		}
		_, err := s.Skip()
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Bytes()[start:s.Pos()], nil
}

// check checks that f has the fields its kind needs (decodePage).
func (f *dataFields) check(id string) error {
	switch f.kind {
	case wire.KindCustomer:
		if strings.TrimSpace(f.lastName) == "" {
			return errors.New("a customer without a last name")
		}
		if err := validate.Customer(data.Customer{ID: id, Hetu: f.hetu}); err != nil {
			var de *data.Error
			if errors.As(err, &de) {
				return errors.New("a customer's hetu: " + de.Code)
			}
			return errors.New("a customer's hetu is not valid")
		}
	case wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindEvent:
		if !f.customer {
			return fmt.Errorf("a %s without its customer", f.kind)
		}
	}
	return nil
}
