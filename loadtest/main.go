// Command loadtest runs the authlab comparison: it starts the embedded lab
// (or targets a running docker compose stack), drives every system through
// the same scenarios and writes the report. With -serve it only starts the
// embedded lab on ports 8081-8085 and keeps it running until interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// errUsage marks a bad command line, and main exits with status 2 for it.
// errHelp marks -h, after which the usage has been printed and run succeeds.
var (
	errUsage = errors.New("usage")
	errHelp  = errors.New("help requested")
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, errHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case opts.check != "":
		return checkResults(opts.check, stdout)
	case opts.rebuild != "":
		return rebuildReport(opts.rebuild, opts.out, stdout)
	case opts.serve:
		return serve(ctx, opts, getenv, stdout, stderr)
	}
	return loadTest(ctx, opts, getenv, stdout, stderr)
}
