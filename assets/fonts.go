// Package assets holds the files PSOP Desk embeds in its binary: fonts for
// printable documents and the UI's translations.
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
