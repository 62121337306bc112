package client

import (
	"context"
	"log/slog"
	gosync "sync"
)

// control is what other goroutines may ask of a running Engine: cancel
// the run under way (Cancel), make the client again (Reconnect).
type control struct {
	mu        gosync.Mutex
	cancelRun context.CancelFunc
	reconnect bool
}

// Cancel stops the run under way, if any (the window's Peruuta): its
// fetch is cancelled and the run ends with an *Error of Kind Canceled;
// the pages applied so far stay in the cache (each page is applied with
// its cursor in one transaction), so the next run continues from there.
// Run goes on: the next run is the periodic one, or one asked for. Safe
// from any goroutine; a no-op between runs.
func (e *Engine) Cancel() {
	e.ctl.mu.Lock()
	defer e.ctl.mu.Unlock()
	if e.ctl.cancelRun != nil {
		slog.Info("sync: cancelled by the user")
		e.ctl.cancelRun()
	}
}

// Reconnect makes the next run call connect again (a new server address
// or API key was given, e.g. after a 401). Safe from any goroutine.
func (e *Engine) Reconnect() {
	e.ctl.mu.Lock()
	e.ctl.reconnect = true
	e.ctl.mu.Unlock()
}

// runContext gives the context of one run of Run, which Cancel ends, and
// the function that releases it when the run is over.
func (e *Engine) runContext(ctx context.Context) (context.Context, func()) {
	runCtx, cancel := context.WithCancel(ctx)
	e.ctl.mu.Lock()
	e.ctl.cancelRun = cancel
	e.ctl.mu.Unlock()
	return runCtx, func() {
		e.ctl.mu.Lock()
		e.ctl.cancelRun = nil
		e.ctl.mu.Unlock()
		cancel()
	}
}

// takeReconnect reports (once) whether Reconnect was asked.
func (e *Engine) takeReconnect() bool {
	e.ctl.mu.Lock()
	defer e.ctl.mu.Unlock()
	r := e.ctl.reconnect
	e.ctl.reconnect = false
	return r
}
