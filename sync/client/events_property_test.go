package client_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"psopdesk/data"
	"psopdesk/sync/organizer"
)

// eventsScenario is the scenario fixture with prov-1's reservations of both
// grants, so that events can be recorded against them.
func eventsScenario(t testT) organizer.Dataset {
	ds, err := organizer.LoadScenario(bytes.NewReader(organizer.ScenarioSmall))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{"pp-1", "bp-1"} {
		ds.Reservations = append(ds.Reservations, organizer.Reservation{ProviderID: "prov-1",
			Reservation: data.Reservation{ID: "r-" + g, CustomerID: "cust-1", GrantID: g,
				From: data.NewDate(2026, 1, 1), To: data.NewDate(2026, 12, 31), Quantity: data.MustQuantity("40")}})
	}
	return ds
}

// TestEventsProperty: a desk records, edits and deletes events offline at
// random, syncs at random, restarts, loses replies (the organizer applied,
// the desk never heard), the organizer restarts and runs the settlement of
// October (locked) in between. At the end, with the network good again:
// nothing is left to send, no change the desk accepted was refused by the
// organizer (the desk checks by the same rules), every command got one
// and the same answer however often it was sent, nothing locked changed,
// and the desk's cache equals the organizer's view (a fresh desk's).
func TestEventsProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		o := newOrganizer(rt, eventsScenario(rt))
		d := newDesk(rt, o)
		if _, err := d.sync(); err != nil {
			rt.Fatal(err)
		}
		today := data.DateOf(writeNow)
		view := func(dk *desk) map[string]data.ServiceEvent {
			v, err := dk.c.CustomerView("cust-1", today)
			if err != nil {
				rt.Fatal(err)
			}
			out := map[string]data.ServiceEvent{}
			for _, ev := range v.Events {
				out[ev.ID] = ev
			}
			return out
		}
		before := view(d)
		var refused int
		steps := rapid.IntRange(1, 30).Draw(rt, "steps")
		for range steps {
			switch rapid.IntRange(0, 7).Draw(rt, "action") {
			case 0, 1: // Uusi tapahtuma
				day := rapid.IntRange(1, 31).Draw(rt, "day") // October is locked, November is not
				month := time.Month(rapid.IntRange(10, 11).Draw(rt, "month"))
				hours := rapid.IntRange(1, 12).Draw(rt, "quarters")
				in := data.EventInput{Date: data.NewDate(2026, month, day), Start: "08:00",
					End: fmt.Sprintf("%02d:%02d", 8+hours/4, hours%4*15), Quantity: data.Quantity(hours * 25)}
				d.c.RecordEvent("cust-1", rapid.SampledFrom([]string{"r-pp-1", "r-bp-1"}).Draw(rt, "reservation"), in, writeNow)
			case 2: // Kirjaa
				evs := view(d)
				ids := sortedKeys(evs)
				if len(ids) == 0 {
					continue
				}
				ev := evs[rapid.SampledFrom(ids).Draw(rt, "event")]
				in := ev.Input()
				in.Note = rapid.StringMatching(`[a-zäö ]{0,12}`).Draw(rt, "note")
				d.c.EditEvent(ev.ID, ev.Version, in, writeNow) // refused locally when locked or not Kirjattu
			case 3: // Poista
				evs := view(d)
				ids := sortedKeys(evs)
				if len(ids) == 0 {
					continue
				}
				ev := evs[rapid.SampledFrom(ids).Draw(rt, "event")]
				d.c.DeleteEvent(ev.ID, ev.Version, writeNow)
			case 4:
				res, _ := d.sync()
				refused += len(res.Refused)
			case 5:
				o.mu.Lock()
				o.dropAll = true
				o.mu.Unlock()
				res, _ := d.sync()
				refused += len(res.Refused)
				o.mu.Lock()
				o.dropAll = false
				o.mu.Unlock()
			case 6:
				if rapid.Bool().Draw(rt, "organizer") {
					o.restart()
				} else {
					d.restart()
				}
			case 7: // the organizer settles October (locked since 5.11.)
				o.mu.Lock()
				_, err := o.store.Settle(2026, time.October, writeNow)
				o.mu.Unlock()
				if err != nil {
					rt.Fatal(err)
				}
			}
		}
		for range 2 {
			res, err := d.sync()
			if err != nil {
				rt.Fatalf("final sync: %v", err)
			}
			refused += len(res.Refused)
		}
		if refused != 0 {
			rt.Fatalf("%d changes the desk accepted were refused by the organizer", refused)
		}
		if left, _ := d.c.Outbox().Entries(); len(left) != 0 {
			rt.Fatalf("%d commands left after syncing", len(left))
		}
		server := newDesk(rt, o)
		if _, err := server.sync(); err != nil {
			rt.Fatal(err)
		}
		got, want := view(d), view(server)
		if len(got) != len(want) {
			rt.Fatalf("desk has %d events, the organizer %d", len(got), len(want))
		}
		for id, w := range want {
			if g := got[id]; g.Version != w.Version || g.Status != w.Status || g.Quantity != w.Quantity || g.Note != w.Note || g.Date != w.Date {
				rt.Fatalf("event %s: desk %+v, organizer %+v", id, g, w)
			}
			// Nothing locked changed: October's events keep their fields
			// (the settlement may move their status).
			if b, ok := before[id]; ok && b.Date.Month == time.October && (b.Quantity != w.Quantity || b.Note != w.Note || w.Status == data.StatusDeleted) {
				rt.Fatalf("locked event %s changed: %+v -> %+v", id, b, w)
			}
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		for id, answers := range o.answers {
			for _, a := range answers[1:] {
				if !bytes.Equal(a, answers[0]) {
					rt.Fatalf("command %s answered %s and later %s", id, answers[0], a)
				}
			}
		}
	})
}

func sortedKeys(m map[string]data.ServiceEvent) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slicesSort(out)
	return out
}

func slicesSort(s []string) { slices.Sort(s) }
