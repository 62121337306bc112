package client_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestCustomerNumbersProperty: two desks make random customer-number
// changes offline, sync at random, restart at random, the organizer
// restarts, and replies are lost on the way back (the organizer applied,
// the desk never heard). Once the network is good again and both have
// synced: the numbers are unique within the provider, every command got
// one and the same answer however often it was sent, nothing is left to
// send, and each desk's cache equals the organizer's view (a fresh desk's).
func TestCustomerNumbersProperty(t *testing.T) {
	ds, ids := smallDemo(t, 10)
	custs := ids[:4]
	numbers := []string{"N-1", "N-2", "n-1", "N-3"} // "n-1" is N-1's clash
	rapid.Check(t, func(rt *rapid.T) {
		o := newOrganizer(rt, ds)
		desks := []*desk{newDesk(rt, o), newDesk(rt, o)}
		for _, d := range desks {
			if _, err := d.sync(); err != nil {
				rt.Fatal(err)
			}
		}
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			d := desks[rapid.IntRange(0, 1).Draw(rt, "desk")]
			switch rapid.IntRange(0, 6).Draw(rt, "action") {
			case 0, 1:
				c := rapid.SampledFrom(custs).Draw(rt, "customer")
				n := rapid.SampledFrom(numbers).Draw(rt, "number")
				d.c.SetCustomerNumber(c, n, time.Now()) // a local refusal queues nothing
			case 2:
				d.c.RemoveCustomerNumber(rapid.SampledFrom(custs).Draw(rt, "customer"), time.Now())
			case 3:
				d.sync()
			case 4:
				lose := rapid.Bool().Draw(rt, "lose replies")
				o.mu.Lock()
				o.dropAll = lose
				o.mu.Unlock()
				d.sync()
				o.mu.Lock()
				o.dropAll = false
				o.mu.Unlock()
			case 5:
				d.restart()
			case 6:
				o.restart()
			}
		}
		// The network is good again: both desks sync until settled.
		for range 2 {
			for _, d := range desks {
				if _, err := d.sync(); err != nil {
					rt.Fatalf("final sync: %v", err)
				}
			}
		}
		server := newDesk(rt, o)
		if _, err := server.sync(); err != nil {
			rt.Fatal(err)
		}
		seen := map[string]string{}
		for _, c := range custs {
			n := server.number(c)
			if n == "" {
				continue
			}
			k := fmt.Sprint(bytes.ToUpper([]byte(n)))
			if other, ok := seen[k]; ok {
				rt.Fatalf("number %s held by %s and %s", n, other, c)
			}
			seen[k] = c
		}
		for i, d := range desks {
			for _, c := range custs {
				if got, want := d.number(c), server.number(c); got != want {
					rt.Fatalf("desk %d shows %q for %s, the organizer %q", i, got, c, want)
				}
			}
			if left, _ := d.c.Outbox().Entries(); len(left) != 0 {
				rt.Fatalf("desk %d has %d commands left after syncing", i, len(left))
			}
		}
		o.mu.Lock()
		for id, answers := range o.answers {
			for _, a := range answers[1:] {
				if !bytes.Equal(a, answers[0]) {
					o.mu.Unlock()
					rt.Fatalf("command %s answered %s and later %s", id, answers[0], a)
				}
			}
		}
		o.mu.Unlock()
	})
}
