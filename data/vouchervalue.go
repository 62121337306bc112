package data

// Income-based home care voucher value (tulosidonnainen palveluseteli,
// DOMAIN.md §7; stm.fi "Palveluseteli kotihoidossa"):
//
//	value/h = max − (gross_income_month − limit) × pct / 60, clamped to [min, max]

// incomeLimits are the monthly income limits in cents and the percentages by
// household size 1–6.
var incomeLimits = [6]struct {
	limit Cents
	pct   int64
}{{56300, 35}, {103900, 22}, {162800, 18}, {201400, 15}, {243800, 13}, {279900, 11}}

// Each person beyond six adds this to the limit and takes one point off.
const incomeLimitPerExtraPerson Cents = 34200

// IncomeLimit returns the monthly income limit (cents) and the percentage for
// a household of the given size: 563, 1 039, 1 628, 2 014, 2 438, 2 799 € and
// 35, 22, 18, 15, 13, 11 % for 1–6 persons; each person beyond six adds
// 342 € and takes one point off (never below 0 %). A size below 1 counts as 1.
func IncomeLimit(household int) (limit Cents, pct int) {
	if household < 1 {
		household = 1
	}
	if household <= 6 {
		l := incomeLimits[household-1]
		return l.limit, int(l.pct)
	}
	extra := int64(household - 6)
	return incomeLimits[5].limit + Cents(extra)*incomeLimitPerExtraPerson, int(max(incomeLimits[5].pct-extra, 0))
}

// IncomeBasedValue returns the voucher value per hour, in cents, for a
// household of the given size with gross monthly income grossIncomeMonth
// (cents), between minValue and maxValue (cents per hour). See IncomeLimit and
// IncomeValue.
func IncomeBasedValue(household int, grossIncomeMonth, maxValue, minValue Cents) Cents {
	limit, pct := IncomeLimit(household)
	return IncomeValue(limit, pct, grossIncomeMonth, maxValue, minValue)
}

// IncomeValue is the formula with an explicit limit (cents per month) and pct
// (percent): max − (income − limit) × pct / 60, computed exactly and rounded
// once, half away from zero to the cent, then clamped to [minValue,
// maxValue]. The
// published example: limit 528 €, 35 %, max 25 €, income 900 € → 22,83 €.
func IncomeValue(limit Cents, pct int, grossIncomeMonth, maxValue, minValue Cents) Cents {
	// In cents × 6000: max×6000 − (income − limit) × pct.
	num := int64(maxValue)*6000 - int64(grossIncomeMonth-limit)*int64(pct)
	return Cents(min(max(divRound(num, 6000), int64(minValue)), int64(maxValue)))
}

// RoundUp5 rounds c up to the next multiple of 5 cents (in the customer's
// favour, as the same source allows): 2503 → 2505, 2505 → 2505.
func RoundUp5(c Cents) Cents {
	r := c % 5
	if r == 0 {
		return c
	}
	if r < 0 {
		return c - r
	}
	return c + 5 - r
}
