package client

import (
	"errors"
	"fmt"
	"strings"

	"psopdesk/data"
	"psopdesk/data/validate"
	"psopdesk/internal/jsonscan"
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
		if escaped || s.Null() {
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
			var raw []byte
			raw, err = s.Skip()
			ch.Data, hasData = raw, true
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
	if err := checkData(ch.Kind, ch.ID, ch.Data); err != nil {
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

// checkData checks a put's data (already scanned as valid JSON): an
// object with the fields its kind cannot be without.
func checkData(kind wire.Kind, id string, raw []byte) error {
	var fields []string // the string fields wanted, into got
	switch kind {
	case wire.KindCustomer:
		fields = customerFields
	case wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindEvent:
		fields = childFields
	}
	var got [2]string
	s := jsonscan.New(raw)
	err := s.Object(func(key []byte, escaped bool) error {
		for i, f := range fields {
			if !escaped && string(key) == f && s.Peek() == '"' {
				var err error
				got[i], err = s.Text()
				return err
			}
		}
		_, err := s.Skip()
		return err
	})
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	switch kind {
	case wire.KindCustomer:
		if strings.TrimSpace(got[0]) == "" {
			return errors.New("a customer without a last name")
		}
		if err := validate.Customer(data.Customer{ID: id, Hetu: got[1]}); err != nil {
			var de *data.Error
			if errors.As(err, &de) {
				return errors.New("a customer's hetu: " + de.Code)
			}
			return errors.New("a customer's hetu is not valid")
		}
	case wire.KindVoucher, wire.KindGrant, wire.KindReservation, wire.KindEvent:
		if got[0] == "" {
			return fmt.Errorf("a %s without its customer", kind)
		}
	}
	return nil
}

var (
	customerFields = []string{"last_name", "hetu"}
	childFields    = []string{"customer_id"}
)
