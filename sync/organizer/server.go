package organizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"psopdesk/data"
	"psopdesk/sync/wire"
)

// KeyLifetime is how long the API keys made by StartDemo and the command
// are valid (PSOP: a key expires within one year).
const KeyLifetime = 365 * 24 * time.Hour

// Handler serves the wire contract of package psopdesk/sync/wire over s:
//
//	GET  /v1/changes?after=SEQ&limit=N  (Authorization: Bearer KEY)
//	POST /v1/commands                   (Authorization: Bearer KEY,
//	                                     Idempotency-Key: the command's id)
//	GET  /v1/health
//	GET  /v1/key                        (Authorization: Bearer KEY): wire.KeyInfo
//
// 401 unauthorized for a missing, unknown or expired key, 400 validation for
// a bad after or limit (limit above wire.MaxPageSize is capped), 404 not_found,
// 405 validation for another method, 500 internal, each with a
// wire.ErrorReply. A command is answered with its wire.Answer (Store.Command)
// and the answer's HTTPStatus (200, 409 or 422); a body that is not a
// command (larger than wire.MaxCommandBytes, not JSON, no id, an id other
// than the Idempotency-Key header) is refused validation with reason
// wire.ReasonMalformed, 422. Each request is logged with log: method, path,
// status, provider and duration, for the feed after and limit, for a
// command its type, customer id and answer code; never the key or a
// customer number.
//
// Every rule reads the store's clock (Store.Now, Store.SetClock): key
// expiry, the settlement lock, the time an event is recorded.
//
// The organizer's admin endpoints (AdminPath…, "Authorization: Bearer
// ADMINKEY" with a key of Store.CreateAdminKey; a provider's key is not
// one) are described at AdminPath.
func Handler(s *Store, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &handler{s: s, now: s.Now, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc(wire.PathChanges, h.changes)
	mux.HandleFunc(wire.PathCommands, h.commands)
	mux.HandleFunc(wire.PathHealth, h.health)
	mux.HandleFunc(wire.PathKey, h.key)
	h.adminRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		attrs := []any{"method", r.Method, "path", r.URL.Path}
		if r.URL.Path == wire.PathCommands {
			attrs = append(attrs, "command", rec.command, "customer", rec.customer, "answer", rec.answer)
		} else {
			attrs = append(attrs, "after", r.URL.Query().Get("after"), "limit", r.URL.Query().Get("limit"))
		}
		log.Info("request", append(attrs, "status", rec.status, "provider", rec.provider,
			"bytes", rec.bytes, "duration", time.Since(start).Round(time.Microsecond))...)
	})
}

type handler struct {
	s   *Store
	now func() time.Time
	log *slog.Logger
}

// statusWriter records what the request log shows.
type statusWriter struct {
	http.ResponseWriter
	status   int
	bytes    int
	provider string
	// Commands: the type (when known), customer id and the answer's
	// status or refusal code. Never the customer number.
	command, customer, answer string
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="psop"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wire.ErrorReply{Code: code, Message: msg})
}

func (h *handler) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, http.StatusMethodNotAllowed, "validation", "use GET")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// bearer returns the key of an "Authorization: Bearer KEY" header, or "".
func bearer(r *http.Request) string {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(key)
}

// auth gives whom the request's bearer key authenticates, or answers 401
// (500 when the check fails) and gives false.
func (h *handler) auth(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	who, err := h.s.AuthenticateUser(bearer(r), h.now())
	if errors.Is(err, ErrUnauthorized) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing, unknown, revoked or expired API key")
		return who, false
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "key check failed")
		return who, false
	}
	if sw, ok := w.(*statusWriter); ok {
		sw.provider = who.Feed
	}
	return who, true
}

