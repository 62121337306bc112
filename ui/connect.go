package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"psopdesk/sync/client"
)

// Connection lets the user connect the window to an organizer's server:
// the server's address and the API key, the key kept in the system's
// keyring (Keys), or where there is none, in a key file the user names.
type Connection struct {
	// Server is the address in use, offered in the dialog ("" in demo
	// mode).
	Server string
	// Keys keeps the API key, by server (client.SystemKeyRing).
	Keys client.KeyRing
	// Use takes the user's choice: server, and keyFile "" when the key
	// is in Keys, else the key file's path (the key is in no file of
	// ours). It stores the choice and has the sync use it
	// (client.Engine.Reconnect and Request); restart tells that the
	// program must be started again to use it (the demo's window, whose
	// cache is the demo's). It runs off the Fyne goroutine.
	Use func(server, keyFile string) (restart bool, err error)
}

// connectReason is why the connect dialog opens.
type connectReason int

const (
	connectAsked     connectReason = iota // the menu item
	connectNoKey                          // no key kept for the server
	connectRefused                        // the server refused the key (401)
	connectNoKeyRing                      // no keyring on this system, no key file given
)

// connectDialog is the open "Yhdistä palvelimeen" dialog.
type connectDialog struct {
	d                    *Desk
	dlg                  dialog.Dialog
	server, key, keyFile *widget.Entry
	why, errText         *widget.Label
	keyRow, fileRow      [2]fyne.CanvasObject // label and field of the key, of the key file
	ok                   *widget.Button
	noKeyRing            bool
}

// showConnect opens the connect dialog (one at a time: an open one is
// told the new reason). Fyne goroutine.
func (d *Desk) showConnect(reason connectReason) {
	if d.opt.Connection == nil {
		return
	}
	if c := d.connect; c != nil {
		c.setReason(reason)
		return
	}
	c := &connectDialog{d: d, server: widget.NewEntry(), key: widget.NewPasswordEntry(), keyFile: widget.NewEntry()}
	c.server.SetPlaceHolder("https://psop.example.fi")
	c.server.SetText(d.opt.Connection.Server)
	c.key.SetPlaceHolder(lang.L("The key made in the organizer's system"))
	c.keyFile.SetPlaceHolder(lang.L("Path of the key file"))
	c.why = widget.NewLabel("")
	c.why.Wrapping = fyne.TextWrapWord
	c.errText = widget.NewLabel("")
	c.errText.Wrapping = fyne.TextWrapWord
	c.errText.Importance = widget.DangerImportance
	c.errText.Hide()
	c.keyRow = [2]fyne.CanvasObject{widget.NewLabel(lang.L("API key")), c.key}
	choose := widget.NewButton(lang.L("Choose…"), c.chooseFile)
	c.fileRow = [2]fyne.CanvasObject{widget.NewLabel(lang.L("Key file")), container.NewBorder(nil, nil, nil, choose, c.keyFile)}
	c.fileRow[0].Hide()
	c.fileRow[1].Hide()
	c.ok = widget.NewButton(lang.L("Connect"), c.submit)
	c.ok.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), func() { c.dlg.Hide() })
	c.key.OnSubmitted = func(string) { c.submit() }
	c.keyFile.OnSubmitted = func(string) { c.submit() }
	c.server.OnSubmitted = func(string) { c.submit() }
	form := container.New(layout.NewFormLayout(), widget.NewLabel(lang.L("Server address")), c.server,
		c.keyRow[0], c.keyRow[1], c.fileRow[0], c.fileRow[1])
	body := container.NewVBox(c.why, form, c.errText)
	dlg := dialog.NewCustomWithoutButtons(lang.L("Connect to a server"), body, d.win)
	dlg.SetButtons([]fyne.CanvasObject{cancel, c.ok})
	c.dlg = dlg
	c.dlg.SetOnClosed(func() {
		if d.connect == c {
			d.connect = nil
		}
	})
	c.setReason(reason)
	d.connect = c
	c.dlg.Resize(fyne.NewSize(min(620, d.win.Canvas().Size().Width-40), 0))
	c.dlg.Show()
	if c.server.Text == "" {
		d.win.Canvas().Focus(c.server)
	} else {
		d.win.Canvas().Focus(c.key)
	}
	d.told("connect:shown")
}

