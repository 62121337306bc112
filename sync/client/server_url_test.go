package client

import (
	"errors"
	"testing"
)

func TestCheckServerURL(t *testing.T) {
	cases := []struct {
		url, code string
	}{
		{"https://psop.example.fi", ""},
		{"https://psop.example.fi:8443/api", ""},
		{"http://127.0.0.1:8470", ""},
		{"http://127.1.2.3", ""},
		{"http://[::1]:8470", ""},
		{"http://localhost:8470", ""},
		{"HTTP://LOCALHOST", ""},
		{"http://psop.example.fi", ServerURLInsecure},
		{"http://10.0.0.5:8470", ServerURLInsecure},
		{"http://127.0.0.1.example.fi", ServerURLInsecure},
		{"http://localhost.example.fi", ServerURLInsecure},
		{"ftp://psop.example.fi", ServerURLScheme},
		{"psop.example.fi", ServerURLScheme},
		{"", ServerURLInvalid},
		{"https://", ServerURLInvalid},
		{"https://user:secret@psop.example.fi", ServerURLCredentials},
	}
	for _, tc := range cases {
		err := CheckServerURL(tc.url)
		var se *ServerURLError
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("CheckServerURL(%q) = %v, want nil", tc.url, err)
		case tc.code != "" && (!errors.As(err, &se) || se.Code != tc.code):
			t.Errorf("CheckServerURL(%q) = %v, want code %s", tc.url, err, tc.code)
		}
		if err != nil && tc.code == ServerURLCredentials && contains(err.Error(), "secret") {
			t.Errorf("the error repeats the password: %v", err)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
