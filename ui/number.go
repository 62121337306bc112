package ui

import (
	"errors"
	"log/slog"
	"strings"
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
	"psopdesk/sync/wire"
)

// numberEntryWidth is the width of the customer number's entry: room for
// the longest number (data.CustomerNumberMaxLen characters).
const numberEntryWidth = 220

// numberEditor edits the provider's customer number on the Asiakkaan
// tiedot tab (DOMAIN.md §6): an entry with Tallenna (or Enter), Poista
// asiakasnumero after a confirmation, the mark "odottaa lähetystä" while
// the change is in the outbox, and a refusal's sentence under it. The
// change is stored in the outbox by the Source (off the UI goroutine) and
// sent by asking Options.Resync. Its widgets outlive the tab's reloads, so
// a sync that reloads the view keeps what the user is typing. UI goroutine
// only.
type numberEditor struct {
	v *customerView

	entry   *widget.Entry
	save    *widget.Button
	remove  *widget.Button
	mark    *widget.Label // "odottaa lähetystä", beside the entry
	errText *widget.Label // a refusal, kept until the next change here
	content fyne.CanvasObject

	shown   string // the number the last load showed (pending change applied)
	loaded  bool   // a load has shown the customer
	reset   bool   // the next load sets the entry even if the user edited it
	saving  bool   // a change is being stored
	confirm *dialog.ConfirmDialog
}

func newNumberEditor(v *customerView) *numberEditor {
	n := &numberEditor{v: v}
	n.entry = widget.NewEntry()
	n.entry.SetPlaceHolder(lang.L("No customer number"))
	n.entry.OnChanged = func(string) { n.updateButtons() }
	n.entry.OnSubmitted = func(string) { n.saveNumber() }
	n.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), n.saveNumber)
	n.save.Importance = widget.HighImportance
	n.remove = widget.NewButtonWithIcon(lang.L("Remove customer number"), theme.DeleteIcon(), n.askRemove)
	n.mark = widget.NewLabel("")
	n.mark.Importance = widget.WarningImportance
	n.mark.Hide()
	n.errText = widget.NewLabel("")
	n.errText.Importance = widget.DangerImportance
	n.errText.Wrapping = fyne.TextWrapWord
	n.errText.Hide()
	h := n.entry.MinSize().Height
	row := container.NewHBox(container.NewGridWrap(fyne.NewSize(numberEntryWidth, h), n.entry), n.save, n.remove)
	n.content = container.NewVBox(row, n.mark, n.errText)
	n.updateButtons()
	return n
}

// show shows cd's customer number. The entry keeps what the user has typed
// unless the number shown has been saved meanwhile.
func (n *numberEditor) show(cd customerData) {
	number := cd.Customer.CustomerNumber
	edited := n.entry.Text != n.shown && !n.reset
	n.shown, n.reset, n.loaded = number, false, true
	if !edited {
		n.entry.SetText(number)
	}
	if text, sent := pendingMark(cd); text != "" {
		n.mark.Importance = widget.WarningImportance
		if sent {
			n.mark.Importance = widget.SuccessImportance
		}
		n.mark.SetText(text)
		n.mark.Show()
	} else {
		n.mark.Hide()
	}
	n.updateButtons()
}

// pendingMark is the mark of a customer number change the server has not
// yet shown back: "odottaa lähetystä", with the kind of the last failed
// send ("ei yhteyttä palvelimeen"), or "tallennettu palvelimelle" (sent)
// when the server applied it but the cache has not fetched it yet; ""
// when there is none.
func pendingMark(cd customerData) (text string, sent bool) {
	var last *cache.Entry
	for i, e := range cd.Pending {
		if e.Command.Type == wire.SetCustomerNumber || e.Command.Type == wire.RemoveCustomerNumber {
			last = &cd.Pending[i]
		}
	}
	switch {
	case last == nil && !cd.NumberPending:
		return "", false
	case last == nil:
		return lang.L("waiting to be sent"), false
	case last.State == cache.StateApplied:
		return lang.L("saved on the server"), true
	}
	removal := last.Command.Type == wire.RemoveCustomerNumber
	if last.LastError == "" {
		if removal {
			return lang.L("removal waiting to be sent"), false
		}
		return lang.L("waiting to be sent"), false
	}
	why := map[string]any{"Why": sendFailure(last.LastError)}
	if removal {
		return lang.L("removal waiting to be sent ({{.Why}})", why), false
	}
	return lang.L("waiting to be sent ({{.Why}})", why), false
}

