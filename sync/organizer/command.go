package organizer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/data/validate"
	"psopdesk/sync/wire"
)

// maxCommandID bounds a command's id, bytes: the client's ids are short
// random texts, and a bbolt key must stay far below its 32 KiB limit.
const maxCommandID = 256

// cmdRecord is what the store keeps of a command it answered (bucket
// cmds/<provider>, key = the command's id): the SHA-256 of the command's
// canonical body (json.Marshal of the decoded wire.Command), hex, the
// answer given and when (UTC). Never the body itself.
type cmdRecord struct {
	Sum    string      `json:"sum"`
	Answer wire.Answer `json:"answer"`
	At     time.Time   `json:"at"`
}

func refused(code wire.RefusalCode, reason, msg string) wire.Answer {
	return wire.Answer{Status: wire.StatusRefused, Code: code, Reason: reason, Message: msg}
}

func malformed(msg string) wire.Answer {
	return refused(wire.CodeValidation, wire.ReasonMalformed, msg)
}

// Command applies cmd, sent by provider (the API key's owner), at now and
// returns the answer of the wire contract (package psopdesk/sync/wire):
//
//   - applied with Seq: the provider's feed position that carries the
//     command's effect (the change it appended, or the feed's last seq
//     when the feed already showed the outcome);
//   - refused validation (Reason wire.ReasonMalformed: no id, an id longer
//     than 256 bytes, no customer_id; wire.ReasonUnknownType; the code of
//     the *data.Error of validate.CustomerNumber, e.g.
//     "customer_number_chars"; wire.ReasonIDReused: the id was answered
//     before for another body);
//   - refused not_found: the provider does not see the customer now: its
//     feed holds no such customer (visibility as the last Apply evaluated
//     it; Apply(Dataset{}, now) re-evaluates it);
//   - refused customer_number_taken: another customer of the provider
//     holds the number (compared case-insensitively, data.CustomerNumberKey).
//     The message never names that customer.
//
// A command with an id is answered at most once: its answer (applied or
// refused) is stored in the same bbolt transaction as its effect and the
// feed change, keyed by provider and id with the SHA-256 of its body, and
// the same id with the same body gets that answer again without applying
// anything, also after the store is reopened. now is the organizer's
// clock (Store.Now when served): the event rules read it and it is
// recorded with the answer.
//
// The event commands (record_event, edit_event, delete_event,
// credit_request; DOMAIN.md §4) apply the rules of package psopdesk/data
// (CheckRecord, CheckEdit, CheckDelete, CheckCreditRequest, PriceOn,
// Review) and write the event, its index entry and its feed Put in the
// same transaction as the answer:
//
//   - record_event: the reservation must be the provider's and in its
//     feed (else not_found); an event_id in use is refused malformed; the
//     event is priced at the provider's price on its date (none:
//     validation ReasonPriceMissing), stamped with the provider id and
//     now, version 1, status in_review when data.Review sends it there
//     (counted with the grant's events of every provider), else recorded;
//   - edit_event: CheckEdit at cmd.Version, the new fields, re-priced and
//     re-reviewed (recorded or in_review), version + 1;
//   - delete_event: CheckDelete at cmd.Version; status deleted, version + 1;
//   - credit_request: CheckCreditRequest; a pending data.CreditRequest at
//     now, version + 1.
//
// An event that is not the provider's or not in its feed is not_found. A
// Date other than YYYY-MM-DD or a Quantity data.ParseQuantity refuses is
// malformed. data.CodeEventLocked is refused settlement_locked (409),
// data.CodeEventStatus forbidden, data.CodeEventVersion version_conflict
// (409), any other data code validation with the code as the reason. The
// applied answer's Seq is the feed position of the event's Put. Only the
// changed event is put in the feed: the desk computes a balance grant's
// shares itself. Commands are serialised with each other and with Apply. The error is for internal failures only
// (bbolt I/O, corrupt stored records); nothing is written then.
func (s *Store) Command(provider string, cmd wire.Command, now time.Time) (wire.Answer, error) {
	return s.CommandAs(Principal{ProviderID: provider, Role: data.RoleAdmin, Feed: provider}, cmd, now)
}

// CommandAs is Command sent by the user who: its customers and events are
// those of who's feed (who.Feed), and the applied answer's Seq is a
// position in that feed. The effect is put in every feed of the provider
// that holds the record.
func (s *Store) CommandAs(who Principal, cmd wire.Command, now time.Time) (wire.Answer, error) {
	provider := who.ProviderID
	switch {
	case cmd.ID == "":
		return malformed("the command has no id"), nil
	case len(cmd.ID) > maxCommandID:
		return malformed(fmt.Sprintf("the command id is longer than %d bytes", maxCommandID)), nil
	}
	body, err := json.Marshal(cmd)
	if err != nil {
		return wire.Answer{}, fmt.Errorf("command %s: %w", cmd.ID, err)
	}
	sum := sha256.Sum256(body)
	s.apply.Lock()
	defer s.apply.Unlock()
	var ans wire.Answer
	err = s.db.Update(func(tx *bolt.Tx) error {
		cb, err := tx.Bucket(bCmds).CreateBucketIfNotExists([]byte(provider))
		if err != nil {
			return err
		}
		if v := cb.Get([]byte(cmd.ID)); v != nil {
			var rec cmdRecord
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("stored command %s: %w", cmd.ID, err)
			}
			if rec.Sum == hex.EncodeToString(sum[:]) {
				ans = rec.Answer
			} else {
				ans = refused(wire.CodeValidation, wire.ReasonIDReused,
					"this command id was used before for another command")
			}
			return nil
		}
		if isEventCommand(cmd.Type) {
			ans, err = execEvent(tx, who, cmd, now)
		} else {
			ans, err = execCommand(tx, who, cmd)
		}
		if err != nil {
			return err
		}
		rec, err := json.Marshal(cmdRecord{Sum: hex.EncodeToString(sum[:]), Answer: ans, At: now.UTC()})
		if err != nil {
			return err
		}
		return cb.Put([]byte(cmd.ID), rec)
	})
	if err != nil {
		return wire.Answer{}, fmt.Errorf("command %s of %s: %w", cmd.Type, provider, err)
	}
	// No command changes who sees whom (DOMAIN.md §3), so none needs the
	// whole data set evaluated again (Refresh), which takes tens of
	// seconds at 30,000 customers: a customer number or a credit request
	// is no tie; an event is recorded, edited or deleted only against a
	// reservation valid on its recent date, which keeps the customer
	// visible to the pääkäyttäjä by itself; a kirjaaja's sight follows
	// grants. The command's own feed entries are written in its
	// transaction above.
	return ans, nil
}

