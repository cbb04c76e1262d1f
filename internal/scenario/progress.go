package scenario

import (
	"fmt"
	"os"

	"github.com/authlab/authlab/internal/loadgen"
	"golang.org/x/term"
)

// showProgress adds a Progress to opts. On a terminal it draws a live bar
// for the phase; elsewhere (CI logs, pipes) it prints one line when the
// phase ends. The returned stop ends the display.
func (r *Runner) showProgress(label string, opts *[]loadgen.RunOption) (stop func()) {
	if r.Progress == nil {
		return func() {}
	}
	p := &loadgen.Progress{}
	*opts = append(*opts, loadgen.WithProgress(p))
	if f, ok := r.Progress.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return loadgen.ShowProgress(r.Progress, label, p)
	}
	return func() {
		s := p.Snapshot()
		fmt.Fprintf(r.Progress, "%-36s %6.1fs %7d requests %6d errors\n", label, s.Elapsed.Seconds(), s.Requests, s.Errors)
	}
}
