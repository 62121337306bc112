package ui

import (
	"errors"
	"log/slog"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/sync/client"
)

// catchUp is the panel of a sync that fetches many pages (the first sync,
// or one that goes on after an interrupted first sync): a bar with the
// share of the feed the cache holds (cursor / head), the customers and
// events received so far, and Peruuta, which cancels the sync
// (Options.CancelSync); what arrived stays and search works on it.
type catchUp struct {
	bar    *widget.ProgressBar
	counts *widget.Label
	cancel *widget.Button
	box    *fyne.Container
	// carried are the customers and events of earlier runs that ended
	// before catching up (cancelled, failed): a run goes on from their
	// cursor, so the counts shown add them. run is the run's own.
	carried, run [2]int
}

// end hides the panel when a sync ends: one that caught up (done)
// starts the counts over; one that did not carries its counts on.
func (c *catchUp) end(done bool) {
	c.box.Hide()
	if done {
		c.carried = [2]int{}
	} else {
		c.carried[0] += c.run[0]
		c.carried[1] += c.run[1]
	}
	c.run = [2]int{}
}

func newCatchUp(d *Desk) *catchUp {
	c := &catchUp{bar: widget.NewProgressBar(), counts: widget.NewLabel("")}
	c.counts.Wrapping = fyne.TextWrapWord
	c.cancel = widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), d.cancelSync)
	c.box = container.NewBorder(nil, widget.NewSeparator(), nil, c.cancel, container.NewVBox(c.counts, c.bar))
	c.box.Hide()
	return c
}

// showCatchUp shows p in the catch-up panel when the sync has pages
// still to fetch (the feed's head ahead of the cursor after a page), and
// hides it otherwise. It tells whether the panel shows. Fyne goroutine.
func (d *Desk) showCatchUp(p client.Progress) bool {
	c := d.catchUp
	if p.Done || p.Pages == 0 || p.Head == 0 || p.Cursor >= p.Head {
		c.box.Hide()
		return false
	}
	c.run = [2]int{p.Customers, p.Events}
	nc, ne := c.carried[0]+p.Customers, c.carried[1]+p.Events
	customers := lang.N("{{.N}} customers", nc, map[string]any{"N": data.GroupDigits(nc)})
	events := lang.N("{{.N}} events", ne, map[string]any{"N": data.GroupDigits(ne)})
	c.counts.SetText(lang.L("Fetching data from the server: {{.Customers}} and {{.Events}} so far. Search works on what has arrived.",
		map[string]any{"Customers": customers, "Events": events}))
	// Whole percent, never 100 % before the end.
	c.bar.SetValue(math.Min(math.Floor(p.Fraction()*100)/100, 0.99))
	if d.opt.CancelSync != nil {
		c.cancel.Enable()
		c.cancel.Show()
	} else {
		c.cancel.Hide()
	}
	c.box.Show()
	d.syncBar.Stop()
	d.syncBar.Hide()
	d.syncBox.Hide()
	return true
}

// cancelSync is Peruuta of the catch-up panel.
func (d *Desk) cancelSync() {
	if d.opt.CancelSync == nil {
		return
	}
	d.catchUp.cancel.Disable()
	d.catchUp.counts.SetText(lang.L("Cancelling the sync…"))
	d.opt.CancelSync()
}

// syncKey runs the window's function keys: F5 (Synkronoi nyt). It tells
// whether k was one. The search field, the results, the event list and
// the window itself (nothing focused) call it first.
func (d *Desk) syncKey(k *fyne.KeyEvent) bool {
	if k.Name == fyne.KeyF5 && d.opt.Resync != nil {
		d.resync()
		return true
	}
	return false
}

// syncedLine is the status line after a sync that worked: "Synkronoitu
// klo 12.03", and how many changes wait to be sent.
func (d *Desk) syncedLine(pending int) string {
	d.lastSynced = d.opt.Now()
	return pendingLine(lang.L("Synced at {{.Time}}", map[string]any{"Time": data.ClockOf(d.lastSynced)}), pending)
}

