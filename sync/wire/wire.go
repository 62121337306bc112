// Package wire is the whole wire contract between PSOP Desk and the
// organizer's server (DOMAIN.md §8): the change feed, push commands and
// their answers, refusal codes, page sizes and error replies. It imports
// nothing of the project; the local cache, the client and the reference
// organizer all use these types, so there is one copy of the contract.
//
// JSON over HTTP, UTF-8, every request with "Authorization: Bearer KEY".
//
// Pull:
//
//	GET /v1/changes?after=SEQ&limit=N
//
// answers 200 with a ChangesPage: the feed's name, the provider's changes
// with Seq > SEQ in Seq order, at most N of them (N defaults to
// DefaultPageSize and is capped at MaxPageSize). Next is the cursor to ask
// with next time (the last change's Seq, or SEQ when the page is empty);
// More tells that changes remain after Next; Head is the feed's last Seq.
// A provider's feed carries only
// what the provider may see: its own customers, their grants, vouchers,
// reservations and its own events.
//
// Push:
//
//	POST /v1/commands
//	Idempotency-Key: <command id>
//	{"id": "<the same id>", "type": "set_customer_number", ...}
//
// answers 200 {"status": "applied", "seq": N} when the command was applied
// (feed position N carries its effect: a client that has pulled past N sees
// it), or 409/422 {"status": "refused", "code": ..., "message": ...} with a
// RefusalCode. The same id sent again gives the same answer and applies
// nothing again, also after the server restarts; an id sent again with
// another body is refused with CodeValidation (reason ReasonIDReused).
// Commands of one client are applied in the order sent.
//
// The key:
//
//	GET /v1/key
//
// answers 200 with a KeyInfo: when the request's API key expires, so that
// the client can warn its user a month ahead (a key expires within a
// year, DOMAIN.md §8). A server without it answers 404; the client then
// gives no warning.
//
// Other errors answer 4xx/5xx with an ErrorReply: 401 "unauthorized"
// (missing, unknown or expired key), 400 "validation" (a malformed request),
// 404 "not_found" (no such endpoint), 500 "internal".
package wire

import (
	"encoding/json"
	"time"
)

// Page sizes of the change feed, changes per page.
const (
	DefaultPageSize = 500
	MaxPageSize     = 2000
)

// MaxChangeBytes bounds one change of the feed as sent: its JSON object,
// data included, bytes. A client refuses a page holding a larger change
// whole (nothing of it is applied). The organizer's records are a few
// hundred bytes (an event with a long note and a credit a few KiB); the
// cap keeps a lying or broken server from filling a client's cache and
// memory with huge records.
const MaxChangeBytes = 64 << 10

// MaxCommandBytes bounds the body of POST /v1/commands, bytes.
const MaxCommandBytes = 64 << 10

// Paths of the API.
const (
	PathChanges  = "/v1/changes"
	PathCommands = "/v1/commands"
	PathHealth   = "/v1/health"
	PathKey      = "/v1/key"
)

// KeyInfo is the reply of GET /v1/key: the instant the request's API key
// stops being accepted (RFC 3339, e.g. "2027-05-01T00:00:00Z").
type KeyInfo struct {
	Expires time.Time `json:"expires"`
}

// HeaderIdempotencyKey carries a command's id on POST /v1/commands.
const HeaderIdempotencyKey = "Idempotency-Key"

// Kind names an entity kind in the change feed and the cache.
type Kind string

// Entity kinds. Data of each is the JSON of the psopdesk/data type named.
const (
	KindOrganizer   Kind = "organizer"   // data.Organizer (one)
	KindProvider    Kind = "provider"    // data.Provider (one: the key's owner)
	KindService     Kind = "service"     // data.Service
	KindCustomer    Kind = "customer"    // data.Customer, with the provider's customer number
	KindVoucher     Kind = "voucher"     // data.Voucher, ID = voucher number
	KindGrant       Kind = "grant"       // data.Grant
	KindReservation Kind = "reservation" // data.Reservation
	KindEvent       Kind = "event"       // data.ServiceEvent
	KindPrice       Kind = "price"       // data.ServicePrice, the provider's own
)

// Op is what a change does.
type Op string

// Ops: Put stores Data under ID (insert or replace); Delete removes ID. A
// customer's Delete (visibility loss, DOMAIN.md §3) removes the customer
// and everything of theirs.
const (
	OpPut    Op = "put"
	OpDelete Op = "delete"
)

// Change is one entry of the organizer's per-provider change feed.
type Change struct {
	Seq  uint64          `json:"seq"`
	Kind Kind            `json:"kind"`
	Op   Op              `json:"op"`
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data,omitempty"`
}

// ChangesPage is the reply of GET /v1/changes.
type ChangesPage struct {
	// Feed names the provider's feed on this server (stable while the
	// server keeps its data). When it is not the feed the cache was filled
	// from, the client starts the cache over from 0, so that a cursor of
	// another server or of a reset server is never reused.
	Feed    string   `json:"feed,omitempty"`
	Changes []Change `json:"changes"`
	Next    uint64   `json:"next"`
	More    bool     `json:"more"`
	// Head is the feed's last Seq when the page was read (0 for an empty
	// feed). A client whose cursor is past the head holds changes the
	// server no longer has (a server restored from a backup): it starts
	// over from 0.
	Head uint64 `json:"head"`
}