// sendFailure names an outbox entry's LastError (client.ErrorKind's
// String) in a few words.
func sendFailure(kind string) string {
	switch kind {
	case client.Unreachable.String():
		return lang.L("no connection to the server")
	case client.Unauthorized.String():
		return lang.L("the server did not accept the API key")
	case client.BadReply.String():
		return lang.L("the server's reply was invalid")
	case client.Server.String():
		return lang.L("fault on the server")
	case client.Local.String():
		return lang.L("the local cache could not be written")
	case client.Canceled.String():
		return lang.L("sending was interrupted")
	}
	return lang.L("sending failed")
}

// updateButtons enables Tallenna when the entry differs from the number
// shown, and Poista asiakasnumero when there is a number to remove.
func (n *numberEditor) updateButtons() {
	enable := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	enable(n.save, n.loaded && !n.saving && strings.TrimSpace(n.entry.Text) != n.shown)
	enable(n.remove, n.loaded && !n.saving && n.shown != "")
}

// showError shows a refusal's sentence under the entry, kept until the
// next change made here.
func (n *numberEditor) showError(sentence string) {
	n.errText.SetText(sentence)
	n.errText.Show()
}

// saveNumber stores the number typed (Tallenna, Enter).
func (n *numberEditor) saveNumber() {
	number := strings.TrimSpace(n.entry.Text)
	if !n.loaded || n.saving || number == n.shown {
		return
	}
	n.change(number, func(src Source, id string, now time.Time) (cache.Entry, error) {
		return src.SetCustomerNumber(id, number, now)
	})
}

// askRemove asks whether to remove the number shown, then removes it.
func (n *numberEditor) askRemove() {
	number := n.shown
	if !n.loaded || n.saving || number == "" {
		return
	}
	n.confirm = dialog.NewConfirm(lang.L("Remove customer number"),
		lang.L("Remove the customer number {{.Number}}? The number becomes free for another customer at once.", map[string]any{"Number": number}),
		func(ok bool) {
			if !ok {
				return
			}
			n.change(number, func(src Source, id string, now time.Time) (cache.Entry, error) {
				return src.RemoveCustomerNumber(id, now)
			})
		}, n.v.d.win)
	n.confirm.SetConfirmText(lang.L("Remove"))
	n.confirm.SetDismissText(lang.L("Cancel"))
	n.confirm.SetConfirmImportance(widget.DangerImportance)
	confirmKeyed(n.v.d.win, n.confirm)
}

// change stores a change off the UI goroutine. Stored: the view reloads
// (showing it as pending) and the engine is asked to send it at once.
// Refused at once (an invalid number, a number another customer holds, a
// customer no longer in the cache): the sentence shows under the entry,
// which keeps its text, and nothing is queued.
func (n *numberEditor) change(number string, store func(src Source, id string, now time.Time) (cache.Entry, error)) {
	v := n.v
	n.saving = true
	n.errText.Hide() // a new change: the last refusal no longer applies
	n.updateButtons()
	src, id, now := v.d.src, v.cust.ID, v.d.opt.Now()
	go func() {
		_, err := store(src, id, now)
		v.d.do(func() {
			n.saving = false
			var de *data.Error
			switch {
			case errors.As(err, &de):
				slog.Info("customer number change refused", "customer", id, "code", de.Code)
				n.showError(numberSentence(err, number))
			case err != nil:
				slog.Error("storing the customer number change failed", "customer", id, "err", err)
				n.showError(Sentence(err))
			default:
				n.reset = true
				v.load()
				if v.d.opt.Resync != nil {
					v.d.opt.Resync()
				}
			}
			n.updateButtons()
			v.d.told("number:" + id)
		})
	}()
}