// offlineLine is the status line while the server cannot be reached:
// "Ei yhteyttä – 3 muutosta odottaa lähetystä", or when nothing waits,
// when the data shown was synced.
func (d *Desk) offlineLine(pending int) string {
	if pending > 0 {
		return pendingLine(lang.L("No connection"), pending)
	}
	if !d.lastSynced.IsZero() {
		return lang.L("No connection – synced at {{.Time}}", map[string]any{"Time": data.ClockOf(d.lastSynced)})
	}
	if d.noDataYet() {
		return lang.L("No connection, and no data has been fetched yet. Check the network connection and the server's address (File → Connect to a server); PSOP Desk tries again by itself.")
	}
	return lang.L("No connection – showing the data fetched earlier")
}

// noDataYet tells that the source has never received anything from the
// server (a cache at cursor 0), when it can tell.
func (d *Desk) noDataYet() bool {
	cs, ok := d.src.(interface{ Cursor() (uint64, error) })
	if !ok {
		return false
	}
	cur, err := cs.Cursor()
	return err == nil && cur == 0
}

// pendingLine adds to a short status line how many changes wait to be
// sent: "… – 1 muutos odottaa lähetystä".
func pendingLine(line string, pending int) string {
	if pending <= 0 {
		return line
	}
	return line + " – " + lang.N("{{.N}} changes waiting to be sent", pending, map[string]any{"N": data.GroupDigits(pending)})
}

// syncFailedHere handles the failures that have their own path (Fyne
// goroutine): a sync the user cancelled (the status line says what
// stays, no dialog), no connection (the status line), and a key that is
// missing or refused when the window can ask for one (the connect
// dialog). It tells whether it handled err; the caller then only ends the
// sync (afterSync).
func (d *Desk) syncFailedHere(err error, r client.Result) bool {
	var se *client.Error
	var ke *client.KeyRingError
	isSync := errors.As(err, &se)
	switch {
	case isSync && se.Kind == client.Canceled:
		d.syncLabel.SetText(pendingLine(lang.L("Sync cancelled: the data that arrived is kept; Sync now (F5) continues"), r.Pending))
	case isSync && se.Kind == client.Unreachable && !d.asked:
		d.syncLabel.SetText(d.offlineLine(r.Pending))
	case d.opt.Connection != nil && isSync && se.Kind == client.Unauthorized:
		d.syncLabel.SetText(pendingLine(lang.L("The server did not accept the API key"), r.Pending))
		d.showConnect(connectRefused)
	case d.opt.Connection != nil && errors.As(err, &ke):
		d.syncLabel.SetText(pendingLine(lang.L("Not connected: give the API key"), r.Pending))
		if ke.Code == client.KeyRingUnavailable {
			d.showConnect(connectNoKeyRing)
		} else {
			d.showConnect(connectNoKey)
		}
	default:
		return false
	}
	slog.Info("sync failed", "err", err)
	d.syncBar.Stop()
	d.syncBar.Hide()
	d.catchUp.end(false)
	if d.opt.Resync != nil {
		d.syncRetry.Show()
	}
	d.syncBox.Show()
	d.asked = false
	d.refused(r.Refused)
	d.afterSync()
	d.told("sync:failed")
	return true
}

// KeyExpires tells the window when the API key in use expires (the zero
// time: not known). Within client.KeyExpiryWarning of the clock it shows
// a warning under the status line until a later call says otherwise.
// Safe from any goroutine.
func (d *Desk) KeyExpires(expires time.Time) {
	d.do(func() {
		if client.ExpiresSoon(expires, d.opt.Now()) {
			day := data.DateOf(expires.In(data.Helsinki))
			days := int(math.Ceil(expires.Sub(d.opt.Now()).Hours() / 24))
			msg := lang.L("The API key expired on {{.Date}}: create a new key in the organizer's system and give it under File → Connect to a server.",
				map[string]any{"Date": day.Format()})
			if days > 0 {
				msg = lang.N("The API key expires on {{.Date}}, in {{.N}} days: create a new key in the organizer's system and give it under File → Connect to a server.",
					days, map[string]any{"Date": day.Format(), "N": days})
			}
			d.keyWarning.SetText(msg)
			d.keyWarning.Show()
		} else {
			d.keyWarning.Hide()
		}
		d.told("key:expiry")
	})
}

// newKeyWarning is the label of KeyExpires, hidden at first.
func newKeyWarning() *widget.Label {
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}
