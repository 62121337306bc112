package client

import (
	"errors"
	"strings"

	"github.com/zalando/go-keyring"
)

// KeyRing keeps the API key of each organizer server in a store of
// secrets, never in a plain file of ours. SystemKeyRing is the operating
// system's; tests use go-keyring's MockInit with it, or a fake.
type KeyRing interface {
	// Key gives the key kept for server (its address, as CheckServerURL
	// accepts it), or a *KeyRingError: KeyRingNoKey when none is kept,
	// KeyRingUnavailable when the system has no keyring.
	Key(server string) (string, error)
	// SetKey keeps key for server, replacing an earlier one; a
	// *KeyRingError of KeyRingUnavailable when the system has no keyring.
	SetKey(server, key string) error
	// DeleteKey forgets server's key (none kept: nil).
	DeleteKey(server string) error
}

// Codes of a KeyRingError.
const (
	// KeyRingUnavailable: the system has no keyring the program can use
	// (on Linux no D-Bus Secret Service, e.g. a headless machine).
	KeyRingUnavailable = "keyring_unavailable"
	// KeyRingNoKey: the keyring holds no key for the server.
	KeyRingNoKey = "keyring_no_key"
)

// KeyRingError is a keyring that gives or keeps no key. Err is the
// system's detail, for the log; it never holds the key.
type KeyRingError struct {
	Code string
	Err  error
}

// Error is English, for logs.
func (e *KeyRingError) Error() string {
	if e.Err == nil {
		return "keyring: " + e.Code
	}
	return "keyring: " + e.Code + ": " + e.Err.Error()
}

// Unwrap gives the detail.
func (e *KeyRingError) Unwrap() error { return e.Err }

// KeyRingService is the service name the keys are kept under in the
// system's keyring; the user name is the server's address.
const KeyRingService = "psopdesk"

// SystemKeyRing is the operating system's keyring (github.com/zalando/
// go-keyring): the Secret Service on Linux, the Keychain on macOS, the
// Credential Manager on Windows.
type SystemKeyRing struct{}

var _ KeyRing = SystemKeyRing{}

// keyRingUser names server's entry: the address without a trailing
// slash, so "https://x/" and "https://x" share one key.
func keyRingUser(server string) string { return strings.TrimRight(strings.TrimSpace(server), "/") }

// Key implements KeyRing.
func (SystemKeyRing) Key(server string) (string, error) {
	k, err := keyring.Get(KeyRingService, keyRingUser(server))
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", &KeyRingError{Code: KeyRingNoKey}
	case err != nil:
		return "", &KeyRingError{Code: KeyRingUnavailable, Err: err}
	case strings.TrimSpace(k) == "":
		return "", &KeyRingError{Code: KeyRingNoKey}
	}
	return strings.TrimSpace(k), nil
}

// SetKey implements KeyRing.
func (SystemKeyRing) SetKey(server, key string) error {
	if err := keyring.Set(KeyRingService, keyRingUser(server), key); err != nil {
		return &KeyRingError{Code: KeyRingUnavailable, Err: err}
	}
	return nil
}

// DeleteKey implements KeyRing.
func (SystemKeyRing) DeleteKey(server string) error {
	err := keyring.Delete(KeyRingService, keyRingUser(server))
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return &KeyRingError{Code: KeyRingUnavailable, Err: err}
	}
	return nil
}
