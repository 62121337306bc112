// Package organizer is the reference organizer server (palvelunjärjestäjä)
// that PSOP Desk syncs with: a bbolt store of the organizer's data with an
// append-only change log per provider, the HTTP change feed and push
// commands of the wire contract in package psopdesk/sync/wire, scenario
// loading and a deterministic demo data set. The demo mode of the desktop
// runs it in-process (StartDemo); cmd/psop-organizer runs it standalone.
package organizer

import (
	"cmp"
	"fmt"
	"psopdesk/sync/wire"
	"slices"
	"strings"
	"time"

	"psopdesk/data"
	"psopdesk/data/validate"
)

// VisibilityYears is data.VisibilityYears (DOMAIN.md §3).
const VisibilityYears = data.VisibilityYears

// Price is a provider's price for a service, cents per unit of the
// service's content, in force from From on (zero: from the start) until
// the provider's next price of the service. A provider may have several
// prices of a service, unique by From; events are priced with
// data.PriceOn on their date.
type Price struct {
	ProviderID string     `json:"provider_id"`
	ServiceID  string     `json:"service_id"`
	From       data.Date  `json:"from,omitempty"`
	Cents      data.Cents `json:"cents"`
}

// key identifies the price within the data set: provider \x00 service,
// then \x00 From when From is set (the key of a price without From is the
// one stores from before prices by date used).
func (p Price) key() string {
	k := p.ProviderID + "\x00" + p.ServiceID
	if !p.From.IsZero() {
		k += "\x00" + p.From.String()
	}
	return k
}

// PriceID is the id of a provider's price in its feed (wire.KindPrice):
// the service id, with "@" and From ("svc-home@2026-01-01") when From is
// set. Unique within the provider.
func PriceID(serviceID string, from data.Date) string {
	if from.IsZero() {
		return serviceID
	}
	return serviceID + "@" + from.String()
}

// ServicePrice is p as the provider's feed carries it.
func (p Price) ServicePrice() data.ServicePrice {
	return data.ServicePrice{ID: PriceID(p.ServiceID, p.From), ServiceID: p.ServiceID, From: p.From, Cents: p.Cents}
}

// CustomerNumber is a provider's own customer number (asiakasnumero) for a
// customer (DOMAIN.md §6); unique within the provider.
type CustomerNumber struct {
	ProviderID string `json:"provider_id"`
	CustomerID string `json:"customer_id"`
	Number     string `json:"number"`
}

// Reservation is a reservation with the provider that holds it.
type Reservation struct {
	ProviderID string `json:"provider_id"`
	data.Reservation
}

// Event is a service event with the provider that recorded it. UnitPrice is
// the provider's price for the service on the event's date (data.PriceOn),
// VoucherUnitValue the grant's value per unit (0 for a balance grant),
// Content the service's content. The provider's feed carries the
// data.ServiceEvent; Store.Command and the admin's changes (Approve,
// Settle, …) change it.
type Event struct {
	ProviderID string `json:"provider_id"`
	data.ServiceEvent
}

// Dataset is the organizer's whole data: what the store holds and what the
// per-provider feeds are computed from. Customers carry no CustomerNumber
// here: numbers are per provider (Numbers) and set on the customer record
// of each provider's feed.
type Dataset struct {
	Organizer    data.Organizer   `json:"organizer"`
	Providers    []data.Provider  `json:"providers"`
	Services     []data.Service   `json:"services"`
	Prices       []Price          `json:"prices"`
	Customers    []data.Customer  `json:"customers"`
	Numbers      []CustomerNumber `json:"customer_numbers"`
	Vouchers     []data.Voucher   `json:"vouchers"`
	Grants       []data.Grant     `json:"grants"`
	Reservations []Reservation    `json:"reservations"`
	Events       []Event          `json:"events"`
	// Users are the providers' users (an API key belongs to one) and
	// Teams their service teams (DOMAIN.md §1, §3).
	Users []data.User        `json:"users,omitempty"`
	Teams []data.ServiceTeam `json:"teams,omitempty"`
}

