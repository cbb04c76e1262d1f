package scenario

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/authlab/authlab/internal/lab"
	"github.com/authlab/authlab/internal/loadgen"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/results"
	"github.com/redis/go-redis/v9"
)

// Runner executes a Plan against a lab target. It is not safe for
// concurrent use.
type Runner struct {
	Target lab.Target
	Plan   Plan
	// Password is the demo users' password.
	Password string
	Logger   *slog.Logger
	// Progress receives one live status line a phase; nil for none.
	Progress io.Writer

	run    *results.Run
	redis  *redis.Client
	fleets map[string]*loadgen.Fleet
}

// Run executes every scenario of the plan on every system and returns what
// was measured. When ctx ends early, the run returned is marked partial and
// holds the phases that finished.
func (r *Runner) Run(ctx context.Context) *results.Run {
	r.start()
	defer r.finish()
	for _, name := range r.Plan.Scenarios {
		for _, system := range r.Plan.Systems {
			if ctx.Err() != nil {
				r.run.Partial = true
				return r.run
			}
			if err := r.scenario(ctx, name, system); err != nil {
				if ctx.Err() != nil {
					r.run.Partial = true
					return r.run
				}
				r.warn("%s on %s failed: %v", name, system, err)
			}
		}
	}
	return r.run
}

func (r *Runner) start() {
	info := r.Target.Redis()
	r.run = &results.Run{
		Layout:   results.LayoutVersion,
		Started:  time.Now().UTC(),
		Mode:     r.Target.Mode(),
		Redis:    results.Redis{Kind: info.Kind, Version: info.Version},
		Machine:  describeMachine(),
		Versions: describeVersions(),
		Settings: r.settings(),
		Warnings: []string{},
	}
	r.fleets = map[string]*loadgen.Fleet{}
	if info.URL != "" {
		c, err := redisx.Open(info.URL)
		if err == nil {
			r.redis = c
		} else {
			r.warn("store operations not measured: %v", err)
		}
	}
}

func (r *Runner) finish() {
	r.run.Finished = time.Now().UTC()
	for _, f := range r.fleets {
		f.Close()
	}
	if r.redis != nil {
		_ = r.redis.Close()
	}
}

func (r *Runner) settings() results.Settings {
	p := r.Plan
	return results.Settings{
		Quick: p.Quick, Scenarios: p.Scenarios, Systems: p.Systems,
		RateRPS: p.Rate, PhaseMS: msOf(p.Phase), Users: p.Users, Replicas: p.Replicas,
		ObjectiveMS: msOf(p.Objective), ErrorBudget: p.ErrorBudget,
		HybridAccessTTL: msOf(p.HybridAccessTTL), BcryptCost: p.BcryptCost, JWTLeewayMS: msOf(p.Leeway),
		JWTAccessTTL: msOf(p.JWTAccessTTL), RefreshMarginMS: msOf(max(time.Duration(float64(p.HybridAccessTTL)*loadgen.DefaultRefreshShare), loadgen.MinRefreshMargin)),
		RevokeWindowMS: msOf(p.RevokeWindow), RevokePollMS: msOf(p.RevokePoll),
		FaultPhaseMS: msOf(p.faultPhase()),
	}
}

func (r *Runner) scenario(ctx context.Context, name, system string) error {
	sc := &r.run.Scenarios
	var err error
	switch name {
	case Steady:
		err = record(&sc.Steady, system, func() (*results.Steady, error) { return r.steady(ctx, system) })
	case Ramp:
		err = record(&sc.Ramp, system, func() (*results.Ramp, error) { return r.ramp(ctx, system) })
	case Revoke:
		err = record(&sc.Revoke, system, func() (*results.Revoke, error) { return r.revoke(ctx, system) })
	case ReplicaCrash:
		err = record(&sc.ReplicaCrash, system, func() (*results.Crash, error) { return r.crash(ctx, system) })
	case StoreOutage:
		err = record(&sc.StoreOutage, system, func() (*results.Outage, error) { return r.outage(ctx, system) })
	case ScaleOut:
		err = record(&sc.ScaleOut, system, func() (*results.ScaleOut, error) { return r.scaleOut(ctx, system) })
	default:
		err = fmt.Errorf("unknown scenario %q", name)
	}
	return err
}

