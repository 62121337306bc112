package client

import (
	"net"
	"net/url"
	"strings"
)

// Codes of a ServerURLError.
const (
	// ServerURLInvalid: not an address (empty, no host, not a URL).
	ServerURLInvalid = "server_url_invalid"
	// ServerURLScheme: neither https:// nor http://.
	ServerURLScheme = "server_url_scheme"
	// ServerURLInsecure: plain http:// to a host other than this machine.
	ServerURLInsecure = "server_url_insecure"
	// ServerURLCredentials: a user name or password in the address (it
	// would end up in logs); the key goes in the API key.
	ServerURLCredentials = "server_url_credentials"
)

// ServerURLError is an organizer address CheckServerURL refuses. URL is
// the address as given (it holds no secret: one with credentials is
// refused without repeating them).
type ServerURLError struct {
	Code string
	URL  string
}

// Error is English, for logs.
func (e *ServerURLError) Error() string {
	if e.Code == ServerURLCredentials {
		return "server address: " + e.Code
	}
	return "server address " + e.URL + ": " + e.Code
}

// CheckServerURL checks an organizer address before anything is sent to
// it (DOMAIN.md §8, issue 9): https:// with a host (the certificate is
// checked against the system's roots when connecting), or plain http://
// only to this machine: localhost or a loopback address (127.0.0.0/8,
// ::1). It gives a *ServerURLError with a code, nil when the address may
// be used. No name is looked up.
func CheckServerURL(raw string) error {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return &ServerURLError{Code: ServerURLInvalid, URL: raw}
	}
	if u.User != nil {
		return &ServerURLError{Code: ServerURLCredentials}
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if u.Hostname() != "" && !IsLoopbackHost(u.Hostname()) {
			return &ServerURLError{Code: ServerURLInsecure, URL: raw}
		}
	default:
		return &ServerURLError{Code: ServerURLScheme, URL: raw}
	}
	if u.Hostname() == "" || u.Opaque != "" {
		return &ServerURLError{Code: ServerURLInvalid, URL: raw}
	}
	return nil
}

// IsLoopbackHost reports whether host (no port; an IPv6 address without
// brackets) is this machine: "localhost" (or a name under .localhost), an
// address in 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
