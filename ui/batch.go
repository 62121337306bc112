package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"psopdesk/data"
	"psopdesk/ui/print"
)

// batchDialog is the dialog "Omavastuuerittelyt kuukaudelta…" (menu
// Asiakkaat, Ctrl+E): the co-payment statements of one month for every
// customer with events of a service (or of any service), one PDF each,
// kaikki.pdf to print them all and yhteenveto.csv, into a folder. The work
// runs off the Fyne goroutine with a progress bar and can be cancelled.
type batchDialog struct {
	d *Desk

	services []data.Service // every service, by name; option 0 is Kaikki palvelut
	sel      *keySelect
	months   []data.Date // first days, newest first
	month    *keySelect
	folder   *keyEntry
	// folderSet: the folder follows the month until the user edits it.
	folderSet bool
	setting   bool

	startBtn, cancelBtn, closeBtn *keyButton // Enter taps the focused one
	bar                           *widget.ProgressBar
	status                        *widget.Label

	box     *fyne.Container // the dialog's content
	dlg     dialog.Dialog
	running bool
	stopRun context.CancelFunc // stops the running batch (Keskeytä, Escape)
	result  batchResult        // of the last run, for tests
}

// batchResult is a batch's outcome: what print.MakeMonthBatch made and the
// error that stopped it.
type batchResult struct {
	print.BatchResult
	err error
}

