package assets

import _ "embed" // for go:embed

// IconPNG is PSOP Desk's application icon, a 256×256 PNG (a voucher with a
// check mark). FyneApp.toml names the same file for `fyne package`.
// Callers must not modify the slice.
//
//go:embed icon.png
var IconPNG []byte
