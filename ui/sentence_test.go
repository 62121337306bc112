package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/data/hetu"
	"psopdesk/data/validate"
	"psopdesk/sync/client"
	"psopdesk/sync/wire"
)

func useLanguage(t *testing.T, code string) {
	t.Helper()
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "C")
	t.Setenv("LANG", "C")
	if err := UseLanguage(code); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = UseLanguage("fi") })
}

// sentenceCases are errors as the layers below give them (wrapped, as
// they arrive) and the Finnish sentence the user reads.
func sentenceCases() []struct {
	name string
	err  error
	want string
} {
	_, hetuErr := hetu.Parse("010594Y902X")
	_, dateErr := data.ParseFinnishDate("1/11/2026")
	_, dayErr := data.ParseFinnishDate("31.2.2026")
	_, numberErr := validate.CustomerNumber("A 1001!")
	secret := errors.New("open /home/u/key: token sk-123 for 010594Y9021")
	return []struct {
		name string
		err  error
		want string
	}{
		{"unreachable", &client.Error{Kind: client.Unreachable, Err: secret},
			"Palvelimeen ei saada yhteyttä. Tarkista verkkoyhteys ja yritä uudelleen; välimuistin tiedot ovat tallessa."},
		{"unauthorized", &client.Error{Kind: client.Unauthorized},
			"Palvelin ei hyväksynyt API-avainta. Tarkista avain tai luo uusi avain palvelunjärjestäjän järjestelmässä. Välimuistin tiedot ovat tallessa."},
		{"bad reply", &client.Error{Kind: client.BadReply},
			"Palvelimen vastaus oli virheellinen, eikä sitä otettu käyttöön. Yritä myöhemmin uudelleen; jos vika jatkuu, ota yhteys palvelunjärjestäjän tukeen. Välimuistin tiedot ovat tallessa."},
		{"server", &client.Error{Kind: client.Server},
			"Palvelimella on häiriö. Yritä myöhemmin uudelleen. Välimuistin tiedot ovat tallessa."},
		{"local, joined", errors.Join(errors.New("x"), &client.Error{Kind: client.Local, Err: secret}),
			"Välimuistiin ei voitu tallentaa. Tarkista, että levyllä on tilaa, ja yritä uudelleen."},
		{"canceled", &client.Error{Kind: client.Canceled},
			"Synkronointi keskeytettiin. Jo haetut tiedot ovat tallessa; seuraava synkronointi jatkaa siitä."},
		{"key file unreadable", &client.KeyFileError{Code: client.KeyFileUnreadable, Path: "/etc/psop/avain", Err: fs.ErrPermission},
			"API-avaintiedostoa /etc/psop/avain ei voi lukea. Tarkista, että tiedosto on olemassa ja että sinulla on oikeus lukea sitä."},
		{"key file bad key", &client.KeyFileError{Code: client.KeyFileBadKey, Path: "avain.txt"},
			"API-avaintiedoston avain.txt avain ei kelpaa: se on tyhjä tai siinä on välilyöntejä. Kopioi avain tiedostoon uudelleen."},
		{"key file long line", &client.KeyFileError{Code: client.KeyFileLongLine, Path: "avain.txt"},
			"API-avaintiedostossa avain.txt on rivi, joka on liian pitkä ollakseen avain. Tarkista, että annoit oikean tiedoston."},
		{"key file no provider", &client.KeyFileError{Code: client.KeyFileNoProvider, Path: "avain.txt"},
			"API-avaintiedostossa avain.txt ei ole avainta tälle palveluntuottajalle. Lisää palveluntuottajan avain tiedostoon."},
		{"key file empty", &client.KeyFileError{Code: client.KeyFileEmpty, Path: "avain.txt"},
			"API-avaintiedostossa avain.txt ei ole avainta. Kopioi siihen palvelunjärjestäjän järjestelmässä luotu API-avain."},
		{"number chars", numberErr,
			"Asiakasnumerossa voi olla vain kirjaimia, numeroita ja merkkejä - / . _ (esimerkiksi A-1001). Poista muut merkit."},
		{"number empty", &data.Error{Code: data.CodeCustomerNumberEmpty},
			"Asiakasnumero on tyhjä. Kirjoita numero; jos haluat poistaa asiakkaan numeron, käytä poistoa."},
		{"number too long", &data.Error{Code: data.CodeCustomerNumberTooLong},
			"Asiakasnumero on yli 20 merkkiä pitkä. Lyhennä sitä."},
		{"number taken", fmt.Errorf("set: %w", &data.Error{Code: string(wire.CodeCustomerNumberTaken)}),
			"Asiakasnumero on jo käytössä toisella asiakkaalla. Valitse toinen numero."},
		{"customer not found", &data.Error{Code: string(wire.CodeNotFound)},
			"Asiakas ei ole enää näkyvissäsi, joten muutosta ei voi tehdä. Hae asiakas uudelleen."},
		{"hetu", hetuErr, "Henkilötunnuksen tarkistusmerkki ei täsmää: tarkista tunnus."},
		{"hetu format", &hetu.Error{Reason: hetu.ReasonFormat},
			"Henkilötunnus on väärän muotoinen: siinä on 11 merkkiä, syntymäaika (ppkkvv), välimerkki, kolme numeroa ja tarkistusmerkki."},
		{"locked", fmt.Errorf("/x/cache.db: %w", cache.ErrLocked),
			"PSOP Desk on jo auki toisessa ikkunassa ja käyttää samoja tietoja. Siirry siihen ikkunaan tai sulje se ja käynnistä PSOP Desk uudelleen."},
		{"not in the cache", fmt.Errorf("customer %q: %w", "cust-9", cache.ErrNotFound),
			"Tietoja ei löytynyt välimuistista. Asiakas ei ehkä enää näy sinulle: hae uudelleen."},
		{"date format", dateErr, "Päivämäärä on väärän muotoinen. Kirjoita se muodossa p.k.vvvv, esimerkiksi 30.11.2026."},
		{"no such day", dayErr, "Päivää ei ole kalenterissa. Tarkista päivä ja kuukausi."},
		{"end before start", fmt.Errorf("%w: 30.11.2026–1.11.2026", data.ErrEndBeforeStart),
			"Loppupäivä on ennen alkupäivää. Korjaa ajanjakso."},
		{"demo", &DemoError{Err: secret},
			"Demopalvelinta ei voitu käynnistää: sen tietoja ei voitu avata demokansiossa. Sulje muut PSOP Desk -ikkunat ja yritä uudelleen, tai aloita demo alusta valitsimella -demo-reset."},
		{"unknown", secret,
			"Tapahtui odottamaton virhe. Yritä uudelleen; jos virhe toistuu, ota yhteys tukeen. Tarkemmat tiedot ovat lokissa."},
	}
}

