// Package jsonscan is a small validating JSON scanner over a byte slice,
// for the hot path of the change feed: the client's page decoder and the
// cache's row check read each record's bytes once with it, taking the few
// fields they need and leaving the rest as the bytes received (no copy,
// no reflection).
//
// It accepts what encoding/json's Valid accepts (RFC 8259; bytes of
// strings are not checked to be UTF-8, as encoding/json does not), nests
// at most MaxDepth deep, and records whether it met whitespace between
// tokens (Compact), so that a caller can keep bytes that are compact
// already as they are.
package jsonscan

import (
	"encoding/json"
	"errors"
	"fmt"
)

// MaxDepth bounds how deep arrays and objects may nest.
const MaxDepth = 512

// ErrSyntax is wrapped by every error of a Scanner about its input.
var ErrSyntax = errors.New("invalid JSON")

// Scanner reads JSON from a byte slice. Its zero value is not usable:
// make it with New.
type Scanner struct {
	b     []byte
	i     int
	space bool // whitespace was skipped between tokens
}

// New returns a scanner at the start of b.
func New(b []byte) *Scanner { return &Scanner{b: b} }

// Reset makes s scan b from its start.
func (s *Scanner) Reset(b []byte) { *s = Scanner{b: b} }

// Pos is the offset of the next byte to read.
func (s *Scanner) Pos() int { return s.i }

// Bytes is the input.
func (s *Scanner) Bytes() []byte { return s.b }

// Compact reports whether no whitespace was met between tokens so far.
func (s *Scanner) Compact() bool { return !s.space }

func (s *Scanner) errorf(format string, a ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, s.i, fmt.Sprintf(format, a...))
}

// ws skips whitespace.
func (s *Scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
			s.space = true
		default:
			return
		}
	}
}

// Peek skips whitespace and gives the next byte (0 at the end).
func (s *Scanner) Peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// End checks that only whitespace is left.
func (s *Scanner) End() error {
	if s.Peek() != 0 || s.i < len(s.b) {
		return s.errorf("data after the value")
	}
	return nil
}

// Null reads a null if one is next and reports whether it did.
func (s *Scanner) Null() bool {
	if s.Peek() == 'n' && s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return true
	}
	return false
}

// Object reads an object, calling fn with each member's key (the raw
// bytes between the quotes; escaped tells whether they hold a backslash
// escape, see Unquote) with the scanner at the member's value, which fn
// must read (with Skip if it does not want it).
func (s *Scanner) Object(fn func(key []byte, escaped bool) error) error {
	if s.Peek() != '{' {
		return s.errorf("want an object")
	}
	s.i++
	if s.Peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, escaped, err := s.String()
		if err != nil {
			return err
		}
		if s.Peek() != ':' {
			return s.errorf("want ':'")
		}
		s.i++
		if err := fn(key, escaped); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("want ',' or '}'")
		}
	}
}

// Array reads an array, calling fn with the scanner at each element,
// which fn must read.
func (s *Scanner) Array(fn func() error) error {
	if s.Peek() != '[' {
		return s.errorf("want an array")
	}
	s.i++
	if s.Peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := fn(); err != nil {
			return err
		}
		switch s.Peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("want ',' or ']'")
		}
	}
}

// String reads a string and gives the raw bytes between its quotes and
// whether they hold an escape (then Unquote gives the text).
func (s *Scanner) String() (raw []byte, escaped bool, err error) {
	if s.Peek() != '"' {
		return nil, false, s.errorf("want a string")
	}
	s.i++
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, nil
		case c == '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		case c < 0x20:
			return nil, false, s.errorf("control character in a string")
		default:
			s.i++
		}
	}
	return nil, false, s.errorf("unterminated string")
}

