package validate

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"psopdesk/data"
	"psopdesk/data/hetu"
)

// CustomerNumber validates a provider's customer number (asiakasnumero,
// DOMAIN.md §6) as typed and gives it in stored form: NFC, surrounding
// spaces removed. A number is 1 to data.CustomerNumberMaxLen characters of
// letters, digits and the separators - / . _ (e.g. "A-1001", "77-042").
// A number that looks like a henkilötunnus (hetu.Looks: six digits and a
// century sign, valid or not) is refused: the customer number stands on
// invoices in place of identifying data. It gives a *data.Error with
// data.CodeCustomerNumberEmpty, CodeCustomerNumberTooLong,
// CodeCustomerNumberChars or CodeCustomerNumberHetu. The desk checks with it before a command is
// queued and the organizer before it applies one.
func CustomerNumber(s string) (string, error) {
	n := norm.NFC.String(strings.TrimSpace(s))
	switch {
	case n == "":
		return "", &data.Error{Code: data.CodeCustomerNumberEmpty, Detail: "customer number is empty"}
	case utf8.RuneCountInString(n) > data.CustomerNumberMaxLen:
		return "", &data.Error{Code: data.CodeCustomerNumberTooLong, Detail: "customer number is longer than 20 characters"}
	}
	if hetu.Looks(n) {
		return "", &data.Error{Code: data.CodeCustomerNumberHetu, Detail: "customer number looks like a henkilötunnus"}
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-/._", r) {
			return "", &data.Error{Code: data.CodeCustomerNumberChars, Detail: "customer number has a character other than a letter, digit, - / . or _"}
		}
	}
	return n, nil
}

// FreeText refuses a free text (an event's note, a credit request's
// explanation) that holds a valid henkilötunnus, with a *data.Error of
// data.CodeTextHetu: the desk before a change is queued, the organizer
// before it is applied.
func FreeText(s string) error {
	if hetu.InText(s) {
		return &data.Error{Code: data.CodeTextHetu, Detail: "the text holds a henkilötunnus"}
	}
	return nil
}
