package timeband

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/aa"
	"github.com/rickar/cal/v2/se"

	"psopdesk/data"
)

// Finnish public holidays (arkipyhät, by law). rickar/cal has no Finnish
// package, so the calendar is composed from the shared Christian holidays
// of package aa, the Swedish Saturday-moving Midsummer Day and All Saints'
// Day of package se (the same rule in Finland) and Independence Day.
// Christmas Eve and Midsummer Eve are customary days off but not public
// holidays; they are not in the list.
var (
	Uudenvuodenpaiva    = aa.NewYear.Clone(&cal.Holiday{Name: "Uudenvuodenpäivä", Type: cal.ObservancePublic})
	Loppiainen          = aa.Epiphany.Clone(&cal.Holiday{Name: "Loppiainen", Type: cal.ObservancePublic})
	Pitkaperjantai      = aa.GoodFriday.Clone(&cal.Holiday{Name: "Pitkäperjantai", Type: cal.ObservancePublic})
	Paasiaispaiva       = aa.Easter.Clone(&cal.Holiday{Name: "Pääsiäispäivä", Type: cal.ObservancePublic})
	ToinenPaasiaispaiva = aa.EasterMonday.Clone(&cal.Holiday{Name: "2. pääsiäispäivä", Type: cal.ObservancePublic})
	Vappu               = aa.WorkersDay.Clone(&cal.Holiday{Name: "Vappu", Type: cal.ObservancePublic})
	Helatorstai         = aa.AscensionDay.Clone(&cal.Holiday{Name: "Helatorstai", Type: cal.ObservancePublic})
	Helluntaipaiva      = aa.Pentecost.Clone(&cal.Holiday{Name: "Helluntaipäivä", Type: cal.ObservancePublic})
	// Juhannuspaiva is Midsummer Day, the Saturday 20–26 June.
	Juhannuspaiva = se.Midsommardagen.Clone(&cal.Holiday{Name: "Juhannuspäivä", Type: cal.ObservancePublic})
	// Pyhainpaiva is All Saints' Day, the Saturday 31 October–6 November.
	Pyhainpaiva = se.AllaHelgonsDag.Clone(&cal.Holiday{Name: "Pyhäinpäivä", Type: cal.ObservancePublic})
	// Itsenaisyyspaiva is Independence Day, 6 December (since 1917).
	Itsenaisyyspaiva = &cal.Holiday{
		Name:      "Itsenäisyyspäivä",
		Type:      cal.ObservancePublic,
		StartYear: 1917,
		Month:     time.December,
		Day:       6,
		Func:      cal.CalcDayOfMonth,
	}
	Joulupaiva   = aa.ChristmasDay.Clone(&cal.Holiday{Name: "Joulupäivä", Type: cal.ObservancePublic})
	Tapaninpaiva = aa.ChristmasDay2.Clone(&cal.Holiday{Name: "Tapaninpäivä", Type: cal.ObservancePublic})
)

// Holidays lists the Finnish public holidays in calendar order.
var Holidays = []*cal.Holiday{
	Uudenvuodenpaiva, Loppiainen, Pitkaperjantai, Paasiaispaiva, ToinenPaasiaispaiva,
	Vappu, Helatorstai, Helluntaipaiva, Juhannuspaiva, Pyhainpaiva,
	Itsenaisyyspaiva, Joulupaiva, Tapaninpaiva,
}

// calendar is read only (Cacheable is off), so it is safe for concurrent use.
var calendar = &cal.Calendar{Name: "FI", Description: "Suomen yleiset vapaapäivät", Holidays: Holidays}

// Holiday returns the Finnish name of the public holiday on d, or "" when d
// is not one.
func Holiday(d data.Date) string {
	actual, _, h := calendar.IsHoliday(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC))
	if !actual || h == nil {
		return ""
	}
	return h.Name
}

// IsHoliday reports whether d is a Finnish public holiday.
func IsHoliday(d data.Date) bool { return Holiday(d) != "" }

// IsEve reports whether d is the eve of a public holiday (the day before one).
func IsEve(d data.Date) bool { return IsHoliday(d.AddDays(1)) }
