package client

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// cancelReporter cancels the engine's run after the first page and
// records how the run ended.
type cancelReporter struct {
	e      *Engine
	pages  []Progress
	failed chan error
}

func (r *cancelReporter) SyncProgress(p Progress) {
	if p.Pages == 0 {
		return
	}
	r.pages = append(r.pages, p)
	if len(r.pages) == 1 {
		r.e.Cancel() // the window's Peruuta, once
	}
}
func (r *cancelReporter) SyncDone(Result)                { r.failed <- nil }
func (r *cancelReporter) SyncFailed(err error, _ Result) { r.failed <- err }

// Peruuta cancels the run under way: it ends Canceled, the page that
// arrived stays with its cursor, and the engine goes on running (a later
// run continues from there).
func TestEngineCancelKeepsWhatArrived(t *testing.T) {
	f := &feed{}
	f.add(customers(1, 5)...) // seq 1..10, pages of 3
	// The second page hangs until its request is cancelled.
	f.hook = func(w http.ResponseWriter, r *http.Request, after uint64) bool {
		if after == 0 {
			return false
		}
		<-r.Context().Done()
		return true
	}
	cl, c, _ := newTest(t, f)
	e := NewEngine(c, func(context.Context) (*Client, error) { return cl, nil }, nil)
	rep := &cancelReporter{e: e, failed: make(chan error, 4)}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx, rep) }()
	err := <-rep.failed
	var se *Error
	if !errors.As(err, &se) || se.Kind != Canceled {
		t.Fatalf("the cancelled run ended with %v, want Canceled", err)
	}
	if n := cursor(t, c); n != 3 {
		t.Errorf("cursor %d after the cancel, want 3 (the first page kept)", n)
	}
	if rep.pages[0].Customers != 2 {
		t.Errorf("progress %+v", rep.pages)
	}
	// The engine still runs: a run asked for goes on from the cursor.
	f.mu.Lock()
	f.hook = nil
	f.mu.Unlock()
	e.Request()
	if err := <-rep.failed; err != nil {
		t.Fatalf("the next run: %v", err)
	}
	if n := cursor(t, c); n != 10 {
		t.Errorf("cursor %d after the next run, want 10", n)
	}
	stop()
	<-done
	e.Cancel() // between runs: nothing to cancel
}
