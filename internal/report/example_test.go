package report_test

import (
	"os"

	"github.com/authlab/authlab/internal/report"
	"github.com/authlab/authlab/internal/results"
)

func ExampleSummary() {
	run := &results.Run{
		Layout: results.LayoutVersion,
		Scenarios: results.Scenarios{
			Steady: map[string]*results.Steady{
				"jwt": {LatencyMS: results.Latency{P99: 3.9}, StoreOpsPerRequest: new(0.0)},
			},
		},
	}
	if err := report.Summary(os.Stdout, run, "report"); err != nil {
		panic(err)
	}
	// Output:
	// system  p99     max rate held  store ops/req  revocation  crash: users lost  outage errors  new replica
	// jwt     3.9 ms  not run        0              not run     not run            not run        not run
	// Report: report/REPORT.md (also report/index.html and report/results.json)
}
