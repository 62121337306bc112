package data

import (
	"testing"
	"time"
)

func TestVisible(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	d := func(s string) Date { return MustDate(s) }
	teams := []ServiceTeam{
		{ID: "team-home", ProviderID: "prov-1", ServiceIDs: []string{"svc-home"}},
		{ID: "team-clean", ProviderID: "prov-1", ServiceIDs: []string{"svc-clean"}},
		{ID: "team-other", ProviderID: "prov-2", ServiceIDs: []string{"svc-meals"}},
	}
	admin := User{ID: "u-admin", ProviderID: "prov-1", Role: RoleAdmin}
	recHome := User{ID: "u-rec", ProviderID: "prov-1", Role: RoleRecorder, TeamIDs: []string{"team-home"}}
	recNone := User{ID: "u-rec0", ProviderID: "prov-1", Role: RoleRecorder}
	event := func(date string) CustomerHistory {
		return CustomerHistory{Events: []ServiceEvent{{ID: "e", Date: d(date)}}}
	}
	reservation := func(to string) CustomerHistory {
		return CustomerHistory{Reservations: []Reservation{{ID: "r", From: d("2020-01-01"), To: d(to)}}}
	}
	grant := func(svc, to string) CustomerHistory {
		g := Grant{ID: "g", ServiceID: svc, ValidFrom: d("2020-01-01")}
		if to != "" {
			g.ValidTo = d(to)
		}
		return CustomerHistory{Grants: []Grant{g}}
	}
	cases := []struct {
		name string
		u    User
		h    CustomerHistory
		now  string
		want bool
	}{
		// Rule 1: the window's last day is the same day three years later, Helsinki.
		{"event, day before the window passes", admin, event("2023-03-10"), "2026-03-10T23:59:59+02:00", true},
		{"event, last moment of the window (Helsinki)", admin, event("2023-03-10"), "2026-03-10T21:59:59Z", true},
		{"event, window passed at Helsinki midnight", admin, event("2023-03-10"), "2026-03-11T00:00:00+02:00", false},
		{"event, UTC still on the 10th but Helsinki on the 11th", admin, event("2023-03-10"), "2026-03-10T22:30:00Z", false},
		{"event on the cutoff day", admin, event("2023-03-11"), "2026-03-11T00:00:00+02:00", true},
		{"reservation lasting to the cutoff", admin, reservation("2023-03-11"), "2026-03-11T12:00:00+02:00", true},
		{"reservation ended before the cutoff", admin, reservation("2023-03-10"), "2026-03-11T12:00:00+02:00", false},
		{"no history", admin, CustomerHistory{}, "2026-03-11T12:00:00+02:00", false},
		{"recorder does not see by rule 1", recHome, event("2026-03-01"), "2026-03-11T12:00:00+02:00", false},
		// Rule 2.
		{"recorder, own team's service", recHome, grant("svc-home", "2026-12-31"), "2026-03-11T12:00:00+02:00", true},
		{"recorder, open-ended grant", recHome, grant("svc-home", ""), "2026-03-11T12:00:00+02:00", true},
		{"recorder, another team's service", recHome, grant("svc-clean", "2026-12-31"), "2026-03-11T12:00:00+02:00", false},
		{"recorder, another provider's team", recHome, grant("svc-meals", "2026-12-31"), "2026-03-11T12:00:00+02:00", false},
		{"recorder without teams", recNone, grant("svc-home", "2026-12-31"), "2026-03-11T12:00:00+02:00", false},
		{"recorder, grant ended on the cutoff", recHome, grant("svc-home", "2023-03-11"), "2026-03-11T12:00:00+02:00", true},
		{"recorder, grant ended before the cutoff", recHome, grant("svc-home", "2023-03-10"), "2026-03-11T12:00:00+02:00", false},
		{"admin through any of the provider's teams", admin, grant("svc-clean", "2026-12-31"), "2026-03-11T12:00:00+02:00", true},
		{"admin, no team of the provider has the service", admin, grant("svc-meals", "2026-12-31"), "2026-03-11T12:00:00+02:00", false},
		{"unknown role", User{ProviderID: "prov-1", Role: "guest", TeamIDs: []string{"team-home"}}, grant("svc-home", ""), "2026-03-11T12:00:00+02:00", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Visible(c.u, teams, c.h, at(c.now)); got != c.want {
				t.Errorf("Visible at %s = %v, want %v", c.now, got, c.want)
			}
		})
	}
}

func TestVisibilityCutoffLeapDay(t *testing.T) {
	now := time.Date(2028, time.February, 29, 12, 0, 0, 0, Helsinki)
	if got, want := VisibilityCutoff(now), MustDate("2025-03-01"); got != want {
		t.Errorf("cutoff on 29 February = %s, want %s", got, want)
	}
}
