package report

import (
	"fmt"
	"strings"

	"github.com/authlab/authlab/internal/results"
)

// sections returns one section a scenario, in the order steady, ramp,
// revoke, replica-crash, store-outage, scale-out.
func sections(run *results.Run, names []string) []section {
	sc := run.Scenarios
	return []section{
		steadySection(sc.Steady, names),
		rampSection(sc.Ramp, names, run.Settings),
		revokeSection(sc.Revoke, names),
		crashSection(sc.ReplicaCrash, names),
		outageSection(sc.StoreOutage, names),
		scaleOutSection(sc.ScaleOut, names),
	}
}

// newSection returns a section for a scenario, marked as not run when no
// system ran it, with a note naming the systems that did not run it.
func newSection[V any](id, title, intro string, m map[string]*V, names []string) (section, []string) {
	s := section{ID: id, Title: title, Intro: intro}
	ran := present(names, m)
	if len(ran) == 0 {
		s.NotRun = true
		return s, nil
	}
	if skipped := len(names) - len(ran); skipped > 0 {
		var missingNames []string
		for _, name := range names {
			if m[name] == nil {
				missingNames = append(missingNames, name)
			}
		}
		s.Notes = append(s.Notes, fmt.Sprintf("Not run for %s.", joinList(missingNames)))
	}
	return s, ran
}

func steadySection(steady map[string]*results.Steady, names []string) section {
	s, ran := newSection("steady", "Steady load",
		"Every system at the same open-model arrival rate: latency from the scheduled send time, "+
			"throughput, errors, and what each request costs the store and the wire.", steady, names)
	if s.NotRun {
		return s
	}
	perf := table{Header: []string{"system", "target", "throughput", "requests", "p50", "p90", "p99", "p99.9", "max", "errors"}}
	cost := table{Header: []string{"system", "store ops a request", "store ops", "credential bytes", "logins", "refreshes", "replica share"}}
	bars := &barChart{Series: []string{"p50", "p90", "p99"}, Unit: "ms", Format: latency}
	for _, name := range ran {
		st := steady[name]
		l := st.LatencyMS
		perf.Rows = append(perf.Rows, []string{name, rate(st.TargetRPS), rate(st.ThroughputRPS), count(st.Requests),
			latency(l.P50), latency(l.P90), latency(l.P99), latency(l.P999), latency(l.Max), errorsText(st.Errors, st.ErrorsByStatus)})
		cost.Rows = append(cost.Rows, []string{name, optional(st.StoreOpsPerRequest, decimal), optionalCount(st.StoreOps),
			decimal(st.CredentialBytes), count(st.Logins), count(st.Refreshes), sharesText(st.ReplicaShare)})
		bars.Groups = append(bars.Groups, barGroup{Label: name, Values: []float64{l.P50, l.P90, l.P99}})
	}
	s.Tables = []table{perf, cost}
	s.Charts = []chart{{ID: "steady-latency", Title: "Latency percentiles in steady (ms)", Bars: bars}}
	return s
}

func optionalCount(n *int64) string {
	if n == nil {
		return notMeasured
	}
	return count(*n)
}

// errorsText returns an error count with its split by status code.
func errorsText(total int64, byStatus map[string]int64) string {
	if total == 0 || len(byStatus) == 0 {
		return count(total)
	}
	var parts []string
	for _, status := range keysOf(byStatus) {
		parts = append(parts, fmt.Sprintf("%s×%s", count(byStatus[status]), status))
	}
	return fmt.Sprintf("%s (%s)", count(total), strings.Join(parts, ", "))
}

// sharesText returns replica shares in replica order, such as
// "r1 34%, r2 33%".
func sharesText(shares map[string]float64) string {
	if len(shares) == 0 {
		return notMeasured
	}
	var parts []string
	for _, replica := range keysOf(shares) {
		parts = append(parts, replica+" "+percent(shares[replica]))
	}
	return strings.Join(parts, ", ")
}

func rampSection(ramp map[string]*results.Ramp, names []string, settings results.Settings) section {
	s, ran := newSection("ramp", "Ramp",
		fmt.Sprintf("The arrival rate rises step by step. A step is held when its p99 latency is within the objective of %s "+
			"and its error rate within the budget of %s.", latency(settings.ObjectiveMS), percent(settings.ErrorBudget)),
		ramp, names)
	if s.NotRun {
		return s
	}
	summary := table{Header: []string{"system", "replicas", "highest rate held", "steps held", "steps limited by the client"}}
	lines := &lineChart{XLabel: "arrival rate (req/s)", YLabel: "p99 latency (ms)", LogScale: true,
		FormatX: rate, FormatY: latency}
	if settings.ObjectiveMS > 0 {
		lines.Reference = &reference{Y: settings.ObjectiveMS, Label: "objective " + latency(settings.ObjectiveMS)}
	}
	for _, name := range ran {
		for i := range ramp[name].Runs {
			rr := &ramp[name].Runs[i]
			summary.Rows = append(summary.Rows, []string{name, fmt.Sprint(rr.Replicas), rampRunHeld(rr),
				fmt.Sprintf("%d of %d", countSteps(rr, func(st results.RampStep) bool { return st.Held }), len(rr.Steps)),
				fmt.Sprint(countSteps(rr, func(st results.RampStep) bool { return st.ClientLimited }))})
			lines.Series = append(lines.Series, rampSeries(name, rr, settings))
		}
	}
	s.Tables = []table{summary}
	s.Charts = []chart{{ID: "ramp-p99", Title: "p99 latency at each ramp step", Lines: lines}}
	return s
}

// rampRunHeld returns the highest rate held by one ramp run.
func rampRunHeld(rr *results.RampRun) string {
	if rr.MaxRateRPS == 0 {
		return "none"
	}
	if allHeld(rr) {
		return "≥ " + rate(rr.MaxRateRPS)
	}
	return rate(rr.MaxRateRPS)
}

func countSteps(rr *results.RampRun, match func(results.RampStep) bool) int {
	n := 0
	for _, step := range rr.Steps {
		if match(step) {
			n++
		}
	}
	return n
}

func rampSeries(name string, rr *results.RampRun, settings results.Settings) series {
	sr := series{Name: fmt.Sprintf("%s, %s", name, plural(rr.Replicas, "replica"))}
	for _, step := range rr.Steps {
		note := "held"
		if !step.Held {
			note = "not held" + failedLimits(step, settings)
		}
		if step.ClientLimited {
			note += ", client-limited"
		}
		sr.Points = append(sr.Points, point{X: step.RateRPS, Y: step.P99MS, Note: note})
	}
	return sr
}

// failedLimits names the limits that a step that was not held went over,
// each with a leading ", ".
func failedLimits(step results.RampStep, settings results.Settings) string {
	text := ""
	if settings.ObjectiveMS > 0 && step.P99MS > settings.ObjectiveMS {
		text += ", p99 over the objective"
	}
	if step.ErrorRate > settings.ErrorBudget {
		text += fmt.Sprintf(", errors %s over the budget", percent(step.ErrorRate))
	}
	return text
}
