package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/redisx"
)

// BuildFunc builds one replica of an app from its environment.
type BuildFunc func(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Server, error)

// Run is the body of each app's main: it sets up the logger from LOG_LEVEL
// (debug, info, warn, error; default info) and LOG_FORMAT (json or text;
// default json), builds the replica and serves it until ctx is done.
func Run(ctx context.Context, getenv func(string) string, stderr io.Writer, build BuildFunc) error {
	logger, err := NewLogger(getenv, stderr)
	if err != nil {
		return err
	}
	redisx.RouteLogs(logger, 5*time.Second)
	srv, err := build(ctx, getenv, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Close(); err != nil {
			logger.Warn("close replica", "err", err)
		}
	}()
	return srv.Serve(ctx)
}

// NewLogger returns the slog logger configured by LOG_LEVEL and LOG_FORMAT.
func NewLogger(getenv func(string) string, w io.Writer) (*slog.Logger, error) {
	env := config.New(getenv)
	level := env.OneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error")
	format := env.OneOf("LOG_FORMAT", "json", "json", "text")
	if err := env.Err(); err != nil {
		return nil, err
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("invalid LOG_LEVEL %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}
