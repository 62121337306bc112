// Package client is PSOP Desk's side of the wire contract (package
// psopdesk/sync/wire): the HTTP client (resty) that pushes the outbox's
// commands and pulls the change feed into the local cache, and the Engine
// that runs push-then-pull, one run at a time, with retries.
//
// Errors are values: *Error with an ErrorKind, whose Error() is English
// for logs; the window and the CLI turn the kind into a sentence in the
// user's language.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"psopdesk/sync/wire"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"psopdesk/data/cache"
)

// Timeouts and retries of the client.
const (
	// RequestTimeout bounds one HTTP request, connection to last byte
	// (ConnectTimeout and IdleTimeout bound each wait within it).
	RequestTimeout = 2 * time.Minute
	// Retries is how many times a request is tried again after a
	// connection error, a 5xx reply or a 429 (never after another 4xx).
	Retries = 2
	// RetryWait is the first wait between tries; it grows (capped
	// exponential backoff with jitter) up to RetryMaxWait. A Retry-After
	// of the server up to MaxRetryAfter is waited instead.
	RetryWait    = 500 * time.Millisecond
	RetryMaxWait = MaxRetryAfter
	// UserAgent is sent with every request.
	UserAgent = "psopdesk"
	// maxBody bounds a reply's body, bytes.
	maxBody = 64 << 20
)

// ErrorKind tells what kind of failure a sync Error is, so that the UI can
// explain it.
type ErrorKind int

// Error kinds.
const (
	// Unreachable: no connection (refused, timed out, DNS, dropped).
	Unreachable ErrorKind = iota + 1
	// Unauthorized: the server refused the API key (401, 403).
	Unauthorized
	// BadReply: the server's reply is not the contract's (not JSON, a
	// change that cannot be applied, a cursor that does not advance while
	// More is set, changes out of order or not after the cursor).
	BadReply
	// Server: the server answered with an error (5xx or another status).
	Server
	// Local: the local cache could not be read or written.
	Local
	// Canceled: the pull was canceled (the context ended).
	Canceled
	// NoAnswer: the server was reached but did not answer within
	// IdleTimeout (a hung or overloaded server, not the network).
	NoAnswer
	// Busy: the server asked to wait (429 or 503); RetryAfter says how
	// long when it told.
	Busy
)

