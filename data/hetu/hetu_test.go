package hetu

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"

	"psopdesk/data"
)

type fixture struct {
	Valid []struct {
		Code      string `json:"code"`
		Note      string `json:"note"`
		Temporary *bool  `json:"temporary"`
	} `json:"valid"`
	Invalid []struct {
		Code   string `json:"code"`
		Reason string `json:"reason"`
	} `json:"invalid"`
}

func loadFixture(t testing.TB) fixture {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/hetu.json")
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(f.Valid) == 0 || len(f.Invalid) == 0 {
		t.Fatal("fixture has no cases")
	}
	return f
}

func TestFixtureValid(t *testing.T) {
	for _, c := range loadFixture(t).Valid {
		t.Run(c.Code, func(t *testing.T) {
			h, err := Parse(c.Code)
			if err != nil {
				t.Fatalf("Parse: %v (%s)", err, c.Note)
			}
			if h.String() != c.Code {
				t.Errorf("String() = %q, want %q", h.String(), c.Code)
			}
			// The fixture marks "temporary" only where its note is about it;
			// DVV's other test codes use 900–999 too (DOMAIN.md §3: temporary).
			if c.Temporary != nil && h.Temporary() != *c.Temporary {
				t.Errorf("Temporary() = %v, want %v", h.Temporary(), *c.Temporary)
			}
			if !Looks(c.Code) {
				t.Errorf("Looks(%q) = false", c.Code)
			}
		})
	}
}

func TestFixtureInvalid(t *testing.T) {
	for _, c := range loadFixture(t).Invalid {
		t.Run(c.Code, func(t *testing.T) {
			_, err := Parse(c.Code)
			var he *Error
			if !errors.As(err, &he) {
				t.Fatalf("Parse error = %v, want *Error", err)
			}
			if he.Reason != c.Reason {
				t.Errorf("Reason = %q, want %q", he.Reason, c.Reason)
			}
			assertNoCode(t, err.Error(), c.Code)
		})
	}
}

// assertNoCode fails when msg repeats code or any 6+ character piece of it.
func assertNoCode(t *testing.T, msg, code string) {
	t.Helper()
	for i := 0; i+6 <= len(code); i++ {
		if strings.Contains(msg, code[i:i+6]) {
			t.Errorf("message %q contains part of the code", msg)
			return
		}
	}
}

func TestParseReasonsAndMessages(t *testing.T) {
	tests := []struct {
		in, reason, msgHas string
	}{
		{"", ReasonFormat, "DDMMYYCZZZQ"},
		{"131052-308", ReasonFormat, "DDMMYYCZZZQ"},
		{"131052-308TT", ReasonFormat, "DDMMYYCZZZQ"},
		{"13105x-308T", ReasonFormat, "DDMMYYCZZZQ"},
		{"131052-3O8T", ReasonFormat, "DDMMYYCZZZQ"},
		{"Ahonen-Mäki", ReasonFormat, "DDMMYYCZZZQ"},
		{"131052G308T", ReasonCentury, "century sign"},
		{"131052*308T", ReasonCentury, "century sign"},
		{"290223-308T", ReasonDate, "birth date"}, // 29.2.1923 does not exist
		{"001052-308T", ReasonDate, "birth date"},
		{"131352-308T", ReasonDate, "birth date"},
		{"131052-001T", ReasonIndividual, "individual number"},
		{"131052-308U", ReasonChecksum, "check character"},
		{"131052Y308T", "", ""},    // same check character for every 1900s sign
		{"131052A308T", "", ""},    // and for 2000s: the check covers digits only
		{"290200A002C", "", ""},    // 29.2.2000 exists
		{"131052-308t", "", ""},    // lower case is noise
		{" 131052 -308T ", "", ""}, // spaces are noise
		{"131052–308T", "", ""},    // en dash pasted from a document
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tt.in, err)
				}
				return
			}
			var he *Error
			if !errors.As(err, &he) || he.Reason != tt.reason {
				t.Fatalf("Parse(%q) = %v, want reason %q", tt.in, err, tt.reason)
			}
			if !strings.Contains(err.Error(), tt.msgHas) {
				t.Errorf("message %q lacks %q", err.Error(), tt.msgHas)
			}
			assertNoCode(t, err.Error(), strings.ToUpper(strings.TrimSpace(tt.in)))
		})
	}
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		in        string
		canonical string
		birth     data.Date
		male      bool
		temporary bool
	}{
		{"131052-308t", "131052-308T", data.NewDate(1952, 10, 13), false, false},
		{"280291+923X", "280291+923X", data.NewDate(1891, 2, 28), true, true},
		{"010516B903X", "010516B903X", data.NewDate(2016, 5, 1), true, true},
		{"010594y9021", "010594Y9021", data.NewDate(1994, 5, 1), false, true},
	}
	for _, tt := range tests {
		h, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if h.String() != tt.canonical || h.BirthDate() != tt.birth || h.Male() != tt.male || h.Temporary() != tt.temporary {
			t.Errorf("Parse(%q) = %s born %s male %v temporary %v; want %s born %s male %v temporary %v",
				tt.in, h, h.BirthDate(), h.Male(), h.Temporary(), tt.canonical, tt.birth, tt.male, tt.temporary)
		}
	}
}

func TestCenturySignIsPartOfIdentity(t *testing.T) {
	a, errA := Parse("100190-999P")
	b, errB := Parse("100190Y999P")
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a == b || a.String() == b.String() {
		t.Errorf("%s and %s compare equal", a, b)
	}
	if a.BirthDate() != b.BirthDate() {
		t.Errorf("birth dates differ: %s, %s", a.BirthDate(), b.BirthDate())
	}
}

func TestLooks(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"131052-308T", true},
		{"131052-308", false},
		{" 131052 a308x ", true}, // looks like one, though invalid: Parse tells why
		{"131052G308T", false},
		{"Ahonen-Mäki", false},
		{"Virtanen", false},
		{"400123456", false}, // voucher number
		{"", false},
	}
	for _, tt := range tests {
		if got := Looks(tt.in); got != tt.want {
			t.Errorf("Looks(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestSlogRedacts(t *testing.T) {
	h, err := Parse("131052-308T")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("found", "hetu", h)
	if strings.Contains(buf.String(), "131052") {
		t.Errorf("log line carries the code: %s", buf.String())
	}
}

func BenchmarkHetuParse(b *testing.B) {
	codes := []string{"131052-308T", "010594Y9021", " 020516c902j ", "020146-450A"}
	for i := 0; b.Loop(); i++ {
		_, _ = Parse(codes[i%len(codes)])
	}
}

// TestNewRebuildsFixture: New, given a valid code's birth date, century
// sign and individual number, makes that very code (its check character).
func TestNewRebuildsFixture(t *testing.T) {
	for _, c := range loadFixture(t).Valid {
		h, err := Parse(c.Code)
		if err != nil {
			t.Fatal(err)
		}
		ind := int(c.Code[7]-'0')*100 + int(c.Code[8]-'0')*10 + int(c.Code[9]-'0')
		got, err := New(h.BirthDate(), c.Code[6], ind)
		if err != nil || got.String() != c.Code {
			t.Errorf("New(%s, %c, %03d) = %v, %v", h.BirthDate(), c.Code[6], ind, got, err)
		}
	}
	if _, err := New(data.NewDate(1994, 5, 1), 'A', 902); err == nil {
		t.Error("New with a 2000s sign for a 1994 birth date: want an error")
	}
	if _, err := New(data.NewDate(1994, 5, 1), 'Y', 1); err == nil {
		t.Error("New with individual number 001: want an error")
	}
}
