package validate

import (
	"errors"
	"testing"

	"psopdesk/data"
)

func TestCustomerNumber(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"A-1001", "A-1001", ""},
		{"  77-042 ", "77-042", ""},
		{"Å/12.3_x", "Å/12.3_x", ""},
		{"A\u030a1", "Å1", ""}, // decomposed Å is stored composed
		{"", "", data.CodeCustomerNumberEmpty},
		{"   ", "", data.CodeCustomerNumberEmpty},
		{"123456789012345678901", "", data.CodeCustomerNumberTooLong},
		{"12345678901234567890", "12345678901234567890", ""},
		{"A 1001", "", data.CodeCustomerNumberChars},
		{"A;1", "", data.CodeCustomerNumberChars},
		{"<b>", "", data.CodeCustomerNumberChars},
		{"010594Y9021", "", data.CodeCustomerNumberHetu},  // valid
		{" 010594y9021", "", data.CodeCustomerNumberHetu}, // lower case, spaces
		{"010594-9022", "", data.CodeCustomerNumberHetu},  // wrong check character: still one
		{"220830Y912T", "", data.CodeCustomerNumberHetu},
		{"0105941-9021", "0105941-9021", ""}, // not of that shape
	}
	for _, tt := range tests {
		got, err := CustomerNumber(tt.in)
		var de *data.Error
		switch {
		case tt.code == "" && (err != nil || got != tt.want):
			t.Errorf("CustomerNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.code != "" && (!errors.As(err, &de) || de.Code != tt.code):
			t.Errorf("CustomerNumber(%q) error %v; want code %s", tt.in, err, tt.code)
		}
	}
	if data.CustomerNumberKey(" a-1001 ") != data.CustomerNumberKey("A-1001") {
		t.Error("a-1001 and A-1001 are not the same number")
	}
}
