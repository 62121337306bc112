package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"psopdesk/sync/wire"
)

// KeyExpiry asks the server when the client's API key expires (GET
// /v1/key, wire.KeyInfo). A server that does not tell (404, an older
// organizer) gives the zero time and no error; a refused key an *Error of
// Kind Unauthorized; other failures an *Error as a pull's.
func (cl *Client) KeyExpiry(ctx context.Context) (time.Time, error) {
	resp, err := cl.http.R().SetContext(ctx).Get(wire.PathKey)
	if err != nil {
		if ctx.Err() != nil {
			return time.Time{}, &Error{Canceled, ctx.Err()}
		}
		return time.Time{}, &Error{Unreachable, err}
	}
	switch code := resp.StatusCode(); {
	case code == http.StatusNotFound:
		return time.Time{}, nil
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return time.Time{}, &Error{Unauthorized, replyError(resp)}
	case code != http.StatusOK:
		return time.Time{}, &Error{Server, replyError(resp)}
	}
	var info wire.KeyInfo
	if err := json.Unmarshal(resp.Body(), &info); err != nil {
		return time.Time{}, &Error{BadReply, fmt.Errorf("reply is not key info: %w", err)}
	}
	return info.Expires, nil
}

// KeyExpiryWarning is how near its expiry an API key is warned about
// (issue 9: within 30 days).
const KeyExpiryWarning = 30 * 24 * time.Hour

// ExpiresSoon reports whether a key expiring at expires (zero: not known)
// should be warned about at now: it expires within KeyExpiryWarning.
func ExpiresSoon(expires, now time.Time) bool {
	return !expires.IsZero() && expires.Sub(now) <= KeyExpiryWarning
}