// Merge returns d with o's records added; a record of o replaces d's record
// with the same id (vouchers: number; prices: provider, service and
// From; numbers: provider and customer). o's organizer replaces d's when o has one. Order is
// d's records first, then o's new ones.
func (d Dataset) Merge(o Dataset) Dataset {
	out := Dataset{Organizer: d.Organizer}
	if o.Organizer.ID != "" {
		out.Organizer = o.Organizer
	}
	out.Providers = mergeBy(d.Providers, o.Providers, func(p data.Provider) string { return p.ID })
	out.Services = mergeBy(d.Services, o.Services, func(s data.Service) string { return s.ID })
	out.Prices = mergeBy(d.Prices, o.Prices, Price.key)
	out.Customers = mergeBy(d.Customers, o.Customers, func(c data.Customer) string { return c.ID })
	out.Numbers = mergeBy(d.Numbers, o.Numbers, func(n CustomerNumber) string { return n.ProviderID + "\x00" + n.CustomerID })
	out.Vouchers = mergeBy(d.Vouchers, o.Vouchers, func(v data.Voucher) string { return v.Number })
	out.Grants = mergeBy(d.Grants, o.Grants, func(g data.Grant) string { return g.ID })
	out.Reservations = mergeBy(d.Reservations, o.Reservations, func(r Reservation) string { return r.ID })
	out.Events = mergeBy(d.Events, o.Events, func(e Event) string { return e.ID })
	out.Users = mergeBy(d.Users, o.Users, func(u data.User) string { return u.ID })
	out.Teams = mergeBy(d.Teams, o.Teams, func(t data.ServiceTeam) string { return t.ID })
	return out
}

func mergeBy[T any](a, b []T, key func(T) string) []T {
	out := slices.Clone(a)
	at := make(map[string]int, len(a))
	for i, v := range a {
		at[key(v)] = i
	}
	for _, v := range b {
		if i, ok := at[key(v)]; ok {
			out[i] = v
			continue
		}
		at[key(v)] = len(out)
		out = append(out, v)
	}
	return out
}

