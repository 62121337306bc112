package organizer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"psopdesk/sync/wire"
	"strconv"
	"strings"
	gosync "sync"
	"time"
)

// KeyLifetime is how long the API keys made by StartDemo and the command
// are valid (PSOP: a key expires within one year).
const KeyLifetime = 365 * 24 * time.Hour

// Handler serves the wire contract of package psopdesk/sync over s:
//
//	GET /v1/changes?after=SEQ&limit=N  (Authorization: Bearer KEY)
//	GET /v1/health
//
// 401 unauthorized for a missing, unknown or expired key, 400 validation for
// a bad after or limit (limit above wire.MaxPageSize is capped), 404 not_found,
// 405 validation for another method, 500 internal. Each request is logged
// with log: method, path, status, provider and duration; never the key.
func Handler(s *Store, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &handler{s: s, now: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/changes", h.changes)
	mux.HandleFunc("/v1/health", h.health)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "after", r.URL.Query().Get("after"),
			"limit", r.URL.Query().Get("limit"), "status", rec.status, "provider", rec.provider,
			"bytes", rec.bytes, "duration", time.Since(start).Round(time.Microsecond))
	})
}

type handler struct {
	s   *Store
	now func() time.Time
}

type statusWriter struct {
	http.ResponseWriter
	status   int
	bytes    int
	provider string
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

func (h *handler) changes(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "validation", "use GET")
		return
	}
	provider, err := h.s.Authenticate(bearer(r), h.now())
	if errors.Is(err, ErrUnauthorized) {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing, unknown or expired API key")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "key check failed")
		return
	}
	if sw, ok := w.(*statusWriter); ok {
		sw.provider = provider
	}
	q := r.URL.Query()
	var after uint64
	if s := q.Get("after"); s != "" {
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
	raw, next, more, err := h.s.rawPage(provider, after, limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "reading the change feed failed")
		return
	}
	var b bytes.Buffer
	b.Grow(64 + len(raw)*512)
	feed, _ := json.Marshal(h.s.Feed(provider))
	b.WriteString(`{"feed":`)
	b.Write(feed)
	b.WriteString(`,"changes":[`)
	for i, c := range raw {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(c)
	}
	fmt.Fprintf(&b, `],"next":%d,"more":%t}`+"\n", next, more)
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

	srv   *http.Server
	owned *Store // closed by Close (StartDemo's)
	done  chan struct{}
	once  gosync.Once
	err   error
}

// Start serves Handler(store) on addr ("127.0.0.1:0" picks a free port)
// until ctx ends or Close. The caller keeps owning store. Server timeouts:
// 5 s for headers, 15 s to read, 60 s to write, 60 s idle.
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

// DemoFile is the store file StartDemo keeps in its directory.
const DemoFile = "organizer-demo.db"

// StartDemo opens (creating) dir/DemoFile, fills it with Demo(customers,
// DemoSeed, time.Now()), makes an API key for every provider and serves on
// 127.0.0.1 at a free port until ctx ends or Close, which also closes the
// store. Keys["prov-1"] is the demo user's key. Re-using dir keeps the
// feed (Store.Feed): a cache synced from an earlier start gets only what
// changed since (new events, moved statuses); a new dir is a new feed, and
// the client starts such a cache over. Requests are not logged: the demo
// server runs inside the desktop program, whose log is the user's.
func StartDemo(ctx context.Context, dir string, customers int) (*Running, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo organizer folder: %w", err)
	}
	st, err := Open(filepath.Join(dir, DemoFile))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ds := Demo(customers, DemoSeed, now)
	if _, err := st.Apply(ds, now); err != nil {
		st.Close()
		return nil, fmt.Errorf("demo data: %w", err)
	}
	keys := map[string]string{}
	for _, p := range ds.Providers {
		k, err := st.CreateKey(p.ID, "demo", now.Add(KeyLifetime))
		if err != nil {
			st.Close()
			return nil, err
		}
		keys[p.ID] = k
	}
	run, err := start(ctx, "127.0.0.1:0", st, st, keys, slog.New(slog.DiscardHandler))
	if err != nil {
		st.Close()
		return nil, err
	}
	return run, nil
}