// setReason says why the dialog asks.
func (c *connectDialog) setReason(reason connectReason) {
	switch reason {
	case connectRefused:
		c.why.SetText(lang.L("The server did not accept the API key: it is wrong, revoked or expired. Give a new key made in the organizer's system. The data in the local cache is kept."))
	case connectNoKey:
		c.why.SetText(lang.L("No API key is saved for this server. Give the key made in the organizer's system."))
	case connectNoKeyRing:
		c.why.SetText(lang.L("Give the server's address and the API key made in the organizer's system."))
		c.useKeyFile()
	default:
		c.why.SetText(lang.L("Give the server's address and the API key made in the organizer's system."))
	}
}

// useKeyFile switches to a key file: the system has no keyring to keep
// the key safely in.
func (c *connectDialog) useKeyFile() {
	c.noKeyRing = true
	c.keyRow[0].Hide()
	c.keyRow[1].Hide()
	c.fileRow[0].Show()
	c.fileRow[1].Show()
	c.why.SetText(lang.L("This computer has no keyring (a safe store for passwords), so PSOP Desk cannot keep the key. Save the key in a file that only you can read, and choose that file here."))
	c.errText.Hide()
}

func (c *connectDialog) fail(msg string) {
	c.errText.SetText(msg)
	c.errText.Show()
}

// chooseFile picks the key file with the system's open dialog.
func (c *connectDialog) chooseFile() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		c.keyFile.SetText(r.URI().Path())
		_ = r.Close()
	}, c.d.win)
}

// submit checks the address and the key, then (off the Fyne goroutine)
// keeps the key in the keyring or reads the key file, and hands the
// choice to Connection.Use.
func (c *connectDialog) submit() {
	server := strings.TrimRight(strings.TrimSpace(c.server.Text), "/")
	if err := client.CheckServerURL(server); err != nil {
		c.fail(Sentence(err))
		c.d.told("connect:refused")
		return
	}
	key, path := strings.TrimSpace(c.key.Text), strings.TrimSpace(c.keyFile.Text)
	switch {
	case c.noKeyRing && path == "":
		c.fail(lang.L("Choose the file that holds the API key."))
		c.d.told("connect:refused")
		return
	case !c.noKeyRing && (key == "" || strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' })):
		c.fail(lang.L("Type the API key: it has no spaces."))
		c.d.told("connect:refused")
		return
	}
	if !c.noKeyRing {
		path = ""
	}
	c.ok.Disable()
	conn := c.d.opt.Connection
	go func() {
		var err error
		if path != "" {
			_, err = client.LoadAPIKey(path)
		} else {
			err = conn.Keys.SetKey(server, key)
		}
		restart := false
		if err == nil {
			restart, err = conn.Use(server, path)
		}
		c.d.do(func() { c.finish(server, restart, err) })
	}()
}

// finish closes the dialog when the choice was taken, or says why not.
func (c *connectDialog) finish(server string, restart bool, err error) {
	c.ok.Enable()
	var ke *client.KeyRingError
	switch {
	case errors.As(err, &ke) && ke.Code == client.KeyRingUnavailable:
		c.useKeyFile()
		c.d.told("connect:nokeyring")
		return
	case err != nil:
		c.fail(Sentence(err))
		c.d.told("connect:refused")
		return
	}
	c.key.SetText("")
	c.dlg.Hide()
	if restart {
		dialog.ShowInformation(lang.L("Connect to a server"),
			lang.L("The connection to {{.Server}} is saved. Start PSOP Desk again to use it; the demo's data stays in its own folder.",
				map[string]any{"Server": server}), c.d.win)
	}
	c.d.told("connect:done")
}

// serverURLSentence explains an organizer address that may not be used.
func serverURLSentence(e *client.ServerURLError) string {
	switch e.Code {
	case client.ServerURLInsecure:
		return lang.L("The address must begin with https:// so that the connection is encrypted. Plain http:// is allowed only to this computer (localhost, 127.0.0.1).")
	case client.ServerURLScheme:
		return lang.L("Give the address with https:// at the beginning, for example https://psop.example.fi.")
	case client.ServerURLCredentials:
		return lang.L("Remove the user name and password from the address: the API key is given separately.")
	}
	return lang.L("The server address is not valid. Give it as https://psop.example.fi.")
}

// keyRingSentence explains a keyring that gives or keeps no key.
func keyRingSentence(e *client.KeyRingError) string {
	if e.Code == client.KeyRingNoKey {
		return lang.L("No API key is saved for this server. Give the key made in the organizer's system.")
	}
	return lang.L("This computer has no keyring (a safe store for passwords), so PSOP Desk cannot keep the key. Save the key in a file that only you can read, and choose that file here.")
}
