package organizer

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"time"

	"psopdesk/data"
)

// ScenarioSmall is a byte-identical copy of
// shared/fixtures/scenario-small.json: one customer (cust-1, Sinikka
// Ääpälä, A-1001) of prov-1 with a purchasing power pp-1 and a balance
// purchasing power bp-1 and events e1..e7, c1..c3.
//
//go:embed scenario/scenario-small.json
var ScenarioSmall []byte

// scenarioFile is the scenario format (shared/fixtures/scenario-small.json).
// Singular and plural forms are both accepted: provider/providers,
// customer/customers. Fields the server does not use (about, expected_*)
// are ignored.
type scenarioFile struct {
	Organizer *data.Organizer `json:"organizer"`
	Provider  *data.Provider  `json:"provider"`
	Providers []data.Provider `json:"providers"`
	Customer  *data.Customer  `json:"customer"`
	Customers []data.Customer `json:"customers"`
	Services  []data.Service  `json:"services"`
	// Users and Teams of the providers; a provider without a
	// pääkäyttäjä gets one (DefaultAdmins).
	Users  []data.User        `json:"users"`
	Teams  []data.ServiceTeam `json:"teams"`
	Grants []struct {
		ID               string          `json:"id"`
		Kind             data.GrantKind  `json:"kind"`
		VoucherNumber    string          `json:"voucher_number"`
		Service          string          `json:"service"`
		Customer         string          `json:"customer"`
		GrantedQuantity  json.RawMessage `json:"granted_quantity"`
		Period           data.Period     `json:"period"`
		VoucherUnitValue int64           `json:"voucher_unit_value_cents"`
		Amount           int64           `json:"amount_cents"`
		ValidFrom        string          `json:"valid_from"`
		ValidTo          string          `json:"valid_to"`
		DecisionDate     string          `json:"decision_date"`
		ValueType        string          `json:"value_type"`
	} `json:"grants"`
	// ProviderPricesCents is service id → cents per unit, for every
	// provider of the file; PricesByProvider (provider → service → cents)
	// overrides it per provider.
	ProviderPricesCents map[string]int64            `json:"provider_prices_cents"`
	PricesByProvider    map[string]map[string]int64 `json:"prices_by_provider"`
	Reservations        []struct {
		ID       string          `json:"id"`
		Grant    string          `json:"grant"`
		Provider string          `json:"provider"`
		From     string          `json:"from"`
		To       string          `json:"to"`
		Quantity json.RawMessage `json:"quantity"`
	} `json:"reservations"`
	Events []struct {
		ID         string          `json:"id"`
		Grant      string          `json:"grant"`
		Provider   string          `json:"provider"`
		Date       string          `json:"date"`
		Start      string          `json:"start"`
		End        string          `json:"end"`
		Quantity   json.RawMessage `json:"quantity"`
		Status     data.Status     `json:"status"`
		RecordedBy string          `json:"recorded_by"`
		RecordedAt string          `json:"recorded_at"`
		Note       string          `json:"note"`
	} `json:"events"`
}

