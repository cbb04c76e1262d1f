// Command hybrid runs one replica of the hybrid app: a short-lived JWT access
// token and a rotating opaque refresh token kept in Redis. Settings come
// from environment variables, listed in internal/hybridauth,
// internal/token and internal/server.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/authlab/authlab/internal/hybridauth"
	"github.com/authlab/authlab/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hybrid:", err)
		os.Exit(1)
	}
}

// run serves one replica until ctx is done. It takes no arguments and writes
// only logs, to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 {
		return fmt.Errorf("unexpected arguments %q: configure hybrid with environment variables", args[1:])
	}
	return server.Run(ctx, getenv, stderr, hybridauth.New)
}
