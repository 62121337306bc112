package organizer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// authzData is scenario-small plus a second provider and teams:
//
//	cust-1  prov-1's events, grants of svc-home and svc-clean; also an event of prov-2
//	cust-h  a grant of svc-home only, no events
//	cust-c  a grant of svc-clean only, no events
//	cust-b  prov-2's customer: a grant of svc-b (no team of prov-1 has it) and prov-2's event
//
// prov-1 has kirjaaja rec-home (team-home: svc-home) and rec-clean
// (team-clean: svc-clean); prov-2 has no teams.
func authzData(t *testing.T) Dataset {
	d := loadSmall(t)
	d.Providers = append(d.Providers, data.Provider{ID: "prov-2", Name: "Toinen Oy", BusinessID: makeYtunnus(2745180)})
	svcB := d.Services[0]
	svcB.ID, svcB.Name = "svc-b", "Fysio B"
	d.Services = append(d.Services, svcB)
	d.Prices = append(d.Prices, Price{ProviderID: "prov-2", ServiceID: "svc-b", Cents: 5000},
		Price{ProviderID: "prov-2", ServiceID: "svc-home", Cents: 4000})
	var home, clean data.Grant
	for _, g := range d.Grants {
		if g.ServiceID == "svc-home" {
			home = g
		} else {
			clean = g
		}
	}
	var homeV, cleanV data.Voucher
	for _, v := range d.Vouchers {
		if v.Number == home.VoucherNumber {
			homeV = v
		} else {
			cleanV = v
		}
	}
	add := func(cid string, born data.Date, g data.Grant, v data.Voucher, svc, num string) data.Grant {
		d.Customers = append(d.Customers, data.Customer{ID: cid, FirstNames: "Testi", LastName: "Asiakas " + cid,
			Hetu: makeHetu(born, '-', 930), Language: "fi"})
		v.Number, v.CustomerID, v.ServiceID = num, cid, svc
		g.ID, g.CustomerID, g.VoucherNumber, g.ServiceID = "g-"+cid, cid, num, svc
		d.Vouchers = append(d.Vouchers, v)
		d.Grants = append(d.Grants, g)
		return g
	}
	add("cust-h", data.NewDate(1941, 3, 4), home, homeV, "svc-home", "500000001")
	add("cust-c", data.NewDate(1942, 5, 6), clean, cleanV, "svc-clean", "500000002")
	gb := add("cust-b", data.NewDate(1943, 7, 8), home, homeV, "svc-b", "500000003")
	var e1 Event
	for _, e := range d.Events {
		if e.GrantID == home.ID {
			e1 = e
			break
		}
	}
	eb := e1
	eb.ID, eb.ProviderID, eb.CustomerID, eb.GrantID, eb.ServiceID = "b-ev-1", "prov-2", "cust-b", gb.ID, "svc-b"
	e2 := e1
	e2.ID, e2.ProviderID = "b-ev-2", "prov-2"
	d.Events = append(d.Events, eb, e2)
	d.Teams = []data.ServiceTeam{
		{ID: "team-home", ProviderID: "prov-1", ServiceIDs: []string{"svc-home"}},
		{ID: "team-clean", ProviderID: "prov-1", ServiceIDs: []string{"svc-clean"}},
	}
	d.Users = append(DefaultAdmins(d.Providers, nil),
		data.User{ID: "rec-home", ProviderID: "prov-1", Name: "K1", Role: data.RoleRecorder, TeamIDs: []string{"team-home"}},
		data.User{ID: "rec-clean", ProviderID: "prov-1", Name: "K2", Role: data.RoleRecorder, TeamIDs: []string{"team-clean"}})
	return d
}

// feedOf reads key's whole feed from 0 over HTTP: the changes and the raw
// bodies.
func feedOf(t *testing.T, url, key string) ([]wire.Change, []byte) {
	t.Helper()
	var all []wire.Change
	var bodies []byte
	var after uint64
	for range 10000 {
		code, b := get(t, fmt.Sprintf("%s/v1/changes?after=%d&limit=7", url, after), "Bearer "+key)
		if code != http.StatusOK {
			t.Fatalf("feed: %d %s", code, b)
		}
		bodies = append(bodies, b...)
		var p wire.ChangesPage
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		all = append(all, p.Changes...)
		if !p.More {
			return all, bodies
		}
		after = p.Next
	}
	t.Fatal("feed does not end")
	return nil, nil
}

