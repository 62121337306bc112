package client

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"psopdesk/data/cache"
	"psopdesk/sync/wire"
)

// Backoff of the Engine's automatic retries after a transient failure (no
// connection, a server failure): the first wait, doubled each time up to
// the cap, each with up to a quarter of jitter.
const (
	BackoffFirst = 2 * time.Second
	BackoffMax   = 2 * time.Minute
	// Interval is how often the engine runs by itself when nothing else
	// asks, so that what the organizer changed (a review, a settlement)
	// reaches the desk.
	Interval = 3 * time.Minute
)

// Reporter is told how the Engine's runs go. Its methods are called on the
// Engine's goroutine and must not block for long (the window hands them to
// its own goroutine).
type Reporter interface {
	// SyncProgress is called as the pull applies pages.
	SyncProgress(Progress)
	// SyncDone ends a run that pushed and pulled.
	SyncDone(Result)
	// SyncFailed ends a run that failed: err is an *Error (or a setup
	// error of Connect). Pages pulled and commands answered stay.
	SyncFailed(err error, r Result)
}

// Result is what one run did.
type Result struct {
	// Applied are the commands the server applied in this run.
	Applied []cache.Entry
	// Refused are the commands the server refused in this run; the outbox
	// dropped them and the replica shows the server's state again.
	Refused []cache.Refusal
	// Pending counts the commands still waiting to be sent after the run.
	Pending int
	// Pull is the pull's progress (zero when the run failed before it).
	Pull Progress
}

// Engine settles the cache with the server: each run pushes the outbox's
// pending commands in order, then pulls the change feed, then removes from
// the outbox what the replica now shows. Runs never overlap: a run asked
// for while one is under way happens once more after it (never dropped).
// A transient failure schedules a retry with exponential backoff; a
// refused command does not stop the ones after it.
type Engine struct {
	c *cache.Cache
	// connect makes the client on the first run that gets that far.
	connect func(context.Context) (*Client, error)
	cl      *Client
	now     func() time.Time
	again   chan struct{}
	// backoff is the first and the longest wait before an automatic retry.
	backoff, backoffMax time.Duration
	interval            atomic.Int64 // a time.Duration: SetInterval may run while Run does
	ctl                 control      // Cancel, Reconnect
}

// NewEngine makes an engine over c. connect gives the client (reads the
// key, or in demo mode starts the organizer); it is called by the first
// run, and again by later runs until it succeeds. now is the clock of the
// commands' bookkeeping (nil: time.Now).
func NewEngine(c *cache.Cache, connect func(context.Context) (*Client, error), now func() time.Time) *Engine {
	if now == nil {
		now = time.Now
	}
	e := &Engine{c: c, connect: connect, now: now, again: make(chan struct{}, 1),
		backoff: BackoffFirst, backoffMax: BackoffMax}
	e.interval.Store(int64(Interval))
	return e
}

// Request asks for a run (after a change the user made, F5 / Ctrl+R, a
// retry button). It never blocks: while a run is under way, one more run
// follows it.
func (e *Engine) Request() {
	select {
	case e.again <- struct{}{}:
	default:
	}
}

// SetInterval sets how often Run runs by itself (default Interval), from
// the next wait on. Safe from any goroutine.
func (e *Engine) SetInterval(d time.Duration) { e.interval.Store(int64(d)) }

// Run runs at once and then on every Request, after a transient failure
// again with backoff, and otherwise every interval, until ctx ends; it
// reports each run to r.
func (e *Engine) Run(ctx context.Context, r Reporter) {
	wait := time.Duration(0)
	var retry <-chan time.Time
	for {
		runCtx, release := e.runContext(ctx)
		res, err := e.Once(runCtx, r)
		release()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// The detail for the log (no personal data, never the key);
			// the reporter gives the user a sentence.
			slog.Warn("sync failed", "err", err)
			r.SyncFailed(err, res)
			var se *Error
			if errors.As(err, &se) && se.Transient() {
				wait = min(max(2*wait, e.backoff), e.backoffMax)
				d := max(wait+rand.N(wait/4+1), se.RetryAfter())
				slog.Info("sync: retrying later", "in", d.Round(time.Millisecond))
				retry = time.After(d)
			} else {
				retry = nil // the next run is the periodic one, or asked for
			}
		} else {
			r.SyncDone(res)
			wait, retry = 0, nil
		}
		if retry == nil {
			retry = time.After(time.Duration(e.interval.Load()))
		}
		select {
		case <-ctx.Done():
			return
		case <-e.again:
		case <-retry:
		}
	}
}

// Once does one run now (push, pull, settle) and gives its result; the
// error is an *Error (or Connect's). progress, when not nil, is told as
// pages are pulled. `psopdesk sync` and the headless commands call it; Run
// calls it for the window.
func (e *Engine) Once(ctx context.Context, progress interface{ SyncProgress(Progress) }) (Result, error) {
	var res Result
	report := func(p Progress) {
		if progress != nil {
			progress.SyncProgress(p)
		}
	}
	report(Progress{})
	if e.takeReconnect() || e.cl == nil {
		e.cl = nil
		cl, err := e.connect(ctx)
		if err != nil {
			return res, err
		}
		e.cl = cl
	}
	err := e.push(ctx, &res)
	if err == nil {
		res.Pull, err = e.cl.Pull(ctx, e.c, report)
		if err == nil || res.Pull.Pages > 0 {
			if n, serr := e.c.Outbox().Settle(res.Pull.Cursor, err == nil && res.Pull.Done); serr != nil {
				err = errors.Join(err, &Error{Local, serr})
			} else if n > 0 {
				slog.Debug("sync: outbox settled", "commands", n)
			}
		}
	}
	if pending, perr := e.c.Outbox().Pending(); perr == nil {
		res.Pending = len(pending)
	}
	return res, err
}

// push sends the pending commands in order until one gets no answer.
func (e *Engine) push(ctx context.Context, res *Result) error {
	out := e.c.Outbox()
	pending, err := out.Pending()
	if err != nil {
		return &Error{Local, err}
	}
	for _, entry := range pending {
		ans, err := e.cl.Push(ctx, entry.Command)
		if err != nil {
			var se *Error
			kind := "error"
			if errors.As(err, &se) {
				kind = se.Kind.String()
			}
			if merr := out.MarkFailed(entry.Command.ID, kind, e.now()); merr != nil {
				slog.Error("sync: outbox bookkeeping failed", "err", merr)
			}
			slog.Info("sync: command not answered, kept to send again", "type", entry.Command.Type, "err", err)
			return err
		}
		if ans.Status == wire.StatusApplied {
			if err := out.MarkApplied(entry.Command.ID, ans.Seq); err != nil {
				return &Error{Local, err}
			}
			entry.State, entry.AppliedSeq = cache.StateApplied, ans.Seq
			res.Applied = append(res.Applied, entry)
			slog.Info("sync: command applied", "type", entry.Command.Type, "seq", ans.Seq)
			continue
		}
		ref, err := out.Refuse(entry.Command.ID, ans, e.now())
		if err != nil {
			return &Error{Local, err}
		}
		res.Refused = append(res.Refused, ref)
		slog.Info("sync: command refused", "type", entry.Command.Type, "code", ans.Code, "reason", ans.Reason, "message", ans.Message)
	}
	return nil
}
