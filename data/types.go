// Package data is the domain of PSOP Desk: the entities a service provider
// (palveluntuottaja) sees of the service-voucher system and the pure rules
// over them (money, statuses, settlement lock, review, co-payment statement).
// It does no I/O and imports no UI. The rules follow ../shared/spec/DOMAIN.md.
package data

import "time"

// Organizer is the wellbeing services county or municipality (palvelunjärjestäjä)
// that grants vouchers and runs the server.
type Organizer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// SettlementDay is the day of month (tilityspäivä, 1–28; PSOP uses 4–8)
	// at 00:00 Europe/Helsinki of which the previous month's events lock.
	SettlementDay int    `json:"settlement_day"`
	Timezone      string `json:"timezone"`
}

// Provider is the company that delivers the service (palveluntuottaja): our user.
type Provider struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	BusinessID string `json:"business_id"` // Y-tunnus, "1234567-8"
	// Address is the postal address printed on statements, one line:
	// "Hoivakatu 5, 00500 Helsinki".
	Address string `json:"address,omitempty"`
	// Contact is the phone and e-mail printed on statements.
	Contact string `json:"contact,omitempty"`
}

// Unit is the unit a service content is measured in.
type Unit string

// Units of a service content.
const (
	UnitHour  Unit = "hour"
	UnitVisit Unit = "visit"
	UnitDay   Unit = "day"
	UnitPiece Unit = "piece"
)

// Service is a service the organizer buys with vouchers (palvelu), e.g. Kotihoito.
type Service struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Content string `json:"content"` // palvelusisältö, e.g. "Kotihoidon käynti"
	Unit    Unit   `json:"unit"`
	// ReviewAll is set when the organizer reviews every event of the service.
	ReviewAll bool `json:"review_all"`
}

// Customer is the person who holds the voucher (asiakas).
type Customer struct {
	ID         string `json:"id"`
	FirstNames string `json:"first_names"`
	LastName   string `json:"last_name"`
	// Hetu is the henkilötunnus in canonical form. Personal data: never in a
	// log, file name, PDF or error message.
	Hetu     string `json:"hetu"`
	Address  string `json:"address,omitempty"`
	Language string `json:"language,omitempty"` // "fi", "sv", "en"
	// CustomerNumber is the provider's own customer number (asiakasnumero),
	// shown on invoices instead of identifying data. Empty when not set.
	CustomerNumber string `json:"customer_number,omitempty"`
}

// FullName is "Last First", the order lists sort by.
func (c Customer) FullName() string { return c.LastName + " " + c.FirstNames }

// VoucherValueType says how the voucher's value per unit was set.
type VoucherValueType string

// Voucher value types.
const (
	ValueFixed       VoucherValueType = "fixed"
	ValueIncomeBased VoucherValueType = "income_based" // tulosidonnainen
)

// Voucher is a service voucher decision (palveluseteli).
type Voucher struct {
	Number       string           `json:"number"`
	CustomerID   string           `json:"customer_id"`
	ServiceID    string           `json:"service_id"`
	DecisionDate Date             `json:"decision_date"`
	ValidFrom    Date             `json:"valid_from"`
	ValidTo      Date             `json:"valid_to"`
	ValueType    VoucherValueType `json:"value_type"`
}

// GrantKind tells a unit grant from a euro-balance grant.
type GrantKind string

// Grant kinds: Ostovoimat and Saldo-ostovoimat.
const (
	KindPurchasingPower        GrantKind = "purchasing_power"
	KindBalancePurchasingPower GrantKind = "balance_purchasing_power"
)

// Period is the span a purchasing power's granted quantity applies to.
type Period string

// Periods: calendar month, Monday–Sunday week, or the whole validity.
const (
	PeriodMonth Period = "month"
	PeriodWeek  Period = "week"
	PeriodTotal Period = "total"
)

