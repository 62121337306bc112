package data

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CustomerNumberMaxLen is the longest customer number, in characters.
const CustomerNumberMaxLen = 20

// Codes of the customer-number rule (DOMAIN.md §6), as Error.Code.
const (
	CodeCustomerNumberEmpty   = "customer_number_empty"
	CodeCustomerNumberTooLong = "customer_number_too_long"
	CodeCustomerNumberChars   = "customer_number_chars"
	// CodeCustomerNumberHetu: the number looks like a henkilötunnus, which
	// must never stand on an invoice (DOMAIN.md §5, §6).
	CodeCustomerNumberHetu = "customer_number_hetu"
)

// CustomerNumberKey is the form in which two customer numbers are the same
// number: upper case, so "a-1001" and "A-1001" clash (the uniqueness rule
// of DOMAIN.md §6, and the cache's lookup key). "" for a number that is
// empty after trimming.
func CustomerNumberKey(s string) string {
	return strings.ToUpper(norm.NFC.String(strings.TrimSpace(s)))
}
