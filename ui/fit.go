package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// wrapGrid is formGrid whose values wrap at word ends instead of widening
// the grid: a long address or contact line takes two lines in a narrow
// window (1024 px) rather than pushing the statement's header out of
// sight on the right.
func wrapGrid(pairs ...string) *fyne.Container {
	objs := make([]fyne.CanvasObject, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		v := widget.NewLabel(pairs[i+1])
		v.Wrapping = fyne.TextWrapWord
		objs = append(objs,
			widget.NewLabelWithStyle(pairs[i], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v)
	}
	return container.New(layout.NewFormLayout(), objs...)
}