// ErrorReply is the body of every non-2xx reply that is not a command's
// refusal.
type ErrorReply struct {
	Code    string `json:"code"`    // unauthorized, validation, not_found, internal
	Message string `json:"message"` // English detail, never personal data
}

// CommandType names what a command does.
type CommandType string

// Command types.
const (
	// SetCustomerNumber gives CustomerID the provider's customer number
	// CustomerNumber (DOMAIN.md §6), replacing the one it had. Refused with
	// CodeCustomerNumberTaken when another customer of the provider holds
	// it, CodeValidation when it is not a valid number, CodeNotFound when
	// the provider does not see the customer.
	SetCustomerNumber CommandType = "set_customer_number"
	// RemoveCustomerNumber removes CustomerID's customer number; the number
	// is free for another customer at once. Removing a number the customer
	// does not have is applied (nothing changes).
	RemoveCustomerNumber CommandType = "remove_customer_number"
	// RecordEvent records a new service event (DOMAIN.md §4) with the
	// client-made EventID against the provider's reservation
	// ReservationID: Date, Start and End (hour units), Quantity, Note. The
	// server prices it (the provider's price on Date, the grant's voucher
	// value), sets its status (recorded, or in_review by the review rule)
	// and version 1. Refused: not_found (no such reservation of the
	// provider), validation (the event's fields, Reason a data code),
	// settlement_locked (Date's month is locked).
	RecordEvent CommandType = "record_event"
	// EditEvent replaces the editable fields of EventID (Date, Start, End,
	// Quantity, Note) of the event at Version. Refused: version_conflict
	// (the server's version is another), forbidden (the status forbids an
	// edit), settlement_locked, validation, not_found.
	EditEvent CommandType = "edit_event"
	// DeleteEvent deletes EventID at Version (status deleted). Refused as
	// EditEvent.
	DeleteEvent CommandType = "delete_event"
	// CreditRequest asks the organizer to credit EventID, after its lock:
	// Reason (duplicate, wrong_quantity, wrong_date, wrong_customer,
	// wrong_service or other: data.CreditReasons) and Explanation. Refused: validation (before
	// the lock, an unknown reason, no explanation, a request pending),
	// not_found.
	CreditRequest CommandType = "credit_request"
)

// Command is the body of POST /v1/commands: one change a user made. ID is
// made by the client (random, unique; the Idempotency-Key); the fields
// used depend on Type.
type Command struct {
	ID             string      `json:"id"`
	Type           CommandType `json:"type"`
	CustomerID     string      `json:"customer_id,omitempty"`
	CustomerNumber string      `json:"customer_number,omitempty"`

	// Events. Date is "YYYY-MM-DD"; Start and End "HH:MM" (Europe/Helsinki,
	// hour units); Quantity a decimal with a point, in the service
	// content's unit ("2.75"); Version the event's version the user saw.
	EventID       string `json:"event_id,omitempty"`
	ReservationID string `json:"reservation_id,omitempty"`
	Date          string `json:"date,omitempty"`
	Start         string `json:"start,omitempty"`
	End           string `json:"end,omitempty"`
	Quantity      string `json:"quantity,omitempty"`
	Note          string `json:"note,omitempty"`
	Version       int64  `json:"version,omitempty"`
	Reason        string `json:"reason,omitempty"`
	Explanation   string `json:"explanation,omitempty"`
}

// Status of an Answer.
type Status string

// Answer statuses.
const (
	StatusApplied Status = "applied"
	StatusRefused Status = "refused"
)

// RefusalCode says why the server refused a command (DOMAIN.md §8).
type RefusalCode string

// Refusal codes.
const (
	CodeSettlementLocked    RefusalCode = "settlement_locked"
	CodeVersionConflict     RefusalCode = "version_conflict"
	CodeCustomerNumberTaken RefusalCode = "customer_number_taken"
	CodeValidation          RefusalCode = "validation"
	CodeForbidden           RefusalCode = "forbidden"
	CodeNotFound            RefusalCode = "not_found"
)

// Reasons that refine CodeValidation (Answer.Reason). Validation reasons of
// the domain (psopdesk/data) are sent as they are, e.g.
// "customer_number_empty".
const (
	// ReasonIDReused: the command's id was sent before with another body.
	ReasonIDReused = "id_reused"
	// ReasonUnknownType: the server does not know the command's type.
	ReasonUnknownType = "unknown_type"
	// ReasonMalformed: the body is not a command (not JSON, no id, an id
	// other than the Idempotency-Key).
	ReasonMalformed = "malformed"
)

// Answer is the reply to POST /v1/commands: 200 with StatusApplied and
// Seq, or 409 (conflicts: CodeCustomerNumberTaken, CodeVersionConflict,
// CodeSettlementLocked) / 422 (the rest) with StatusRefused, Code, an
// optional finer Reason and an English Message (never personal data, never
// naming another customer).
type Answer struct {
	Status  Status      `json:"status"`
	Seq     uint64      `json:"seq,omitempty"`
	Code    RefusalCode `json:"code,omitempty"`
	Reason  string      `json:"reason,omitempty"`
	Message string      `json:"message,omitempty"`
}

// HTTPStatus is the status code an answer is sent with.
func (a Answer) HTTPStatus() int {
	switch {
	case a.Status == StatusApplied:
		return 200
	case a.Code == CodeCustomerNumberTaken || a.Code == CodeVersionConflict || a.Code == CodeSettlementLocked:
		return 409
	}
	return 422
}
