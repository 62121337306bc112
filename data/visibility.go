package data

import (
	"slices"
	"time"
)

// VisibilityYears is how far back a provider's event or reservation with a
// customer keeps the customer visible to the provider, and how long after
// its validity ended a grant still counts for a service team (DOMAIN.md §3).
const VisibilityYears = 3

// Role is a provider user's role.
type Role string

// Roles of a provider's user (DOMAIN.md §1).
const (
	// RoleAdmin (pääkäyttäjä) sees all the provider's customers.
	RoleAdmin Role = "admin"
	// RoleRecorder (kirjaaja) sees the customers whose services its
	// service teams handle, and records events for them.
	RoleRecorder Role = "recorder"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleRecorder }

// ServiceTeam is a provider's service team (palvelutiimi): its users have
// access to the customers granted one of ServiceIDs.
type ServiceTeam struct {
	ID         string   `json:"id"`
	ProviderID string   `json:"provider_id"`
	Name       string   `json:"name,omitempty"`
	ServiceIDs []string `json:"service_ids"`
}

// User is a provider's user; an API key belongs to one.
type User struct {
	ID         string   `json:"id"`
	ProviderID string   `json:"provider_id"`
	Name       string   `json:"name"`
	Role       Role     `json:"role"`
	TeamIDs    []string `json:"team_ids,omitempty"`
}

// CustomerHistory is what the visibility rule reads of one customer.
type CustomerHistory struct {
	// Events are the provider's service events of the customer (any status).
	Events []ServiceEvent
	// Reservations are the provider's reservations of the customer.
	Reservations []Reservation
	// Grants are the customer's grants (of any voucher).
	Grants []Grant
}

// VisibilityCutoff is the first day that still counts for visibility at
// now: the same day VisibilityYears years back, Europe/Helsinki (29
// February counts from 1 March).
func VisibilityCutoff(now time.Time) Date {
	t := DateOf(now.In(Helsinki))
	return NewDate(t.Year-VisibilityYears, t.Month, t.Day)
}

// Visible is the visibility rule (DOMAIN.md §3): whether the provider's
// user u may see the customer whose history is h at now. teams are the
// provider's service teams (others are ignored). A customer is visible
// when
//
//  1. the provider has an event of the customer dated, or a reservation
//     lasting to (To; an open-ended one always), on or after
//     VisibilityCutoff(now), or
//  2. a team gives the user access to a service of a grant of the customer
//     whose validity has not ended before VisibilityCutoff(now) (an
//     open-ended grant, and one not started yet, count).
//
// A pääkäyttäjä (RoleAdmin) sees the customers of rule 1 and those of rule
// 2 through any of the provider's teams; a kirjaaja (RoleRecorder) only
// those of rule 2 through its own teams (u.TeamIDs). Another role sees
// nobody.
func Visible(u User, teams []ServiceTeam, h CustomerHistory, now time.Time) bool {
	cut := VisibilityCutoff(now)
	switch u.Role {
	case RoleAdmin:
		for _, e := range h.Events {
			if !e.Date.Before(cut) {
				return true
			}
		}
		for _, r := range h.Reservations {
			if r.To.IsZero() || !r.To.Before(cut) {
				return true
			}
		}
	case RoleRecorder:
	default:
		return false
	}
	for _, g := range h.Grants {
		if !g.ValidTo.IsZero() && g.ValidTo.Before(cut) {
			continue
		}
		for _, t := range teams {
			if t.ProviderID != u.ProviderID || (u.Role != RoleAdmin && !slices.Contains(u.TeamIDs, t.ID)) {
				continue
			}
			if slices.Contains(t.ServiceIDs, g.ServiceID) {
				return true
			}
		}
	}
	return false
}
