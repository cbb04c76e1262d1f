package loadgen

import (
	"bytes"
	"os"
	"testing"
	"time"
)

func TestShowProgressSilentOffTerminal(t *testing.T) {
	var out bytes.Buffer
	p := &Progress{}
	p.reset(time.Now(), 10)
	stop := ShowProgress(&out, "steady", p)
	p.count(5, 5, 5, 1)
	stop()
	if out.Len() != 0 {
		t.Errorf("ShowProgress wrote %q to a buffer, want nothing off a terminal", out.String())
	}
}

// TestShowProgressOnTerminal draws a bar when LOADGEN_TTY_TEST is set and
// stdout is a terminal with a width, for a manual check. go test pipes the
// output of the test binary, so build the binary and run it under a pty:
// `go test -c -o /tmp/loadgen.test && script -qc 'stty cols 100;
// LOADGEN_TTY_TEST=1 /tmp/loadgen.test -test.run OnTerminal' /dev/null`.
func TestShowProgressOnTerminal(t *testing.T) {
	if os.Getenv("LOADGEN_TTY_TEST") == "" {
		t.Skip("set LOADGEN_TTY_TEST=1 and run under a terminal")
	}
	_, base := newFakeApp(t, Bearer)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 3})
	p := &Progress{}
	stop := ShowProgress(os.Stdout, "steady", p)
	f.Run(t.Context(), Constant(50, time.Second), WithProgress(p))
	stop()
}

func TestMaxInFlightFor(t *testing.T) {
	if got := MaxInFlightFor(1000, 64*time.Millisecond); got != DefaultMaxInFlight {
		t.Errorf("MaxInFlightFor(1000, 64ms) = %d, want %d", got, DefaultMaxInFlight)
	}
	if got := MaxInFlightFor(10, time.Millisecond); got != 16 {
		t.Errorf("MaxInFlightFor(10, 1ms) = %d, want the minimum 16", got)
	}
}
