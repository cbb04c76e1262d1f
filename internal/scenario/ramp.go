package scenario

import (
	"context"
	"fmt"
	"time"

	"github.com/authlab/authlab/internal/loadgen"
	"github.com/authlab/authlab/internal/results"
)

// ramp raises the rate step by step, first with one replica and then with the
// plan's count, until a step breaks the latency objective or the error
// budget. It leaves the system at the plan's replica count.
func (r *Runner) ramp(ctx context.Context, system string) (*results.Ramp, error) {
	counts := []int{1}
	if r.Plan.Replicas > 1 {
		counts = append(counts, r.Plan.Replicas)
	}
	out := &results.Ramp{}
	defer r.Target.SetReplicas(context.WithoutCancel(ctx), system, r.Plan.Replicas)
	for _, n := range counts {
		run, err := r.rampWith(ctx, system, n)
		if err != nil {
			return nil, err
		}
		out.Runs = append(out.Runs, run)
		if n == r.Plan.Replicas {
			out.MaxRateRPS = run.MaxRateRPS
		}
	}
	return out, nil
}

func (r *Runner) rampWith(ctx context.Context, system string, replicas int) (results.RampRun, error) {
	run := results.RampRun{Replicas: replicas}
	if err := r.Target.SetReplicas(ctx, system, replicas); err != nil {
		return run, fmt.Errorf("scale %s to %d replicas: %w", system, replicas, err)
	}
	f, err := r.fleet(ctx, system)
	if err != nil {
		return run, err
	}
	rate := r.Plan.RampStart
	for step := range r.Plan.RampSteps {
		label := fmt.Sprintf("ramp %s x%d %.0f/s", system, replicas, rate)
		ph := r.phase(ctx, label, f, loadgen.Constant(rate, r.Plan.RampStep))
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		s := r.rampStep(rate, ph)
		run.Steps = append(run.Steps, s)
		if !s.Held {
			break
		}
		run.MaxRateRPS = rate
		if step < r.Plan.RampSteps-1 {
			rate *= r.Plan.RampGrowth
		}
	}
	return run, nil
}

func (r *Runner) rampStep(rate float64, ph *loadgen.Phase) results.RampStep {
	t := ph.Total()
	c := ph.Client()
	s := results.RampStep{
		RateRPS:       rate,
		ThroughputRPS: t.Throughput(),
		P99MS:         ph.Latency().P99,
		ErrorRate:     t.ErrorRate(),
		ClientLimited: c.Bottleneck,
	}
	s.Held = s.P99MS <= msOf(r.Plan.Objective) && s.ErrorRate <= r.Plan.ErrorBudget && !c.Bottleneck
	return s
}

// warmUp sends two unrecorded requests for each user before a measured
// phase. A user whose credential an earlier phase ended (a crash, an outage
// that emptied Redis, a scale-down) gets a 401 on the first and logs in
// again on the second. A load balancer that was just reconfigured has then
// seen traffic too.
func (r *Runner) warmUp(ctx context.Context, system string, f *loadgen.Fleet) {
	users := len(f.Users())
	rate := r.Plan.RampStart
	length := time.Duration(2*float64(users)/rate*float64(time.Second)) + 100*time.Millisecond
	r.phase(ctx, "warm-up "+system, f, loadgen.Constant(rate, length))
}
