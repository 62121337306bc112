package timeband

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"testing"

	"psopdesk/data"
)

type fixture struct {
	BaseValue int64 `json:"base_value_cents_per_hour"`
	Bands     []struct {
		Band       Band   `json:"band"`
		Multiplier string `json:"multiplier"`
	} `json:"bands"`
	Prices map[Band]data.Cents `json:"provider_price_cents_per_hour"`
	Cases  []struct {
		About         string       `json:"about"`
		Date          data.Date    `json:"date"`
		Start         string       `json:"start"`
		End           string       `json:"end"`
		Error         string       `json:"error"`
		MinutesByBand map[Band]int `json:"minutes_by_band"`
		Price         data.Cents   `json:"price_cents"`
		VoucherShare  data.Cents   `json:"voucher_share_cents"`
		CoPayment     data.Cents   `json:"co_payment_cents"`
	} `json:"cases"`
}

func loadFixture(t testing.TB) fixture {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fixtures/time-bands.json")
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("fixture has no cases")
	}
	return f
}

func TestFixtureMultipliers(t *testing.T) {
	f := loadFixture(t)
	if len(f.Bands) != len(Bands) {
		t.Fatalf("fixture has %d bands, package %d", len(f.Bands), len(Bands))
	}
	for i, fb := range f.Bands {
		q, err := data.ParseQuantity(fb.Multiplier) // hundredths, as Multiplier
		if err != nil {
			t.Fatal(err)
		}
		if Bands[i] != fb.Band || Bands[i].Multiplier() != int64(q) {
			t.Errorf("band %d = %s ×%d, fixture %s ×%s", i, Bands[i], Bands[i].Multiplier(), fb.Band, fb.Multiplier)
		}
	}
}

