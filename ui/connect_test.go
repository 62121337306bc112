package ui

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"psopdesk/sync/client"
)

// used records what the connect dialog handed to Connection.Use.
type used struct{ server, keyFile string }

func connectFixture(t *testing.T) (*fixture, *[]used) {
	t.Helper()
	var got []used
	f := newFixture(t, Options{Resync: func() {}, Connection: &Connection{
		Server: "", Keys: client.SystemKeyRing{},
		Use: func(server, keyFile string) (bool, error) {
			got = append(got, used{server, keyFile})
			return false, nil
		},
	}})
	return f, &got
}

// openConnect opens the dialog from the menu.
func openConnect(t *testing.T, f *fixture) *connectDialog {
	t.Helper()
	for _, it := range f.d.Window().MainMenu().Items[0].Items {
		if it.Label == "Yhdistä palvelimeen…" {
			it.Action()
		}
	}
	f.wait(t, "connect:shown")
	if f.d.connect == nil {
		t.Fatal("no connect dialog")
	}
	return f.d.connect
}

// The address is checked before anything is kept: plain http to another
// machine is refused with a sentence saying why; https keeps the key in
// the keyring and hands the server over.
func TestConnectDialog(t *testing.T) {
	keyring.MockInit()
	f, got := connectFixture(t)
	c := openConnect(t, f)
	test.Type(c.server, "http://psop.example.fi")
	test.Type(c.key, "psopk_abc123")
	test.Tap(c.ok)
	f.wait(t, "connect:refused")
	assertTexts(t, f.d.Window().Canvas().Overlays().Top(),
		"Osoitteen on alettava https://, jotta yhteys on salattu. Pelkkä http:// sallitaan vain tähän tietokoneeseen (localhost, 127.0.0.1).")
	if len(*got) != 0 {
		t.Fatalf("a refused address was used: %v", *got)
	}
	if _, err := keyring.Get(client.KeyRingService, "http://psop.example.fi"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("the key was kept for a refused address: %v", err)
	}

	c.server.SetText("https://psop.example.fi/")
	test.Tap(c.ok)
	f.wait(t, "connect:done")
	if len(*got) != 1 || (*got)[0] != (used{"https://psop.example.fi", ""}) {
		t.Fatalf("Use got %v, want the https server with the key in the keyring", *got)
	}
	if k, err := keyring.Get(client.KeyRingService, "https://psop.example.fi"); err != nil || k != "psopk_abc123" {
		t.Errorf("keyring holds %q, %v", k, err)
	}
	if f.d.connect != nil || f.d.Window().Canvas().Overlays().Top() != nil {
		t.Error("the dialog stays open after connecting")
	}
}

// Without a keyring the dialog says so and asks for a key file; the key
// file's path is handed over, the key itself kept nowhere of ours.
func TestConnectWithoutKeyRing(t *testing.T) {
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	t.Cleanup(keyring.MockInit)
	f, got := connectFixture(t)
	c := openConnect(t, f)
	test.Type(c.server, "https://psop.example.fi")
	test.Type(c.key, "psopk_abc123")
	test.Tap(c.ok)
	f.wait(t, "connect:nokeyring")
	if !c.fileRow[1].Visible() || c.keyRow[1].Visible() {
		t.Fatal("no key file asked for without a keyring")
	}
	dlg := f.d.Window().Canvas().Overlays().Top()
	assertTexts(t, dlg, "Tässä tietokoneessa ei ole avainnippua (salasanojen turvallista säilöä), joten PSOP Desk ei voi tallentaa avainta. Tallenna avain tiedostoon, jota vain sinä voit lukea, ja valitse se tässä.")
	assertNoText(t, dlg, "freedesktop") // the detail is for the log
	if len(*got) != 0 {
		t.Fatalf("used without a key: %v", *got)
	}
	path := filepath.Join(t.TempDir(), "avain.txt")
	if err := os.WriteFile(path, []byte("psopk_abc123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	test.Type(c.keyFile, path)
	test.Tap(c.ok)
	f.wait(t, "connect:done")
	if len(*got) != 1 || (*got)[0] != (used{"https://psop.example.fi", path}) {
		t.Fatalf("Use got %v, want the key file", *got)
	}
}

// A refused or expired key (401) asks for a new one in the connect
// dialog, not in an error dialog; the cache is untouched.
func TestUnauthorizedAsksForANewKey(t *testing.T) {
	keyring.MockInit()
	f, got := connectFixture(t)
	f.d.SyncFailed(&client.Error{Kind: client.Unauthorized, Err: errors.New("HTTP 401")}, client.Result{Pending: 2})
	f.wait(t, "sync:failed")
	c := f.d.connect
	if c == nil {
		t.Fatal("a 401 did not ask for a new key")
	}
	dlg := f.d.Window().Canvas().Overlays().Top()
	assertTexts(t, dlg, "Palvelin ei hyväksynyt API-avainta: se on väärä, peruttu tai vanhentunut. Anna uusi palvelunjärjestäjän järjestelmässä luotu avain. Välimuistin tiedot ovat tallessa.")
	assertTexts(t, f.d.syncBox, "Palvelin ei hyväksynyt API-avainta – 2 muutosta odottaa lähetystä")
	// The cache still answers.
	f.search(t, "Ääp")
	assertTexts(t, f.d.search.content, "Ääpälä Sinikka")
	c.server.SetText("https://psop.example.fi")
	test.Type(c.key, "psopk_new")
	test.Tap(c.ok)
	f.wait(t, "connect:done")
	if len(*got) != 1 {
		t.Fatalf("Use got %v", *got)
	}
	// A missing key (nothing in the keyring) asks the same way.
	f.d.SyncFailed(&client.KeyRingError{Code: client.KeyRingNoKey}, client.Result{})
	f.wait(t, "sync:failed")
	if f.d.connect == nil {
		t.Fatal("a missing key did not ask for one")
	}
}
