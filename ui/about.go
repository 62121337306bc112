package ui

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"psopdesk/assets"
)

// versionLine is the program's version as the About dialog says it: the
// FyneApp.toml version and build ("0.1.0 (1)"), then what the Go build
// recorded (the commit and whether the tree had changes), and the Go
// version.
func versionLine(m fyne.AppMetadata) string {
	v := m.Version
	if v == "" {
		v = "–"
	}
	if m.Build > 0 {
		v += " (" + strconv.Itoa(m.Build) + ")"
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			v += ", " + rev
			if modified == "true" {
				v += "+"
			}
		} else if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v += ", " + bi.Main.Version
		}
	}
	return v + ", " + runtime.Version()
}

// aboutDialog is the Tietoja PSOP Deskistä dialog while open (tests read
// it).
type aboutDialog struct {
	dlg      *dialog.CustomDialog
	licences *widget.Accordion
}

// showAbout opens Tietoja PSOP Deskistä: the version, and the licences of
// the bundled font and the main libraries, each text in a scrollable
// list. Enter and Escape close it (its one button).
func (d *Desk) showAbout() {
	if d.about != nil {
		return
	}
	a := &aboutDialog{}
	meta := d.app.Metadata()
	title := widget.NewLabelWithStyle(lang.L("PSOP Desk"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	version := widget.NewLabel(lang.L("Version {{.V}}", map[string]any{"V": versionLine(meta)}))
	what := widget.NewLabel(lang.L("Service vouchers for service providers. PSOP Desk uses the following software and font, under their licences:"))
	what.Wrapping = fyne.TextWrapWord

	a.licences = widget.NewAccordion()
	for _, l := range assets.Licences() {
		text := widget.NewLabel(l.Text)
		text.Wrapping = fyne.TextWrapWord
		text.TextStyle = fyne.TextStyle{Monospace: true}
		a.licences.Append(widget.NewAccordionItem(l.Name+" — "+l.Licence, text))
	}
	scroll := container.NewVScroll(a.licences)
	scroll.SetMinSize(fyne.NewSize(560, 300))
	body := container.NewBorder(container.NewVBox(title, version, what), nil, nil, nil, scroll)

	closeBtn := newKeyButton(lang.L("Close"), nil, func() { a.dlg.Hide() })
	closeBtn.Importance = widget.HighImportance
	a.dlg = dialog.NewCustomWithoutButtons(lang.L("About PSOP Desk"), body, d.win)
	a.dlg.SetButtons([]fyne.CanvasObject{closeBtn})
	d.about = a
	a.dlg.Resize(fyne.NewSize(min(680, d.win.Canvas().Size().Width-40), min(560, d.win.Canvas().Size().Height-40)))
	a.dlg.Show()
	keyedClosed(d.win, a.dlg, nil, nil, func() {
		if d.about == a {
			d.about = nil
		}
	})
	d.win.Canvas().Focus(closeBtn)
	d.told("about:shown")
}
