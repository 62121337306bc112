package data

// businessIDWeights are the weights of the Business ID (Y-tunnus) check
// digit, from the first of its seven digits.
var businessIDWeights = [7]int{7, 9, 10, 5, 8, 4, 2}

// BusinessIDCheckDigit returns the check digit of the seven-digit Business
// ID (Y-tunnus) base: the weighted sum mod 11 is r, the digit 0 for r = 0,
// else 11 − r. ok is false for a base that is not seven digits or whose r
// is 1 (such bases are not issued). Source: DOMAIN.md §1, PRH/YTJ.
func BusinessIDCheckDigit(base string) (digit int, ok bool) {
	if len(base) != 7 {
		return 0, false
	}
	sum := 0
	for i := range 7 {
		c := base[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * businessIDWeights[i]
	}
	switch r := sum % 11; r {
	case 0:
		return 0, true
	case 1:
		return 0, false
	default:
		return 11 - r, true
	}
}

// ValidBusinessID reports whether s is a Business ID "NNNNNNN-C" with the
// right check digit.
func ValidBusinessID(s string) bool {
	if len(s) != 9 || s[7] != '-' {
		return false
	}
	c, ok := BusinessIDCheckDigit(s[:7])
	return ok && int(s[8])-'0' == c
}
