package ui

import (
	"errors"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/data/cache"
	"psopdesk/sync/client"
)

// A damaged cache (cache.ErrDamaged), found when the program starts
// (cache.OpenOrDamaged) or by any read or write since, is told in one
// dialog: what happened and what to do, with the button Rakenna
// välimuisti uudelleen. It makes the replica anew (Rebuilder) and asks for
// a sync (Options.Resync), which sends the changes waiting in the outbox
// (kept) and fetches everything again.

// Rebuilder is a Source whose replica can be made anew (*cache.Cache).
type Rebuilder interface {
	// Damaged gives the error the replica was found damaged with, or nil.
	Damaged() *cache.DamagedError
	// Rebuild makes the replica anew, empty; the outbox is kept.
	Rebuild() error
}

var _ Rebuilder = (*cache.Cache)(nil)

// damageWatch is the Desk's Source: src, with every error that tells of a
// damaged cache shown to the user (Desk.cacheDamaged). Methods it does not
// list pass through unwatched.
type damageWatch struct {
	Source
	d *Desk
}

// watchDamage wraps src for d and, when src is damaged already (opened
// so), shows the dialog at once. Called on the Fyne goroutine.
func (d *Desk) watchDamage(src Source) Source {
	if r, ok := src.(Rebuilder); ok {
		d.rebuilder = r
		if dmg := r.Damaged(); dmg != nil {
			d.showDamaged()
		}
	}
	return damageWatch{Source: src, d: d}
}

// seen tells d of err when it is the cache's damage, and gives it back.
func (w damageWatch) seen(err error) error {
	if errors.Is(err, cache.ErrDamaged) {
		w.d.do(w.d.showDamaged)
	}
	return err
}

func (w damageWatch) SearchHits(q string, limit int) ([]cache.Hit, error) {
	v, err := w.Source.SearchHits(q, limit)
	return v, w.seen(err)
}

func (w damageWatch) CustomerView(id string, today data.Date) (cache.CustomerView, error) {
	v, err := w.Source.CustomerView(id, today)
	return v, w.seen(err)
}

func (w damageWatch) Statement(customerID, serviceID string, from, to, made data.Date) (data.Statement, error) {
	v, err := w.Source.Statement(customerID, serviceID, from, to, made)
	return v, w.seen(err)
}

func (w damageWatch) StatementCustomers(serviceID string, month data.Date) ([]string, error) {
	v, err := w.Source.StatementCustomers(serviceID, month)
	return v, w.seen(err)
}

func (w damageWatch) Services() ([]data.Service, error) {
	v, err := w.Source.Services()
	return v, w.seen(err)
}

func (w damageWatch) SetCustomerNumber(customerID, number string, now time.Time) (cache.Entry, error) {
	v, err := w.Source.SetCustomerNumber(customerID, number, now)
	return v, w.seen(err)
}

func (w damageWatch) RemoveCustomerNumber(customerID string, now time.Time) (cache.Entry, error) {
	v, err := w.Source.RemoveCustomerNumber(customerID, now)
	return v, w.seen(err)
}

func (w damageWatch) EventPreview(customerID, reservationID string, in data.EventInput, now time.Time) (data.ServiceEvent, data.ReviewOutcome, error) {
	v, o, err := w.Source.EventPreview(customerID, reservationID, in, now)
	return v, o, w.seen(err)
}

func (w damageWatch) RecordEvent(customerID, reservationID string, in data.EventInput, now time.Time) (cache.Entry, data.ReviewOutcome, error) {
	v, o, err := w.Source.RecordEvent(customerID, reservationID, in, now)
	return v, o, w.seen(err)
}

func (w damageWatch) EditEvent(eventID string, version int64, in data.EventInput, now time.Time) (cache.Entry, error) {
	v, err := w.Source.EditEvent(eventID, version, in, now)
	return v, w.seen(err)
}