func TestFixtureCases(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.Cases {
		t.Run(c.About, func(t *testing.T) {
			r, err := Compute(c.Date, c.Start, c.End, data.Cents(f.BaseValue), f.Prices)
			if c.Error != "" {
				var te *Error
				if !errors.As(err, &te) || te.Code != c.Error {
					t.Fatalf("err = %v, want code %s", err, c.Error)
				}
				if !errors.Is(err, ErrOutsideTimeBands) {
					t.Errorf("errors.Is(err, ErrOutsideTimeBands) = false")
				}
				return
			}
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			if !maps.Equal(r.MinutesByBand, c.MinutesByBand) {
				t.Errorf("minutes by band = %v, want %v", r.MinutesByBand, c.MinutesByBand)
			}
			if r.Price != c.Price || r.VoucherShare != c.VoucherShare || r.CoPayment != c.CoPayment {
				t.Errorf("price/voucher/co-payment = %d/%d/%d, want %d/%d/%d",
					r.Price, r.VoucherShare, r.CoPayment, c.Price, c.VoucherShare, c.CoPayment)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	prices := map[Band]data.Cents{WeekdayDay: 4200}
	monday := data.NewDate(2026, 11, 30)
	tests := []struct {
		start, end, code string
	}{
		{"10:00", "09:00", CodeOutsideTimeBands},
		{"10:00", "10:00", CodeOutsideTimeBands},
		{"21:00", "22:01", CodeOutsideTimeBands},
		{"06:59", "08:00", CodeOutsideTimeBands},
		{"10", "11:00", CodeInvalidTime},
		{"10:00", "11:5", CodeInvalidTime},
		{"10:60", "11:00", CodeInvalidTime},
		{"25:00", "26:00", CodeInvalidTime},
		{"", "11:00", CodeInvalidTime},
		{"17:00", "19:00", CodeMissingPrice}, // no weekday_evening price
	}
	for _, tt := range tests {
		_, err := Compute(monday, tt.start, tt.end, 3600, prices)
		var te *Error
		if !errors.As(err, &te) || te.Code != tt.code {
			t.Errorf("Compute(%s–%s) err = %v, want code %s", tt.start, tt.end, err, tt.code)
		}
	}
}

func TestComputeEdges(t *testing.T) {
	prices := map[Band]data.Cents{WeekdayDay: 4200, WeekdayEvening: 4800, SaturdayDay: 5000,
		SaturdayOrEveEvening: 8000, SundayOrHoliday: 8000}
	tests := []struct {
		about      string
		date       data.Date
		start, end string
		want       map[Band]int
	}{
		{"whole weekday 7–22", data.NewDate(2026, 11, 30), "7:00", "22.00",
			map[Band]int{WeekdayDay: 660, WeekdayEvening: 240}},
		{"Christmas Eve is no holiday, its evening is an eve", data.NewDate(2026, 12, 24), "17:00", "19:00",
			map[Band]int{WeekdayDay: 60, SaturdayOrEveEvening: 60}},
		{"Midsummer Eve (Fri) evening is the eve of Juhannuspäivä", data.NewDate(2026, 6, 19), "17:30", "18:30",
			map[Band]int{WeekdayDay: 30, SaturdayOrEveEvening: 30}},
		{"Juhannuspäivä is a holiday though a Saturday", data.NewDate(2026, 6, 20), "10:00", "11:00",
			map[Band]int{SundayOrHoliday: 60}},
		{"Vappu", data.NewDate(2026, 5, 1), "08:00", "09:00", map[Band]int{SundayOrHoliday: 60}},
		{"Wednesday evening, eve of Helatorstai", data.NewDate(2026, 5, 13), "20:00", "21:00",
			map[Band]int{SaturdayOrEveEvening: 60}},
	}
	for _, tt := range tests {
		r, err := Compute(tt.date, tt.start, tt.end, 3600, prices)
		if err != nil {
			t.Errorf("%s: %v", tt.about, err)
			continue
		}
		if !maps.Equal(r.MinutesByBand, tt.want) {
			t.Errorf("%s: minutes = %v, want %v", tt.about, r.MinutesByBand, tt.want)
		}
	}
}

func TestVoucherShareCappedByValue(t *testing.T) {
	// A provider cheaper than the voucher value: the voucher pays the price.
	prices := map[Band]data.Cents{WeekdayDay: 3000}
	r, err := Compute(data.NewDate(2026, 11, 30), "08:00", "09:00", 3600, prices)
	if err != nil {
		t.Fatal(err)
	}
	if r.Price != 3000 || r.Value != 3600 || r.VoucherShare != 3000 || r.CoPayment != 0 {
		t.Errorf("got %+v", r)
	}
}

func TestHolidays(t *testing.T) {
	tests := []struct {
		date data.Date
		want string
	}{
		{data.NewDate(2026, 1, 1), "Uudenvuodenpäivä"},
		{data.NewDate(2026, 1, 6), "Loppiainen"},
		{data.NewDate(2026, 4, 3), "Pitkäperjantai"},
		{data.NewDate(2026, 4, 5), "Pääsiäispäivä"},
		{data.NewDate(2026, 4, 6), "2. pääsiäispäivä"},
		{data.NewDate(2026, 5, 1), "Vappu"},
		{data.NewDate(2026, 5, 14), "Helatorstai"},
		{data.NewDate(2026, 5, 24), "Helluntaipäivä"},
		{data.NewDate(2026, 6, 20), "Juhannuspäivä"},
		{data.NewDate(2027, 6, 26), "Juhannuspäivä"},
		{data.NewDate(2026, 10, 31), "Pyhäinpäivä"},
		{data.NewDate(2027, 11, 6), "Pyhäinpäivä"},
		{data.NewDate(2026, 12, 6), "Itsenäisyyspäivä"},
		{data.NewDate(2026, 12, 25), "Joulupäivä"},
		{data.NewDate(2026, 12, 26), "Tapaninpäivä"},
		{data.NewDate(2027, 3, 26), "Pitkäperjantai"},
		{data.NewDate(2026, 12, 24), ""}, // jouluaatto: customary, not by law
		{data.NewDate(2026, 6, 19), ""},  // juhannusaatto
		{data.NewDate(2026, 11, 1), ""},  // Sunday after Pyhäinpäivä
		{data.NewDate(2026, 6, 6), ""},   // Swedish National Day is not Finnish
		{data.NewDate(2026, 11, 30), ""},
	}
	for _, tt := range tests {
		if got := Holiday(tt.date); got != tt.want {
			t.Errorf("Holiday(%s) = %q, want %q", tt.date, got, tt.want)
		}
	}
}

func TestBandValue(t *testing.T) {
	want := map[Band]data.Cents{WeekdayDay: 3600, WeekdayEvening: 4140, SaturdayDay: 4320,
		SaturdayOrEveEvening: 7200, SundayOrHoliday: 7200}
	for b, v := range want {
		if got := b.Value(3600); got != v {
			t.Errorf("%s.Value(3600) = %d, want %d", b, got, v)
		}
	}
}

func BenchmarkCompute(b *testing.B) {
	prices := map[Band]data.Cents{WeekdayDay: 4200, WeekdayEvening: 4800, SaturdayDay: 5000,
		SaturdayOrEveEvening: 8000, SundayOrHoliday: 8000}
	d := data.NewDate(2026, 11, 30)
	for b.Loop() {
		if _, err := Compute(d, "07:00", "22:00", 3600, prices); err != nil {
			b.Fatal(err)
		}
	}
}
