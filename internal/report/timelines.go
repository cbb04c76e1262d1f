package report

import (
	"fmt"
	"strings"

	"github.com/authlab/authlab/internal/results"
)

func revokeSection(revoke map[string]*results.Revoke, names []string) section {
	s, ran := newSection("revoke", "Revocation",
		"An admin revokes a set of logged-in users while they keep sending requests. "+
			"The table gives the time until they were rejected and what the admin route answered.",
		revoke, names)
	if s.NotRun {
		return s
	}
	t := table{Header: []string{"system", "users", "revoke status", "rejected after (last)", "rejected after (median)",
		"rejected", "still accepted at end", "window", "tokens expire in", "revoke message"}}
	lines := &lineChart{XLabel: "time since the revoke (s)", YLabel: "revoked credentials accepted",
		Timeline: true, YMax: 1, FormatX: duration, FormatY: percent}
	for _, name := range ran {
		r := revoke[name]
		t.Rows = append(t.Rows, []string{name, fmt.Sprint(r.Users), fmt.Sprint(r.RevokeStatus),
			rejectedAfterText(r.RejectedAfterMS, r), optional(r.RejectedAfterP50MS, duration),
			percent(r.RejectedShare), percent(r.StillAcceptedAtEnd), duration(r.WindowMS),
			expiryText(r), r.RevokeMessage})
		lines.Series = append(lines.Series, shareSeries(name, r.Accepted))
	}
	s.Tables = []table{t}
	s.Charts = []chart{{ID: "revoke-accepted", Title: "Share of revoked credentials still accepted", Lines: lines}}
	return s
}

// rejectedAfterText returns the time to the last rejection. A null
// RejectedAfterMS means that no user was rejected, which is a result and not
// a gap, so it is not rendered as "not measured".
func rejectedAfterText(v *float64, r *results.Revoke) string {
	if v == nil {
		return "none rejected within " + duration(r.WindowMS)
	}
	return duration(*v)
}

// expiryText returns when still-accepted credentials expire. A system that
// rejected every revoked credential has nothing left to expire.
func expiryText(r *results.Revoke) string {
	if r.TokensExpireInMS == nil && r.StillAcceptedAtEnd == 0 {
		return "–"
	}
	return optional(r.TokensExpireInMS, duration)
}

func shareSeries(name string, points []results.SharePoint) series {
	sr := series{Name: name}
	for _, p := range points {
		sr.Points = append(sr.Points, point{X: p.TMS, Y: p.Share})
	}
	return sr
}

func bucketSeries(name string, buckets []results.Bucket) series {
	sr := series{Name: name}
	for _, b := range buckets {
		sr.Points = append(sr.Points, point{X: b.TMS, Y: b.ErrorRate})
	}
	return sr
}

func crashSection(crash map[string]*results.Crash, names []string) section {
	s, ran := newSection("replica-crash", "Replica crash",
		"One replica is killed under load and restarted later. "+
			"A user is lost when their credential stops working and they must log in again.",
		crash, names)
	if s.NotRun {
		return s
	}
	t := table{Header: []string{"system", "killed replica", "killed at", "restarted at", "requests", "failed", "users logged out"}}
	lines := &lineChart{XLabel: "time (s)", YLabel: "error rate", Timeline: true, YMax: 1,
		FormatX: duration, FormatY: percent}
	for _, name := range ran {
		c := crash[name]
		t.Rows = append(t.Rows, []string{name, c.KilledReplica, duration(c.KillAtMS), duration(c.RestartAtMS),
			count(c.Requests), errorsText(c.FailedRequests, c.FailedByStatus), crashCell(c)})
		lines.Series = append(lines.Series, bucketSeries(name, c.Timeline))
	}
	first := crash[ran[0]]
	lines.Markers = sharedMarkers(ran, func(name string) []marker {
		return []marker{{crash[name].KillAtMS, "replica killed"}, {crash[name].RestartAtMS, "replica restarted"}}
	}, []marker{{first.KillAtMS, "replica killed"}, {first.RestartAtMS, "replica restarted"}})
	s.Tables = []table{t}
	s.Charts = []chart{{ID: "crash-errors", Title: "Error rate around the replica crash", Lines: lines}}
	return s
}

// sharedMarkers returns want when every system has the same events, and
// nil otherwise, because one marker row cannot show events at different
// times.
func sharedMarkers(names []string, events func(string) []marker, want []marker) []marker {
	for _, name := range names {
		got := events(name)
		for i := range got {
			if got[i] != want[i] {
				return nil
			}
		}
	}
	return want
}

