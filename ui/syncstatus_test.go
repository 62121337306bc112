package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
)

// A first sync shows a bar with the share of the feed that has arrived,
// the customers and events so far, and Peruuta, which cancels the sync;
// search works on what has arrived; the cancelled sync says what stays.
func TestFirstSyncProgressAndCancel(t *testing.T) {
	cancelled := 0
	f := newFixture(t, Options{Resync: func() {}, CancelSync: func() { cancelled++ }})
	f.d.SyncProgress(client.Progress{})
	f.wait(t, "sync:progress")
	if f.d.catchUp.box.Visible() {
		t.Error("the first-sync panel before any page")
	}
	f.d.SyncProgress(client.Progress{Pages: 1, Changes: 500, Customers: 1, Events: 1, Cursor: 500, Head: 2000})
	f.wait(t, "sync:progress")
	assertTexts(t, f.d.catchUp.box, "Haetaan tietoja palvelimelta: tähän mennessä 1 asiakas ja 1 tapahtuma. Haku toimii jo saapuneisiin tietoihin.")
	f.d.SyncProgress(client.Progress{Pages: 3, Changes: 1500, Customers: 12345, Events: 234567, Cursor: 1500, Head: 2000})
	f.wait(t, "sync:progress")
	if !f.d.catchUp.box.Visible() || f.d.catchUp.bar.Value != 0.75 {
		t.Fatalf("panel visible %v, bar %v; want 0.75 (cursor / head)", f.d.catchUp.box.Visible(), f.d.catchUp.bar.Value)
	}
	assertTexts(t, f.d.catchUp.box, "Haetaan tietoja palvelimelta: tähän mennessä 12 345 asiakasta ja 234 567 tapahtumaa. Haku toimii jo saapuneisiin tietoihin.", "Peruuta")
	// Search answers from what has arrived while the sync runs.
	f.search(t, "Ääp")
	assertTexts(t, f.d.search.content, "Ääpälä Sinikka")

	test.Tap(f.d.catchUp.cancel)
	if cancelled != 1 || !f.d.catchUp.cancel.Disabled() {
		t.Fatalf("Peruuta: CancelSync called %d times, button disabled %v", cancelled, f.d.catchUp.cancel.Disabled())
	}
	f.d.SyncFailed(&client.Error{Kind: client.Canceled, Err: errors.New("context canceled")}, client.Result{Pending: 1})
	f.wait(t, "sync:failed")
	if f.d.catchUp.box.Visible() {
		t.Error("the first-sync panel stays after the cancel")
	}
	if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
		t.Errorf("a dialog for a sync the user cancelled: %q", texts(top))
	}
	assertTexts(t, f.d.syncBox, "Synkronointi peruttu: jo saapuneet tiedot säilyvät; Synkronoi nyt (F5) jatkaa – 1 muutos odottaa lähetystä")

	// The next run goes on from the cursor: the counts add up.
	f.d.SyncProgress(client.Progress{Pages: 1, Changes: 100, Customers: 5, Events: 33, Cursor: 1600, Head: 2000})
	f.wait(t, "sync:progress")
	assertTexts(t, f.d.catchUp.box, "Haetaan tietoja palvelimelta: tähän mennessä 12 350 asiakasta ja 234 600 tapahtumaa. Haku toimii jo saapuneisiin tietoihin.")
	// It ends: the panel is gone.
	f.d.SyncProgress(client.Progress{Pages: 1, Changes: 500, Cursor: 2000, Head: 2000, Done: true})
	f.wait(t, "sync:progress")
	if f.d.catchUp.box.Visible() {
		t.Error("the first-sync panel for a sync that has caught up")
	}
}

