package assets

import (
	"embed"
	"strings"
)

// Licence is a licence of something PSOP Desk bundles: a font or a Go
// library linked into the binary, with the licence's full text.
type Licence struct {
	Name    string // what it covers: "Noto Sans", "Fyne"
	Licence string // the licence's name: "SIL Open Font License 1.1", "MIT"
	Text    string // the licence's text as distributed
}

//go:embed licences/*.txt
var licenceFiles embed.FS

// licenceList names the bundled software and its licence file: the font
// (fonts/OFL-NotoSans.txt) and each main library (licences/*.txt, copied
// from the module's LICENSE in the Go module cache at the version go.mod
// names). Keep it in step with go.mod when a library is added.
var licenceList = []struct{ name, licence, file string }{
	{"Noto Sans", "SIL Open Font License 1.1", ""},
	{"Fyne (fyne.io/fyne/v2)", "BSD 3-Clause", "fyne.txt"},
	{"bbolt (go.etcd.io/bbolt)", "MIT", "bbolt.txt"},
	{"resty (github.com/go-resty/resty/v2)", "MIT", "resty.txt"},
	{"gopdf (github.com/signintech/gopdf)", "MIT", "gopdf.txt"},
	{"Go text (golang.org/x/text)", "BSD 3-Clause", "x-text.txt"},
	{"go-keyring (github.com/zalando/go-keyring)", "MIT", "go-keyring.txt"},
	{"lumberjack (gopkg.in/natefinch/lumberjack.v2)", "MIT", "lumberjack.txt"},
	{"go-locale (github.com/jeandeaual/go-locale)", "MIT", "go-locale.txt"},
}

// fontCopyright is the notice in Noto Sans's own name table, which the
// OFL text file does not carry.
const fontCopyright = "Copyright 2015 Google Inc. All Rights Reserved.\nNoto is a trademark of Google Inc.\n\n"

// Licences gives the licences of the bundled font and main libraries, the
// font first.
func Licences() []Licence {
	out := make([]Licence, 0, len(licenceList))
	for _, l := range licenceList {
		text := fontCopyright + FontLicense
		if l.file != "" {
			b, err := licenceFiles.ReadFile("licences/" + l.file)
			if err != nil {
				panic("assets: licence file missing: " + l.file) // embedded: a build mistake
			}
			text = string(b)
		}
		out = append(out, Licence{Name: l.name, Licence: l.licence, Text: strings.TrimSpace(text)})
	}
	return out
}
