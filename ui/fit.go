package ui

import (
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
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

// flowLayout lays its visible objects out left to right at their minimum
// sizes, padded, and starts a new line when the width runs out (a row of
// buttons in a narrow window). Its minimum width is its widest object's;
// its minimum height is that of the lines at the width it was last laid
// out at (one line before the first layout): the canvas lays the parent
// out again when that changes.
type flowLayout struct {
	width float32 // UI goroutine only
}

// rows splits the visible objects into lines that fit width.
func (l *flowLayout) rows(objs []fyne.CanvasObject, width float32) [][]fyne.CanvasObject {
	pad := theme.Padding()
	var out [][]fyne.CanvasObject
	var line []fyne.CanvasObject
	x := float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		w := o.MinSize().Width
		if len(line) > 0 && x+pad+w > width {
			out = append(out, line)
			line, x = nil, 0
		}
		if len(line) > 0 {
			x += pad
		}
		line = append(line, o)
		x += w
	}
	if len(line) > 0 {
		out = append(out, line)
	}
	return out
}

func (l *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	width := l.width
	if width <= 0 {
		width = float32(math.MaxFloat32)
	}
	var s fyne.Size
	for i, line := range l.rows(objs, width) {
		h := float32(0)
		for _, o := range line {
			m := o.MinSize()
			s.Width = max(s.Width, m.Width)
			h = max(h, m.Height)
		}
		if i > 0 {
			s.Height += theme.Padding()
		}
		s.Height += h
	}
	return s
}

func (l *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	pad := theme.Padding()
	y := float32(0)
	for _, line := range l.rows(objs, size.Width) {
		x, h := float32(0), float32(0)
		for _, o := range line {
			h = max(h, o.MinSize().Height)
		}
		for _, o := range line {
			m := o.MinSize()
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(m.Width, h))
			x += m.Width + pad
		}
		y += h + pad
	}
}