// The status line: when the last sync worked, or that there is no
// connection and how many changes wait (Finnish plural); F5 syncs now.
func TestStatusLine(t *testing.T) {
	asked := 0
	now := time.Date(2026, 11, 20, 12, 3, 0, 0, time.FixedZone("EET", 2*3600))
	f := newFixture(t, Options{Resync: func() { asked++ }, Now: func() time.Time { return now }})
	f.d.SyncDone(client.Result{Pull: client.Progress{Done: true}})
	f.wait(t, "sync:done")
	assertTexts(t, f.d.syncBox, "Synkronoitu klo 12.03")
	f.d.SyncDone(client.Result{Pending: 1})
	f.wait(t, "sync:done")
	assertTexts(t, f.d.syncBox, "Synkronoitu klo 12.03 – 1 muutos odottaa lähetystä")
	// A server behind the cache (restored from a backup): said so.
	f.d.SyncDone(client.Result{Pull: client.Progress{Done: true, Restarted: true}})
	f.wait(t, "sync:done")
	assertTexts(t, f.d.syncBox, "Synkronoitu klo 12.03 – palvelimen tiedot eivät vastanneet välimuistia, joten välimuisti täytettiin uudelleen alusta")

	now = now.Add(4 * time.Minute)
	unreachable := &client.Error{Kind: client.Unreachable, Err: errors.New("dial tcp: connection refused")}
	f.d.SyncFailed(unreachable, client.Result{Pending: 3})
	f.wait(t, "sync:failed")
	assertTexts(t, f.d.syncBox, "Ei yhteyttä – 3 muutosta odottaa lähetystä")
	f.d.SyncFailed(unreachable, client.Result{Pending: 1})
	f.wait(t, "sync:failed")
	assertTexts(t, f.d.syncBox, "Ei yhteyttä – 1 muutos odottaa lähetystä")
	f.d.SyncFailed(unreachable, client.Result{})
	f.wait(t, "sync:failed")
	assertTexts(t, f.d.syncBox, "Ei yhteyttä – synkronoitu viimeksi klo 12.03")
	if top := f.d.Window().Canvas().Overlays().Top(); top != nil {
		t.Errorf("a dialog for the background sync's lost connection: %q", texts(top))
	}

	// F5 from the search field, the results and with nothing focused.
	f.d.search.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF5})
	f.d.Window().Canvas().Unfocus()
	f.d.Window().Canvas().(interface {
		OnTypedKey() func(*fyne.KeyEvent)
	}).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF5})
	if asked != 2 {
		t.Errorf("F5 asked for %d syncs, want 2", asked)
	}
}

// A key that expires within 30 days is warned about under the status
// line; one further away is not.
func TestKeyExpiryWarning(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := newFixture(t, Options{Now: func() time.Time { return now }})
	f.d.KeyExpires(now.Add(90 * 24 * time.Hour))
	f.wait(t, "key:expiry")
	if f.d.keyWarning.Visible() {
		t.Error("a warning for a key valid for 90 days")
	}
	f.d.KeyExpires(time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC))
	f.wait(t, "key:expiry")
	assertTexts(t, f.d.keyWarning, "API-avain vanhenee 21.12.2026, 20 päivän kuluttua: luo uusi avain palvelunjärjestäjän järjestelmässä ja anna se kohdassa Tiedosto → Yhdistä palvelimeen.")
}

// A first start with no data and no connection says just that, and what
// to do: not that earlier data is shown.
func TestFirstStartOffline(t *testing.T) {
	if err := UseLanguage("fi"); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	c, err := cache.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	f := &fixture{queue: make(chan func(), 1000)}
	f.d = NewDesk(a, c, Options{Resync: func() {}, Today: func() data.Date { return data.NewDate(2026, 12, 1) }})
	f.d.do = func(fn func()) { f.queue <- fn }
	f.d.notify = func(e string) { f.events = append(f.events, e) }
	f.d.Window().Show()
	t.Cleanup(func() { f.d.Window().Close() })
	f.d.SyncFailed(&client.Error{Kind: client.Unreachable, Err: errors.New("dial tcp: connection refused")}, client.Result{})
	f.wait(t, "sync:failed")
	got := strings.Join(texts(f.d.syncBox), " ")
	if !strings.Contains(got, "Ei yhteyttä, eikä tietoja ole vielä haettu") || strings.Contains(got, "aiemmin haetut") {
		t.Errorf("status line %q", got)
	}
}
