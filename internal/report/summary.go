package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/authlab/authlab/internal/results"
)

// summaryHeader names the verdict columns in few words, to keep the
// terminal table narrow. The order is that of verdictHeader.
var summaryHeader = []string{
	"system", "p99", "max rate held", "store ops/req", "revocation", "crash: users lost", "outage errors", "new replica",
}

// Summary writes a compact table for the terminal at the end of a run, with
// one row a system and the verdict columns, followed by the paths of the
// report files in dir.
func Summary(w io.Writer, run *results.Run, dir string) error {
	if run == nil {
		return fmt.Errorf("write summary: run is nil")
	}
	doc := build(run)
	if doc.Partial {
		fmt.Fprintln(w, "Partial run: some scenarios did not finish.")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(summaryHeader, "\t"))
	for _, row := range doc.Verdict.Rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	for _, note := range doc.Footnotes {
		fmt.Fprintln(w, note)
	}
	if n := len(doc.Warnings); n > 0 {
		fmt.Fprintf(w, "%s, listed in the report.\n", plural(n, "warning"))
	}
	_, err := fmt.Fprintf(w, "Report: %s (also %s and %s)\n", filepath.Join(dir, MarkdownFile),
		filepath.Join(dir, HTMLFile), filepath.Join(dir, ResultsFile))
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
