// Package assets holds the files PSOP Desk embeds in its binary: the
// application icon, fonts for printable documents, and the translations
// of the UI and the printed statement with a lookup (Text, TextN) for code
// that runs without Fyne. It imports no Fyne, so the command line and
// ui/print can use it; the UI loads the same files into Fyne (package ui).
package assets

import _ "embed" // for go:embed

// FontRegular is Noto Sans Regular (TrueType, SIL Open Font License 1.1,
// see fonts/OFL-NotoSans.txt), used for body text of printable documents.
// Callers must not modify the slice.
//
//go:embed fonts/NotoSans-Regular.ttf
var FontRegular []byte

// FontBold is Noto Sans Bold (TrueType, SIL Open Font License 1.1, see
// fonts/OFL-NotoSans.txt), used for headings and totals of printable
// documents. Callers must not modify the slice.
//
//go:embed fonts/NotoSans-Bold.ttf
var FontBold []byte

// FontLicense is the text of the SIL Open Font License 1.1 that Noto Sans
// is distributed under; ship it with anything that carries the fonts.
//
//go:embed fonts/OFL-NotoSans.txt
var FontLicense string
