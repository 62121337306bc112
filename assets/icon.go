package assets

import (
	_ "embed" // for go:embed

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is PSOP Desk's application icon, a 256×256 PNG (a voucher with a
// check mark). FyneApp.toml names the same file for `fyne package`.
var Icon fyne.Resource = fyne.NewStaticResource("icon.png", iconPNG)
