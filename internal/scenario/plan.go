package scenario

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Names of the scenarios, in the order a run executes them.
const (
	Steady       = "steady"
	Ramp         = "ramp"
	Revoke       = "revoke"
	ReplicaCrash = "replica-crash"
	StoreOutage  = "store-outage"
	ScaleOut     = "scale-out"
)

// All lists every scenario in run order.
var All = []string{Steady, Ramp, Revoke, ReplicaCrash, StoreOutage, ScaleOut}

// Plan sizes a run. DefaultPlan and QuickPlan give the two presets; the
// loadtest flags change single fields.
type Plan struct {
	Quick     bool
	Scenarios []string
	Systems   []string
	// Rate is the arrival rate of steady and of the fault scenarios, in
	// requests a second.
	Rate float64
	// Phase is how long steady and each fault scenario run a system.
	Phase time.Duration
	// Users is the number of virtual users a system.
	Users int
	// Replicas is the number of replicas a system.
	Replicas int
	// Objective is the p99 latency a ramp step must stay under.
	Objective time.Duration
	// ErrorBudget is the largest share of failed requests a ramp step may
	// have, and the level a store outage must fall back under to count as
	// recovered.
	ErrorBudget float64
	// RampStart is the first ramp rate; each step multiplies it by RampGrowth,
	// for at most RampSteps steps of RampStep each.
	RampStart  float64
	RampGrowth float64
	RampSteps  int
	RampStep   time.Duration
	// RevokeUsers are logged in, revoked and polled every RevokePoll for at
	// most RevokeWindow.
	RevokeUsers  int
	RevokePoll   time.Duration
	RevokeWindow time.Duration
	// HybridAccessTTL is the hybrid system's access token lifetime in this
	// run; the revoke window must cover it.
	HybridAccessTTL time.Duration
	// JWTAccessTTL is the jwt systems' token lifetime in this run.
	JWTAccessTTL time.Duration
	// Leeway is the JWT apps' allowance for clock skew in this run: a token
	// stays accepted until exp plus Leeway.
	Leeway time.Duration
	// BcryptCost is the apps' bcrypt work factor in this run.
	BcryptCost int
	// FaultPhase is the shortest phase of replica-crash, store-outage and
	// scale-out; they use Phase when it is longer. It leaves room for fault
	// commands that take a while, such as the docker compose CLI.
	FaultPhase time.Duration
}

// faultPhase returns the length of a fault scenario's phase.
func (p Plan) faultPhase() time.Duration {
	return max(p.Phase, p.FaultPhase)
}

// DefaultPlan is the full run: every scenario on every system, sized to end
// within about ten minutes on a 2-core machine.
func DefaultPlan(systems []string) Plan {
	return Plan{
		Scenarios: slices.Clone(All), Systems: systems,
		Rate: 300, Phase: 10 * time.Second, Users: 200, Replicas: 3,
		Objective: 50 * time.Millisecond, ErrorBudget: 0.01,
		RampStart: 200, RampGrowth: 1.6, RampSteps: 8, RampStep: 2 * time.Second,
		RevokeUsers: 20, RevokePoll: 100 * time.Millisecond,
		HybridAccessTTL: 15 * time.Second, RevokeWindow: 18 * time.Second,
		JWTAccessTTL: 24 * time.Hour, Leeway: time.Second, BcryptCost: 8,
	}
}

// QuickPlan is the short run that CI makes: the same scenarios with short
// phases, fewer users and a short hybrid access token.
func QuickPlan(systems []string) Plan {
	p := DefaultPlan(systems)
	p.Quick = true
	p.Rate, p.Phase, p.Users = 150, 2*time.Second, 40
	p.RampStart, p.RampGrowth, p.RampSteps, p.RampStep = 200, 2, 3, time.Second
	p.RevokeUsers = 10
	p.HybridAccessTTL, p.RevokeWindow = 3*time.Second, 5*time.Second
	p.BcryptCost = 6
	return p
}

// Validate returns an error naming the first setting that is out of range.
func (p Plan) Validate(known []string) error {
	for _, s := range p.Scenarios {
		if !slices.Contains(All, s) {
			return fmt.Errorf("unknown scenario %q: want one of %s", s, strings.Join(All, ", "))
		}
	}
	for _, s := range p.Systems {
		if !slices.Contains(known, s) {
			return fmt.Errorf("unknown system %q: want one of %s", s, strings.Join(known, ", "))
		}
	}
	switch {
	case len(p.Scenarios) == 0:
		return fmt.Errorf("no scenario selected")
	case len(p.Systems) == 0:
		return fmt.Errorf("no system selected")
	// The comparisons are written so that NaN fails them.
	case !(p.Rate >= 1 && p.Rate <= 20000):
		return fmt.Errorf("invalid rate %v: want 1 to 20000 requests a second", p.Rate)
	case p.Phase < time.Second || p.Phase > time.Hour:
		return fmt.Errorf("invalid duration %v: want 1s to 1h", p.Phase)
	case p.Users < 1 || p.Users > 10000:
		return fmt.Errorf("invalid users %d: want 1 to 10000", p.Users)
	case p.Replicas < 1 || p.Replicas > 16:
		return fmt.Errorf("invalid replicas %d: want 1 to 16", p.Replicas)
	case p.Objective <= 0:
		return fmt.Errorf("invalid latency objective %v: want more than 0", p.Objective)
	case !(p.ErrorBudget >= 0 && p.ErrorBudget < 1):
		return fmt.Errorf("invalid error budget %v: want a fraction from 0 to below 1", p.ErrorBudget)
	case p.RevokeWindow <= p.HybridAccessTTL+p.Leeway:
		return fmt.Errorf("revoke window %v must be longer than hybrid's access TTL %v plus the JWT leeway %v",
			p.RevokeWindow, p.HybridAccessTTL, p.Leeway)
	}
	return nil
}

// Estimate returns how long the plan's load phases take, without start-up
// and logins: the figure the load test prints before it starts.
func (p Plan) Estimate() time.Duration {
	var total time.Duration
	n := time.Duration(len(p.Systems))
	for _, s := range p.Scenarios {
		switch s {
		case Steady:
			total += n * (p.Phase + time.Second/2)
		case ReplicaCrash, ScaleOut:
			total += n * (p.faultPhase() + time.Second/2)
		case StoreOutage:
			total += n * (p.faultPhase() + time.Second/2)
			if slices.Contains(p.Systems, "hybrid") {
				total += max(0, p.HybridAccessTTL*12/5-p.faultPhase())
			}
		case Ramp:
			runs := time.Duration(1)
			if p.Replicas > 1 {
				runs = 2
			}
			total += n * runs * time.Duration(p.RampSteps) * p.RampStep
		case Revoke:
			total += n * p.RevokeWindow / 2
		}
	}
	return total
}