// execCommand applies a command that was not answered before, within tx.
func execCommand(tx *bolt.Tx, who Principal, cmd wire.Command) (wire.Answer, error) {
	provider := who.ProviderID
	var number string // the new number in stored form; "" removes
	switch cmd.Type {
	case wire.SetCustomerNumber:
		n, err := validate.CustomerNumber(cmd.CustomerNumber)
		if err != nil {
			var de *data.Error
			if !errors.As(err, &de) {
				return wire.Answer{}, err
			}
			return refused(wire.CodeValidation, de.Code, de.Detail), nil
		}
		number = n
	case wire.RemoveCustomerNumber:
	default:
		return refused(wire.CodeValidation, wire.ReasonUnknownType, "unknown command type"), nil
	}
	if cmd.CustomerID == "" {
		return malformed("the command has no customer_id"), nil
	}
	if !inFeed(tx, who.Feed, wire.KindCustomer, cmd.CustomerID) {
		return refused(wire.CodeNotFound, "", "the provider has no such customer"), nil
	}
	ib, err := tx.Bucket(bNumIdx).CreateBucketIfNotExists([]byte(provider))
	if err != nil {
		return wire.Answer{}, err
	}
	var newKey []byte
	if number != "" {
		newKey = []byte(data.CustomerNumberKey(number))
		if holder := ib.Get(newKey); holder != nil && string(holder) != cmd.CustomerID {
			return refused(wire.CodeCustomerNumberTaken, "",
				"the customer number is already in use for another customer of the provider"), nil
		}
	}

	// The number: state/numbers and the index.
	st := tx.Bucket(bState)
	nb, err := st.CreateBucketIfNotExists([]byte("numbers"))
	if err != nil {
		return wire.Answer{}, err
	}
	numKey := []byte(provider + "\x00" + cmd.CustomerID)
	if old := nb.Get(numKey); old != nil {
		var on CustomerNumber
		if err := json.Unmarshal(old, &on); err != nil {
			return wire.Answer{}, fmt.Errorf("stored number of %s: %w", cmd.CustomerID, err)
		}
		if ok := []byte(data.CustomerNumberKey(on.Number)); !bytes.Equal(ok, newKey) && string(ib.Get(ok)) == cmd.CustomerID {
			if err := ib.Delete(ok); err != nil {
				return wire.Answer{}, err
			}
		}
	}
	if number == "" {
		if err := nb.Delete(numKey); err != nil {
			return wire.Answer{}, err
		}
	} else {
		rec, err := json.Marshal(CustomerNumber{ProviderID: provider, CustomerID: cmd.CustomerID, Number: number})
		if err != nil {
			return wire.Answer{}, err
		}
		if err := nb.Put(numKey, rec); err != nil {
			return wire.Answer{}, err
		}
		if err := ib.Put(newKey, []byte(cmd.CustomerID)); err != nil {
			return wire.Answer{}, err
		}
	}

	// The feed: the customer record as index.feed makes it.
	var c data.Customer
	cb := st.Bucket([]byte("customers"))
	var raw []byte
	if cb != nil {
		raw = cb.Get([]byte(cmd.CustomerID))
	}
	if raw == nil {
		return wire.Answer{}, fmt.Errorf("customer %s is in the feed of %s but not stored", cmd.CustomerID, provider)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return wire.Answer{}, fmt.Errorf("stored customer %s: %w", cmd.CustomerID, err)
	}
	c.CustomerNumber = number
	b, err := json.Marshal(c)
	if err != nil {
		return wire.Answer{}, err
	}
	seq, err := feedPut(tx, provider, who.Feed, wire.KindCustomer, cmd.CustomerID, cmd.CustomerID, json.RawMessage(b))
	if err != nil {
		return wire.Answer{}, err
	}
	return wire.Answer{Status: wire.StatusApplied, Seq: seq}, nil
}

// rebuildNumberIndex makes numidx/<provider> (data.CustomerNumberKey of
// the number → customer id) anew from numbers, within tx.
func rebuildNumberIndex(tx *bolt.Tx, numbers []CustomerNumber) error {
	if tx.Bucket(bNumIdx) != nil {
		if err := tx.DeleteBucket(bNumIdx); err != nil {
			return err
		}
	}
	top, err := tx.CreateBucket(bNumIdx)
	if err != nil {
		return err
	}
	for _, n := range numbers {
		ib, err := top.CreateBucketIfNotExists([]byte(n.ProviderID))
		if err != nil {
			return err
		}
		if err := ib.Put([]byte(data.CustomerNumberKey(n.Number)), []byte(n.CustomerID)); err != nil {
			return err
		}
	}
	return nil
}
