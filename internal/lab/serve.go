package lab

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/users"
)

// Serve starts the embedded lab on opts.Ports (default FixedPorts, 8081 to
// 8085), writes the URLs, the admin token and how to log in to stdout, and
// keeps the lab running until ctx is done. It then closes the lab and
// returns Close's error. A port in use fails Start with an error naming the
// port.
func Serve(ctx context.Context, opts Options, stdout io.Writer) error {
	if opts.Ports == nil {
		opts.Ports = FixedPorts()
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	l, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	if err := writeServeBanner(stdout, l, opts.Getenv); err != nil {
		return fmt.Errorf("%w (and closing the lab: %v)", err, l.Close())
	}
	<-ctx.Done()
	return l.Close()
}

func writeServeBanner(w io.Writer, l *Lab, getenv func(string) string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "authlab embedded lab, %d replicas a system, Redis %s %s\n",
		len(l.Replicas(Systems()[0].Name)), l.Redis().Kind, l.Redis().Version)
	for _, sys := range Systems() {
		fmt.Fprintf(tw, "  %s\t%s\n", sys.Name, l.URL(sys.Name))
	}
	password := "the USER_PASSWORD you set"
	if getenv("USER_PASSWORD") == "" {
		password = fmt.Sprintf("%q (USER_PASSWORD unset)", server.DefaultPassword)
	}
	fmt.Fprintf(tw, "log in as %s (role admin) or another user-NNNN with password %s\n", users.Name(1), password)
	fmt.Fprintf(tw, "admin token for POST /admin/revoke: %s\n", l.AdminToken())
	fmt.Fprintln(tw, "stop with Ctrl-C")
	return tw.Flush()
}
