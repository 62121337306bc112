package data

// MustQuantity is ParseQuantity for constants and test data ("2.75" is 275
// hundredths); it panics on an invalid quantity. Never use it on user input.
func MustQuantity(s string) Quantity {
	q, err := ParseQuantity(s)
	if err != nil {
		panic(err)
	}
	return q
}

// MustDate is ParseDate (ISO "2026-11-30") for constants and test data; it
// panics on an invalid date. Never use it on user input.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}
