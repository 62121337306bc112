package organizer

import (
	"fmt"

	"psopdesk/data"
)

// hetuChecks indexes the henkilötunnus check character by DDMMYYZZZ mod 31
// (DOMAIN.md §3).
const hetuChecks = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// makeHetu builds the henkilötunnus of birth date d with century sign sign
// (which must fit d's century) and individual number ind (2–999), check
// character included.
func makeHetu(d data.Date, sign byte, ind int) string {
	n := (d.Day*10000+int(d.Month)*100+d.Year%100)*1000 + ind
	return fmt.Sprintf("%02d%02d%02d%c%03d%c", d.Day, int(d.Month), d.Year%100, sign, ind, hetuChecks[n%31])
}

// ytunnusWeights are the Business ID (Y-tunnus) check digit weights.
var ytunnusWeights = [7]int{7, 9, 10, 5, 8, 4, 2}

// ytunnusCheck returns the check digit of the 7-digit Business ID base, or
// -1 when the base has none (remainder 1: such bases are not issued).
func ytunnusCheck(base string) int {
	if len(base) != 7 {
		return -1
	}
	sum := 0
	for i := range 7 {
		c := base[i]
		if c < '0' || c > '9' {
			return -1
		}
		sum += int(c-'0') * ytunnusWeights[i]
	}
	switch r := sum % 11; r {
	case 0:
		return 0
	case 1:
		return -1
	default:
		return 11 - r
	}
}

// validYtunnus reports whether s is "NNNNNNN-C" with the right check digit.
func validYtunnus(s string) bool {
	if len(s) != 9 || s[7] != '-' {
		return false
	}
	c := ytunnusCheck(s[:7])
	return c >= 0 && int(s[8]-'0') == c
}

// makeYtunnus returns the Business ID for the first base from base upward
// that has a check digit.
func makeYtunnus(base int) string {
	for ; ; base++ {
		b := fmt.Sprintf("%07d", base)
		if c := ytunnusCheck(b); c >= 0 {
			return fmt.Sprintf("%s-%d", b, c)
		}
	}
}
