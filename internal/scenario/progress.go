package scenario

import (
	"fmt"
	"strings"
	"time"

	"github.com/authlab/authlab/internal/loadgen"
)

// showProgress adds a Progress to opts and, when r.Progress is set, prints a
// status line for the phase every half second until the returned stop is
// called, then a final line.
func (r *Runner) showProgress(label string, s loadgen.Schedule, opts *[]loadgen.RunOption) (stop func()) {
	if r.Progress == nil {
		return func() {}
	}
	p := &loadgen.Progress{}
	*opts = append(*opts, loadgen.WithProgress(p))
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				fmt.Fprintf(r.Progress, "\r%s\n", progressLine(label, s, p.Snapshot()))
				return
			case <-tick.C:
				fmt.Fprintf(r.Progress, "\r%s", progressLine(label, s, p.Snapshot()))
			}
		}
	}()
	return func() { close(done); <-finished }
}

func progressLine(label string, s loadgen.Schedule, snap loadgen.ProgressSnapshot) string {
	const width = 24
	total := s.Duration()
	frac := 0.0
	if total > 0 {
		frac = min(1, float64(snap.Elapsed)/float64(total))
	}
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	return fmt.Sprintf("%-34s [%s] %5.1fs/%-5.1fs %7d req %6d err",
		label, bar, min(snap.Elapsed, total).Seconds(), total.Seconds(), snap.Requests, snap.Errors)
}
