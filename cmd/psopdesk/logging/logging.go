// Package logging sets up PSOP Desk's log: log/slog records to a
// size-capped, rotating file in the user's config folder (and to stderr),
// with every henkilötunnus in a message or a string attribute replaced, so
// that the detail of a failure can be read afterwards without personal
// data. The API key is never logged by the program; a key that would be
// passed to the log by mistake is not recognisable, so it is kept out at
// the source.
package logging

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"gopkg.in/natefinch/lumberjack.v2"

	"psopdesk/data/hetu"
)

// Size caps of the log file: MaxMB megabytes a file, MaxBackups old files
// kept (psopdesk-2026-12-01T09-00-00.000.log …), so at most about
// (MaxBackups+1)·MaxMB MB in all.
const (
	MaxMB      = 5
	MaxBackups = 3
	// FileName is the current log file's name in the log folder.
	FileName = "psopdesk.log"
)

// Dir is the log folder: "logs" in the user's config folder for
// psopdesk (~/.config/psopdesk/logs on Linux, %AppData%\psopdesk\logs on
// Windows, ~/Library/Application Support/psopdesk/logs on macOS).
func Dir() string {
	base, err := os.UserConfigDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "psopdesk", "logs")
}

// Redacted is the text that replaces a henkilötunnus in the log.
const Redacted = "[hetu]"

// Handler is a slog handler writing text records at level and above to w,
// with every henkilötunnus in the message and in string attributes
// replaced by Redacted.
func Handler(w io.Writer, level slog.Leveler) slog.Handler {
	return slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: redact})
}

func redact(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(hetu.Redact(a.Value.String(), Redacted))
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			a.Value = slog.StringValue(hetu.Redact(err.Error(), Redacted))
		}
	}
	return a
}

// Open makes dir (0700) and returns a writer to its rotating log file,
// capped as above; close it at exit.
func Open(dir string) (io.WriteCloser, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &lumberjack.Logger{
		Filename:   filepath.Join(dir, FileName),
		MaxSize:    MaxMB,
		MaxBackups: MaxBackups,
		LocalTime:  true,
	}, nil
}