func (h *handler) commands(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "validation", "use POST")
		return
	}
	who, ok := h.auth(w, r)
	if !ok {
		return
	}
	provider := who.ProviderID
	sw, _ := w.(*statusWriter)
	if sw == nil {
		sw = &statusWriter{}
	}
	answer := func(a wire.Answer) {
		sw.answer = string(a.Status)
		if a.Code != "" {
			sw.answer = string(a.Code)
			if a.Reason != "" {
				sw.answer += "/" + a.Reason
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(a.HTTPStatus())
		_ = json.NewEncoder(w).Encode(a)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxCommandBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			answer(malformed(fmt.Sprintf("the command is larger than %d bytes", wire.MaxCommandBytes)))
			return
		}
		writeError(w, http.StatusBadRequest, "validation", "reading the request body failed")
		return
	}
	var cmd wire.Command
	if err := json.Unmarshal(body, &cmd); err != nil {
		answer(malformed("the body is not a JSON command"))
		return
	}
	switch cmd.Type {
	case wire.SetCustomerNumber, wire.RemoveCustomerNumber, wire.RecordEvent, wire.EditEvent,
		wire.DeleteEvent, wire.CreditRequest:
		sw.command = string(cmd.Type)
	default:
		sw.command = "unknown"
	}
	if len(cmd.CustomerID) <= 64 {
		sw.customer = cmd.CustomerID
	}
	key := r.Header.Get(wire.HeaderIdempotencyKey)
	switch {
	case key == "":
		answer(malformed("the " + wire.HeaderIdempotencyKey + " header is missing"))
		return
	case key != cmd.ID:
		answer(malformed("the " + wire.HeaderIdempotencyKey + " header is not the command's id"))
		return
	}
	now := h.now()
	if err := h.s.refresh(now, false); err != nil { // a new day: visibility first
		h.log.Error("visibility before a command", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "applying the command failed")
		return
	}
	a, err := h.s.CommandAs(who, cmd, now)
	if err != nil {
		h.log.Error("command failed", "provider", provider, "command", sw.command, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "applying the command failed")
		return
	}
	answer(a)
}

func (h *handler) changes(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "validation", "use GET")
		return
	}
	who, ok := h.auth(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var after uint64
	if s := q.Get("after"); s != "" {
		var err error
		if after, err = strconv.ParseUint(s, 10, 64); err != nil {
			writeError(w, http.StatusBadRequest, "validation", "after must be a whole number 0 or more")
			return
		}
	}
	limit := wire.DefaultPageSize
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "validation", "limit must be a whole number 1 or more")
			return
		}
		limit = min(n, wire.MaxPageSize)
	}
	// Visibility at this moment: after a write or on a new day it is
	// evaluated again before the page is read.
	if err := h.s.Refresh(h.now()); err != nil {
		h.log.Error("visibility before a feed page", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "reading the change feed failed")
		return
	}
	raw, next, head, more, err := h.s.rawPage(who.Feed, after, limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "reading the change feed failed")
		return
	}
	var b bytes.Buffer
	b.Grow(64 + len(raw)*512)
	feed, _ := json.Marshal(h.s.Feed(who.Feed))
	b.WriteString(`{"feed":`)
	b.Write(feed)
	b.WriteString(`,"changes":[`)
	for i, c := range raw {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(c)
	}
	fmt.Fprintf(&b, `],"next":%d,"more":%t,"head":%d}`+"\n", next, more, head)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}

// Running is a serving organizer server.
type Running struct {
	// URL is the base URL, "http://127.0.0.1:PORT" (no trailing slash).
	URL string
	// Keys maps provider id → API key for the keys made by StartDemo
	// ("prov-1" is the demo user's); empty for Start.
	Keys map[string]string
	// UserKeys maps user id → API key for the stored users (StartDemo;
	// DemoRecorder's sees only its team's customers); empty for Start.
	UserKeys map[string]string

	srv   *http.Server
	owned *Store // closed by Close (StartDemo's)
	done  chan struct{}
	once  gosync.Once
	err   error
}

// Start serves Handler(store) on addr ("127.0.0.1:0" picks a free port)
// until ctx ends or Close. The caller keeps owning store. Server timeouts:
// 5 s for headers, 15 s to read, 60 s to write, 60 s idle. While it
// serves, visibility (DOMAIN.md §3) is evaluated again whenever the
// store's clock reaches a new day in Europe/Helsinki (Apply with an empty
// Dataset; checked every VisibilityCheck), so a customer leaves a feed on
// the day the three-year window passes.
func Start(ctx context.Context, addr string, store *Store) (*Running, error) {
	return start(ctx, addr, store, nil, map[string]string{}, slog.Default())
}

func start(ctx context.Context, addr string, store, owned *Store, keys map[string]string, log *slog.Logger) (*Running, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           Handler(store, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	run := &Running{URL: "http://" + ln.Addr().String(), Keys: keys, owned: owned, srv: srv, done: make(chan struct{})}
	go run.keepVisibility(store, log)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("organizer server stopped", "err", err)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = run.Close()
		case <-run.done:
		}
	}()
	return run, nil
}

