package cache

import (
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"psopdesk/data"
	"psopdesk/data/validate"
	"psopdesk/sync/wire"
)

// CustomerView is everything the window shows of one customer, read in one
// transaction of the replica (one sync state) with the user's pending
// changes (the outbox) applied on top.
type CustomerView struct {
	// Customer as the server sent it, with the pending changes applied.
	Customer data.Customer
	Grants   []data.Grant   // both kinds, by voucher number
	Vouchers []data.Voucher // by number
	// Reservations valid on the view's day, newest first.
	Reservations []data.Reservation
	// Events of the provider, newest first, with the pending changes
	// applied (a new event recorded offline is among them).
	Events []data.ServiceEvent
	// PendingEvents maps the id of each event a pending command changes to
	// that command's entry (the last one).
	PendingEvents map[string]Entry
	// Organizer gives the settlement day (tilityspäivä) of the locks.
	Organizer data.Organizer
	// Services is every service, in Finnish order.
	Services []data.Service
	// Pending are the outbox's commands of this customer not yet shown by
	// the replica (odottaa lähetystä), in the order they were made.
	Pending []Entry
	// NumberPending tells that Customer.CustomerNumber is a pending change.
	NumberPending bool
}

// CustomerView reads customer id's view on today (the day reservations are
// valid on). The outbox is read before the replica: a command leaves the
// outbox only after the replica shows its effect, so the view never shows
// the old value of a change the user made. It errors wrapping ErrNotFound
// when the replica has no such customer.
func (c *Cache) CustomerView(id string, today data.Date) (CustomerView, error) {
	entries, err := c.out.Entries()
	if err != nil {
		return CustomerView{}, err
	}
	var v CustomerView
	err = c.viewIndexed(func(tx *bolt.Tx) error {
		var err error
		if v.Customer, err = customerTx(tx, id); err != nil {
			return err
		}
		if v.Grants, err = grantsTx(tx, id); err != nil {
			return err
		}
		if v.Vouchers, err = vouchersTx(tx, id); err != nil {
			return err
		}
		rs, err := reservationsTx(tx, id)
		if err != nil {
			return err
		}
		v.Reservations = validOn(rs, today)
		ec, err := readEventContext(tx, id)
		if err != nil {
			return err
		}
		v.Events, v.PendingEvents = ec.overlayEvents(entries, id)
		v.Organizer = ec.org
		v.Services, err = servicesTx(tx)
		return err
	})
	if err != nil {
		return CustomerView{}, err
	}
	for _, e := range entries {
		if e.Command.CustomerID != id {
			continue
		}
		v.Pending = append(v.Pending, e)
		if overlayCustomer(&v.Customer, e.Command) {
			v.NumberPending = true
		}
	}
	return v, nil
}

// overlayCustomer applies cmd's effect to cust as the server would, and
// reports whether it changed the customer number.
func overlayCustomer(cust *data.Customer, cmd wire.Command) bool {
	switch cmd.Type {
	case wire.SetCustomerNumber:
		cust.CustomerNumber = cmd.CustomerNumber
		return true
	case wire.RemoveCustomerNumber:
		cust.CustomerNumber = ""
		return true
	}
	return false
}

// NewCommandID makes a command id: 26 random base32 characters (130 bits).
func NewCommandID() string { return rand.Text() }

// SetCustomerNumber stores in the outbox the command that gives customer
// customerID the provider's customer number number (DOMAIN.md §6), made at
// now, and gives its entry; the engine sends it. It refuses at once, with
// a *data.Error and nothing stored: a number that validate.CustomerNumber
// rejects; a customer not in the cache (code wire.CodeNotFound); a number
// that another customer holds as far as this desk knows, pending changes
// included (code wire.CodeCustomerNumberTaken, never naming who). The
// server checks again: a clash this desk could not see is refused there.
func (c *Cache) SetCustomerNumber(customerID, number string, now time.Time) (Entry, error) {
	n, err := validate.CustomerNumber(number)
	if err != nil {
		return Entry{}, err
	}
	holders, err := c.numberHolders(data.CustomerNumberKey(n))
	if err != nil {
		return Entry{}, err
	}
	if _, err := c.Customer(customerID); err != nil {
		return Entry{}, notFound(customerID, err)
	}
	for _, h := range holders {
		if h != customerID {
			return Entry{}, &data.Error{Code: string(wire.CodeCustomerNumberTaken),
				Detail: "the customer number is in use by another customer"}
		}
	}
	return c.out.Add(wire.Command{ID: NewCommandID(), Type: wire.SetCustomerNumber,
		CustomerID: customerID, CustomerNumber: n}, now)
}

// RemoveCustomerNumber stores in the outbox the command that removes
// customer customerID's customer number, made at now. A customer not in
// the cache is refused at once (*data.Error, code wire.CodeNotFound).
func (c *Cache) RemoveCustomerNumber(customerID string, now time.Time) (Entry, error) {
	if _, err := c.Customer(customerID); err != nil {
		return Entry{}, notFound(customerID, err)
	}
	return c.out.Add(wire.Command{ID: NewCommandID(), Type: wire.RemoveCustomerNumber,
		CustomerID: customerID}, now)
}

func notFound(id string, err error) error {
	if isNotFound(err) {
		return &data.Error{Code: string(wire.CodeNotFound), Detail: fmt.Sprintf("customer %s is not in the cache", id)}
	}
	return err
}

// numberHolders lists the customers that hold the number of key, with the
// pending changes applied: the replica's holders whose number no pending
// change moved, and customers a pending change gives it.
func (c *Cache) numberHolders(key string) ([]string, error) {
	entries, err := c.out.Entries()
	if err != nil {
		return nil, err
	}
	current := map[string]string{} // customer → number, as far as known
	err = c.viewIndexed(func(tx *bolt.Tx) error {
		for _, id := range prefixIDs(tx.Bucket(iNumber), []byte(key), true) {
			current[id] = key
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		cust := data.Customer{CustomerNumber: current[e.Command.CustomerID]}
		if overlayCustomer(&cust, e.Command) {
			current[e.Command.CustomerID] = data.CustomerNumberKey(cust.CustomerNumber)
		}
	}
	var out []string
	for id, n := range current {
		if n == key {
			out = append(out, id)
		}
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
