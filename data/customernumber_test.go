package data

import (
	"errors"
	"testing"
)

func TestParseCustomerNumber(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"A-1001", "A-1001", ""},
		{"  77-042 ", "77-042", ""},
		{"Å/12.3_x", "Å/12.3_x", ""},
		{"A\u030a1", "Å1", ""}, // decomposed Å is stored composed
		{"", "", CodeCustomerNumberEmpty},
		{"   ", "", CodeCustomerNumberEmpty},
		{"123456789012345678901", "", CodeCustomerNumberTooLong},
		{"12345678901234567890", "12345678901234567890", ""},
		{"A 1001", "", CodeCustomerNumberChars},
		{"A;1", "", CodeCustomerNumberChars},
		{"<b>", "", CodeCustomerNumberChars},
	}
	for _, tt := range tests {
		got, err := ParseCustomerNumber(tt.in)
		var de *Error
		switch {
		case tt.code == "" && (err != nil || got != tt.want):
			t.Errorf("ParseCustomerNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.code != "" && (!errors.As(err, &de) || de.Code != tt.code):
			t.Errorf("ParseCustomerNumber(%q) error %v; want code %s", tt.in, err, tt.code)
		}
	}
	if CustomerNumberKey(" a-1001 ") != CustomerNumberKey("A-1001") {
		t.Error("a-1001 and A-1001 are not the same number")
	}
}
