// Command jwtapp runs one replica of the JWT app: stateless signed tokens,
// with an optional Redis denylist (DENYLIST=on). Settings come from
// environment variables, listed in internal/jwtauth, internal/token and
// internal/server.
//
// "jwtapp keygen -alg EdDSA -out /keys/jwt.pem" writes a new signing key
// for JWT_PRIVATE_KEY_FILE instead, so that all replicas share one key.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/authlab/authlab/internal/jwtauth"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
)

// usageError is an invalid command line, which exits with status 2.
type usageError struct{ error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "jwtapp:", err)
	if errors.As(err, new(usageError)) {
		os.Exit(2)
	}
	os.Exit(1)
}

// run serves one replica until ctx is done, or runs the keygen subcommand.
// A replica writes only logs, to stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "keygen" {
		return keygen(args[2:], stdout, stderr)
	}
	if len(args) > 1 {
		return usageError{fmt.Errorf("unexpected arguments %q: configure jwtapp with environment variables, "+
			"or run \"jwtapp keygen -h\"", args[1:])}
	}
	return server.Run(ctx, getenv, stderr, jwtauth.New)
}

// keygen writes a new private key. It keeps an existing file and exits 0
// unless -force is given, so a keygen step that runs at every start (such as
// a compose service) keeps the key that the replicas already use.
func keygen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jwtapp keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alg := fs.String("alg", token.AlgEdDSA, "signing algorithm of the key: EdDSA, ES256 or RS256")
	out := fs.String("out", "", "path of the PEM private key to write (required), created with mode 0600")
	force := fs.Bool("force", false, "replace the file at -out if it exists")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return usageError{errors.New("keygen needs -out PATH and takes no other arguments")}
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		// Keep only a key that the replicas can use, so a bad file fails
		// here and not at every replica's start.
		if err := token.CheckKeyFile(*alg, *out); err != nil {
			return fmt.Errorf("%s exists but is not a usable %s key (pass -force to replace it): %w", *out, *alg, err)
		}
		fmt.Fprintf(stdout, "kept the existing %s key at %s (pass -force to replace it)\n", *alg, *out)
		return nil
	}
	if err := token.GenerateKeyFile(*alg, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote a new %s private key to %s\n", *alg, *out)
	return nil
}