var clockRe = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// LoadScenario reads a scenario file (the format of
// shared/fixtures/scenario-small.json) into a Dataset. Vouchers are made
// from the grants (number, customer, service, validity = the grant's,
// fixed value type, decision date = valid_from unless given). An event's
// UnitPrice is its provider's price for the service, VoucherUnitValue its
// grant's value (0 for a balance grant), Content the service's content,
// RecordedAt 16:00 Europe/Helsinki of its date unless given. The customer's
// customer_number becomes the first provider's customer number.
//
// Errors say what is wrong where: JSON syntax (with line and column),
// unknown grant, service, customer or provider references, dates that are
// not YYYY-MM-DD days, quantities that are not decimals with at most two
// decimals, unknown statuses, and whatever Dataset.Validate refuses.
func LoadScenario(r io.Reader) (Dataset, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return Dataset{}, fmt.Errorf("scenario: %w", err)
	}
	var f scenarioFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return Dataset{}, fmt.Errorf("scenario: %w", jsonError(raw, err))
	}
	var d Dataset
	if f.Organizer == nil {
		return Dataset{}, errors.New("scenario: no organizer")
	}
	d.Organizer = *f.Organizer
	if f.Provider != nil {
		d.Providers = append(d.Providers, *f.Provider)
	}
	d.Providers = append(d.Providers, f.Providers...)
	if len(d.Providers) == 0 {
		return Dataset{}, errors.New("scenario: no provider")
	}
	for i := range d.Providers {
		d.Providers[i] = withDemoContact(d.Providers[i])
	}
	if f.Customer != nil {
		d.Customers = append(d.Customers, *f.Customer)
	}
	d.Customers = append(d.Customers, f.Customers...)
	for i := range d.Customers {
		if n := d.Customers[i].CustomerNumber; n != "" {
			d.Numbers = append(d.Numbers, CustomerNumber{ProviderID: d.Providers[0].ID, CustomerID: d.Customers[i].ID, Number: n})
			d.Customers[i].CustomerNumber = ""
		}
	}
	d.Services = f.Services
	services := map[string]data.Service{}
	for _, s := range d.Services {
		services[s.ID] = s
	}
	providers := map[string]bool{}
	for _, p := range d.Providers {
		providers[p.ID] = true
		for sid, c := range f.ProviderPricesCents {
			d.Prices = append(d.Prices, Price{ProviderID: p.ID, ServiceID: sid, Cents: data.Cents(c)})
		}
	}
	for pid, m := range f.PricesByProvider {
		if !providers[pid] {
			return Dataset{}, fmt.Errorf("scenario: prices_by_provider: unknown provider %q", pid)
		}
		for sid, c := range m {
			d.Prices = append(d.Prices, Price{ProviderID: pid, ServiceID: sid, Cents: data.Cents(c)})
		}
	}
	d.Prices = mergeBy(nil, d.Prices, func(p Price) string { return p.ProviderID + "\x00" + p.ServiceID })
	slices.SortFunc(d.Prices, func(a, b Price) int {
		return cmp.Or(cmp.Compare(a.ProviderID, b.ProviderID), cmp.Compare(a.ServiceID, b.ServiceID))
	})
	for _, p := range d.Prices {
		if _, ok := services[p.ServiceID]; !ok {
			return Dataset{}, fmt.Errorf("scenario: price for unknown service %q", p.ServiceID)
		}
	}
	prices := map[string]data.Cents{}
	for _, p := range d.Prices {
		prices[p.ProviderID+"\x00"+p.ServiceID] = p.Cents
	}
	defaultProvider := func(where, given string) (string, error) {
		switch {
		case given != "" && !providers[given]:
			return "", fmt.Errorf("scenario: %s: unknown provider %q", where, given)
		case given != "":
			return given, nil
		case len(d.Providers) == 1:
			return d.Providers[0].ID, nil
		}
		return "", fmt.Errorf("scenario: %s: give the provider (the file has %d)", where, len(d.Providers))
	}

	grants := map[string]data.Grant{}
	for i, g := range f.Grants {
		where := fmt.Sprintf("grants[%d] %q", i, g.ID)
		if _, ok := services[g.Service]; !ok {
			return Dataset{}, fmt.Errorf("scenario: %s: unknown service %q", where, g.Service)
		}
		cust := g.Customer
		switch {
		case cust == "" && len(d.Customers) == 1:
			cust = d.Customers[0].ID
		case cust == "":
			return Dataset{}, fmt.Errorf("scenario: %s: give the customer (the file has %d)", where, len(d.Customers))
		}
		gr := data.Grant{ID: g.ID, CustomerID: cust, Kind: g.Kind, VoucherNumber: g.VoucherNumber,
			ServiceID: g.Service, Period: g.Period, VoucherUnitValue: data.Cents(g.VoucherUnitValue),
			Amount: data.Cents(g.Amount)}
		if len(g.GrantedQuantity) > 0 {
			if gr.GrantedQuantity, err = parseQuantity(g.GrantedQuantity); err != nil {
				return Dataset{}, fmt.Errorf("scenario: %s: granted_quantity: %w", where, err)
			}
		}
		if gr.ValidFrom, err = parseDate(g.ValidFrom); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: valid_from: %w", where, err)
		}
		if gr.ValidTo, err = parseDate(g.ValidTo); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: valid_to: %w", where, err)
		}
		if err := validGrant(gr); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %w", err)
		}
		decided := gr.ValidFrom
		if g.DecisionDate != "" {
			if decided, err = parseDate(g.DecisionDate); err != nil {
				return Dataset{}, fmt.Errorf("scenario: %s: decision_date: %w", where, err)
			}
		}
		vt := data.ValueFixed
		if g.ValueType != "" {
			vt = data.VoucherValueType(g.ValueType)
		}
		d.Grants = append(d.Grants, gr)
		grants[gr.ID] = gr
		d.Vouchers = mergeBy(d.Vouchers, []data.Voucher{{Number: gr.VoucherNumber, CustomerID: cust,
			ServiceID: gr.ServiceID, DecisionDate: decided, ValidFrom: gr.ValidFrom, ValidTo: gr.ValidTo,
			ValueType: vt}}, func(v data.Voucher) string { return v.Number })
	}
	for i, r := range f.Reservations {
		where := fmt.Sprintf("reservations[%d] %q", i, r.ID)
		g, ok := grants[r.Grant]
		if !ok {
			return Dataset{}, fmt.Errorf("scenario: %s: unknown grant %q", where, r.Grant)
		}
		res := Reservation{Reservation: data.Reservation{ID: r.ID, CustomerID: g.CustomerID, GrantID: g.ID}}
		if res.ProviderID, err = defaultProvider(where, r.Provider); err != nil {
			return Dataset{}, err
		}
		if res.From, err = parseDate(r.From); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: from: %w", where, err)
		}
		if res.To, err = parseDate(r.To); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: to: %w", where, err)
		}
		if res.Quantity, err = parseQuantity(r.Quantity); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: quantity: %w", where, err)
		}
		d.Reservations = append(d.Reservations, res)
	}
	for i, e := range f.Events {
		where := fmt.Sprintf("events[%d] %q", i, e.ID)
		g, ok := grants[e.Grant]
		if !ok {
			return Dataset{}, fmt.Errorf("scenario: %s: unknown grant %q", where, e.Grant)
		}
		ev := Event{ServiceEvent: data.ServiceEvent{ID: e.ID, CustomerID: g.CustomerID, GrantID: g.ID,
			ServiceID: g.ServiceID, Start: e.Start, End: e.End, Content: services[g.ServiceID].Content,
			Status: e.Status, RecordedBy: e.RecordedBy, Note: e.Note, Version: 1}}
		if ev.ProviderID, err = defaultProvider(where, e.Provider); err != nil {
			return Dataset{}, err
		}
		if ev.Date, err = parseDate(e.Date); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: date: %w", where, err)
		}
		if ev.Quantity, err = parseQuantity(e.Quantity); err != nil {
			return Dataset{}, fmt.Errorf("scenario: %s: quantity: %w", where, err)
		}
		if ev.Quantity <= 0 {
			return Dataset{}, fmt.Errorf("scenario: %s: quantity must be positive", where)
		}
		if !ev.Status.Valid() {
			return Dataset{}, fmt.Errorf("scenario: %s: unknown status %q", where, e.Status)
		}
		for _, t := range []string{e.Start, e.End} {
			if t != "" && !clockRe.MatchString(t) {
				return Dataset{}, fmt.Errorf("scenario: %s: time %q: want HH:MM", where, t)
			}
		}
		if !ev.Date.Within(g.ValidFrom, g.ValidTo) {
			return Dataset{}, fmt.Errorf("scenario: %s: date %s is outside grant %s validity %s..%s",
				where, ev.Date, g.ID, g.ValidFrom, g.ValidTo)
		}
		price, ok := prices[ev.ProviderID+"\x00"+g.ServiceID]
		if !ok {
			return Dataset{}, fmt.Errorf("scenario: %s: provider %s has no price for service %s", where, ev.ProviderID, g.ServiceID)
		}
		ev.UnitPrice = price
		if g.Kind == data.KindPurchasingPower {
			ev.VoucherUnitValue = g.VoucherUnitValue
		}
		ev.RecordedAt = time.Date(ev.Date.Year, ev.Date.Month, ev.Date.Day, 16, 0, 0, 0, data.Helsinki)
		if e.RecordedAt != "" {
			if ev.RecordedAt, err = time.Parse(time.RFC3339, e.RecordedAt); err != nil {
				return Dataset{}, fmt.Errorf("scenario: %s: recorded_at %q: want RFC 3339", where, e.RecordedAt)
			}
		}
		d.Events = append(d.Events, ev)
	}
	d.Users, d.Teams = f.Users, f.Teams
	d.Users = DefaultAdmins(d.Providers, d.Users)
	if err := d.Validate(); err != nil {
		return Dataset{}, fmt.Errorf("scenario: %w", err)
	}
	return d, nil
}

