package ui

import (
	"errors"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
	// OnDamaged sets the function called (on the goroutine of the read or
	// write that found it) when the replica is found damaged.
	OnDamaged(fn func(*cache.DamagedError))
}

var _ Rebuilder = (*cache.Cache)(nil)

// watchDamage makes d tell the user when src's cache is found damaged:
// at once when it was opened so, and by any read or write since. Called on
// the Fyne goroutine.
func (d *Desk) watchDamage(src Source) {
	r, ok := src.(Rebuilder)
	if !ok {
		return
	}
	d.rebuilder = r
	r.OnDamaged(func(*cache.DamagedError) { d.do(d.showDamaged) })
	if r.Damaged() != nil {
		d.showDamaged()
	}
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
