package main

import (
	"fmt"
	"io"

	"github.com/authlab/authlab/internal/report"
	"github.com/authlab/authlab/internal/results"
	"github.com/authlab/authlab/internal/scenario"
)

// checkResults reads a results.json and prints every figure that
// contradicts what an honest run must show.
func checkResults(path string, stdout io.Writer) error {
	run, err := results.Read(path)
	if err != nil {
		return err
	}
	if run.Partial {
		return fmt.Errorf("%s is from an interrupted run: rerun the load test", path)
	}
	errs := scenario.Check(run)
	for _, err := range errs {
		fmt.Fprintln(stdout, "FAIL", err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of the checks on %s failed", len(errs), path)
	}
	fmt.Fprintf(stdout, "ok: %s shows what every honest run must show\n", path)
	return nil
}

// rebuildReport renders REPORT.md and index.html again from a results.json.
func rebuildReport(path, out string, stdout io.Writer) error {
	run, err := results.Read(path)
	if err != nil {
		return err
	}
	if err := report.WriteAll(out, run); err != nil {
		return err
	}
	return report.Summary(stdout, run, out)
}