// TestSentence: every error the layers below give reads as a Finnish
// sentence; the detail (a key, a path of the error's own, a henkilötunnus)
// never reaches it.
func TestSentence(t *testing.T) {
	useLanguage(t, "fi")
	for _, tc := range sentenceCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := Sentence(tc.err)
			if got != tc.want {
				t.Errorf("Sentence:\n got %q\nwant %q", got, tc.want)
			}
			for _, secret := range []string{"sk-123", "010594Y90", "/home/u"} {
				if strings.Contains(got, secret) {
					t.Errorf("sentence %q shows %q", got, secret)
				}
			}
		})
	}
	if Sentence(nil) != "" {
		t.Error("Sentence(nil) is not empty")
	}
	if got := (&DemoError{Err: errors.New("port in use")}).Error(); got != "demo server could not be started: port in use" {
		t.Errorf("DemoError.Error() = %q", got)
	}
}

// TestSentenceLanguages: the sentences are Swedish and English too, their
// fields filled.
func TestSentenceLanguages(t *testing.T) {
	useLanguage(t, "fi")
	fi := map[string]string{}
	for _, tc := range sentenceCases() {
		fi[tc.name] = Sentence(tc.err)
	}
	for _, code := range []string{"sv", "en"} {
		useLanguage(t, code)
		for _, tc := range sentenceCases() {
			got := Sentence(tc.err)
			if got == fi[tc.name] || got == "" || strings.Contains(got, "{{") {
				t.Errorf("%s %s: %q", code, tc.name, got)
			}
		}
	}
	useLanguage(t, "sv")
	if got, want := Sentence(&client.Error{Kind: client.Unreachable}),
		"Servern kan inte nås. Kontrollera nätverksanslutningen och försök igen; uppgifterna i cachen finns kvar."; got != want {
		t.Errorf("sv: %q, want %q", got, want)
	}
}