// Grant is what a customer has been granted on a voucher: a purchasing power
// (ostovoima: GrantedQuantity units per Period at VoucherUnitValue cents per
// unit) or a balance purchasing power (saldo-ostovoima: Amount cents).
type Grant struct {
	ID            string    `json:"id"`
	CustomerID    string    `json:"customer_id"`
	Kind          GrantKind `json:"kind"`
	VoucherNumber string    `json:"voucher_number"`
	ServiceID     string    `json:"service_id"`
	// Purchasing power only.
	GrantedQuantity  Quantity `json:"granted_quantity,omitempty"`
	Period           Period   `json:"period,omitempty"`
	VoucherUnitValue Cents    `json:"voucher_unit_value_cents,omitempty"`
	// Balance purchasing power only.
	Amount    Cents `json:"amount_cents,omitempty"`
	ValidFrom Date  `json:"valid_from"`
	ValidTo   Date  `json:"valid_to"`
}

// Reservation is the provider's valid claim on a customer's grant (palveluvaraus).
type Reservation struct {
	ID         string   `json:"id"`
	CustomerID string   `json:"customer_id"`
	GrantID    string   `json:"grant_id"`
	From       Date     `json:"from"`
	To         Date     `json:"to"`
	Quantity   Quantity `json:"quantity"`
}

// ServiceEvent is a service event recorded by the provider (palvelutapahtuma).
type ServiceEvent struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	GrantID    string `json:"grant_id"`
	ServiceID  string `json:"service_id"`
	Date       Date   `json:"date"`
	Start      string `json:"start,omitempty"` // "HH:MM" Europe/Helsinki, optional
	End        string `json:"end,omitempty"`
	Content    string `json:"content"`
	// Quantity is in the service content's unit.
	Quantity Quantity `json:"quantity"`
	// UnitPrice is the provider's price per unit on Date, cents.
	UnitPrice Cents `json:"unit_price_cents"`
	// VoucherUnitValue is the voucher value per unit, cents (purchasing powers).
	VoucherUnitValue Cents     `json:"voucher_unit_value_cents"`
	Status           Status    `json:"status"`
	RecordedBy       string    `json:"recorded_by,omitempty"`
	RecordedAt       time.Time `json:"recorded_at"`
	Note             string    `json:"note,omitempty"`
	Version          int64     `json:"version"`
	// ReservationID is the reservation the event was recorded against
	// (empty for events loaded from elsewhere).
	ReservationID string `json:"reservation_id,omitempty"`
	// CreditRequest is the provider's request to credit the event after
	// its lock (nil: none).
	CreditRequest *CreditRequest `json:"credit_request,omitempty"`
	// Credit is the organizer's credit of the event (status credited).
	Credit *Credit `json:"credit,omitempty"`
}

// Credit request states.
const (
	CreditRequestPending  = "pending"  // sent, not yet handled
	CreditRequestAnswered = "answered" // answered without a credit
	CreditRequestCredited = "credited" // the event was credited
)

// CreditRequest is a provider's report of an error in a locked event
// (Ilmoita virheestä, DOMAIN.md §4, §8).
type CreditRequest struct {
	Reason      string    `json:"reason"` // one of CreditReasons
	Explanation string    `json:"explanation"`
	RequestedAt time.Time `json:"requested_at"`
	State       string    `json:"state"`            // CreditRequestPending, …
	Answer      string    `json:"answer,omitempty"` // the organizer's answer
}

// Credit is the organizer's credit (hyvitys) of an event: a reason code
// and an explanation (selite).
type Credit struct {
	Reason      string    `json:"reason"`
	Explanation string    `json:"explanation"`
	At          time.Time `json:"at"`
}

// CreditReasons are the reason codes of a credit request and a credit
// (DOMAIN.md §8): kirjattu kahdesti, väärä määrä, väärä päivä, väärä
// asiakas, väärä palvelu, muu.
var CreditReasons = []string{"duplicate", "wrong_quantity", "wrong_date", "wrong_customer", "wrong_service", "other"}

// ServicePrice is the provider's price of a service from a day on
// (hinnasto), cents per unit of the service's content. The feed carries
// the provider's own prices, so that the desk prices a new event before it
// is saved exactly as the organizer will (PriceOn).
type ServicePrice struct {
	ID        string `json:"id"` // unique within the provider, e.g. "svc-home@2026-01-01"
	ServiceID string `json:"service_id"`
	From      Date   `json:"from,omitempty"` // zero: from the start
	Cents     Cents  `json:"cents"`
}
