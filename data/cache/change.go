package cache

import "encoding/json"

// Kind names an entity kind in the change feed and the cache.
type Kind string

// Entity kinds. Data of each is the JSON of the data type named.
const (
	KindOrganizer   Kind = "organizer"   // data.Organizer (one)
	KindProvider    Kind = "provider"    // data.Provider (one: the key's owner)
	KindService     Kind = "service"     // data.Service
	KindCustomer    Kind = "customer"    // data.Customer
	KindVoucher     Kind = "voucher"     // data.Voucher, ID = voucher number
	KindGrant       Kind = "grant"       // data.Grant
	KindReservation Kind = "reservation" // data.Reservation
	KindEvent       Kind = "event"       // data.ServiceEvent
)

// Op is what a change does.
type Op string

// Ops: Put stores Data under ID (insert or replace); Delete removes ID. A
// customer's Delete (visibility loss, DOMAIN.md §3) removes the customer
// and everything of theirs from the cache.
const (
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Change is one entry of the organizer's per-provider change feed
// (wire contract of GET /v1/changes, see package psopdesk/sync).
type Change struct {
	Seq  uint64          `json:"seq"`
	Kind Kind            `json:"kind"`
	Op   Op              `json:"op"`
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data,omitempty"`
}