// Validate checks that ids are unique and present, that every reference
// resolves (services, customers, vouchers, grants, providers) and agrees
// (an event's customer and service are its grant's), that the settlement
// day is in 1..28, that customer numbers are valid
// (validate.CustomerNumber, in its stored form) and unique within a
// provider, case-insensitively (data.CustomerNumberKey: the rule
// Store.Command enforces), and that every record meets its own rules, the
// ones the desk checks too (package psopdesk/data/validate: a service's
// unit, a price, a customer's henkilötunnus, validity spans, a grant's
// kind, period and quantities, a reservation's span and quantity, an
// event's date, quantity and status). It gives the first failure; a
// record's own rule comes back as its *data.Error (errors.As gives the
// Code). Errors name records by id, never by henkilötunnus.
func (d Dataset) Validate() error {
	if d.Organizer.ID == "" {
		return fmt.Errorf("organizer: no id")
	}
	if d.Organizer.SettlementDay < 1 || d.Organizer.SettlementDay > 28 {
		return fmt.Errorf("organizer %s: settlement day %d not in 1..28", d.Organizer.ID, d.Organizer.SettlementDay)
	}
	providers := map[string]bool{}
	for _, p := range d.Providers {
		if p.ID == "" || providers[p.ID] {
			return fmt.Errorf("provider %q: empty or duplicate id", p.ID)
		}
		providers[p.ID] = true
	}
	services := map[string]data.Service{}
	for _, s := range d.Services {
		if _, dup := services[s.ID]; s.ID == "" || dup {
			return fmt.Errorf("service %q: empty or duplicate id", s.ID)
		}
		if err := validate.Service(s); err != nil {
			return err
		}
		services[s.ID] = s
	}
	prices := map[string]bool{}
	for _, p := range d.Prices {
		if prices[p.key()] {
			return fmt.Errorf("price of provider %s for %s from %q: duplicate", p.ProviderID, p.ServiceID, p.From)
		}
		prices[p.key()] = true
		if !providers[p.ProviderID] {
			return fmt.Errorf("price: unknown provider %q", p.ProviderID)
		}
		if _, ok := services[p.ServiceID]; !ok {
			return fmt.Errorf("price of provider %s: unknown service %q", p.ProviderID, p.ServiceID)
		}
		if err := validate.Price(p.ProviderID, p.ServiceID, p.Cents); err != nil {
			return err
		}
	}
	customers := map[string]bool{}
	for _, c := range d.Customers {
		if c.ID == "" || customers[c.ID] {
			return fmt.Errorf("customer %q: empty or duplicate id", c.ID)
		}
		if err := validate.Customer(c); err != nil {
			return err
		}
		customers[c.ID] = true
	}
	taken := map[string]string{}
	for _, n := range d.Numbers {
		if !providers[n.ProviderID] || !customers[n.CustomerID] {
			return fmt.Errorf("customer number %q: unknown provider %q or customer %q", n.Number, n.ProviderID, n.CustomerID)
		}
		if p, err := validate.CustomerNumber(n.Number); err != nil {
			return fmt.Errorf("customer number of customer %s at provider %s: %w", n.CustomerID, n.ProviderID, err)
		} else if p != n.Number {
			return fmt.Errorf("customer number of customer %s at provider %s is not in stored form (NFC, no surrounding spaces)", n.CustomerID, n.ProviderID)
		}
		k := n.ProviderID + "\x00" + data.CustomerNumberKey(n.Number)
		if other, ok := taken[k]; ok && other != n.CustomerID {
			return fmt.Errorf("customer number %q of provider %s is in use twice", n.Number, n.ProviderID)
		}
		taken[k] = n.CustomerID
	}
	vouchers := map[string]data.Voucher{}
	for _, v := range d.Vouchers {
		if _, dup := vouchers[v.Number]; v.Number == "" || dup {
			return fmt.Errorf("voucher %q: empty or duplicate number", v.Number)
		}
		if !customers[v.CustomerID] {
			return fmt.Errorf("voucher %s: unknown customer %q", v.Number, v.CustomerID)
		}
		if _, ok := services[v.ServiceID]; !ok {
			return fmt.Errorf("voucher %s: unknown service %q", v.Number, v.ServiceID)
		}
		if err := validate.Voucher(v); err != nil {
			return err
		}
		vouchers[v.Number] = v
	}
	grants := map[string]data.Grant{}
	for _, g := range d.Grants {
		if _, dup := grants[g.ID]; g.ID == "" || dup {
			return fmt.Errorf("grant %q: empty or duplicate id", g.ID)
		}
		if err := validate.Grant(g); err != nil {
			return err
		}
		v, ok := vouchers[g.VoucherNumber]
		if !ok {
			return fmt.Errorf("grant %s: unknown voucher %q", g.ID, g.VoucherNumber)
		}
		if v.CustomerID != g.CustomerID || v.ServiceID != g.ServiceID {
			return fmt.Errorf("grant %s: customer or service differs from voucher %s", g.ID, v.Number)
		}
		grants[g.ID] = g
	}
	ids := map[string]bool{}
	for _, r := range d.Reservations {
		if r.ID == "" || ids[r.ID] {
			return fmt.Errorf("reservation %q: empty or duplicate id", r.ID)
		}
		ids[r.ID] = true
		g, ok := grants[r.GrantID]
		if !ok {
			return fmt.Errorf("reservation %s: unknown grant %q", r.ID, r.GrantID)
		}
		if !providers[r.ProviderID] {
			return fmt.Errorf("reservation %s: unknown provider %q", r.ID, r.ProviderID)
		}
		if r.CustomerID != g.CustomerID {
			return fmt.Errorf("reservation %s: customer differs from grant %s", r.ID, g.ID)
		}
		if err := validate.Reservation(r.Reservation); err != nil {
			return err
		}
	}
	clear(ids)
	for _, e := range d.Events {
		if e.ID == "" || ids[e.ID] {
			return fmt.Errorf("event %q: empty or duplicate id", e.ID)
		}
		ids[e.ID] = true
		g, ok := grants[e.GrantID]
		if !ok {
			return fmt.Errorf("event %s: unknown grant %q", e.ID, e.GrantID)
		}
		if !providers[e.ProviderID] {
			return fmt.Errorf("event %s: unknown provider %q", e.ID, e.ProviderID)
		}
		if e.CustomerID != g.CustomerID || e.ServiceID != g.ServiceID {
			return fmt.Errorf("event %s: customer or service differs from grant %s", e.ID, g.ID)
		}
		if err := validate.ServiceEvent(e.ServiceEvent); err != nil {
			return err
		}
	}
	teams := map[string]data.ServiceTeam{}
	for _, t := range d.Teams {
		if _, dup := teams[t.ID]; t.ID == "" || dup {
			return fmt.Errorf("team %q: empty or duplicate id", t.ID)
		}
		if !providers[t.ProviderID] {
			return fmt.Errorf("team %s: unknown provider %q", t.ID, t.ProviderID)
		}
		for _, s := range t.ServiceIDs {
			if _, ok := services[s]; !ok {
				return fmt.Errorf("team %s: unknown service %q", t.ID, s)
			}
		}
		teams[t.ID] = t
	}
	clear(ids)
	for _, u := range d.Users {
		if u.ID == "" || ids[u.ID] || strings.ContainsAny(u.ID, "/\x00\t\n") {
			return fmt.Errorf("user %q: empty, duplicate or invalid id", u.ID)
		}
		ids[u.ID] = true
		if !providers[u.ProviderID] {
			return fmt.Errorf("user %s: unknown provider %q", u.ID, u.ProviderID)
		}
		if !u.Role.Valid() {
			return fmt.Errorf("user %s: unknown role %q", u.ID, u.Role)
		}
		for _, t := range u.TeamIDs {
			if tm, ok := teams[t]; !ok || tm.ProviderID != u.ProviderID {
				return fmt.Errorf("user %s: unknown team %q of provider %s", u.ID, t, u.ProviderID)
			}
		}
	}
	return nil
}

