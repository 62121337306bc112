package print

import (
	"strings"

	"psopdesk/data"
)

// UnitNames are the words for one service-content unit on the statement.
type UnitNames struct {
	One  string // after the quantity 1: "h", "käynti"
	Many string // after any other quantity: "h", "käyntiä"
	Per  string // after "€/" in a value per unit: "h", "käynti"
}

// Labels are every fixed text of the printed statement. Page is a
// fmt format with two %d verbs (page, page count). Fields left empty print
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

	ColDate, ColContent, ColQuantity, ColUnitPrice string
	ColPrice, ColVoucherShare, ColCoPayment        string

	Total  string
	NoRows string // the only row of a statement without events

	ReviewMark string // put after the date of a row in review
	ReviewNote string // explains ReviewMark; printed when a row is in review
	TaxNote    string // no household tax deduction (DOMAIN.md §5)

	Page string // "Sivu %d/%d"

	// Redacted replaces anything in a free text that is a valid
	// henkilötunnus.
	Redacted string

	Units map[data.Unit]UnitNames
}

// FinnishLabels are the default labels (DOMAIN.md §5).
func FinnishLabels() Labels {
	return Labels{
		Title:     "Omavastuuerittely",
		Continued: "(jatkuu)",

		Provider: "Palveluntuottaja", BusinessID: "Y-tunnus", Contact: "Yhteystiedot",
		Customer: "Asiakas", CustomerNumber: "Asiakasnumero",

		Voucher: "Palveluseteli", VoucherNumber: "Setelin numero", Validity: "Voimassa",
		ValuePerUnit: "Setelin arvo", Balance: "Myönnetty saldo", Granted: "Myönnetty määrä",
		PerMonth: "kuukausi", PerWeek: "viikko", PerValidity: "koko voimassaoloaika",

		Service: "Palvelu", ServiceContent: "Palvelusisältö", Period: "Erittelyjakso", Made: "Laadittu",

		ColDate: "Päivämäärä", ColContent: "Palvelusisältö", ColQuantity: "Määrä",
		ColUnitPrice: "Yksikköhinta", ColPrice: "Hinta", ColVoucherShare: "Setelin osuus",
		ColCoPayment: "Omavastuu",

		Total:  "Yhteensä",
		NoRows: "Ei palvelutapahtumia erittelyjaksolla.",

		ReviewMark: "*",
		ReviewNote: "Tarkastettavana: näkyy erittelyssä mahdolliseen hylkäämiseen asti.",
		TaxNote: "Palvelusetelillä maksetuista palveluista, myöskään omavastuuosuudesta, " +
			"ei voi saada kotitalousvähennystä (vero.fi).",

		Page:     "Sivu %d/%d",
		Redacted: "[poistettu]",

		Units: map[data.Unit]UnitNames{
			data.UnitHour:  {"h", "h", "h"},
			data.UnitVisit: {"käynti", "käyntiä", "käynti"},
			data.UnitDay:   {"pv", "pv", "pv"},
			data.UnitPiece: {"kpl", "kpl", "kpl"},
		},
	}
}

// SwedishLabels are the labels in Swedish.
func SwedishLabels() Labels {
	return Labels{
		Title:     "Specifikation av självriskandel",
		Continued: "(fortsätter)",

		Provider: "Serviceproducent", BusinessID: "FO-nummer", Contact: "Kontaktuppgifter",
		Customer: "Kund", CustomerNumber: "Kundnummer",

		Voucher: "Servicesedel", VoucherNumber: "Sedelns nummer", Validity: "Giltig",
		ValuePerUnit: "Sedelns värde", Balance: "Beviljat saldo", Granted: "Beviljad mängd",
		PerMonth: "månad", PerWeek: "vecka", PerValidity: "hela giltighetstiden",

		Service: "Tjänst", ServiceContent: "Tjänsteinnehåll", Period: "Period", Made: "Upprättad",

		ColDate: "Datum", ColContent: "Tjänsteinnehåll", ColQuantity: "Mängd",
		ColUnitPrice: "Enhetspris", ColPrice: "Pris", ColVoucherShare: "Sedelns andel",
		ColCoPayment: "Självrisk",

		Total:  "Totalt",
		NoRows: "Inga servicehändelser under perioden.",

		ReviewMark: "*",
		ReviewNote: "Under granskning: visas i specifikationen tills den eventuellt avslås.",
		TaxNote: "För tjänster som betalats med servicesedel, inte heller för självriskandelen, " +
			"kan man inte få hushållsavdrag (vero.fi).",

		Page:     "Sida %d/%d",
		Redacted: "[borttaget]",

		Units: map[data.Unit]UnitNames{
			data.UnitHour:  {"h", "h", "h"},
			data.UnitVisit: {"besök", "besök", "besök"},
			data.UnitDay:   {"dag", "dagar", "dag"},
			data.UnitPiece: {"st", "st", "st"},
		},
	}
}

// EnglishLabels are the labels in English.
func EnglishLabels() Labels {
	return Labels{
		Title:     "Co-payment statement",
		Continued: "(continued)",

		Provider: "Service provider", BusinessID: "Business ID", Contact: "Contact",
		Customer: "Customer", CustomerNumber: "Customer number",

		Voucher: "Service voucher", VoucherNumber: "Voucher number", Validity: "Valid",
		ValuePerUnit: "Voucher value", Balance: "Granted balance", Granted: "Granted quantity",
		PerMonth: "month", PerWeek: "week", PerValidity: "whole validity",

		Service: "Service", ServiceContent: "Service content", Period: "Statement period", Made: "Date made",

		ColDate: "Date", ColContent: "Service content", ColQuantity: "Quantity",
		ColUnitPrice: "Unit price", ColPrice: "Price", ColVoucherShare: "Voucher share",
		ColCoPayment: "Co-payment",

		Total:  "Total",
		NoRows: "No service events in the period.",

		ReviewMark: "*",
		ReviewNote: "Under review: shown on the statement until it may be rejected.",
		TaxNote: "Services paid with a service voucher, the co-payment included, " +
			"give no household tax deduction (vero.fi).",

		Page:     "Page %d/%d",
		Redacted: "[removed]",

		Units: map[data.Unit]UnitNames{
			data.UnitHour:  {"h", "h", "h"},
			data.UnitVisit: {"visit", "visits", "visit"},
			data.UnitDay:   {"day", "days", "day"},
			data.UnitPiece: {"pc", "pcs", "pc"},
		},
	}
}

// LabelsFor returns the labels of a language code: "fi", "sv" or "en";
// a locale such as "sv_FI" or "en-GB" counts by its first two letters.
// Any other code, and "", gives Finnish.
func LabelsFor(lang string) Labels {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if len(lang) > 2 {
		lang = lang[:2]
	}
	switch lang {
	case "sv":
		return SwedishLabels()
	case "en":
		return EnglishLabels()
	default:
		return FinnishLabels()
	}
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