// escape reads one backslash escape.
func (s *Scanner) escape() error {
	if s.i+1 >= len(s.b) {
		return s.errorf("unterminated escape")
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return nil
	case 'u':
		if s.i+6 > len(s.b) {
			return s.errorf("short \\u escape")
		}
		for _, h := range s.b[s.i+2 : s.i+6] {
			if !isHex(h) {
				return s.errorf("bad \\u escape")
			}
		}
		s.i += 6
		return nil
	}
	return s.errorf("bad escape")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Text reads a string and gives its text (unescaped).
func (s *Scanner) Text() (string, error) {
	raw, escaped, err := s.String()
	if err != nil || !escaped {
		return string(raw), err
	}
	return Unquote(raw)
}

// Unquote gives the text of a string's raw bytes (between the quotes) as
// String read them.
func Unquote(raw []byte) (string, error) {
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	var out string
	if err := json.Unmarshal(q, &out); err != nil {
		return "", fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return out, nil
}

// Uint reads a whole number 0 or more without a fraction or exponent that
// fits in 64 bits.
func (s *Scanner) Uint() (uint64, error) {
	s.ws()
	start := s.i
	var n uint64
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		d := uint64(s.b[s.i] - '0')
		if n > (1<<64-1-d)/10 {
			return 0, s.errorf("number out of range")
		}
		n = n*10 + d
		s.i++
	}
	switch {
	case s.i == start:
		return 0, s.errorf("want a whole number 0 or more")
	case s.b[start] == '0' && s.i-start > 1:
		return 0, s.errorf("leading zero")
	case s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E'):
		return 0, s.errorf("want a whole number")
	}
	return n, nil
}

// Int reads a whole number without a fraction or exponent of at most 18
// digits (so that it fits in an int64).
func (s *Scanner) Int() (int64, error) {
	neg := s.Peek() == '-'
	if neg {
		s.i++
	}
	start := s.i
	n, err := s.Uint()
	if err == nil && s.i-start > 18 {
		err = s.errorf("number out of range")
	}
	if neg {
		return -int64(n), err
	}
	return int64(n), err
}

// Bool reads true or false.
func (s *Scanner) Bool() (bool, error) {
	switch s.Peek() {
	case 't':
		if s.i+4 <= len(s.b) && string(s.b[s.i:s.i+4]) == "true" {
			s.i += 4
			return true, nil
		}
	case 'f':
		if s.i+5 <= len(s.b) && string(s.b[s.i:s.i+5]) == "false" {
			s.i += 5
			return false, nil
		}
	}
	return false, s.errorf("want true or false")
}

// number reads a JSON number.
func (s *Scanner) number() error {
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	first := s.i
	switch n := digits(); {
	case n == 0:
		return s.errorf("bad number")
	case n > 1 && s.b[first] == '0':
		return s.errorf("leading zero")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return s.errorf("bad fraction")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return s.errorf("bad exponent")
		}
	}
	return nil
}

// Skip reads any one value and gives its bytes.
func (s *Scanner) Skip() ([]byte, error) {
	s.ws()
	start := s.i
	var stack [MaxDepth]byte // the closing bracket of each open container
	depth := 0
	expectValue := true
	for {
		if expectValue {
			switch c := s.Peek(); c {
			case '{', '[':
				if depth == MaxDepth {
					return nil, s.errorf("nested too deep")
				}
				s.i++
				closing := byte(']')
				if c == '{' {
					closing = '}'
				}
				if s.Peek() == closing {
					s.i++
					expectValue = false
					break
				}
				stack[depth] = closing
				depth++
				if c == '{' {
					if err := s.member(); err != nil {
						return nil, err
					}
				}
				continue
			case '"':
				if _, _, err := s.String(); err != nil {
					return nil, err
				}
			case 't', 'f':
				if _, err := s.Bool(); err != nil {
					return nil, err
				}
			case 'n':
				if !s.Null() {
					return nil, s.errorf("bad literal")
				}
			case 0:
				return nil, s.errorf("unexpected end")
			default:
				if c != '-' && (c < '0' || c > '9') {
					return nil, s.errorf("unexpected %q", c)
				}
				if err := s.number(); err != nil {
					return nil, err
				}
			}
			expectValue = false
		}
		if depth == 0 {
			return s.b[start:s.i], nil
		}
		switch c := s.Peek(); {
		case c == ',':
			s.i++
			if stack[depth-1] == '}' {
				if err := s.member(); err != nil {
					return nil, err
				}
			}
			expectValue = true
		case c == stack[depth-1]:
			s.i++
			depth--
		default:
			return nil, s.errorf("want ',' or %q", stack[depth-1])
		}
	}
}

// member reads an object member's key and colon.
func (s *Scanner) member() error {
	if _, _, err := s.String(); err != nil {
		return err
	}
	if s.Peek() != ':' {
		return s.errorf("want ':'")
	}
	s.i++
	return nil
}