// validGrant is validate.Grant, for LoadScenario's check of a grant as it
// is read.
func validGrant(g data.Grant) error { return validate.Grant(g) }

// feedItem is one entity of a provider's feed: what a Put carries.
type feedItem struct {
	kind     wire.Kind
	id       string
	customer string // owning customer, "" for organizer, provider, services
	value    any
}

// audience is whom a feed is for. A provider's pääkäyttäjät (data.RoleAdmin)
// see the same customers, so they share the provider's feed, whose buckets
// are keyed by the provider id (as before users existed); each kirjaaja
// (data.RoleRecorder) has a feed of its own, keyed "provider/user".
type audience struct {
	key  string
	user data.User
}

// adminOf is the pääkäyttäjä of provider p as the visibility rule reads it:
// a key made for the provider without a user (CreateKey) is one.
func adminOf(p string) data.User { return data.User{ProviderID: p, Role: data.RoleAdmin} }

// audienceKey is the key of the feed u reads.
func audienceKey(u data.User) string {
	if u.Role == data.RoleAdmin {
		return u.ProviderID
	}
	return u.ProviderID + "/" + u.ID
}

// audiences lists every feed of d: per provider its pääkäyttäjät' feed
// (always, users or not), then a feed per kirjaaja, in user order.
func audiences(d *Dataset) []audience {
	var out []audience
	for _, p := range d.Providers {
		out = append(out, audience{key: p.ID, user: adminOf(p.ID)})
	}
	users := slices.Clone(d.Users)
	slices.SortFunc(users, func(a, b data.User) int { return cmp.Compare(a.ID, b.ID) })
	for _, u := range users {
		if u.Role != data.RoleAdmin {
			out = append(out, audience{key: audienceKey(u), user: u})
		}
	}
	return out
}

// index groups a dataset's records for feed computation.
type index struct {
	d            *Dataset
	services     []data.Service
	prices       map[string][]data.ServicePrice // provider → its prices, by service and From
	customers    map[string]data.Customer
	numbers      map[string]string // provider \x00 customer → number
	vouchers     map[string][]data.Voucher
	grants       map[string][]data.Grant
	reservations map[string][]data.Reservation // provider \x00 customer
	events       map[string][]data.ServiceEvent
}

