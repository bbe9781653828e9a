package main

import (
	"io"
	"log/slog"
)

// logFlags choose how a command logs: --log-format and --log-level.
type logFlags struct {
	format string
	level  slog.Level
}

// addLogFlags adds --log-format and --log-level, with level as its default, to f.
func addLogFlags(f *commandFlags, level slog.Level) *logFlags {
	l := &logFlags{}
	f.StringVar(&l.format, "log-format", "text", "log `format`: text or json")
	f.bindEnv("log-format", "ORIEL_LOG_FORMAT")
	f.TextVar(&l.level, "log-level", level, "least `level` to log: debug, info, warn or error")
	f.bindEnv("log-level", "ORIEL_LOG_LEVEL")
	return l
}

// logger returns a structured logger that writes to w.
func (l *logFlags) logger(w io.Writer) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: l.level}
	switch l.format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageErrorf("--log-format must be text or json, not %q", l.format)
}
