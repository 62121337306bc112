package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Focus colours: amber, which stands out on the blue (primary) buttons,
// the grey ones and the list rows, in light and dark. Fyne draws a focused
// button's background blended with the focus colour and its default is
// the primary blue, so on a blue button the focus did not show.
var (
	focusLight = color.NRGBA{R: 0xff, G: 0x8f, B: 0x00, A: 0xb0}
	focusDark  = color.NRGBA{R: 0xff, G: 0xb3, B: 0x00, A: 0xa0}
)

// focusTheme is a theme whose focus colour is focusLight or focusDark;
// everything else is its base's.
type focusTheme struct{ fyne.Theme }

// FocusTheme wraps base so that the widget with the keyboard focus is
// clearly visible in light and dark variants; all else is base's.
func FocusTheme(base fyne.Theme) fyne.Theme {
	if _, ok := base.(focusTheme); ok {
		return base
	}
	return focusTheme{base}
}

// Color gives the focus colour for theme.ColorNameFocus, else base's.
func (t focusTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameFocus {
		if v == theme.VariantDark {
			return focusDark
		}
		return focusLight
	}
	return t.Theme.Color(n, v)
}
