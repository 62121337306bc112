// Package hetu reads the Finnish personal identity code (henkilötunnus,
// "hetu") in the form DDMMYYCZZZQ (source: dvv.fi/hetu-uudistus; rules in
// shared/spec/DOMAIN.md §3).
//
// The henkilötunnus is personal data: it never goes into a log, a file name,
// a PDF or an error message. The errors of this package are Finnish
// sentences for the user and never repeat the code; a Hetu logged through
// log/slog prints as "[hetu]".
package hetu

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"

	"psopdesk/data"
)

// checkChars is indexed by DDMMYYZZZ mod 31 to give the check character.
const checkChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Reasons an input is not a henkilötunnus: the first rule it breaks, in the
// order the rules are checked.
const (
	ReasonFormat     = "format"     // not 11 characters, or a non-digit where digits belong
	ReasonCentury    = "century"    // 7th character is not a century sign
	ReasonDate       = "date"       // the birth date does not exist
	ReasonIndividual = "individual" // individual number 000 or 001
	ReasonChecksum   = "checksum"   // the check character does not match
)

// Error tells why a text is not a valid henkilötunnus. Reason is one of the
// Reason constants (the UI turns it into a sentence in the user's
// language); Error() is English, for logs, and never contains the code
// itself.
type Error struct {
	Reason string
}

func (e *Error) Error() string {
	switch e.Reason {
	case ReasonCentury:
		return "henkilötunnus: invalid century sign"
	case ReasonDate:
		return "henkilötunnus: no such birth date"
	case ReasonIndividual:
		return "henkilötunnus: invalid individual number"
	case ReasonChecksum:
		return "henkilötunnus: check character does not match"
	default:
		return "henkilötunnus: not of the form DDMMYYCZZZQ"
	}
}

// Hetu is a valid henkilötunnus. The zero Hetu is "none" (String is "").
// Two codes that differ only in the century sign of the same century
// (100190-999P and 100190Y999P) are different people and different Hetus.
type Hetu struct {
	code  string // canonical, 11 characters
	birth data.Date
	ind   int // individual number ZZZ, 2–999
}

// Parse reads s as a henkilötunnus. Input noise is normalised first: all
// white space is removed, letters are upper-cased and dash-like characters
// (en dash, minus sign …) become "-". Rules (DOMAIN.md §3): century sign +
// (1800s), - Y X W V U (1900s), A B C D E F (2000s); the date must exist;
// individual number 002–999 (900–999 are temporary codes); check character
// DDMMYYZZZ mod 31. The error is an *Error whose Reason names the first
// broken rule.
func Parse(s string) (Hetu, error) {
	c := normalize(s)
	if len(c) != 11 || !digits(c[0:6]) || !digits(c[7:10]) {
		return Hetu{}, &Error{Reason: ReasonFormat}
	}
	century, ok := centuryOf(c[6])
	if !ok {
		return Hetu{}, &Error{Reason: ReasonCentury}
	}
	dd, mm, yy := atoi(c[0:2]), atoi(c[2:4]), atoi(c[4:6])
	birth := data.NewDate(century+yy, time.Month(mm), dd)
	if birth.Day != dd || int(birth.Month) != mm || birth.Year != century+yy {
		return Hetu{}, &Error{Reason: ReasonDate}
	}
	ind := atoi(c[7:10])
	if ind < 2 {
		return Hetu{}, &Error{Reason: ReasonIndividual}
	}
	n := atoi(c[0:6])*1000 + ind
	if c[10] != checkChars[n%31] {
		return Hetu{}, &Error{Reason: ReasonChecksum}
	}
	return Hetu{code: c, birth: birth, ind: ind}, nil
}

// New builds the henkilötunnus of a person born on birth with century sign
// sign (which must stand for birth's century) and individual number
// individual (2–999; 900–999 are temporary codes), check character included
// (DOMAIN.md §3). It errors with an *Error when a part does not fit.
func New(birth data.Date, sign byte, individual int) (Hetu, error) {
	century, ok := centuryOf(sign)
	if !ok || birth.Year < century || birth.Year >= century+100 {
		return Hetu{}, &Error{Reason: ReasonCentury}
	}
	if individual < 2 || individual > 999 {
		return Hetu{}, &Error{Reason: ReasonIndividual}
	}
	n := (birth.Day*10000+int(birth.Month)*100+birth.Year%100)*1000 + individual
	code := fmt.Sprintf("%02d%02d%02d%c%03d%c", birth.Day, int(birth.Month), birth.Year%100, sign, individual, checkChars[n%31])
	return Parse(code)
}

// Valid reports whether s is a valid henkilötunnus after normalisation.
func Valid(s string) bool {
	_, err := Parse(s)
	return err == nil
}

// Looks reports whether a search text looks like a henkilötunnus rather than
// a name or a voucher number: after normalisation it has 11 characters, six
// digits and a century sign in the 7th place. It does not validate; use it
// to choose the kind of search, then Parse.
func Looks(s string) bool {
	c := normalize(s)
	if len(c) != 11 || !digits(c[0:6]) {
		return false
	}
	_, ok := centuryOf(c[6])
	return ok
}

// String is the canonical code, e.g. "131052-308T"; "" for the zero Hetu.
// Personal data: do not log it.
func (h Hetu) String() string { return h.code }

// LogValue keeps the code out of logs written through log/slog.
func (h Hetu) LogValue() slog.Value { return slog.StringValue("[hetu]") }

// IsZero reports whether h is the zero Hetu.
func (h Hetu) IsZero() bool { return h.code == "" }

// BirthDate is the date of birth the code carries.
func (h Hetu) BirthDate() data.Date { return h.birth }

// Male reports whether the individual number is odd (men); even is women.
func (h Hetu) Male() bool { return h.ind%2 == 1 }

// Temporary reports whether this is a temporary code (individual number
// 900–999), given e.g. before a permanent one exists.
func (h Hetu) Temporary() bool { return h.ind >= 900 }

// normalize removes white space, upper-cases letters and turns dash-like
// characters into "-".
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2212':
			b.WriteByte('-')
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}

// centuryOf returns the first year of the century the sign stands for.
func centuryOf(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi reads a string of ASCII digits (checked by the caller).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// shape finds what could be a henkilötunnus in a text: DDMMYY, a century
// sign, three digits and a check character; Valid decides.
var shape = regexp.MustCompile(`(?i)[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]`)

// InText reports whether text holds a valid henkilötunnus (a free-text
// note or explanation must not: personal data).
func InText(text string) bool {
	for _, m := range shape.FindAllString(text, -1) {
		if Valid(m) {
			return true
		}
	}
	return false
}

// Redact replaces each valid henkilötunnus in text with repl.
func Redact(text, repl string) string {
	if !shape.MatchString(text) {
		return text
	}
	return shape.ReplaceAllStringFunc(text, func(m string) string {
		if Valid(m) {
			return repl
		}
		return m
	})
}