// TestRefusalSentence: each refusal code (and validation reason) of the
// wire contract has its sentence; a clash names the number, never who.
func TestRefusalSentence(t *testing.T) {
	useLanguage(t, "fi")
	set := wire.Command{ID: "c1", Type: wire.SetCustomerNumber, CustomerID: "cust-1", CustomerNumber: "77-042"}
	refusal := func(code wire.RefusalCode, reason string) cache.Refusal {
		return cache.Refusal{Command: set, Answer: wire.Answer{Status: wire.StatusRefused, Code: code, Reason: reason,
			Message: "English detail for the log"}}
	}
	cases := []struct {
		r    cache.Refusal
		want string
	}{
		{refusal(wire.CodeCustomerNumberTaken, ""),
			"Asiakasnumero 77-042 on jo käytössä toisella asiakkaalla. Muutosta ei tallennettu: valitse toinen numero."},
		{refusal(wire.CodeValidation, data.CodeCustomerNumberChars),
			"Palvelin ei hyväksynyt muutosta. Asiakasnumerossa voi olla vain kirjaimia, numeroita ja merkkejä - / . _ (esimerkiksi A-1001). Poista muut merkit."},
		{refusal(wire.CodeValidation, data.CodeCustomerNumberEmpty),
			"Palvelin ei hyväksynyt muutosta. Asiakasnumero on tyhjä. Kirjoita numero; jos haluat poistaa asiakkaan numeron, käytä poistoa."},
		{refusal(wire.CodeValidation, data.CodeCustomerNumberTooLong),
			"Palvelin ei hyväksynyt muutosta. Asiakasnumero on yli 20 merkkiä pitkä. Lyhennä sitä."},
		{refusal(wire.CodeValidation, wire.ReasonIDReused),
			"Palvelin ei hyväksynyt muutosta, koska sen tunniste oli jo käytetty toiseen muutokseen. Tee muutos uudelleen."},
		{refusal(wire.CodeValidation, wire.ReasonMalformed),
			"Palvelin ei ymmärtänyt muutosta, joten sitä ei tallennettu. Tee muutos uudelleen; jos virhe toistuu, ota yhteys palvelunjärjestäjän tukeen."},
		{refusal(wire.CodeValidation, wire.ReasonUnknownType),
			"Palvelin ei tunne tällaista muutosta, joten sitä ei tallennettu. PSOP Desk voi olla eri versiota kuin palvelin: ota yhteys palvelunjärjestäjän tukeen."},
		{refusal(wire.CodeValidation, ""),
			"Palvelin ei hyväksynyt muutoksen tietoja, joten sitä ei tallennettu. Tarkista tiedot ja tee muutos uudelleen."},
		{refusal(wire.CodeNotFound, ""),
			"Asiakas ei ole enää näkyvissäsi, joten muutosta ei tallennettu. Hae asiakas uudelleen; jos häntä ei löydy, sinulla ei ole enää pääsyä hänen tietoihinsa."},
		{refusal(wire.CodeForbidden, ""),
			"Sinulla ei ole oikeutta tähän muutokseen, joten sitä ei tallennettu. Pyydä oikeutta palveluntuottajasi pääkäyttäjältä."},
		{refusal(wire.CodeSettlementLocked, ""),
			"Tilityspäivä on mennyt, joten tietoa ei voi enää muuttaa eikä muutosta tallennettu. Pyydä palvelunjärjestäjältä hyvitystä."},
		{refusal(wire.CodeVersionConflict, ""),
			"Joku muu muutti samaa tietoa ensin, joten muutostasi ei tallennettu. Nyt näytetään palvelimen tieto: tarkista se ja tee muutos tarvittaessa uudelleen."},
		{refusal("teapot", ""),
			"Palvelin hylkäsi muutoksen, joten sitä ei tallennettu. Tarkista tiedot ja tee muutos uudelleen."},
	}
	for _, tc := range cases {
		if got := RefusalSentence(tc.r); got != tc.want {
			t.Errorf("%s/%s:\n got %q\nwant %q", tc.r.Answer.Code, tc.r.Answer.Reason, got, tc.want)
		}
	}
}