// VisibilityCheck is how often a serving organizer reads its clock to see
// whether a new day has begun (Start).
const VisibilityCheck = time.Minute

// keepVisibility re-applies the visibility rule at each new day of the
// store's clock until the server closes.
func (r *Running) keepVisibility(st *Store, log *slog.Logger) {
	day := data.DateOf(st.Now().In(data.Helsinki))
	t := time.NewTicker(VisibilityCheck)
	defer t.Stop()
	for {
		select {
		case <-r.done:
			return
		case <-t.C:
		}
		now := st.Now()
		if d := data.DateOf(now.In(data.Helsinki)); d != day {
			select {
			case <-r.done:
				return
			default:
			}
			stats, err := st.Apply(Dataset{}, now)
			if err != nil {
				log.Error("visibility at a new day", "err", err)
				continue
			}
			day = d
			log.Info("visibility evaluated", "day", d.String(), "changes", stats.Changes)
		}
	}
}

// Close stops the server (waiting up to 5 s for requests in flight) and
// closes the store when StartDemo opened it. Safe to call more than once.
func (r *Running) Close() error {
	r.once.Do(func() {
		close(r.done)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.err = r.srv.Shutdown(ctx)
		if r.owned != nil {
			r.err = errors.Join(r.err, r.owned.Close())
		}
	})
	return r.err
}

// DemoOption is an option of StartDemo.
type DemoOption func(*demoOptions)

type demoOptions struct {
	clock func() time.Time
}

// WithClock makes now the demo organizer's clock (Store.SetClock): the
// demo data, visibility, keys and every rule read it instead of time.Now.
func WithClock(now func() time.Time) DemoOption {
	return func(o *demoOptions) { o.clock = now }
}

// DemoFile is the store file StartDemo keeps in its directory.
const DemoFile = "organizer-demo.db"

// StartDemo opens (creating) dir/DemoFile, makes an API key for every
// provider and serves on 127.0.0.1 at a free port until ctx ends or Close,
// which also closes the store. Keys["prov-1"] is the demo user's key.
//
// A new store is filled with Demo(customers, DemoSeed, now), now being
// the clock of WithClock (time.Now without it). A store
// kept from an earlier start keeps its data, including what commands
// changed (customer numbers set or removed, events recorded or changed):
// only visibility is evaluated again at now (Apply with an empty Dataset): customers counts only
// on the first start, and the demo's events do not grow with the days.
// Every start makes new keys (earlier ones stay valid until they expire).
// Re-using dir keeps the feed (Store.Feed): a cache synced from an earlier
// start gets only what changed since (commands' effects, customers that
// left the three-year window); a new dir is a new feed, and the client
// starts such a cache over. Requests are not logged: the demo server runs
// inside the desktop program, whose log is the user's.
func StartDemo(ctx context.Context, dir string, customers int, opts ...DemoOption) (*Running, error) {
	var o demoOptions
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo organizer folder: %w", err)
	}
	st, err := Open(filepath.Join(dir, DemoFile))
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Running, error) {
		st.Close()
		return nil, err
	}
	if o.clock != nil {
		st.SetClock(o.clock)
	}
	now := st.Now()
	isNew, err := st.IsNew()
	if err != nil {
		return fail(err)
	}
	ds := Dataset{}
	if isNew {
		ds = Demo(customers, DemoSeed, now)
	}
	if _, err := st.Apply(ds, now); err != nil {
		return fail(fmt.Errorf("demo data: %w", err))
	}
	providers, err := st.Providers()
	if err != nil {
		return fail(err)
	}
	keys := map[string]string{}
	for _, p := range providers {
		k, err := st.CreateKey(p.ID, "demo", now.Add(KeyLifetime))
		if err != nil {
			return fail(err)
		}
		keys[p.ID] = k
	}
	ds, err = st.Dataset()
	if err != nil {
		return fail(err)
	}
	userKeys := map[string]string{}
	for _, u := range ds.Users {
		if userKeys[u.ID], err = st.CreateUserKey(u.ID, "demo", now.Add(KeyLifetime)); err != nil {
			return fail(err)
		}
	}
	run, err := start(ctx, "127.0.0.1:0", st, st, keys, slog.New(slog.DiscardHandler))
	if err != nil {
		return fail(err)
	}
	run.UserKeys = userKeys
	return run, nil
}
