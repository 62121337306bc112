package data

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CustomerNumberMaxLen is the longest customer number, in characters.
const CustomerNumberMaxLen = 20

// Codes of the customer-number rule (DOMAIN.md §6), as Error.Code.
const (
	CodeCustomerNumberEmpty   = "customer_number_empty"
	CodeCustomerNumberTooLong = "customer_number_too_long"
	CodeCustomerNumberChars   = "customer_number_chars"
)

// ParseCustomerNumber validates a provider's customer number (asiakasnumero,
// DOMAIN.md §6) as typed and gives it in stored form: NFC, surrounding
// spaces removed. A number is 1 to CustomerNumberMaxLen characters of
// letters, digits and the separators - / . _ (e.g. "A-1001", "77-042").
// It gives an *Error with CodeCustomerNumberEmpty, CodeCustomerNumberTooLong
// or CodeCustomerNumberChars. The desk checks with it before a command is
// queued and the organizer before it applies one.
func ParseCustomerNumber(s string) (string, error) {
	n := norm.NFC.String(strings.TrimSpace(s))
	switch {
	case n == "":
		return "", &Error{Code: CodeCustomerNumberEmpty, Detail: "customer number is empty"}
	case utf8.RuneCountInString(n) > CustomerNumberMaxLen:
		return "", &Error{Code: CodeCustomerNumberTooLong, Detail: "customer number is longer than 20 characters"}
	}
	for _, r := range n {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-/._", r) {
			return "", &Error{Code: CodeCustomerNumberChars, Detail: "customer number has a character other than a letter, digit, - / . or _"}
		}
	}
	return n, nil
}

// CustomerNumberKey is the form in which two customer numbers are the same
// number: upper case, so "a-1001" and "A-1001" clash (the uniqueness rule
// of DOMAIN.md §6, and the cache's lookup key). "" for a number that is
// empty after trimming.
func CustomerNumberKey(s string) string {
	return strings.ToUpper(norm.NFC.String(strings.TrimSpace(s)))
}
