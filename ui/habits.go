package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"

	"psopdesk/data"
)

// What the desk remembers between starts, in the app's Fyne preferences:
// the window's size, the open customers (their ids only, never a name or a
// henkilötunnus) and the last statement period used. Fyne 2.7 has no
// portable way to read or set a window's position, so the position is the
// window system's.
const (
	prefWindowWidth   = "window.width"
	prefWindowHeight  = "window.height"
	prefOpenCustomers = "desk.openCustomers" // ids, in tab order
	prefOpenSelected  = "desk.selectedCustomer"
	prefPeriod        = "statement.period" // "month:N" (N months back) or "range:FROM:TO" (yyyy-mm-dd)
)

// savedWindowSize is the window size remembered, or def when none (or a
// size too small to use).
func (d *Desk) savedWindowSize(def fyne.Size) fyne.Size {
	p := d.app.Preferences()
	w, h := p.Float(prefWindowWidth), p.Float(prefWindowHeight)
	if w < 640 || h < 480 {
		return def
	}
	return fyne.NewSize(float32(w), float32(h))
}

// rememberWindow keeps the window's size and the customer selected when
// the user closes the window (or the app stops), for the next start.
func (d *Desk) rememberWindow() {
	d.win.SetCloseIntercept(func() {
		d.saveHabits()
		d.win.Close()
	})
	d.app.Lifecycle().SetOnStopped(d.saveHabits)
}

func (d *Desk) saveHabits() {
	d.saveWindowSize()
	d.rememberOpenCustomers()
}

func (d *Desk) saveWindowSize() {
	s := d.win.Canvas().Size()
	if s.Width < 640 || s.Height < 480 {
		return
	}
	p := d.app.Preferences()
	p.SetFloat(prefWindowWidth, float64(s.Width))
	p.SetFloat(prefWindowHeight, float64(s.Height))
}

// rememberOpenCustomers keeps the ids of the open customers, in tab
// order, and the selected one's. Call on the UI goroutine after a tab
// opens or closes.
func (d *Desk) rememberOpenCustomers() {
	var ids []string
	selected := ""
	for _, item := range d.tabs.Items {
		for id, v := range d.views {
			if v.tab == item {
				ids = append(ids, id)
				if d.tabs.Selected() == item {
					selected = id
				}
			}
		}
	}
	p := d.app.Preferences()
	p.SetStringList(d.cachePref(prefOpenCustomers), ids)
	p.SetString(d.cachePref(prefOpenSelected), selected)
}

// cachePref is the preference key of name for this desk's cache folder:
// the open customers of the demo's cache and of a server's are kept
// apart. The folder is named by a hash of its path.
func (d *Desk) cachePref(name string) string {
	if d.opt.DataDir == "" {
		return name
	}
	sum := sha256.Sum256([]byte(d.opt.DataDir))
	return name + "." + hex.EncodeToString(sum[:6])
}

// RestoreOpenCustomers opens again the customers open when the program
// last ended, those the cache still has, the last selected one selected.
// It reads the cache off the UI goroutine; call it once after NewDesk.
func (d *Desk) RestoreOpenCustomers() {
	p := d.app.Preferences()
	ids := p.StringList(d.cachePref(prefOpenCustomers))
	selected := p.String(d.cachePref(prefOpenSelected))
	if len(ids) == 0 {
		return
	}
	src, today := d.src, d.opt.Today()
	go func() {
		var found []data.Customer
		for _, id := range ids {
			cv, err := src.CustomerView(id, today)
			if err != nil { // gone from the cache (or unreadable): not reopened
				slog.Info("an open customer was not reopened", "err", err)
				continue
			}
			found = append(found, cv.Customer)
		}
		d.do(func() {
			for _, c := range found {
				if _, open := d.views[c.ID]; !open {
					d.openCustomer(c, tabInfo)
				}
			}
			if v, ok := d.views[selected]; ok {
				d.tabs.Select(v.tab)
			}
			d.rememberOpenCustomers()
			d.told("restored")
		})
	}()
}

// rememberPeriod keeps the statement period used: the month's place in
// the month choice (so "the previous month" stays the previous month),
// else the own range.
func (s *statementTab) rememberPeriod(from, to data.Date) {
	v := "range:" + from.String() + ":" + to.String()
	if i := s.month.SelectedIndex(); i >= 0 && i < len(s.months) && s.months[i] == from && monthEnd(from) == to {
		v = "month:" + strconv.Itoa(i)
	}
	s.v.d.app.Preferences().SetString(prefPeriod, v)
}

// usePeriod sets the form to the period last used, if any and valid.
func (s *statementTab) usePeriod() {
	v := s.v.d.app.Preferences().String(prefPeriod)
	kind, rest, _ := strings.Cut(v, ":")
	var from, to data.Date
	switch kind {
	case "month":
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 || i >= len(s.months) {
			return
		}
		from, to = s.months[i], monthEnd(s.months[i])
	case "range":
		a, b, _ := strings.Cut(rest, ":")
		var err1, err2 error
		from, err1 = data.ParseDate(a)
		to, err2 = data.ParseDate(b)
		if err1 != nil || err2 != nil || to.Before(from) {
			return
		}
	default:
		return
	}
	idx := -1
	for i, m := range s.months {
		if from == m && to == monthEnd(m) {
			idx = i
		}
	}
	was := s.setting
	s.setting = true
	if idx < 0 {
		s.month.ClearSelected()
	} else {
		s.month.SetSelectedIndex(idx)
	}
	s.from.SetText(from.Format())
	s.to.SetText(to.Format())
	s.setting = was
}