func (w damageWatch) DeleteEvent(eventID string, version int64, now time.Time) (cache.Entry, error) {
	v, err := w.Source.DeleteEvent(eventID, version, now)
	return v, w.seen(err)
}

func (w damageWatch) RequestCredit(eventID, reason, explanation string, now time.Time) (cache.Entry, error) {
	v, err := w.Source.RequestCredit(eventID, reason, explanation, now)
	return v, w.seen(err)
}

func (w damageWatch) MonthStatus(month data.Date) (time.Time, int, error) {
	l, n, err := w.Source.MonthStatus(month)
	return l, n, w.seen(err)
}

// syncDamaged handles a failed sync whose cause is the cache's damage
// (SyncFailed): the status line and the dialog say it, instead of the
// sync's failure. False for other failures. On the Fyne goroutine.
func (d *Desk) syncDamaged(err error, r client.Result) bool {
	if !errors.Is(err, cache.ErrDamaged) {
		return false
	}
	slog.Error("sync: the cache is damaged", "err", err)
	d.syncBar.Stop()
	d.syncBar.Hide()
	d.syncRetry.Hide()
	d.syncLabel.SetText(withPending(lang.L("The local cache is damaged."), r.Pending))
	d.syncBox.Show()
	d.asked = false
	d.showDamaged()
	d.told("sync:failed")
	return true
}

// showDamaged shows the damaged cache's dialog, unless it is open or a
// rebuild is under way. On the Fyne goroutine.
func (d *Desk) showDamaged() {
	if d.damagedDlg != nil || d.rebuilding {
		return
	}
	msg := widget.NewLabel(Sentence(cache.ErrDamaged))
	msg.Wrapping = fyne.TextWrapWord
	var dlg *dialog.CustomDialog
	rebuild := widget.NewButtonWithIcon(lang.L("Rebuild the cache"), theme.ViewRefreshIcon(), func() {
		dlg.Hide()
		d.rebuildCache()
	})
	rebuild.Importance = widget.HighImportance
	closeBtn := widget.NewButton(lang.L("Close"), func() { dlg.Hide() })
	buttons := []fyne.CanvasObject{closeBtn}
	if d.rebuilder != nil {
		buttons = append(buttons, rebuild)
	}
	dlg = dialog.NewCustomWithoutButtons(lang.L("The local cache is damaged"),
		container.NewBorder(nil, container.NewCenter(container.NewHBox(buttons...)), nil, nil, msg), d.win)
	dlg.SetOnClosed(func() {
		if d.damagedDlg == dlg {
			d.damagedDlg = nil
		}
	})
	d.damagedDlg = dlg
	dlg.Resize(fyne.NewSize(min(560, max(d.win.Canvas().Size().Width-40, 300)), 0))
	dlg.Show()
	d.told("damaged:shown")
}

// rebuildCache makes the replica anew off the Fyne goroutine, then asks
// for a sync, which sends the outbox and fetches everything again. On
// the Fyne goroutine.
func (d *Desk) rebuildCache() {
	if d.rebuilder == nil || d.rebuilding {
		return
	}
	d.rebuilding = true
	d.syncLabel.SetText(lang.L("Rebuilding the local cache…"))
	d.syncRetry.Hide()
	d.syncBox.Show()
	r := d.rebuilder
	go func() {
		err := r.Rebuild()
		d.do(func() {
			d.rebuilding = false
			if err != nil {
				slog.Error("rebuilding the cache failed", "err", err)
				d.syncLabel.SetText(lang.L("The local cache could not be rebuilt."))
				dialog.NewError(errors.New(Sentence(err)), d.win).Show()
				d.told("rebuild:failed")
				return
			}
			slog.Info("the cache was rebuilt; syncing afresh")
			d.syncLabel.SetText(lang.L("The local cache was rebuilt. Fetching the data from the server…"))
			d.told("rebuild:done")
			if d.opt.Resync != nil {
				d.asked = true
				d.opt.Resync()
			}
		})
	}()
}