// record runs measure and stores its result under system in *m, creating
// the map on first use.
func record[T any](m *map[string]*T, system string, measure func() (*T, error)) error {
	v, err := measure()
	if err != nil {
		return err
	}
	if *m == nil {
		*m = map[string]*T{}
	}
	(*m)[system] = v
	return nil
}

func (r *Runner) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.run.Warnings = append(r.run.Warnings, msg)
	if r.Logger != nil {
		r.Logger.Warn(msg)
	}
}

// flavorOf returns how a virtual user of system authenticates.
func flavorOf(system string) (loadgen.Flavor, error) {
	sys, ok := lab.Lookup(system)
	if !ok {
		return "", fmt.Errorf("unknown system %q", system)
	}
	switch sys.App {
	case lab.AppSessions:
		return loadgen.Cookie, nil
	case lab.AppJWT:
		return loadgen.Bearer, nil
	default:
		return loadgen.Hybrid, nil
	}
}

// newFleet builds a fleet of count users of system and logs them all in.
func (r *Runner) newFleet(ctx context.Context, system string, count int) (*loadgen.Fleet, error) {
	flavor, err := flavorOf(system)
	if err != nil {
		return nil, err
	}
	f, err := loadgen.NewFleet(loadgen.Config{
		BaseURL: r.Target.URL(system), Flavor: flavor, Users: count,
		Password: r.Password, MaxInFlight: loadgen.MaxInFlightFor(r.peakRate(), 100*time.Millisecond),
	})
	if err != nil {
		return nil, err
	}
	if err := f.LoginAll(ctx, 8); err != nil {
		f.Close()
		return nil, fmt.Errorf("log in %d users on %s: %w", count, system, err)
	}
	return f, nil
}

// fleet returns the system's main fleet, logging it in on first use and
// warming it up otherwise. The scenarios share it, so the users log in once a
// run unless a scenario ended their credentials.
func (r *Runner) fleet(ctx context.Context, system string) (*loadgen.Fleet, error) {
	if f, ok := r.fleets[system]; ok {
		r.warmUp(ctx, system, f)
		return f, nil
	}
	f, err := r.newFleet(ctx, system, r.Plan.Users)
	if err != nil {
		return nil, err
	}
	r.fleets[system] = f
	return f, nil
}

// dropStoreFleets drops the main fleet of every system that keeps
// credentials in Redis.
func (r *Runner) dropStoreFleets() {
	for system := range r.fleets {
		if sys, ok := lab.Lookup(system); ok && sys.UsesRedis {
			r.dropFleet(system)
		}
	}
}

// dropFleet closes and removes the system's main fleet, so the next
// scenario logs its users in afresh.
func (r *Runner) dropFleet(system string) {
	if f, ok := r.fleets[system]; ok {
		f.Close()
		delete(r.fleets, system)
	}
}

func (r *Runner) peakRate() float64 {
	peak := r.Plan.Rate
	rate := r.Plan.RampStart
	for range r.Plan.RampSteps {
		peak = max(peak, rate)
		rate *= r.Plan.RampGrowth
	}
	return peak
}

// phase runs one schedule on fleet with a live status line.
func (r *Runner) phase(ctx context.Context, label string, f *loadgen.Fleet, s loadgen.Schedule, opts ...loadgen.RunOption) *loadgen.Phase {
	stop := r.showProgress(label, &opts)
	defer stop()
	return f.Run(ctx, s, opts...)
}

// storeCalls returns Redis's command counters, or nil when they can't be
// read (no Redis URL, or miniredis, which has no commandstats).
func (r *Runner) storeCalls(ctx context.Context) map[string]int64 {
	if r.redis == nil {
		return nil
	}
	calls, err := commandCalls(ctx, r.redis)
	if err != nil || len(calls) == 0 {
		return nil
	}
	return calls
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ptr[T any](v T) *T { return &v }
