package data

import (
	"fmt"
	"strconv"
	"strings"
)

// Cents is an amount of money in euro cents. All money in PSOP Desk is
// integer cents; rounding happens once per event (DOMAIN.md §4).
type Cents int64

// String formats c the Finnish way: "1 234,50 €", "-12,00 €", "0,00 €".
// Thousands are grouped with a space.
func (c Cents) String() string {
	sign := ""
	v := uint64(c)
	if c < 0 {
		sign = "-"
		v = -v // two's complement: right also for the most negative value
	}
	return sign + groupThousands(v/100) + fmt.Sprintf(",%02d €", v%100)
}

// GroupDigits writes a count the Finnish way, thousands apart with a
// space: 76377 is "76 377". Money uses it through Cents.String.
func GroupDigits(n int) string {
	if n < 0 {
		return "-" + groupThousands(uint64(-int64(n)))
	}
	return groupThousands(uint64(n))
}

func groupThousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// RoundCents returns the amount num/den cents rounded half away from zero
// to the cent, the one rounding rule of DOMAIN.md §4 (den > 0). Callers sum
// exact numerators first and round once per event.
func RoundCents(num, den int64) Cents { return Cents(divRound(num, den)) }

// divRound returns num/den rounded half away from zero (den > 0).
func divRound(num, den int64) int64 {
	if num >= 0 {
		return (num + den/2) / den
	}
	return -((-num + den/2) / den)
}

// Quantity is an exact decimal quantity in hundredths of a unit
// (1,5 h is 150). Event quantities in PSOP have at most two decimals.
type Quantity int64

// QuantityScale is the number of Quantity steps in one unit.
const QuantityScale = 100

// ParseQuantity reads "2", "2.0", "0.75" or the Finnish "0,75". It errors on
// more than two decimals, a sign, or anything that is not a number.
func ParseQuantity(s string) (Quantity, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" && !hasDot || whole == "" && frac == "" {
		return 0, fmt.Errorf("quantity %q is not a number", s)
	}
	if len(frac) > 2 {
		// Extra zeros beyond hundredths are harmless: "2.500".
		if strings.Trim(frac[2:], "0") != "" {
			return 0, fmt.Errorf("quantity %q: at most two decimals", s)
		}
		frac = frac[:2]
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("quantity %q is not a number", s)
			}
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1e9 {
		return 0, fmt.Errorf("quantity %q is too large", s)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return Quantity(w*QuantityScale + f), nil
}

// String is the Finnish form with the needed decimals only: "2", "1,5", "0,75".
func (q Quantity) String() string {
	sign := ""
	v := int64(q)
	if v < 0 {
		sign, v = "-", -v
	}
	s := sign + strconv.FormatInt(v/QuantityScale, 10)
	switch f := v % QuantityScale; {
	case f == 0:
	case f%10 == 0:
		s += fmt.Sprintf(",%d", f/10)
	default:
		s += fmt.Sprintf(",%02d", f)
	}
	return s
}

// MarshalJSON writes the quantity as a decimal string, "0.75".
func (q Quantity) MarshalJSON() ([]byte, error) {
	return []byte(`"` + q.Decimal() + `"`), nil
}

// Decimal is q with a decimal point, as the wire carries it: "2.75", "2".
func (q Quantity) Decimal() string { return strings.ReplaceAll(q.String(), ",", ".") }

// UnmarshalJSON reads a decimal string ("0.75") or a JSON number.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	s := string(b)
	if u, err := strconv.Unquote(s); err == nil {
		s = u
	}
	v, err := ParseQuantity(s)
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// Times returns round(q × perUnit) in cents, half away from zero
// (DOMAIN.md §4: price = round(qty × unit_price)).
func (q Quantity) Times(perUnit Cents) Cents {
	return Cents(divRound(int64(q)*int64(perUnit), QuantityScale))
}