// String names the kind in English, for logs.
func (k ErrorKind) String() string {
	switch k {
	case Unreachable:
		return "unreachable"
	case Unauthorized:
		return "unauthorized"
	case BadReply:
		return "bad_reply"
	case Server:
		return "server"
	case Local:
		return "local"
	case Canceled:
		return "canceled"
	case NoAnswer:
		return "no_answer"
	case Busy:
		return "busy"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is a failed sync: its Kind tells the UI what to say (in the
// user's language); Err holds the detail for logs (never the API key or
// personal data). Error() is English, for logs.
type Error struct {
	Kind ErrorKind
	Err  error
}

// RetryAfter is how long the server asked to wait (a Busy reply's
// Retry-After), 0 when it did not say.
func (e *Error) RetryAfter() time.Duration {
	var w waitError
	if errors.As(e.Err, &w) {
		return w.wait
	}
	return 0
}

// waitError is a reply that asked to wait: the status's error and the wait.
type waitError struct {
	error
	wait time.Duration
}

func (w waitError) Unwrap() error { return w.error }

// Error is "sync: KIND: detail".
func (e *Error) Error() string {
	if e.Err == nil {
		return "sync: " + e.Kind.String()
	}
	return "sync: " + e.Kind.String() + ": " + e.Err.Error()
}

// Status is the HTTP status of a Server error, 0 when there is none.
func (e *Error) Status() int {
	var st statusError
	if errors.As(e.Err, &st) {
		return int(st)
	}
	return 0
}

// Transient reports whether trying again later may help: no connection,
// or the server failed (5xx or an unexpected reply status).
func (e *Error) Transient() bool {
	return e.Kind == Unreachable || e.Kind == Server || e.Kind == NoAnswer || e.Kind == Busy
}

// Unwrap gives the detail.
func (e *Error) Unwrap() error { return e.Err }

// statusError is an HTTP status that is not 200.
type statusError int

func (s statusError) Error() string { return "HTTP " + strconv.Itoa(int(s)) }

// Progress tells how far a Pull is: pages and changes applied so far by
// this Pull (Customers and Events of them: changes of those kinds), the
// cache's cursor, the feed's head as the last page told it (0: not known
// yet), and whether the cache has caught up.
type Progress struct {
	Pages     int
	Changes   int
	Customers int
	Events    int
	Cursor    uint64
	Head      uint64
	Done      bool
	// Restarted: the cache was filled again from the start of the feed
	// (another feed, or a server behind the cache).
	Restarted bool
}

// Client pulls the organizer's change feed. Safe for concurrent use, but
// Pulls into the same cache should not overlap.
type Client struct {
	http     *resty.Client
	pageSize int
}

// NewClient returns a client of the server at baseURL (e.g.
// "https://psop.example.fi") authenticating with the bearer apiKey. It
// retries connection errors and 5xx replies Retries times with growing
// waits, never a 401.
func NewClient(baseURL, apiKey string) *Client {
	h := resty.New().
		SetBaseURL(baseURL).
		SetAuthToken(apiKey).
		SetHeader("User-Agent", UserAgent).
		SetHeader("Accept", "application/json").
		SetTimeout(RequestTimeout).
		SetResponseBodyLimit(maxBody).
		SetLogger(slogLogger{}).
		SetRetryCount(Retries).
		SetRetryWaitTime(RetryWait).
		SetRetryMaxWaitTime(RetryMaxWait).
		SetRetryAfter(retryWait).
		AddRetryCondition(retryCondition)
	h.SetTransport(newTransport())
	prefetchPages(h) // keep last: it wraps the transport set up above
	return &Client{http: h, pageSize: FirstSyncPageSize}
}

// SetRetryWaits sets the wait before the first retry of a request and the
// longest wait (defaults RetryWait and RetryMaxWait); tests shorten them.
func (cl *Client) SetRetryWaits(first, longest time.Duration) *Client {
	cl.http.SetRetryWaitTime(first).SetRetryMaxWaitTime(longest)
	return cl
}

// Pull brings c up to date: it asks GET /v1/changes after the cache's
// cursor, applies each page with c.ApplyPage (the page and its cursor in
// one transaction) and asks again until the server says there is no more.
// progress, if not nil, is called after each applied page; the last call
// has Done set. On failure the pages applied so far stay (with their
// cursor), so a later Pull continues from there; the error is an *Error.
// When a page applied deleted a customer (visibility loss), the cache file
// is compacted (cache.Compact) once the pull ends, failed or not, so that
// no readable trace of the customer stays in it (DOMAIN.md §3).
//
// A first sync writes the rows only (the cache's bulk mode); when a pull
// ends caught up (Done) with the secondary indexes still pending, Pull
// builds them (cache.BuildIndexes) before it returns, after the last
// progress call. A pull that ends early leaves them pending and the next
// one goes on in bulk mode; the cache builds them itself if it is read
// by index before that.
func (cl *Client) Pull(ctx context.Context, c *cache.Cache, progress func(Progress)) (Progress, error) {
	var deleted bool
	p, err := cl.pull(ctx, c, progress, &deleted)
	if err == nil && p.Done {
		if berr := buildPendingIndexes(c); berr != nil {
			err = &Error{Kind: Local, Err: berr}
		}
	}
	if deleted {
		if cerr := c.Compact(); cerr != nil {
			slog.Error("sync: compacting the cache after a deletion failed", "err", cerr)
			err = errors.Join(err, &Error{Kind: Local, Err: cerr})
		}
	}
	return p, err
}

// buildPendingIndexes builds the cache's secondary indexes if a first
// sync left them to be built.
func buildPendingIndexes(c *cache.Cache) error {
	pending, err := c.IndexesPending()
	if err != nil || !pending {
		return err
	}
	return c.BuildIndexes()
}

// customerDeleted reports whether changes delete a customer.
func customerDeleted(changes []wire.Change) bool {
	for _, ch := range changes {
		if ch.Kind == wire.KindCustomer && ch.Op == wire.OpDelete {
			return true
		}
	}
	return false
}

func (cl *Client) pull(ctx context.Context, c *cache.Cache, progress func(Progress), deleted *bool) (Progress, error) {
	var p Progress
	cursor, err := c.Cursor()
	if err != nil {
		return p, &Error{Kind: Local, Err: err}
	}
	held, err := c.Feed()
	if err != nil {
		return p, &Error{Kind: Local, Err: err}
	}
	p.Cursor = cursor
	// restart: the cache is to be replaced by the feed from 0, in the
	// transaction of the first page; until then it keeps what it has.
	restart := false
	ahead := newPageAhead(ctx, cl)
	defer ahead.stop()
	for {
		page, pre, err := ahead.fetch(cursor)
		if err != nil {
			return p, err
		}
		switch {
		case cursor != 0 && page.Feed != "" && page.Feed != held:
			// Another server, or one whose data was reset: its cursor is
			// not ours. Start over from 0.
			slog.Info("sync: another change feed than the cache's; the cache is filled again from the start", "had_cursor", cursor)
			cursor, restart, p.Restarted = 0, true, true
			continue
		case cursor != 0 && len(page.Changes) == 0 && cursor > page.Head:
			// The server's feed ends before the cache's cursor: it lost
			// changes the cache holds (restored from a backup).
			slog.Warn("sync: the server's change feed ends before the cache's cursor; the cache is filled again from the start",
				"cursor", cursor, "head", page.Head)
			cursor, restart, p.Restarted = 0, true, true
			continue
		}
		if err := checkPage(page, cursor, cl.pageSize); err != nil {
			return p, &Error{Kind: BadReply, Err: err}
		}
		if page.More {
			ahead.start(page.Next) // while this page is applied (ahead.go)
		}
		if err := applyFeedPage(c, page, pre, restart); err != nil {
			if errors.Is(err, cache.ErrInvalidChange) {
				return p, &Error{Kind: BadReply, Err: err}
			}
			return p, &Error{Kind: Local, Err: err}
		}
		restart = false
		if page.Feed != "" {
			held = page.Feed
		}
		*deleted = *deleted || customerDeleted(page.Changes)
		cursor = page.Next
		p.Pages++
		p.Changes += len(page.Changes)
		countPage(&p, page)
		p.Cursor = cursor
		p.Done = !page.More
		if p.Done {
			if err := c.MarkCaughtUp(); err != nil {
				return p, &Error{Kind: Local, Err: err}
			}
		}
		if progress != nil {
			progress(p)
		}
		if p.Done {
			slog.Debug("sync pull done", "pages", p.Pages, "changes", p.Changes, "cursor", p.Cursor)
			return p, nil
		}
		if err := ctx.Err(); err != nil {
			return p, &Error{Kind: Canceled, Err: err}
		}
	}
}

// checkPage checks a page asked after cursor with limit against the
// contract: at most limit changes, in increasing Seq order, all after the
// cursor and none past the feed's head; Next exactly the last change's
// Seq, or the cursor for an empty page (a Next beyond would skip changes
// for good); More only on a page that advances. A page that fails is
// refused whole.
func checkPage(page wire.ChangesPage, cursor uint64, limit int) error {
	if len(page.Changes) > limit {
		return fmt.Errorf("%d changes, %d asked", len(page.Changes), limit)
	}
	last := cursor
	for i, ch := range page.Changes {
		if ch.Seq <= last {
			return fmt.Errorf("change %d has seq %d, not after %d", i, ch.Seq, last)
		}
		last = ch.Seq
	}
	if page.Next != last {
		return fmt.Errorf("next %d is not the page's last seq %d", page.Next, last)
	}
	if len(page.Changes) > 0 && last > page.Head {
		return fmt.Errorf("seq %d is past the feed's head %d", last, page.Head)
	}
	if page.More && len(page.Changes) == 0 {
		return fmt.Errorf("more changes announced on an empty page after %d", cursor)
	}
	return nil
}

// fetch asks one page after cursor.
func (cl *Client) fetch(ctx context.Context, cursor uint64) (wire.ChangesPage, error) {
	var page wire.ChangesPage
	handed := &pageBody{} // the body, when the transport hands it over (prefetch.go)
	resp, err := cl.http.R().
		SetContext(context.WithValue(context.WithValue(ctx, pullContextKey{}, ctx), pageBodyKey{}, handed)).
		SetQueryParam("after", strconv.FormatUint(cursor, 10)).
		SetQueryParam("limit", strconv.Itoa(cl.pageSize)).
		Get("/v1/changes")
	if err != nil {
		return page, transportError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return page, statusFailure(resp)
	}
	body := resp.Body()
	if handed.b != nil && len(body) == 0 {
		body = handed.b
	}
	if page, err = decodePage(body, cl.pageSize); err != nil {
		return page, &Error{Kind: BadReply, Err: fmt.Errorf("reply is not a changes page: %w", err)}
	}
	return page, nil
}

// replyError is the status with the server's wire.ErrorReply code and message,
// if the body is one.
func replyError(resp *resty.Response) error {
	st := statusError(resp.StatusCode())
	var er wire.ErrorReply
	if json.Unmarshal(resp.Body(), &er) == nil && er.Code != "" {
		return fmt.Errorf("%w: %s: %s", st, er.Code, er.Message)
	}
	return st
}

// slogLogger sends resty's own messages to slog at debug level. They hold
// the URL (base and cursor) and transport errors, never headers.
type slogLogger struct{}

func (slogLogger) Errorf(format string, v ...any) { slog.Debug("resty: " + fmt.Sprintf(format, v...)) }
func (slogLogger) Warnf(format string, v ...any)  { slog.Debug("resty: " + fmt.Sprintf(format, v...)) }
func (slogLogger) Debugf(format string, v ...any) { slog.Debug("resty: " + fmt.Sprintf(format, v...)) }

// LoadAPIKey reads the API key from the file at path: either the key alone
// or lines "provider_id<TAB>key" (optionally followed by "<TAB>user<TAB>role",
// as psop-organizer -keys-out writes them), of which the first line's key
// is taken.
// Blank lines and lines starting with # are skipped. Errors never show the
// file's contents.
func LoadAPIKey(path string) (string, error) { return LoadAPIKeyFor(path, "") }

// LoadAPIKeyFor is LoadAPIKey taking the key of the line whose provider id
// is providerID (any line's when providerID is empty; the key itself when
// the file holds only a key).
func LoadAPIKeyFor(path, providerID string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &KeyFileError{Code: KeyFileUnreadable, Path: path, Err: err}
	}
	// A byte order mark (an editor's UTF-8 one, or UTF-16) is not part of
	// the key.
	if u, _, err := transform.Bytes(unicode.BOMOverride(encoding.Nop.NewDecoder()), b); err == nil {
		b = u
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		slog.Warn("API key file is readable by others; chmod 600 it", "path", path)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sawLine := false
	for sc.Scan() {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		sawLine = true
		id, key, tabbed := strings.Cut(raw, "\t")
		if !tabbed {
			key, id = line, ""
		} else {
			// provider_id<TAB>key, optionally <TAB>user<TAB>role after it.
			key, _, _ = strings.Cut(key, "\t")
		}
		id, key = strings.TrimSpace(id), strings.TrimSpace(key)
		if providerID != "" && tabbed && id != providerID {
			continue
		}
		if key == "" || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return "", &KeyFileError{Code: KeyFileBadKey, Path: path}
		}
		return key, nil
	}
	if err := sc.Err(); err != nil {
		return "", &KeyFileError{Code: KeyFileLongLine, Path: path}
	}
	if sawLine && providerID != "" {
		return "", &KeyFileError{Code: KeyFileNoProvider, Path: path}
	}
	return "", &KeyFileError{Code: KeyFileEmpty, Path: path}
}

// Codes of a KeyFileError.
const (
	KeyFileUnreadable = "key_file_unreadable" // cannot be read (Err says why)
	KeyFileBadKey     = "key_file_bad_key"    // the key is empty or has spaces
	KeyFileLongLine   = "key_file_long_line"  // a line is too long to be a key
	KeyFileNoProvider = "key_file_no_provider"
	KeyFileEmpty      = "key_file_empty"
)

// KeyFileError is an API key file that gives no key. It names the file,
// never its contents.
type KeyFileError struct {
	Code string
	Path string
	Err  error
}

// Error is English, for logs.
func (e *KeyFileError) Error() string {
	s := "API key file " + e.Path + ": " + e.Code
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap gives the detail.
func (e *KeyFileError) Unwrap() error { return e.Err }
