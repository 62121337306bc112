// Package timeband computes the price and the voucher value of an hourly
// event under time-band voucher values (DOMAIN.md §7; lapha.fi
// "palvelusetelien arvot"): the voucher's base value per hour is multiplied
// by the band of each minute, and the provider prices every band.
//
// Bands (Europe/Helsinki local time):
//
//	weekday_day              Mon–Fri 07–18                         ×1.00
//	weekday_evening          Mon–Fri 18–22                         ×1.15
//	saturday_day             Sat 07–18                             ×1.20
//	saturday_or_eve_evening  Sat and eve of a public holiday 18–22 ×2.00
//	sunday_or_holiday        Sun and public holidays 07–22         ×2.00
//
// Outside 07–22 no band applies and the event is refused.
package timeband

import (
	"fmt"
	"time"

	"psopdesk/data"
)

// Band is a time band, named as in the organizer's data.
type Band string

// The time bands.
const (
	WeekdayDay           Band = "weekday_day"
	WeekdayEvening       Band = "weekday_evening"
	SaturdayDay          Band = "saturday_day"
	SaturdayOrEveEvening Band = "saturday_or_eve_evening"
	SundayOrHoliday      Band = "sunday_or_holiday"
)

// Bands lists every band in the order of the table above.
var Bands = []Band{WeekdayDay, WeekdayEvening, SaturdayDay, SaturdayOrEveEvening, SundayOrHoliday}

// Band hours, minutes after midnight.
const (
	dayStart     = 7 * 60
	eveningStart = 18 * 60
	dayEnd       = 22 * 60
)

// Multiplier is the band's multiplier of the base value in hundredths
// (1.15 is 115); 0 for an unknown band.
func (b Band) Multiplier() int64 {
	switch b {
	case WeekdayDay:
		return 100
	case WeekdayEvening:
		return 115
	case SaturdayDay:
		return 120
	case SaturdayOrEveEvening, SundayOrHoliday:
		return 200
	}
	return 0
}

// Value is the band's voucher value per hour in cents for a base value per
// hour, rounded half away from zero (for display; Compute sums exactly).
func (b Band) Value(base data.Cents) data.Cents {
	return data.RoundCents(int64(base)*b.Multiplier(), 100)
}

// BandAt returns the band of the minute that starts minute minutes after
// midnight on d; false outside 07–22.
func BandAt(d data.Date, minute int) (Band, bool) { return dayOf(d).band(minute) }

// day is what decides the bands of a date.
type day struct{ sundayOrHoliday, saturday, eve bool }

func dayOf(d data.Date) day {
	wd := d.Weekday()
	return day{sundayOrHoliday: wd == time.Sunday || IsHoliday(d), saturday: wd == time.Saturday, eve: IsEve(d)}
}

func (d day) band(minute int) (Band, bool) {
	switch {
	case minute < dayStart || minute >= dayEnd:
		return "", false
	case d.sundayOrHoliday:
		return SundayOrHoliday, true
	case minute >= eveningStart && (d.saturday || d.eve):
		return SaturdayOrEveEvening, true
	case minute >= eveningStart:
		return WeekdayEvening, true
	case d.saturday:
		return SaturdayDay, true
	}
	return WeekdayDay, true
}

// Error codes of Compute.
const (
	CodeOutsideTimeBands = "outside_time_bands" // a minute outside 07–22, or end not after start
	CodeInvalidTime      = "invalid_time"       // start or end is not a time of day
	CodeMissingPrice     = "missing_price"      // the provider has no price for a band the event uses
)

// Error is a refusal of Compute. Code is one of the Code constants; Message
// is a Finnish sentence for the user. errors.Is matches by Code, so
// errors.Is(err, ErrOutsideTimeBands) tells a refused time.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ErrOutsideTimeBands is the sentinel for CodeOutsideTimeBands.
var ErrOutsideTimeBands = &Error{Code: CodeOutsideTimeBands,
	Message: "a time-band priced event must lie within 07:00–22:00"}

// Result is one event's minutes and money, in cents.
type Result struct {
	// MinutesByBand holds only the bands the event uses.
	MinutesByBand map[Band]int
	Minutes       int
	// Price is Σ minutes × band price per hour / 60, rounded once.
	Price data.Cents
	// Value is Σ minutes × base × multiplier / 60, rounded once.
	Value data.Cents
	// VoucherShare is min(Price, Value); CoPayment is Price − VoucherShare.
	VoucherShare data.Cents
	CoPayment    data.Cents
}

// Compute assigns each minute from start to end ("HH:MM" or "HH.MM",
// Europe/Helsinki local time on date) to its band and sums the price
// (prices: cents per hour for each band) and the voucher value (baseValue:
// cents per hour, times the band's multiplier) exactly, rounding each once,
// half away from zero. The error is an *Error: CodeOutsideTimeBands when a
// minute falls outside 07–22 or end is not after start, CodeInvalidTime for
// an unreadable time, CodeMissingPrice when prices lacks a used band.
func Compute(date data.Date, start, end string, baseValue data.Cents, prices map[Band]data.Cents) (Result, error) {
	sm, err := parseClock(start)
	if err != nil {
		return Result{}, err
	}
	em, err := parseClock(end)
	if err != nil {
		return Result{}, err
	}
	if em <= sm {
		return Result{}, &Error{Code: CodeOutsideTimeBands, Message: "the end time must be after the start time"}
	}
	r := Result{MinutesByBand: map[Band]int{}, Minutes: em - sm}
	kind := dayOf(date)
	for m := sm; m < em; m++ {
		b, ok := kind.band(m)
		if !ok {
			return Result{}, ErrOutsideTimeBands
		}
		r.MinutesByBand[b]++
	}
	// priceNum is in cents×minutes per hour, valueNum additionally in
	// hundredths of the multiplier: both exact.
	var priceNum, valueNum int64
	for _, b := range Bands {
		n := int64(r.MinutesByBand[b])
		if n == 0 {
			continue
		}
		p, ok := prices[b]
		if !ok {
			return Result{}, &Error{Code: CodeMissingPrice,
				Message: fmt.Sprintf("the provider has no price for the time band %s", b)}
		}
		priceNum += n * int64(p)
		valueNum += n * int64(baseValue) * b.Multiplier()
	}
	r.Price = data.RoundCents(priceNum, 60)
	r.Value = data.RoundCents(valueNum, 60*100)
	r.VoucherShare = min(r.Price, r.Value)
	r.CoPayment = r.Price - r.VoucherShare
	return r, nil
}

// parseClock reads "7:05", "07:05" or "07.05" as minutes after midnight
// (00:00–24:00).
func parseClock(s string) (int, error) {
	bad := &Error{Code: CodeInvalidTime, Message: fmt.Sprintf("time %q is not of the form hh:mm", s)}
	var h, m int
	i := 0
	for ; i < len(s) && i < 2 && s[i] >= '0' && s[i] <= '9'; i++ {
		h = h*10 + int(s[i]-'0')
	}
	if i == 0 || i >= len(s) || (s[i] != ':' && s[i] != '.') || len(s)-i-1 != 2 {
		return 0, bad
	}
	for _, c := range []byte(s[i+1:]) {
		if c < '0' || c > '9' {
			return 0, bad
		}
		m = m*10 + int(c-'0')
	}
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, bad
	}
	return h*60 + m, nil
}