func parseDate(s string) (data.Date, error) {
	if s == "" {
		return data.Date{}, errors.New("missing date")
	}
	return data.ParseDate(s)
}

// parseQuantity reads a decimal string ("2.0") or a JSON number.
func parseQuantity(raw json.RawMessage) (data.Quantity, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return 0, errors.New("missing quantity")
	}
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	return data.ParseQuantity(s)
}

// jsonError adds the line and column to a JSON syntax or type error.
func jsonError(raw []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(raw)) {
		return err
	}
	line := 1 + bytes.Count(raw[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(raw[:off], '\n')
	return fmt.Errorf("line %d column %d: %w", line, col, err)
}

// demoContacts are the postal address and contact of the demo providers,
// printed on their co-payment statements (DOMAIN.md §5); scenario files
// that leave them out (scenario-small.json) get these.
var demoContacts = map[string]data.Provider{
	DemoProvider1: {Address: "Hoivakatu 5 B, 00500 Helsinki",
		Contact: "puh. 09 123 4567, asiakaspalvelu@hoivapalvelu.example"},
	DemoProvider2: {Address: "Revontulentie 12, 02100 Espoo",
		Contact: "asiakaspalvelu@revontuli.example, 09 8765 4321"},
}

// withDemoContact fills p's empty Address and Contact from demoContacts
// when p is a demo provider; a file's own values stay.
// AdminUserID is the id of the pääkäyttäjä DefaultAdmins gives provider.
func AdminUserID(provider string) string { return provider + "-admin" }

// DefaultAdmins returns users with a pääkäyttäjä (data.RoleAdmin, id
// AdminUserID) added for each provider that has none among them.
func DefaultAdmins(providers []data.Provider, users []data.User) []data.User {
	has := map[string]bool{}
	for _, u := range users {
		if u.Role == data.RoleAdmin {
			has[u.ProviderID] = true
		}
	}
	for _, p := range providers {
		if !has[p.ID] {
			users = append(users, data.User{ID: AdminUserID(p.ID), ProviderID: p.ID, Name: "Pääkäyttäjä", Role: data.RoleAdmin})
		}
	}
	return users
}

func withDemoContact(p data.Provider) data.Provider {
	c, ok := demoContacts[p.ID]
	if !ok {
		return p
	}
	if p.Address == "" {
		p.Address = c.Address
	}
	if p.Contact == "" {
		p.Contact = c.Contact
	}
	return p
}
