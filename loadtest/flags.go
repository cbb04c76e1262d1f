package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/authlab/authlab/internal/lab"
	"github.com/authlab/authlab/internal/scenario"
)

// options is the parsed command line.
type options struct {
	serve bool
	// check and rebuild name a results.json to check or to render again,
	// with no load run.
	check   string
	rebuild string
	target  string
	out     string
	plan    scenario.Plan
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o         options
		quick     = fs.Bool("quick", false, "run the short preset (under 2 minutes; what CI runs)")
		scenarios = fs.String("scenarios", strings.Join(scenario.All, ","), "comma-separated scenarios to run")
		systems   = fs.String("systems", strings.Join(lab.SystemNames(), ","), "comma-separated systems to test")
		rate      = fs.Float64("rate", 0, "arrival rate of steady and the fault scenarios, in requests a second (default 300, quick 150)")
		duration  = fs.Duration("duration", 0, "length of steady and of each fault scenario a system (default 10s, quick 2s)")
		users     = fs.Int("users", 0, "virtual users a system (default 200, quick 40)")
		replicas  = fs.Int("replicas", 3, "replicas a system in the embedded lab")
		objective = fs.Duration("objective", 50*time.Millisecond, "p99 latency a ramp step must stay under")
		budget    = fs.Float64("error-budget", 0.01, "largest share of failed requests a ramp step may have, as a fraction")
	)
	fs.BoolVar(&o.serve, "serve", false, "start the embedded lab on ports 8081-8085 and keep it running until Ctrl-C")
	fs.StringVar(&o.target, "target", "embedded", `"embedded" (start the lab in this process) or "compose" (a running docker compose stack)`)
	fs.StringVar(&o.out, "out", "report", "folder the report is written to")
	fs.StringVar(&o.check, "check", "", "check a results.json against what every honest run must show, and run no load")
	fs.StringVar(&o.rebuild, "rebuild", "", "render the report again from a results.json into -out, and run no load")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./loadtest [flags]\n\n"+
			"Runs every scenario against every system and writes REPORT.md, index.html and\n"+
			"results.json. The load phases of the default run take about %v, those of\n"+
			"-quick about %v; start-up and logins add a minute or less on 2 cores.\n\nFlags:\n",
			scenario.DefaultPlan(lab.SystemNames()).Estimate().Round(time.Minute),
			scenario.QuickPlan(lab.SystemNames()).Estimate().Round(10*time.Second))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, errHelp
		}
		// The flag package has already printed the problem and the usage.
		return o, errUsage
	}
	if fs.NArg() > 0 {
		return o, usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	if o.target != "embedded" && o.target != "compose" {
		return o, usageError(fs, "invalid -target %q: want embedded or compose", o.target)
	}
	if o.serve && o.target == "compose" {
		return o, usageError(fs, "-serve starts the embedded lab: for compose run docker compose up -d")
	}
	if modes := countTrue(o.serve, o.check != "", o.rebuild != ""); modes > 1 {
		return o, usageError(fs, "-serve, -check and -rebuild exclude each other: give one of them")
	}
	o.plan = scenario.DefaultPlan(nil)
	if *quick {
		o.plan = scenario.QuickPlan(nil)
	}
	o.plan.Scenarios = splitList(*scenarios)
	o.plan.Systems = splitList(*systems)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["rate"] {
		o.plan.Rate = *rate
	}
	if set["duration"] {
		o.plan.Phase = *duration
	}
	if set["users"] {
		o.plan.Users = *users
	}
	o.plan.Replicas = *replicas
	o.plan.Objective = *objective
	o.plan.ErrorBudget = *budget
	if err := o.plan.Validate(lab.SystemNames()); err != nil {
		return o, usageError(fs, "%v", err)
	}
	return o, nil
}

func usageError(fs *flag.FlagSet, format string, args ...any) error {
	fmt.Fprintf(fs.Output(), "loadtest: "+format+"\nRun 'go run ./loadtest -h' for the flags.\n", args...)
	return errUsage
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func countTrue(values ...bool) int {
	n := 0
	for _, v := range values {
		if v {
			n++
		}
	}
	return n
}
