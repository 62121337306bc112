package organizer

import (
	"fmt"

	"psopdesk/data"
	"psopdesk/data/hetu"
)

// makeHetu builds the henkilötunnus of birth date d with century sign sign
// (which must fit d's century) and individual number ind (2–999), check
// character included. It panics on parts that do not fit: the generator
// only makes fitting ones.
func makeHetu(d data.Date, sign byte, ind int) string {
	h, err := hetu.New(d, sign, ind)
	if err != nil {
		panic(fmt.Sprintf("demo henkilötunnus: %v", err))
	}
	return h.String()
}

// makeYtunnus returns the Business ID for the first base from base upward
// that has a check digit.
func makeYtunnus(base int) string {
	for ; ; base++ {
		b := fmt.Sprintf("%07d", base)
		if c, ok := data.BusinessIDCheckDigit(b); ok {
			return fmt.Sprintf("%s-%d", b, c)
		}
	}
}
