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
	// flex marks a column of free text (a service's name or content): when
	// the table lacks room it narrows, down to its heading's width, and
	// its texts end in "…". Other columns always show their whole text.
	flex bool
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
// extra width. When the width does not suffice, the flex columns narrow
// (their texts end in "…") and no other column is ever cut: the table's
// minimum width is every other column's full width plus the flex
// columns' headings. Every row is a real label, so the whole table is
// readable by tests and screen readers, and it scrolls with its tab. Rows
// are separated by a faint stripe.
func newGridTable(cols []column, rows [][]cell, stretch int) fyne.CanvasObject {
	n := len(cols)
	objs := make([]fyne.CanvasObject, 0, (len(rows)+1)*n)
	natural := make([]float32, n) // full width of the flex columns' texts
	for i, c := range cols {
		l := widget.NewLabelWithStyle(c.title, align(c.right), fyne.TextStyle{Bold: true})
		objs = append(objs, l)
		natural[i] = l.MinSize().Width - 2*(theme.InnerPadding()-tableInnerPadding)
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
			if c.flex {
				// The full width, measured on an untruncated twin (which
				// has the app's padding, not the table's).
				full := widget.NewLabelWithStyle(v.text, align(c.right), fyne.TextStyle{Bold: v.bold})
				// A label exactly as wide as its text still truncates: +1.
				w := full.MinSize().Width - 2*(theme.InnerPadding()-tableInnerPadding) + 1
				natural[i] = max(natural[i], w)
				l.Truncation = fyne.TextTruncateEllipsis
			}
			objs = append(objs, l)
		}
	}
	flex := make([]bool, n)
	for i, c := range cols {
		flex[i] = c.flex
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
	g := &gridLayout{cols: n, stretch: stretch, bg: len(bg), flex: flex, natural: natural}
	return container.NewThemeOverride(container.New(g, append(bg, objs...)...), tableTheme{theme.Current()})
}

// tableInnerPadding is the padding inside a table's cells, on every side:
// tighter than the theme's 8 so that wide tables fit a 1280 px window.
const tableInnerPadding = 5

// tableTheme is the app's theme with tableInnerPadding.
type tableTheme struct{ fyne.Theme }

// listInnerPadding is the padding inside the events list's cells: tighter
// still, for its nine columns beside the search results at 1024 px.
const listInnerPadding = 4

// listTheme is the app's theme with listInnerPadding.
type listTheme struct{ fyne.Theme }

func (t listTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameInnerPadding {
		return listInnerPadding
	}
	return t.Theme.Size(n)
}

func (t tableTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameInnerPadding {
		return tableInnerPadding
	}
	return t.Theme.Size(n)
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
	flex    []bool    // per column: narrows with "…" when room lacks
	natural []float32 // per flex column: its widest text's full width
}

// measure gives the columns' minimum widths (a flex column: its
// heading's) and the rows' heights.
func (g *gridLayout) measure(objs []fyne.CanvasObject) (widths, heights []float32) {
	objs = objs[g.bg:]
	rows := (len(objs) + g.cols - 1) / g.cols
	widths = make([]float32, g.cols)
	heights = make([]float32, rows)
	for i, o := range objs {
		m := o.MinSize()
		c, r := i%g.cols, i/g.cols
		if r == 0 || !g.isFlex(c) {
			widths[c] = max(widths[c], m.Width)
		}
		heights[r] = max(heights[r], m.Height)
	}
	return widths, heights
}

func (g *gridLayout) isFlex(c int) bool { return c < len(g.flex) && g.flex[c] }

// columnWidths fits the columns into width: every column as wide as its
// widest text when that fits (the stretch column taking what is left),
// else the flex columns narrowed in proportion to how much they can give,
// never below their minimum.
func (g *gridLayout) columnWidths(mins []float32, width float32) []float32 {
	widths := append([]float32(nil), mins...)
	var total, give float32
	for c := range widths {
		if g.isFlex(c) && c < len(g.natural) {
			widths[c] = max(mins[c], g.natural[c])
			give += widths[c] - mins[c]
		}
		total += widths[c]
	}
	if over := total - width; over > 0 && give > 0 {
		share := min(over/give, 1)
		for c := range widths {
			if g.isFlex(c) {
				widths[c] -= (widths[c] - mins[c]) * share
			}
		}
		return widths
	}
	if extra := width - total; extra > 0 && g.stretch >= 0 && g.stretch < len(widths) {
		widths[g.stretch] += extra
	}
	return widths
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
	mins, heights := g.measure(objs)
	widths := g.columnWidths(mins, size.Width)
	var total float32
	for _, w := range widths {
		total += w
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
