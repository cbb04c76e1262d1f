package scenario

import (
	"context"
	"fmt"
	"time"

	"github.com/authlab/authlab/internal/lab"
	"github.com/authlab/authlab/internal/loadgen"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/results"
)

// When, as shares of the phase, each fault scenario acts.
const (
	crashAt   = 0.3
	restartAt = 0.65
	outageAt  = 0.25
	restoreAt = 0.6
	addAt     = 0.3
)

// faultContext returns a context for fault actions that outlives an
// interrupt, so a killed replica or a stopped Redis is always brought back.
func faultContext(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// crash kills one replica of the system under steady load and starts it
// again later, and reports failed requests and the users who had to log in
// again.
func (r *Runner) crash(ctx context.Context, system string) (*results.Crash, error) {
	f, err := r.fleet(ctx, system)
	if err != nil {
		return nil, err
	}
	replicas := r.Target.Replicas(system)
	if len(replicas) < 2 {
		return nil, fmt.Errorf("replica-crash needs at least 2 replicas of %s, found %d", system, len(replicas))
	}
	victim := replicas[0]
	var killErr, startErr error
	killed := false
	fctx := faultContext(ctx)
	ph := r.phase(ctx, "replica-crash "+system, f, loadgen.Constant(r.Plan.Rate, r.Plan.faultPhase()),
		loadgen.At(r.share(crashAt), "kill", func() {
			killErr = r.Target.KillReplica(fctx, system, victim)
			killed = killErr == nil
		}),
		loadgen.At(r.share(restartAt), "restart", func() {
			if killed {
				startErr = r.Target.StartReplica(fctx, system, victim)
			}
		}))
	if killed && ph.Marks["restart"] == 0 {
		startErr = r.Target.StartReplica(fctx, system, victim)
	}
	if killErr != nil {
		return nil, fmt.Errorf("kill %s: %w", victim, killErr)
	}
	if startErr != nil {
		r.warn("replica-crash on %s: restart of %s failed: %v", system, victim, startErr)
	}
	r.warnOverrun("replica-crash", system, ph, "kill", r.share(restartAt))
	t := ph.Total()
	loggedOut := ph.UsersLoggedOut()
	return &results.Crash{
		KilledReplica:       victim,
		KillAtMS:            msOf(ph.Marks["kill"]),
		RestartAtMS:         msOf(actionEnd(ph, "restart")),
		Requests:            t.Requests,
		FailedRequests:      t.Errors,
		FailedByStatus:      t.ErrorsByStatus,
		UsersLoggedOut:      float64(loggedOut) / float64(len(f.Users())),
		UsersLoggedOutCount: loggedOut,
		Users:               len(f.Users()),
		Timeline:            ph.Timeline(),
	}, nil
}

// outage stops Redis under steady load and starts it again, and reports the
// error rate before, during and after, and the time to recover.
func (r *Runner) outage(ctx context.Context, system string) (*results.Outage, error) {
	if r.Target.Redis().Kind == redisx.KindExternal && r.Target.Mode() == lab.ModeEmbedded {
		return nil, fmt.Errorf("store-outage needs a Redis that the lab owns: unset REDIS_URL")
	}
	f, err := r.fleet(ctx, system)
	if err != nil {
		return nil, err
	}
	var stopErr, startErr error
	stopped := false
	fctx := faultContext(ctx)
	length := r.outageLength(system)
	at := func(fraction float64) time.Duration { return time.Duration(fraction * float64(length)) }
	ph := r.phase(ctx, "store-outage "+system, f, loadgen.Constant(r.Plan.Rate, length),
		loadgen.At(at(outageAt), "stop", func() {
			stopErr = r.Target.StopRedis(fctx)
			stopped = stopErr == nil
		}),
		loadgen.At(at(restoreAt), "start", func() {
			if stopped {
				startErr = r.Target.StartRedis(fctx)
			}
		}))
	if stopped && ph.Marks["start"] == 0 {
		startErr = r.Target.StartRedis(fctx)
	}
	// Redis came back empty, so every system that keeps credentials there
	// lost them. Later phases log their users in afresh instead of
	// measuring this outage's aftermath.
	r.dropStoreFleets()
	if stopErr != nil {
		return nil, fmt.Errorf("stop redis: %w", stopErr)
	}
	if startErr != nil {
		return nil, fmt.Errorf("start redis again: %w", startErr)
	}
	r.warnOverrun("store-outage", system, ph, "stop", at(restoreAt))
	r.warnOverrun("store-outage", system, ph, "start", length)
	return r.outageFigures(system, f, ph), nil
}

// outageLength returns the store-outage phase of system. For hybrid it is at
// least 2.4 access TTLs, so the outage (35% of the phase, 0.84 TTL) is longer
// than the 0.8 TTL between two refreshes of a user. Every user then tries to
// refresh while Redis is down, and the refresh path is measured apart from
// the access path.
func (r *Runner) outageLength(system string) time.Duration {
	if flavor, _ := flavorOf(system); flavor == loadgen.Hybrid {
		return max(r.Plan.faultPhase(), r.Plan.HybridAccessTTL*12/5)
	}
	return r.Plan.faultPhase()
}

// outageFigures splits the phase at the moment the stop command started and
// the moment the start command returned, so the outage lies inside "during"
// however long the commands took.
func (r *Runner) outageFigures(system string, f *loadgen.Fleet, ph *loadgen.Phase) *results.Outage {
	stop, start := ph.Marks["stop"], actionEnd(ph, "start")
	// A bucket that overlaps the outage at all counts as during it, so
	// "before" holds only buckets that ended before Redis stopped.
	from := stop.Truncate(ph.BucketWidth)
	to := start.Truncate(ph.BucketWidth) + ph.BucketWidth
	during := ph.Window(from, to)
	out := &results.Outage{
		StopAtMS:        msOf(stop),
		StartAtMS:       msOf(start),
		ErrorRateBefore: ph.Window(0, from).ErrorRate(),
		ErrorRateDuring: during.ErrorRate(),
		ErrorRateAfter:  ph.Window(to, ph.Elapsed+time.Hour).ErrorRate(),
		UsersLoggedOut:  float64(ph.UsersLoggedOut()) / float64(len(f.Users())),
		Timeline:        ph.Timeline(),
	}
	if flavor, _ := flavorOf(system); flavor == loadgen.Hybrid {
		out.AccessErrorRateDuring = ptr(during.ErrorRateOf(loadgen.KindMe))
		if during.ByKind[loadgen.KindRefresh] > 0 {
			out.RefreshErrorRateDuring = ptr(during.ErrorRateOf(loadgen.KindRefresh))
		}
	}
	out.RecoveryMS = r.recovery(ph, start)
	return out
}

// recovery returns the time from Redis being back until the error rate
// stays within the error budget for the rest of the phase. That is the end
// of the last bucket over the budget, or 0 when no bucket from the restart
// on was over it. Late effects, such as refresh tokens that Redis lost,
// count too, and recovery returns nil when the last bucket is still over.
func (r *Runner) recovery(ph *loadgen.Phase, start time.Duration) *float64 {
	n := len(ph.Buckets)
	if n > 0 && ph.Buckets[n-1].ErrorRate() > r.Plan.ErrorBudget {
		return nil
	}
	recovered := time.Duration(0)
	for _, b := range ph.Buckets {
		if b.Start+ph.BucketWidth > start && b.ErrorRate() > r.Plan.ErrorBudget {
			recovered = b.Start + ph.BucketWidth - start
		}
	}
	return ptr(msOf(recovered))
}

// scaleOut adds a replica under steady load and reports the share of
// traffic it gets. It removes the replica afterwards.
func (r *Runner) scaleOut(ctx context.Context, system string) (*results.ScaleOut, error) {
	f, err := r.fleet(ctx, system)
	if err != nil {
		return nil, err
	}
	var added string
	var addErr error
	fctx := faultContext(ctx)
	defer r.Target.SetReplicas(fctx, system, r.Plan.Replicas)
	ph := r.phase(ctx, "scale-out "+system, f, loadgen.Constant(r.Plan.Rate, r.Plan.faultPhase()),
		loadgen.At(r.share(addAt), "add", func() { added, addErr = r.Target.AddReplica(fctx, system) }))
	if addErr != nil {
		return nil, fmt.Errorf("add a replica to %s: %w", system, addErr)
	}
	if added == "" {
		return nil, fmt.Errorf("scale-out on %s ended before the replica was added", system)
	}
	// The replica exists once AddReplica has returned.
	at := actionEnd(ph, "add")
	r.warnOverrun("scale-out", system, ph, "add", r.share(restoreAt))
	out := &results.ScaleOut{
		NewReplica: added,
		AddedAtMS:  msOf(at),
		FairShare:  1 / float64(len(r.Target.Replicas(system))),
	}
	for _, b := range ph.Buckets {
		out.Timeline = append(out.Timeline, results.SharePoint{TMS: msOf(b.Start), Share: b.ReplicaShare()[added]})
	}
	half := at + (ph.Elapsed-at)/2
	out.NewReplicaShare = ph.Window(half, ph.Elapsed+time.Hour).ReplicaShare()[added]
	return out, nil
}

// share returns the offset at fraction of a fault scenario's phase.
func (r *Runner) share(fraction float64) time.Duration {
	return time.Duration(fraction * float64(r.Plan.faultPhase()))
}

// actionEnd returns the offset at which the action name returned, or the
// offset at which it started when it has no end (it never ran).
func actionEnd(ph *loadgen.Phase, name string) time.Duration {
	if end, ok := ph.Ends[name]; ok {
		return end
	}
	return ph.Marks[name]
}

// warnOverrun adds a warning when the action name returned after limit, the
// offset by which the scenario needed it done, so its figures rest on a
// shorter window than planned.
func (r *Runner) warnOverrun(scenario, system string, ph *loadgen.Phase, name string, limit time.Duration) {
	start, ok := ph.Marks[name]
	end := ph.Ends[name]
	if !ok || end <= limit {
		return
	}
	r.warn("%s on %s: the %s action took %v (from %v to %v of the phase) and ended after %v, where the scenario needed it done; a longer -duration gives it room",
		scenario, system, name, (end - start).Round(time.Millisecond), start.Round(time.Millisecond), end.Round(time.Millisecond), limit.Round(time.Millisecond))
}
