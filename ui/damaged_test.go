package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
)

// damagedDir is a cache directory holding the scenario and one command
// in the outbox, its replica then cut short (truncate -s 8192).
func damagedDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	c, err := cache.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	changes := scenarioChanges(t)
	if err := c.ApplyPage(changes, changes[len(changes)-1].Seq); err != nil {
		t.Fatal(err)
	}
	// Enough rows that the file is more than two pages.
	var more []wire.Change
	for i := range 400 {
		id := "cust-x" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		more = append(more, wire.Change{Seq: uint64(1000 + i), Kind: wire.KindCustomer, Op: wire.OpPut, ID: id,
			Data: []byte(`{"id":"` + id + `","first_names":"Testi","last_name":"Asiakas"}`)})
	}
	if err := c.ApplyPage(more, 1399); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Outbox().Add(wire.Command{ID: "cmd-1", Type: wire.SetCustomerNumber, CustomerID: "cust-2", CustomerNumber: "B-7"},
		time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, cache.FileName), 8192); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDeskOnDamagedCache: the desk opens on a damaged cache file without a
// crash and shows the dialog with Rakenna välimuisti uudelleen; pressing
// it rebuilds the cache (empty, sound) and asks for a sync, which fills
// it; the change waiting in the outbox is kept.
func TestDeskOnDamagedCache(t *testing.T) {
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANG", "C")
	if err := UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	dir := damagedDir(t)
	if _, err := cache.Open(dir); err == nil {
		t.Fatal("Open of a truncated cache worked")
	}
	c, err := cache.OpenOrDamaged(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })

	queue := make(chan func(), 1000)
	var events []string
	resynced := make(chan bool, 1)
	var d *Desk
	opt := Options{Today: func() data.Date { return data.NewDate(2026, time.November, 20) },
		Resync: func() {
			// The sync: the feed again into the rebuilt cache.
			changes := scenarioChanges(t)
			err := c.ApplyPage(changes, changes[len(changes)-1].Seq)
			resynced <- err == nil
			d.SyncDone(client.Result{Pull: client.Progress{Changes: len(changes), Done: true}, Pending: 1})
		}}
	d = NewDesk(a, c, opt)
	d.do = func(fn func()) { queue <- fn }
	d.notify = func(e string) { events = append(events, e) }
	d.Window().Resize(fyne.NewSize(1400, 900))
	d.Window().Show()
	t.Cleanup(func() { d.Window().Close() })
	wait := func(event string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			for i, e := range events {
				if e == event {
					events = events[i+1:]
					return
				}
			}
			select {
			case fn := <-queue:
				fn()
			case <-timeout:
				t.Fatalf("waited 10 s for %q; saw %q", event, events)
			}
		}
	}

	overlay := d.Window().Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no dialog on a damaged cache")
	}
	assertTexts(t, overlay, "Välimuisti on vioittunut",
		"Tämän tietokoneen välimuistitiedosto on vioittunut, joten sen tietoja ei voi lukea. Rakenna välimuisti uudelleen: tiedot haetaan uudelleen palvelimelta. Lähetystä odottavat muutokset säilyvät ja lähetetään.")
	// A search on the damaged cache: no crash, no second dialog.
	test.Type(d.search.entry, "Ääp")
	wait("search:Ääp")

	// The sync engine's run fails on it: the same dialog, not the sync's.
	d.SyncFailed(&client.Error{Kind: client.Local, Err: c.Damaged()}, client.Result{Pending: 1})
	wait("sync:failed")
	assertTexts(t, d.syncBox, "Välimuisti on vioittunut. 1 muutos odottaa lähetystä.")

	btn := findButton(d.Window().Canvas().Overlays().Top(), "Rakenna välimuisti uudelleen")
	if btn == nil {
		t.Fatalf("no button Rakenna välimuisti uudelleen in %q", texts(d.Window().Canvas().Overlays().Top()))
	}
	test.Tap(btn)
	wait("rebuild:done")
	if c.Damaged() != nil {
		t.Fatal("the cache is still damaged after the rebuild")
	}
	if ok := <-resynced; !ok {
		t.Fatal("the sync after the rebuild failed")
	}
	wait("sync:done")
	if p, err := c.Outbox().Pending(); err != nil || len(p) != 1 || p[0].Command.ID != "cmd-1" {
		t.Errorf("the outbox after the rebuild: %v, %v", p, err)
	}
	if o := d.Window().Canvas().Overlays().Top(); o != nil {
		t.Errorf("a dialog after the rebuild: %q", texts(o))
	}
	d.search.entry.SetText("")
	wait("search:")
	test.Type(d.search.entry, "Ääp")
	wait("search:Ääp")
	assertTexts(t, d.search.content, "Ääpälä Sinikka")

	// Damaged while in use (cut short under the open window): the next
	// read tells it in the same dialog, and the window stays.
	if err := os.Truncate(filepath.Join(dir, cache.FileName), 4096); err != nil {
		t.Fatal(err)
	}
	d.search.entry.SetText("Vir")
	wait("damaged:shown")
	if findButton(d.Window().Canvas().Overlays().Top(), "Rakenna välimuisti uudelleen") == nil {
		t.Fatalf("no rebuild button after damage in use: %q", texts(d.Window().Canvas().Overlays().Top()))
	}
}

// TestDamagedSentences: a damaged replica is told with the rebuild, also
// when a failed sync wraps it; a damaged outbox with the restart that
// salvages it.
func TestDamagedSentences(t *testing.T) {
	if err := UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	replica := &cache.DamagedError{Path: "/x/" + cache.FileName, Reason: cache.DamagePage}
	outbox := &cache.DamagedError{Path: "/x/" + cache.OutboxFileName, Reason: cache.DamagePage}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{replica, "Rakenna välimuisti uudelleen"},
		{&client.Error{Kind: client.Local, Err: replica}, "Rakenna välimuisti uudelleen"},
		{outbox, "Sulje PSOP Desk ja käynnistä se uudelleen"},
	} {
		if got := Sentence(tc.err); !strings.Contains(got, tc.want) {
			t.Errorf("Sentence(%v) = %q, want it to say %q", tc.err, got, tc.want)
		}
	}
}
