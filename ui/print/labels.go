package print

import (
	"strings"

	"psopdesk/assets"
	"psopdesk/data"
)

// UnitNames are the words for one service-content unit on the statement.
type UnitNames struct {
	One  string // after the quantity 1: "h", "käynti"
	Many string // after any other quantity: "h", "käyntiä"
	Per  string // after "€/" in a value per unit: "h", "käynti"
}

// Labels are every fixed text of the printed statement. Page is a
// fmt format taking two ints, the page and the page count ("Sivu %d/%d",
// or with indexed verbs "Sivu %[1]d/%[2]d"). Fields left empty print
// nothing (the value they label is still printed where it has one).
type Labels struct {
	Title     string // document title, also the PDF's /Title
	Continued string // added after the title on pages 2..n

	Provider, BusinessID, Contact string
	Customer, CustomerNumber      string

	Voucher, VoucherNumber, Validity string
	ValuePerUnit, Balance, Granted   string
	PerMonth, PerWeek, PerValidity   string // granted quantity's period

	Service, ServiceContent, Period, Made string
	AllServices                           string // the service of an all-services statement

	// A balance purchasing power's use; Used heads the quantity used
	// against the quantity granted per period ("10,25 h / 10 h").
	BalanceUsedBefore, BalanceUsedIn, BalanceRemaining string
	Used                                               string
	// BalanceUsedUp is put on a row the balance no longer covers.
	BalanceUsedUp string
	// MonthTotal is a fmt format taking the month as "11/2026"
	// ("Yhteensä %s"), for subtotals when the period spans months.
	MonthTotal string
	Subject    string // the PDF's /Subject

	// CSV column headings and the in-review mark of a CSV row; the other
	// columns reuse the Col… headings.
	CSVService, CSVUnit, CSVVoucherNumber, CSVInReview string
	CSVInReviewYes                                     string

	ColDate, ColContent, ColQuantity, ColUnitPrice string
	ColPrice, ColVoucherShare, ColCoPayment        string

	Total  string
	NoRows string // the only row of a statement without events

	ReviewMark string // put after the date of a row in review
	ReviewNote string // explains ReviewMark; printed when a row is in review
	TaxNote    string // no household tax deduction (DOMAIN.md §5)

	Page string // "Sivu %[1]d/%[2]d"

	// Redacted replaces anything in a free text that is a valid
	// henkilötunnus.
	Redacted string

	Units map[data.Unit]UnitNames
}

// unitKeys are the catalog keys of the unit words, plural "one" after the
// quantity 1 and "other" after any other; the UI shows the same words.
var unitKeys = map[data.Unit]string{
	data.UnitHour:  "unit.hour",
	data.UnitVisit: "unit.visit",
	data.UnitDay:   "unit.day",
	data.UnitPiece: "unit.piece",
}

// LabelsFor returns the labels of a language code, read from the
// translation catalog (assets.Text, keys "pdf.…" and "unit.…"): "fi",
// "sv" or "en"; a locale such as "sv_FI" or "en-GB" counts by its first
// two letters. Any other code, and "", gives Finnish (DOMAIN.md §5).
func LabelsFor(lang string) Labels {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if len(lang) > 2 {
		lang = lang[:2]
	}
	if lang != "sv" && lang != "en" {
		lang = "fi"
	}
	t := func(key string) string { return assets.Text(lang, key, nil) }
	l := Labels{
		Title:     t("pdf.title"),
		Continued: t("pdf.continued"),

		Provider:       t("pdf.provider"),
		BusinessID:     t("pdf.business_id"),
		Contact:        t("pdf.contact"),
		Customer:       t("pdf.customer"),
		CustomerNumber: t("pdf.customer_number"),

		Voucher:       t("pdf.voucher"),
		VoucherNumber: t("pdf.voucher_number"),
		Validity:      t("pdf.validity"),
		ValuePerUnit:  t("pdf.value_per_unit"),
		Balance:       t("pdf.balance"),
		Granted:       t("pdf.granted"),
		PerMonth:      t("pdf.per.month"),
		PerWeek:       t("pdf.per.week"),
		PerValidity:   t("pdf.per.validity"),

		Service:        t("pdf.service"),
		ServiceContent: t("pdf.service_content"),
		Period:         t("pdf.period"),
		Made:           t("pdf.made"),
		AllServices:    t("pdf.all_services"),

		BalanceUsedBefore: t("pdf.balance_used_before"),
		BalanceUsedIn:     t("pdf.balance_used_in"),
		BalanceRemaining:  t("pdf.balance_remaining"),
		Used:              t("pdf.used"),
		BalanceUsedUp:     t("pdf.balance_used_up"),
		MonthTotal:        assets.Text(lang, "pdf.month_total", map[string]any{"Month": "%s"}),
		Subject:           t("pdf.subject"),

		CSVService:       t("csv.col.service"),
		CSVUnit:          t("csv.col.unit"),
		CSVVoucherNumber: t("csv.col.voucher_number"),
		CSVInReview:      t("csv.col.in_review"),
		CSVInReviewYes:   t("csv.in_review"),

		ColDate:         t("pdf.col.date"),
		ColContent:      t("pdf.col.content"),
		ColQuantity:     t("pdf.col.quantity"),
		ColUnitPrice:    t("pdf.col.unit_price"),
		ColPrice:        t("pdf.col.price"),
		ColVoucherShare: t("pdf.col.voucher_share"),
		ColCoPayment:    t("pdf.col.co_payment"),

		Total:  t("pdf.total"),
		NoRows: t("pdf.no_rows"),

		ReviewMark: t("pdf.review_mark"),
		ReviewNote: t("pdf.review_note"),
		TaxNote:    t("pdf.tax_note"),

		// The catalog names the numbers {{.Page}} and {{.Pages}}; indexed
		// verbs keep them right in a language that says them the other
		// way round.
		Page:     assets.Text(lang, "pdf.page", map[string]any{"Page": "%[1]d", "Pages": "%[2]d"}),
		Redacted: t("pdf.redacted"),

		Units: make(map[data.Unit]UnitNames, len(unitKeys)),
	}
	for u, key := range unitKeys {
		one := assets.TextN(lang, key, 1, nil)
		l.Units[u] = UnitNames{One: one, Many: assets.TextN(lang, key, 2, nil), Per: one}
	}
	return l
}

// unitWord is the unit after quantity q; the unit's own name when the
// labels do not know it.
func (l Labels) unitWord(u data.Unit, q data.Quantity) string {
	n, ok := l.Units[u]
	if !ok {
		return string(u)
	}
	if q == data.QuantityScale {
		return n.One
	}
	return n.Many
}

// perUnit is the unit after "€/".
func (l Labels) perUnit(u data.Unit) string {
	if n, ok := l.Units[u]; ok {
		return n.Per
	}
	return string(u)
}

// CustomerLanguage is the language of a customer's statement (DOMAIN.md §5:
// it follows the customer's, not the UI's): "sv" or "en" when the
// customer's language is Swedish or English, else "fi".
func CustomerLanguage(c data.Customer) string {
	switch l := strings.ToLower(strings.TrimSpace(c.Language)); {
	case strings.HasPrefix(l, "sv"):
		return "sv"
	case strings.HasPrefix(l, "en"):
		return "en"
	}
	return "fi"
}
