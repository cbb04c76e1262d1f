package report

import (
	"fmt"

	"github.com/authlab/authlab/internal/results"
)

// clientMark flags a verdict cell whose figure the load generator may have
// limited.
const clientMark = "†"

// verdictHeader names the verdict columns, one finding a column.
var verdictHeader = []string{
	"system",
	"p99 latency (steady)",
	"highest rate held (ramp)",
	"store ops a request (steady)",
	"revocation time (revoke)",
	"users lost to a replica crash",
	"errors during a store outage",
	"new replica's share (scale-out)",
}

// verdictTable returns the verdict table, one row a system, and the
// footnotes its cells refer to.
func verdictTable(run *results.Run, names []string) (table, []string) {
	t := table{Header: verdictHeader}
	marked := false
	for _, name := range names {
		row, rowMarked := verdictRow(run, name)
		marked = marked || rowMarked
		t.Rows = append(t.Rows, row)
	}
	var footnotes []string
	if marked {
		footnotes = append(footnotes, clientMark+" The load generator could not keep its send "+
			"schedule for this figure, so the client may have limited it (see Warnings).")
	}
	return t, footnotes
}

// verdictRow returns the verdict cells of one system and whether any of
// them carries clientMark.
func verdictRow(run *results.Run, name string) ([]string, bool) {
	sc := run.Scenarios
	p99, p99Marked := steadyP99Cell(sc.Steady[name])
	held, heldMarked := rampCell(sc.Ramp[name], run.Settings.Replicas)
	row := []string{
		name,
		p99,
		held,
		storeOpsCell(sc.Steady[name]),
		revokeCell(sc.Revoke[name], run.Settings.RevokeWindowMS),
		crashCell(sc.ReplicaCrash[name]),
		outageCell(sc.StoreOutage[name]),
		scaleOutCell(sc.ScaleOut[name]),
	}
	return row, p99Marked || heldMarked
}

func steadyP99Cell(s *results.Steady) (string, bool) {
	if s == nil {
		return notRun, false
	}
	if s.Client.Bottleneck {
		return latency(s.LatencyMS.P99) + " " + clientMark, true
	}
	return latency(s.LatencyMS.P99), false
}

// rampCell returns the highest rate held with the run's replica count.
func rampCell(r *results.Ramp, replicas int) (string, bool) {
	if r == nil {
		return notRun, false
	}
	run := rampRunFor(r, replicas)
	marked := run != nil && clientLimited(run)
	text := heldText(r, run)
	if r.MaxRateRPS > 0 && replicas > 0 {
		text += ", " + plural(replicas, "replica")
	}
	if marked {
		text += " " + clientMark
	}
	return text, marked
}

// heldText returns the highest rate held by r, where run is the ramp run
// with the run's replica count or nil. When every step of run was held, the
// system may hold more than the top step, so the text starts with "≥".
func heldText(r *results.Ramp, run *results.RampRun) string {
	if r.MaxRateRPS == 0 {
		if run != nil && len(run.Steps) > 0 {
			return fmt.Sprintf("none (first step %s failed)", rate(run.Steps[0].RateRPS))
		}
		return "none held"
	}
	if run != nil && allHeld(run) {
		return "≥ " + rate(r.MaxRateRPS)
	}
	return rate(r.MaxRateRPS)
}

// rampRunFor returns the ramp run with the given replica count, or nil.
func rampRunFor(r *results.Ramp, replicas int) *results.RampRun {
	for i := range r.Runs {
		if r.Runs[i].Replicas == replicas {
			return &r.Runs[i]
		}
	}
	return nil
}

func allHeld(run *results.RampRun) bool {
	for _, step := range run.Steps {
		if !step.Held {
			return false
		}
	}
	return len(run.Steps) > 0
}

func clientLimited(run *results.RampRun) bool {
	for _, step := range run.Steps {
		if step.ClientLimited {
			return true
		}
	}
	return false
}

func storeOpsCell(s *results.Steady) string {
	if s == nil {
		return notRun
	}
	return optional(s.StoreOpsPerRequest, decimal)
}

// revokeCell returns the time until revoked credentials were rejected, or,
// when none was rejected, the window waited and when the credentials expire.
func revokeCell(r *results.Revoke, defaultWindowMS float64) string {
	if r == nil {
		return notRun
	}
	if r.RejectedAfterMS != nil {
		text := duration(*r.RejectedAfterMS)
		if r.RejectedShare < 1 {
			text += fmt.Sprintf(" for %s of users", percent(r.RejectedShare))
		}
		return text
	}
	text := "never within " + duration(revokeWindow(r, defaultWindowMS))
	if r.TokensExpireInMS == nil {
		return text + "; expiry " + notMeasured
	}
	return text + "; tokens expire in " + duration(*r.TokensExpireInMS)
}

// revokeWindow returns the observation window of r, or the run's setting
// when the scenario did not record one.
func revokeWindow(r *results.Revoke, defaultWindowMS float64) float64 {
	if r.WindowMS > 0 {
		return r.WindowMS
	}
	return defaultWindowMS
}

func crashCell(c *results.Crash) string {
	if c == nil {
		return notRun
	}
	return fmt.Sprintf("%s (%d of %d)", percent(c.UsersLoggedOut), c.UsersLoggedOutCount, c.Users)
}

func outageCell(o *results.Outage) string {
	if o == nil {
		return notRun
	}
	return percent(o.ErrorRateDuring)
}

func scaleOutCell(s *results.ScaleOut) string {
	if s == nil {
		return notRun
	}
	return fmt.Sprintf("%s (fair %s)", percent(s.NewReplicaShare), percent(s.FairShare))
}