// showBatch opens the month's batch dialog (the menu item).
func (d *Desk) showBatch() {
	b := &batchDialog{d: d}
	d.batch = b
	today := d.opt.Today()
	b.months = recentMonths(today, 24)
	names := make([]string, len(b.months))
	for i, m := range b.months {
		names[i] = monthName(m)
	}
	b.sel = newKeySelect([]string{lang.L("All services")}, nil)
	b.sel.SetSelectedIndex(0)
	b.month = newKeySelect(names, func(string) { b.monthChosen() })
	b.folder = newKeyEntry()
	b.folder.OnSubmitted = func(string) { tap(b.startBtn)() }
	b.folder.OnChanged = func(string) {
		if !b.setting {
			b.folderSet = true
		}
	}
	b.month.SetSelectedIndex(1) // the previous month
	b.bar = widget.NewProgressBar()
	b.bar.Hide()
	b.status = widget.NewLabel(lang.L("For every customer with events of the service in the month: a PDF each, all of them in kaikki.pdf for printing, and the totals in yhteenveto.csv."))
	b.status.Wrapping = fyne.TextWrapWord
	b.startBtn = newKeyButton(lang.L("Make the statements"), theme.DocumentIcon(), b.start)
	b.startBtn.Importance = widget.HighImportance
	b.cancelBtn = newKeyButton(lang.L("Stop"), theme.CancelIcon(), b.stop)
	b.cancelBtn.Hide()
	b.closeBtn = newKeyButton(lang.L("Close"), nil, func() { b.dlg.Hide() })
	choose := newKeyButton(lang.L("Choose…"), theme.FolderOpenIcon(), b.chooseFolder)

	form := container.New(layout.NewFormLayout(),
		widget.NewLabelWithStyle(lang.L("Service"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), b.sel,
		widget.NewLabelWithStyle(lang.L("Month"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), b.month,
		widget.NewLabelWithStyle(lang.L("Folder"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, choose, b.folder),
	)
	buttons := container.NewHBox(b.startBtn, b.cancelBtn, b.closeBtn)
	b.box = container.NewVBox(form, b.status, b.bar, buttons)
	b.dlg = dialog.NewCustomWithoutButtons(lang.L("Co-payment statements of a month"), b.box, d.win)
	b.dlg.Show()
	keyed(d.win, b.dlg, b.enter, b.escape)
	b.relayout()

	src := d.src
	go func() {
		svcs, err := src.Services()
		d.do(func() {
			if err != nil {
				slog.Error("reading the services failed", "err", err)
			}
			b.services = svcs
			opts := []string{lang.L("All services")}
			for _, s := range svcs {
				opts = append(opts, s.Name)
			}
			b.sel.Options = opts
			b.sel.Refresh()
			d.told("batch:ready")
		})
	}()
}

// relayout lays the dialog out again after the progress bar or a button
// was shown or hidden, at its width and the height its content needs.
func (b *batchDialog) relayout() {
	b.box.Refresh()
	b.dlg.Resize(fyne.NewSize(min(640, b.d.win.Canvas().Size().Width-40), 0))
}

// monthChosen points the folder at the month's (unless the user chose one).
func (b *batchDialog) monthChosen() {
	if b.folderSet {
		return
	}
	i := b.month.SelectedIndex()
	if i < 0 {
		return
	}
	dir, err := b.d.printsDir()
	if err != nil {
		return
	}
	b.setting = true
	b.folder.SetText(freshFolder(filepath.Join(dir, fmt.Sprintf("%04d-%02d", b.months[i].Year, int(b.months[i].Month)))))
	b.setting = false
}

// freshFolder is dir when it is missing or empty, else the first of
// "dir (2)", "dir (3)" … that is: a batch run again does not mix with the
// files of the one before.
func freshFolder(dir string) string {
	empty := func(p string) bool {
		es, err := os.ReadDir(p)
		return errors.Is(err, os.ErrNotExist) || err == nil && len(es) == 0
	}
	if empty(dir) {
		return dir
	}
	for n := 2; n < 1000; n++ {
		if p := fmt.Sprintf("%s (%d)", dir, n); empty(p) {
			return p
		}
	}
	return dir
}

// chooseFolder lets the user pick the folder with Fyne's folder dialog.
func (b *batchDialog) chooseFolder() {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		b.folder.SetText(u.Path())
		b.folderSet = true
	}, b.d.win)
	fd.Resize(fyne.NewSize(min(900, b.d.win.Canvas().Size().Width-40), min(600, b.d.win.Canvas().Size().Height-40)))
	fd.Show()
}

// stop asks the running batch to stop after the statements being written.
func (b *batchDialog) stop() {
	if b.stopRun != nil {
		b.stopRun()
	}
	b.cancelBtn.Disable()
	b.status.SetText(lang.L("Stopping…"))
}

// start checks the dialog and runs the batch off the Fyne goroutine.
func (b *batchDialog) start() {
	if b.running {
		return
	}
	i, mi := b.sel.SelectedIndex(), b.month.SelectedIndex()
	if i < 0 || mi < 0 {
		b.status.SetText(lang.L("Choose the service and the month."))
		return
	}
	serviceID := ""
	if i > 0 && i-1 < len(b.services) {
		serviceID = b.services[i-1].ID
	}
	dir := strings.TrimSpace(b.folder.Text)
	if dir == "" {
		b.status.SetText(lang.L("Choose the folder for the statements."))
		return
	}
	b.running = true
	ctx, cancel := context.WithCancel(context.Background())
	b.stopRun = cancel
	for _, w := range []fyne.Disableable{b.sel, b.month, b.folder, b.startBtn, b.closeBtn} {
		w.Disable()
	}
	b.cancelBtn.Enable()
	b.cancelBtn.Show()
	b.bar.SetValue(0)
	b.bar.Show()
	b.status.SetText(lang.L("Finding the customers…"))
	b.relayout()
	batch := print.MonthBatch{ServiceID: serviceID, Month: b.months[mi], Made: b.d.opt.Today(), Dir: dir}
	go func() {
		res := b.run(ctx, batch)
		cancel()
		b.d.do(func() { b.finish(res, dir) })
	}()
}

// run makes the batch with print.MakeMonthBatch, as `psopdesk statements`
// does: the same customers, files and file names. Its progress reaches
// the bar through the UI queue, at most one update waiting at a time.
func (b *batchDialog) run(ctx context.Context, batch print.MonthBatch) batchResult {
	var done, all atomic.Int64
	var waiting atomic.Bool
	batch.Progress = func(n, of int) {
		done.Store(int64(n))
		all.Store(int64(of))
		if waiting.Swap(true) {
			return // the update waiting shows this one too
		}
		b.d.do(func() {
			waiting.Store(false)
			n, of := done.Load(), all.Load()
			b.bar.SetValue(float64(n) / float64(of))
			if ctx.Err() == nil {
				b.status.SetText(lang.L("{{.Done}} / {{.All}} customers…", map[string]any{"Done": n, "All": of}))
			}
			b.d.told("batch:progress")
		})
	}
	res, err := print.MakeMonthBatch(ctx, b.d.src, batch)
	for _, f := range res.Failed {
		slog.Error("batch statement not written", "customer", f.Customer.ID, "err", f.Err)
	}
	return batchResult{BatchResult: res, err: err}
}

// finish shows the batch's outcome: the counts, the folder, the files.
func (b *batchDialog) finish(res batchResult, dir string) {
	b.result = res
	b.running = false
	b.stopRun = nil
	for _, w := range []fyne.Disableable{b.sel, b.month, b.folder, b.startBtn, b.closeBtn} {
		w.Enable()
	}
	b.cancelBtn.Hide()
	counts := lang.L("{{.Made}} made, {{.Skipped}} skipped (no events in the month), {{.Failed}} failed.",
		map[string]any{"Made": res.Made, "Skipped": res.Skipped, "Failed": len(res.Failed)})
	var text string
	switch {
	case res.err != nil:
		slog.Error("batch failed", "err", res.err)
		text = lang.L("The statements could not be saved in {{.Dir}}: {{.Err}}", map[string]any{"Dir": dir, "Err": Sentence(res.err)}) + " " + counts
	case res.Cancelled && res.Made == 0:
		text = lang.L("Stopped before any statement was written.") + " " + counts
	case res.Cancelled:
		text = lang.L("Stopped. The statements made so far are in {{.Dir}}; kaikki.pdf and yhteenveto.csv were not made.", map[string]any{"Dir": dir}) + " " + counts
	case res.Made == 0:
		text = lang.L("No statements made: no customer has events of the service in the month.") + " " + counts
	default:
		b.bar.SetValue(1)
		text = lang.L("Statements saved in {{.Dir}}.", map[string]any{"Dir": dir}) + " " + counts
	}
	b.status.SetText(text)
	b.relayout()
	b.d.told("batch:done")
}
