package main

import (
	_ "embed" // for go:embed
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/BurntSushi/toml"

	"psopdesk/assets"
)

// fyneAppToml is this folder's FyneApp.toml, a copy of the project's at
// the repository's root but for the icon's path (regular files, no link:
// Windows checkouts break links; TestFyneAppTomlCopy keeps them the
// same): `fyne package --src cmd/psopdesk` reads it (its Icon path is
// relative to this folder), a development run from the root reads the
// root's, and a `go build` binary run from anywhere else takes its
// metadata from this embedded copy. Neither holds comments: `fyne
// package` rewrites the file, raising Build by one.
//
//go:embed FyneApp.toml
var fyneAppToml []byte

// builtInMetadata is FyneApp.toml's [Details] and [Migrations] as Fyne
// metadata, with the embedded icon.
func builtInMetadata() (fyne.AppMetadata, error) {
	var f struct {
		Details struct {
			ID, Name, Version string
			Build             int
		}
		Migrations map[string]bool
	}
	if err := toml.Unmarshal(fyneAppToml, &f); err != nil {
		return fyne.AppMetadata{}, fmt.Errorf("FyneApp.toml: %w", err)
	}
	return fyne.AppMetadata{ID: f.Details.ID, Name: f.Details.Name, Version: f.Details.Version,
		Build: f.Details.Build, Icon: appIcon, Migrations: f.Migrations}, nil
}

// appIcon is the application icon, assets.IconPNG as a Fyne resource.
var appIcon fyne.Resource = fyne.NewStaticResource("icon.png", assets.IconPNG)

// setMetadata gives a `go build` binary the metadata `fyne package` would
// embed from FyneApp.toml (the embedded copy), unless a packaged build or
// a FyneApp.toml in the working folder already gave it.
func setMetadata(a fyne.App) {
	if m := a.Metadata(); m.Name != "" {
		slog.Info("app metadata from FyneApp.toml or the package", "name", m.Name, "version", m.Version,
			"fyneDo", m.Migrations["fyneDo"])
		if m.Icon == nil { // a relative Icon path read from another folder
			a.SetIcon(appIcon)
		}
		return
	}
	m, err := builtInMetadata()
	if err != nil { // the embedded file is checked by a test
		slog.Error("app metadata", "err", err)
		return
	}
	slog.Info("app metadata built in (embedded FyneApp.toml)", "name", m.Name, "version", m.Version,
		"fyneDo", m.Migrations["fyneDo"])
	app.SetMetadata(m)
	a.SetIcon(appIcon)
}
