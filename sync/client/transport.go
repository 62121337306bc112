package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Timeouts of the connection to the server.
const (
	// ConnectTimeout bounds making the TCP connection: a server that
	// cannot be reached in that time is reported as no connection.
	ConnectTimeout = 5 * time.Second
	// IdleTimeout bounds each wait for the server once connected (the TLS
	// handshake, the reply's headers, each read of its body): a server
	// that accepts the connection and then hangs is reported within it,
	// as a server that does not answer (NoAnswer), and is not retried at
	// once.
	IdleTimeout = 15 * time.Second
	// MaxRetryAfter is the longest Retry-After (of a 429 or 503 reply)
	// that a request waits for itself before trying again; a longer one
	// ends the request with a Busy error whose RetryAfter the Engine waits.
	MaxRetryAfter = 10 * time.Second
)

// newTransport is the HTTP transport of a Client: the system's proxy
// settings and root certificates, ConnectTimeout to connect, IdleTimeout
// for every wait after.
func newTransport() *http.Transport { return newTransportIdle(IdleTimeout) }

// newTransportIdle is newTransport with another idle timeout (tests).
func newTransportIdle(idle time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &idleConn{Conn: c, idle: idle}, nil
		},
		TLSHandshakeTimeout:   idle,
		ResponseHeaderTimeout: idle,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
}

// idleConn is a connection whose every read and write must make progress
// within idle.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func (c *idleConn) Write(b []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.idle)); err != nil {
		return 0, err
	}
	return c.Conn.Write(b)
}

// transportError classifies a request that got no reply: the caller's
// cancellation, a reply body over the limit (BadReply), a server that was
// reached but did not answer in time (NoAnswer), or no connection
// (Unreachable).
func transportError(ctx context.Context, err error) *Error {
	switch {
	case ctx.Err() != nil:
		return &Error{Kind: Canceled, Err: ctx.Err()}
	case errors.Is(err, resty.ErrResponseBodyTooLarge):
		return &Error{Kind: BadReply, Err: err}
	case connected(err) && timedOut(err):
		return &Error{Kind: NoAnswer, Err: err}
	}
	return &Error{Kind: Unreachable, Err: err}
}

// timedOut reports whether err is a timeout.
func timedOut(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// connected reports whether err came after the connection was made (not
// while dialling).
func connected(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	return true
}

// retryCondition tells resty which requests to try again: no connection
// (not a timeout once connected: a hung server is reported, not waited
// for again), a 5xx reply, and a 429 or 503 whose Retry-After is at most
// MaxRetryAfter; never another 4xx, never a canceled request.
func retryCondition(r *resty.Response, err error) bool {
	if r != nil && r.Request != nil && r.Request.Context().Err() != nil {
		return false
	}
	if err != nil {
		return !errors.Is(err, resty.ErrResponseBodyTooLarge) && !(connected(err) && timedOut(err))
	}
	switch code := r.StatusCode(); {
	case code == http.StatusTooManyRequests:
		d, ok := retryAfter(r.Header(), time.Now())
		return !ok || d <= MaxRetryAfter
	case code == http.StatusServiceUnavailable:
		d, ok := retryAfter(r.Header(), time.Now())
		return !ok || d <= MaxRetryAfter
	case code >= 500:
		return true
	}
	return false
}

// retryWait is resty's RetryAfter callback: the reply's Retry-After when
// it has one (resty caps it at the client's longest retry wait), else 0
// (resty's capped exponential backoff with jitter).
func retryWait(_ *resty.Client, r *resty.Response) (time.Duration, error) {
	if d, ok := retryAfter(r.Header(), time.Now()); ok {
		return max(d, time.Millisecond), nil
	}
	return 0, nil
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3), as the wait from now; ok is false without a valid
// one.
func retryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// statusFailure is the *Error of a reply status that is not the contract's
// answer: 401/403 Unauthorized; 429 and 503 Busy (with the reply's
// Retry-After); any other Server.
func statusFailure(resp *resty.Response) *Error {
	switch code := resp.StatusCode(); code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &Error{Kind: Unauthorized, Err: replyError(resp)}
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		err := replyError(resp)
		if d, ok := retryAfter(resp.Header(), time.Now()); ok {
			err = waitError{err, d}
		}
		return &Error{Kind: Busy, Err: err}
	}
	return &Error{Kind: Server, Err: replyError(resp)}
}
