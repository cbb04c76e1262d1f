package scenario

import (
	"strings"
	"testing"

	"github.com/authlab/authlab/internal/results"
)

// honestRun returns a run that passes every check.
func honestRun() *results.Run {
	f := func(v float64) *float64 { return &v }
	return &results.Run{
		Settings: results.Settings{
			HybridAccessTTL: 3000, JWTLeewayMS: 1000,
			Scenarios: []string{Steady, Revoke, StoreOutage, ReplicaCrash},
			Systems:   []string{"sessions-sticky", "sessions-redis", "jwt", "jwt-denylist", "hybrid"},
		},
		Scenarios: results.Scenarios{
			Steady: map[string]*results.Steady{
				"sessions-sticky": {StoreOpsPerRequest: f(0)},
				"sessions-redis":  {StoreOpsPerRequest: f(2)},
				"jwt":             {StoreOpsPerRequest: f(0)},
				"jwt-denylist":    {StoreOpsPerRequest: f(1)},
				"hybrid":          {StoreOpsPerRequest: f(0.2)},
			},
			Revoke: map[string]*results.Revoke{
				"sessions-sticky": {StillAcceptedAtEnd: 0.6},
				"sessions-redis":  {RejectedAfterMS: f(40)},
				"jwt-denylist":    {RejectedAfterMS: f(35)},
				"jwt":             {StillAcceptedAtEnd: 1},
				"hybrid":          {RejectedAfterMS: f(3900)},
			},
			StoreOutage: map[string]*results.Outage{
				"sessions-sticky": {ErrorRateDuring: 0},
				"sessions-redis":  {ErrorRateDuring: 0.97},
				"jwt":             {ErrorRateDuring: 0},
				"jwt-denylist":    {ErrorRateDuring: 0.95},
				"hybrid":          {ErrorRateDuring: 0.6},
			},
			ReplicaCrash: map[string]*results.Crash{
				"sessions-sticky": {UsersLoggedOut: 0.3},
				"sessions-redis":  {UsersLoggedOut: 0},
				"jwt":             {UsersLoggedOut: 0},
				"jwt-denylist":    {UsersLoggedOut: 0},
				"hybrid":          {UsersLoggedOut: 0},
			},
		},
	}
}

func TestCheckPassesHonestRun(t *testing.T) {
	if errs := Check(honestRun()); len(errs) != 0 {
		t.Fatalf("Check = %v, want no error", errs)
	}
}

func TestCheckCatchesEachContradiction(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		change func(*results.Run)
		want   string
	}{
		{name: "slow redis revoke", change: func(r *results.Run) { r.Scenarios.Revoke["sessions-redis"].RejectedAfterMS = f(1500) }, want: "sessions-redis rejected_after_ms"},
		{name: "denylist never rejects", change: func(r *results.Run) { r.Scenarios.Revoke["jwt-denylist"].RejectedAfterMS = nil }, want: "jwt-denylist"},
		{name: "jwt rejected", change: func(r *results.Run) { r.Scenarios.Revoke["jwt"].RejectedAfterMS = f(10) }, want: "jwt rejected_after_ms"},
		{name: "hybrid too slow", change: func(r *results.Run) { r.Scenarios.Revoke["hybrid"].RejectedAfterMS = f(9000) }, want: "hybrid"},
		{name: "jwt uses store", change: func(r *results.Run) { r.Scenarios.Steady["jwt"].StoreOpsPerRequest = f(0.01) }, want: "jwt store_ops"},
		{name: "store ops not measured", change: func(r *results.Run) { r.Scenarios.Steady["sessions-redis"].StoreOpsPerRequest = nil }, want: "null"},
		{name: "jwt fails in outage", change: func(r *results.Run) { r.Scenarios.StoreOutage["jwt"].ErrorRateDuring = 0.1 }, want: "jwt error_rate_during"},
		{name: "sessions-redis survives outage", change: func(r *results.Run) { r.Scenarios.StoreOutage["sessions-redis"].ErrorRateDuring = 0.1 }, want: "sessions-redis error_rate_during"},
		{name: "sticky loses nobody", change: func(r *results.Run) { r.Scenarios.ReplicaCrash["sessions-sticky"].UsersLoggedOut = 0 }, want: "sessions-sticky"},
		{name: "jwt loses users", change: func(r *results.Run) { r.Scenarios.ReplicaCrash["jwt"].UsersLoggedOut = 0.1 }, want: "jwt users_logged_out"},
		{name: "system missing", change: func(r *results.Run) { delete(r.Scenarios.StoreOutage, "hybrid") }, want: "store-outage: no results for hybrid"},
		{name: "scenario missing", change: func(r *results.Run) { r.Scenarios.ReplicaCrash = nil }, want: "replica-crash: no results"},
		{name: "nothing listed", change: func(r *results.Run) { r.Settings.Scenarios, r.Settings.Systems = nil, nil }, want: "settings list 0 scenarios"},
		{name: "unknown scenario", change: func(r *results.Run) { r.Settings.Scenarios = append(r.Settings.Scenarios, "soak") }, want: `unknown scenario "soak"`},
		{name: "partial", change: func(r *results.Run) { r.Partial = true }, want: "partial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := honestRun()
			tt.change(run)
			errs := Check(run)
			if len(errs) != 1 {
				t.Fatalf("Check = %v, want exactly one error", errs)
			}
			if !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("error %q does not contain %q", errs[0], tt.want)
			}
		})
	}
}