func newIndex(d *Dataset) *index {
	ix := &index{d: d,
		customers:    make(map[string]data.Customer, len(d.Customers)),
		prices:       map[string][]data.ServicePrice{},
		numbers:      make(map[string]string, len(d.Numbers)),
		vouchers:     map[string][]data.Voucher{},
		grants:       map[string][]data.Grant{},
		reservations: map[string][]data.Reservation{},
		events:       map[string][]data.ServiceEvent{},
	}
	ix.services = slices.Clone(d.Services)
	slices.SortFunc(ix.services, func(a, b data.Service) int { return cmp.Compare(a.ID, b.ID) })
	for _, p := range d.Prices {
		ix.prices[p.ProviderID] = append(ix.prices[p.ProviderID], p.ServicePrice())
	}
	for _, ps := range ix.prices {
		slices.SortFunc(ps, func(a, b data.ServicePrice) int {
			return cmp.Or(cmp.Compare(a.ServiceID, b.ServiceID), a.From.Compare(b.From))
		})
	}
	for _, c := range d.Customers {
		ix.customers[c.ID] = c
	}
	for _, n := range d.Numbers {
		ix.numbers[n.ProviderID+"\x00"+n.CustomerID] = n.Number
	}
	for _, v := range d.Vouchers {
		ix.vouchers[v.CustomerID] = append(ix.vouchers[v.CustomerID], v)
	}
	for _, g := range d.Grants {
		ix.grants[g.CustomerID] = append(ix.grants[g.CustomerID], g)
	}
	for _, r := range d.Reservations {
		k := r.ProviderID + "\x00" + r.CustomerID
		ix.reservations[k] = append(ix.reservations[k], r.Reservation)
	}
	for _, e := range d.Events {
		k := e.ProviderID + "\x00" + e.CustomerID
		ix.events[k] = append(ix.events[k], e.ServiceEvent)
	}
	for _, vs := range ix.vouchers {
		slices.SortFunc(vs, func(a, b data.Voucher) int { return cmp.Compare(a.Number, b.Number) })
	}
	for _, gs := range ix.grants {
		slices.SortFunc(gs, func(a, b data.Grant) int { return cmp.Compare(a.ID, b.ID) })
	}
	for _, rs := range ix.reservations {
		slices.SortFunc(rs, func(a, b data.Reservation) int { return cmp.Compare(a.ID, b.ID) })
	}
	for _, es := range ix.events {
		slices.SortFunc(es, func(a, b data.ServiceEvent) int {
			if c := a.Date.Compare(b.Date); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	return ix
}

// visible returns the ids of the customers the provider's user u may see
// at now, in id order: data.Visible (DOMAIN.md §3) of each customer, with
// the provider's events and reservations of the customer, the customer's
// grants and the provider's teams.
func (ix *index) visible(u data.User, now time.Time) []string {
	var teams []data.ServiceTeam
	for _, t := range ix.d.Teams {
		if t.ProviderID == u.ProviderID {
			teams = append(teams, t)
		}
	}
	var out []string
	for _, c := range ix.d.Customers {
		k := u.ProviderID + "\x00" + c.ID
		h := data.CustomerHistory{Events: ix.events[k], Reservations: ix.reservations[k], Grants: ix.grants[c.ID]}
		if data.Visible(u, teams, h, now) {
			out = append(out, c.ID)
		}
	}
	slices.Sort(out)
	return out
}

// feed lists what provider p's user u sees at now, parents before children:
// organizer, p's own record, every service, p's own prices (by service and
// From; never another provider's), then per visible customer the
// customer (with p's customer number), the customer's vouchers and grants,
// p's reservations and p's events of the customer. Never another
// provider's events, reservations or customer numbers.
func (ix *index) feed(p data.Provider, u data.User, now time.Time) []feedItem {
	items := []feedItem{
		{kind: wire.KindOrganizer, id: ix.d.Organizer.ID, value: ix.d.Organizer},
		{kind: wire.KindProvider, id: p.ID, value: p},
	}
	for _, s := range ix.services {
		items = append(items, feedItem{kind: wire.KindService, id: s.ID, value: s})
	}
	for _, pr := range ix.prices[p.ID] {
		items = append(items, feedItem{kind: wire.KindPrice, id: pr.ID, value: pr})
	}
	for _, cid := range ix.visible(u, now) {
		c := ix.customers[cid]
		c.CustomerNumber = ix.numbers[p.ID+"\x00"+cid]
		items = append(items, feedItem{kind: wire.KindCustomer, id: cid, customer: cid, value: c})
		for _, v := range ix.vouchers[cid] {
			items = append(items, feedItem{kind: wire.KindVoucher, id: v.Number, customer: cid, value: v})
		}
		for _, g := range ix.grants[cid] {
			items = append(items, feedItem{kind: wire.KindGrant, id: g.ID, customer: cid, value: g})
		}
		k := p.ID + "\x00" + cid
		for _, r := range ix.reservations[k] {
			items = append(items, feedItem{kind: wire.KindReservation, id: r.ID, customer: cid, value: r})
		}
		for _, e := range ix.events[k] {
			items = append(items, feedItem{kind: wire.KindEvent, id: e.ID, customer: cid, value: e})
		}
	}
	return items
}
