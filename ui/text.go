package ui

import (
	"fyne.io/fyne/v2/lang"

	"psopdesk/data"
)

// statusLabel is the Finnish UI label of an event status (DOMAIN.md §4).
func statusLabel(s data.Status) string {
	switch s {
	case data.StatusRecorded:
		return lang.L("Recorded")
	case data.StatusInReview:
		return lang.L("In review")
	case data.StatusApproved:
		return lang.L("Approved")
	case data.StatusRejected:
		return lang.L("Rejected")
	case data.StatusSettled:
		return lang.L("Settled")
	case data.StatusPaid:
		return lang.L("Paid")
	case data.StatusCredited:
		return lang.L("Credited")
	case data.StatusDeleted:
		return lang.L("Deleted")
	}
	return string(s)
}

// UnitLabel is unitLabel for the command line, so that it says the same
// words as the window.
func UnitLabel(u data.Unit, q data.Quantity) string { return unitLabel(u, q) }

// unitLabel is the short word of a unit after quantity q: "h", "käynti"
// after 1 and "käyntiä" after any other quantity, "pv", "kpl", in the UI
// language. The keys unit.hour … are the ones the printed statement
// (ui/print) reads too, so screen and paper say the same words.
func unitLabel(u data.Unit, q data.Quantity) string {
	n := 2 // go-i18n's plural "other"
	if q == data.QuantityScale {
		n = 1
	}
	switch u {
	case data.UnitHour:
		return lang.N("unit.hour", n)
	case data.UnitVisit:
		return lang.N("unit.visit", n)
	case data.UnitDay:
		return lang.N("unit.day", n)
	case data.UnitPiece:
		return lang.N("unit.piece", n)
	}
	return string(u)
}

// unitName is the name of a unit in a column of its own: "tunti".
func unitName(u data.Unit) string {
	switch u {
	case data.UnitHour:
		return lang.L("hour")
	case data.UnitVisit:
		return lang.L("visit")
	case data.UnitDay:
		return lang.L("day")
	case data.UnitPiece:
		return lang.L("piece")
	}
	return string(u)
}

// quantityText is "1,5 h", "1 käynti", "2 käyntiä".
func quantityText(q data.Quantity, u data.Unit) string {
	return q.String() + " " + unitLabel(u, q)
}

// grantedText is a purchasing power's granted quantity per period:
// "10 h / kuukausi", "20 h / viikko", "40 h yhteensä".
func grantedText(g data.Grant, u data.Unit) string {
	q := quantityText(g.GrantedQuantity, u)
	switch g.Period {
	case data.PeriodMonth:
		return lang.L("{{.Q}} / month", map[string]any{"Q": q})
	case data.PeriodWeek:
		return lang.L("{{.Q}} / week", map[string]any{"Q": q})
	case data.PeriodTotal:
		return lang.L("{{.Q}} in total", map[string]any{"Q": q})
	}
	return q
}

// perUnitText is "36,00 € / h", "90,00 € / pv".
func perUnitText(c data.Cents, u data.Unit) string {
	return c.String() + " / " + unitLabel(u, data.QuantityScale)
}

// dateRange is "1.1.2026–31.12.2026"; an open end is left empty.
func dateRange(from, to data.Date) string {
	return from.Format() + "–" + to.Format()
}

// languageName names a customer's language code.
func languageName(code string) string {
	switch code {
	case "fi":
		return lang.L("Finnish")
	case "sv":
		return lang.L("Swedish")
	case "en":
		return lang.L("English")
	case "":
		return "–"
	}
	return code
}

// orDash shows "–" for an empty value.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
