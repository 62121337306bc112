package data

import "testing"

func TestValidBusinessID(t *testing.T) {
	for _, c := range []struct {
		id    string
		valid bool
	}{
		{"0112038-9", true}, {"1234567-1", true}, {"1234567-2", false}, {"1572860-0", true},
		{"0000001-9", true}, {"0000006-0", false}, {"0000006-1", false}, {"123456-1", false}, {"12345678", false},
		{"123456a-1", false},
	} {
		if got := ValidBusinessID(c.id); got != c.valid {
			t.Errorf("ValidBusinessID(%s) = %v, want %v", c.id, got, c.valid)
		}
	}
}
