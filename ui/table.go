package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column describes one column of a grid table.
type column struct {
	title string
	right bool // amounts and quantities: right-aligned
}

// cell is one cell's text; warn shows it in the warning colour (an event
// in review), bold for totals.
type cell struct {
	text string
	warn bool
	bold bool
}

// newGridTable lays out a header row and rows of labels in columns as wide
// as their widest cell (like an HTML table); the stretch column takes any
// extra width. Every row is a real label, so the whole table is readable
// by tests and screen readers, and it scrolls with its tab. Rows are
// separated by a faint stripe.
func newGridTable(cols []column, rows [][]cell, stretch int) fyne.CanvasObject {
	n := len(cols)
	objs := make([]fyne.CanvasObject, 0, (len(rows)+1)*n)
	for _, c := range cols {
		l := widget.NewLabelWithStyle(c.title, align(c.right), fyne.TextStyle{Bold: true})
		objs = append(objs, l)
	}
	for _, r := range rows {
		for i, c := range cols {
			var v cell
			if i < len(r) {
				v = r[i]
			}
			l := widget.NewLabelWithStyle(v.text, align(c.right), fyne.TextStyle{Bold: v.bold})
			if v.warn {
				l.Importance = widget.WarningImportance
			}
			objs = append(objs, l)
		}
	}
	nrows := len(rows) + 1
	bg := make([]fyne.CanvasObject, 0, (nrows+1)/2)
	for r := 0; r < nrows; r += 2 {
		rect := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
		if r == 0 {
			rect.FillColor = theme.Color(theme.ColorNameHeaderBackground)
		}
		bg = append(bg, rect)
	}
	return container.New(&gridLayout{cols: n, stretch: stretch, bg: len(bg)}, append(bg, objs...)...)
}

func align(right bool) fyne.TextAlign {
	if right {
		return fyne.TextAlignTrailing
	}
	return fyne.TextAlignLeading
}

// gridLayout places objects row by row in cols columns. The first bg
// objects are backgrounds: the k-th covers row 2k (header, then every
// second row).
type gridLayout struct {
	cols    int
	stretch int
	bg      int
}

func (g *gridLayout) measure(objs []fyne.CanvasObject) (widths, heights []float32) {
	objs = objs[g.bg:]
	rows := (len(objs) + g.cols - 1) / g.cols
	widths = make([]float32, g.cols)
	heights = make([]float32, rows)
	for i, o := range objs {
		m := o.MinSize()
		c, r := i%g.cols, i/g.cols
		widths[c] = max(widths[c], m.Width)
		heights[r] = max(heights[r], m.Height)
	}
	return widths, heights
}

func (g *gridLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	widths, heights := g.measure(objs)
	var s fyne.Size
	for _, w := range widths {
		s.Width += w
	}
	for _, h := range heights {
		s.Height += h
	}
	return s
}

func (g *gridLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	widths, heights := g.measure(objs)
	var total float32
	for _, w := range widths {
		total += w
	}
	if extra := size.Width - total; extra > 0 && g.stretch >= 0 && g.stretch < len(widths) {
		widths[g.stretch] += extra
	}
	xs := make([]float32, len(widths))
	for i := 1; i < len(widths); i++ {
		xs[i] = xs[i-1] + widths[i-1]
	}
	ys := make([]float32, len(heights))
	for i := 1; i < len(heights); i++ {
		ys[i] = ys[i-1] + heights[i-1]
	}
	width := max(size.Width, total)
	for k, o := range objs[:g.bg] {
		r := 2 * k
		if r >= len(heights) {
			o.Hide()
			continue
		}
		o.Move(fyne.NewPos(0, ys[r]))
		o.Resize(fyne.NewSize(width, heights[r]))
	}
	for i, o := range objs[g.bg:] {
		c, r := i%g.cols, i/g.cols
		o.Move(fyne.NewPos(xs[c], ys[r]))
		o.Resize(fyne.NewSize(widths[c], heights[r]))
	}
}