// TestAuthorizationMatrix: over HTTP, each key gets its user's customers
// and its provider's events only; expired, revoked and unknown keys get 401.
func TestAuthorizationMatrix(t *testing.T) {
	ds := authzData(t)
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := demoNow
	st.SetClock(func() time.Time { return now })
	if _, err := st.Apply(ds, now); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, u := range ds.Users {
		if keys[u.ID], err = st.CreateUserKey(u.ID, "test", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	expired, _ := st.CreateUserKey("rec-home", "old", now.Add(-time.Second))
	revoked, _ := st.CreateUserKey("prov-1-admin", "revoked", now.Add(time.Hour))
	revokedHTTP, _ := st.CreateUserKey("prov-2-admin", "revoked over http", now.Add(time.Hour))
	adminKey, err := st.CreateAdminKey("test", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	run, err := Start(context.Background(), "127.0.0.1:0", st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })

	hetuOf := map[string]string{}
	for _, c := range ds.Customers {
		hetuOf[c.ID] = c.Hetu
	}
	eventOwner := map[string]string{}
	for _, e := range ds.Events {
		eventOwner[e.ID] = e.ProviderID
	}
	cases := []struct {
		user, provider string
		see, never     []string
	}{
		{"prov-1-admin", "prov-1", []string{"cust-1", "cust-h", "cust-c"}, []string{"cust-b"}},
		{"prov-2-admin", "prov-2", []string{"cust-1", "cust-b"}, []string{"cust-h", "cust-c"}},
		{"rec-home", "prov-1", []string{"cust-1", "cust-h"}, []string{"cust-c", "cust-b"}},
		{"rec-clean", "prov-1", []string{"cust-1", "cust-c"}, []string{"cust-h", "cust-b"}},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			changes, bodies := feedOf(t, run.URL, keys[c.user])
			got := map[string]bool{}
			for _, ch := range changes {
				switch ch.Kind {
				case wire.KindCustomer:
					if ch.Op == wire.OpPut {
						got[ch.ID] = true
					}
				case wire.KindEvent:
					if o := eventOwner[ch.ID]; o != c.provider {
						t.Errorf("event %s of %s in the feed", ch.ID, o)
					}
				case wire.KindProvider:
					if ch.ID != c.provider {
						t.Errorf("provider %s in the feed", ch.ID)
					}
				}
			}
			for _, id := range c.see {
				if !got[id] {
					t.Errorf("does not get customer %s", id)
				}
			}
			for _, id := range c.never {
				if got[id] || bytes.Contains(bodies, []byte(hetuOf[id])) || bytes.Contains(bodies, []byte(`"customer_id":"`+id+`"`)) {
					t.Errorf("gets customer %s or a record of theirs", id)
				}
			}
		})
	}

	if err := st.RevokeKey(revoked, now); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, run.URL+AdminPath+"/keys/revoke", strings.NewReader(`{"key":"`+revokedHTTP+`"}`))
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke over HTTP: %d", resp.StatusCode)
	}
	for name, key := range map[string]string{
		"expired": expired, "revoked": revoked, "revoked over http": revokedHTTP,
		"unknown": KeyPrefix + strings.Repeat("0", 64), "none": "", "admin key": adminKey,
	} {
		for _, path := range []string{"/v1/changes?after=0", "/v1/commands"} {
			method := http.MethodGet
			if path == "/v1/commands" {
				method = http.MethodPost
			}
			req, _ := http.NewRequest(method, run.URL+path, strings.NewReader(`{"id":"x","type":"remove_customer_number","customer_id":"cust-1"}`))
			req.Header.Set(wire.HeaderIdempotencyKey, "x")
			if key != "" {
				req.Header.Set("Authorization", "Bearer "+key)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s key, %s %s: %d, want 401", name, method, path, resp.StatusCode)
			}
		}
	}
}

// TestCommandOfRecorder: a kirjaaja's command on another team's customer
// is not_found; on its own team's customer it is applied with a seq of the
// kirjaaja's own feed, which then carries the change, and so does the
// pääkäyttäjä's feed.
func TestCommandOfRecorder(t *testing.T) {
	ds := authzData(t)
	st, err := Open(filepath.Join(t.TempDir(), "org.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Apply(ds, demoNow); err != nil {
		t.Fatal(err)
	}
	rec := Principal{ProviderID: "prov-1", UserID: "rec-home", Role: data.RoleRecorder, Feed: "prov-1/rec-home"}
	a, err := st.CommandAs(rec, wire.Command{ID: "c1", Type: wire.SetCustomerNumber, CustomerID: "cust-c", CustomerNumber: "A-77"}, demoNow)
	if err != nil || a.Code != wire.CodeNotFound {
		t.Fatalf("another team's customer: %+v %v", a, err)
	}
	a, err = st.CommandAs(rec, wire.Command{ID: "c2", Type: wire.SetCustomerNumber, CustomerID: "cust-h", CustomerNumber: "A-77"}, demoNow)
	if err != nil || a.Status != wire.StatusApplied {
		t.Fatalf("own team's customer: %+v %v", a, err)
	}
	for feed, want := range map[string]bool{"prov-1/rec-home": true, "prov-1": true, "prov-1/rec-clean": false} {
		p, err := st.Changes(feed, 0, wire.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range p.Changes {
			if c.Kind == wire.KindCustomer && c.ID == "cust-h" && bytes.Contains(c.Data, []byte("A-77")) {
				found = true
				if feed == rec.Feed && c.Seq != a.Seq {
					t.Errorf("answer seq %d, the change is at %d", a.Seq, c.Seq)
				}
			}
		}
		if found != want {
			t.Errorf("feed %s carries the number: %v, want %v", feed, found, want)
		}
	}
}
