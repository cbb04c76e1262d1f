package scenario

import (
	"context"

	"github.com/authlab/authlab/internal/loadgen"
	"github.com/authlab/authlab/internal/results"
)

// steady drives the system at the plan's rate and reports latency,
// throughput, errors, store operations, credential size and replica shares.
func (r *Runner) steady(ctx context.Context, system string) (*results.Steady, error) {
	f, err := r.fleet(ctx, system)
	if err != nil {
		return nil, err
	}
	before := r.storeCalls(ctx)
	ph := r.phase(ctx, "steady "+system, f, loadgen.Constant(r.Plan.Rate, r.Plan.Phase))
	after := r.storeCalls(ctx)

	t := ph.Total()
	s := &results.Steady{
		TargetRPS:       r.Plan.Rate,
		DurationMS:      msOf(ph.Elapsed),
		Requests:        t.Requests,
		ThroughputRPS:   t.Throughput(),
		LatencyMS:       ph.Latency(),
		Errors:          t.Errors,
		ErrorsByStatus:  t.ErrorsByStatus,
		CredentialBytes: t.MeanCredentialBytes(),
		ReplicaShare:    ph.ReplicaShare(),
		Logins:          t.ByKind[loadgen.KindLogin],
		Refreshes:       t.ByKind[loadgen.KindRefresh],
		Client:          ph.Client(),
	}
	if before != nil && after != nil && t.Requests > 0 {
		ops := opsBetween(before, after)
		s.StoreOps = &ops
		s.StoreOpsPerRequest = ptr(float64(ops) / float64(t.Requests))
	}
	r.checkClient(system, "steady", s.Client)
	return s, nil
}

// checkClient adds a warning when the load generator, not the system,
// limited a phase.
func (r *Runner) checkClient(system, scenario string, c results.Client) {
	if c.Bottleneck {
		r.warn("%s on %s: the load generator fell behind (%d of %d requests dropped, %d late by more than %.0f ms), so its latency figures understate the wait",
			scenario, system, c.Dropped, c.Scheduled, c.Late, c.LateMS)
	}
}