func outageSection(outage map[string]*results.Outage, names []string) section {
	s, ran := newSection("store-outage", "Store outage",
		"Redis is stopped under load and started again. The error rate over time shows which requests needed it.",
		outage, names)
	if s.NotRun {
		return s
	}
	t := table{Header: []string{"system", "Redis down", "errors before", "errors during", "errors after", "recovery",
		"access errors during", "refresh errors during", "users logged out"}}
	lines := &lineChart{XLabel: "time (s)", YLabel: "error rate", Timeline: true, YMax: 1,
		FormatX: duration, FormatY: percent}
	for _, name := range ran {
		o := outage[name]
		t.Rows = append(t.Rows, []string{name, downText(o), percent(o.ErrorRateBefore), percent(o.ErrorRateDuring),
			percent(o.ErrorRateAfter), recoveryText(o.RecoveryMS), splitRateText(name, o.AccessErrorRateDuring),
			splitRateText(name, o.RefreshErrorRateDuring), percent(o.UsersLoggedOut)})
		lines.Series = append(lines.Series, bucketSeries(name, o.Timeline))
	}
	first := outage[ran[0]]
	lines.Markers = sharedMarkers(ran, func(name string) []marker {
		return []marker{{outage[name].StopAtMS, "Redis stopped"}, {outage[name].StartAtMS, "Redis started"}}
	}, []marker{{first.StopAtMS, "Redis stopped"}, {first.StartAtMS, "Redis started"}})
	s.Tables = []table{t}
	s.Charts = []chart{{ID: "outage-errors", Title: "Error rate around the store outage", Lines: lines}}
	return s
}

// downText returns when Redis was stopped and started again and how long it
// was down, since hybrid's outage can be longer than the others'.
func downText(o *results.Outage) string {
	return fmt.Sprintf("%s to %s (%s)", duration(o.StopAtMS), duration(o.StartAtMS), duration(o.StartAtMS-o.StopAtMS))
}

// recoveryText returns the recovery time. A null time means that the system
// did not recover within the phase.
func recoveryText(v *float64) string {
	if v == nil {
		return "not within the phase"
	}
	return duration(*v)
}

// splitRateText returns hybrid's split error rate. The split exists only
// for hybrid, so other systems get a dash rather than "not measured".
func splitRateText(name string, v *float64) string {
	if v == nil && name != "hybrid" {
		return "–"
	}
	return optional(v, percent)
}

func scaleOutSection(scale map[string]*results.ScaleOut, names []string) section {
	s, ran := newSection("scale-out", "Scale-out",
		"A replica is added under load. Its share of requests over time shows how soon the load balancer sends it existing users.",
		scale, names)
	if s.NotRun {
		return s
	}
	t := table{Header: []string{"system", "new replica", "added at", "new replica's share", "fair share"}}
	lines := &lineChart{XLabel: "time (s)", YLabel: "share of requests to the new replica", Timeline: true,
		YMax: 1, FormatX: duration, FormatY: percent}
	fair := scale[ran[0]].FairShare
	for _, name := range ran {
		sc := scale[name]
		t.Rows = append(t.Rows, []string{name, sc.NewReplica, duration(sc.AddedAtMS),
			percent(sc.NewReplicaShare), percent(sc.FairShare)})
		lines.Series = append(lines.Series, shareSeries(name, sc.Timeline))
		if sc.FairShare != fair {
			fair = 0
		}
	}
	if fair > 0 {
		lines.Reference = &reference{Y: fair, Label: "fair share " + percent(fair)}
	}
	first := scale[ran[0]]
	lines.Markers = sharedMarkers(ran, func(name string) []marker {
		return []marker{{scale[name].AddedAtMS, "replica added"}}
	}, []marker{{first.AddedAtMS, "replica added"}})
	s.Tables = []table{t}
	s.Charts = []chart{{ID: "scale-out-share", Title: "Share of requests served by the new replica", Lines: lines}}
	return s
}

// warnings returns the run's warnings followed by one line for each figure
// that the load generator may have limited.
func warnings(run *results.Run, names []string) []string {
	out := append([]string(nil), run.Warnings...)
	for _, name := range names {
		if st := run.Scenarios.Steady[name]; st != nil && st.Client.Bottleneck {
			c := st.Client
			out = append(out, fmt.Sprintf("steady, %s: the load generator dropped %s and sent %s late (more than %s) "+
				"of %s scheduled requests, so the client, not the server, may have limited these figures.",
				name, count(c.Dropped), count(c.Late), latency(c.LateMS), count(c.Scheduled)))
		}
		if r := run.Scenarios.Ramp[name]; r != nil {
			out = append(out, rampWarnings(name, r)...)
		}
	}
	return out
}

func rampWarnings(name string, r *results.Ramp) []string {
	var out []string
	for _, rr := range r.Runs {
		var rates []string
		for _, step := range rr.Steps {
			if step.ClientLimited {
				rates = append(rates, rate(step.RateRPS))
			}
		}
		if len(rates) > 0 {
			out = append(out, fmt.Sprintf("ramp, %s with %s: the load generator limited the steps at %s.",
				name, plural(rr.Replicas, "replica"), strings.Join(rates, ", ")))
		}
	}
	return out
}
