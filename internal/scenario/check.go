package scenario

import (
	"fmt"
	"strings"

	"github.com/authlab/authlab/internal/results"
)

// Check returns every way in which run contradicts what the five designs
// must show in any honest run, whatever the machine. The store-backed
// systems revoke within a second, the pure JWT never does, and hybrid does
// within its access TTL. The pure JWT touches no store and survives a Redis
// outage. A crash of a sticky in-memory replica logs users out, while the
// pure JWT loses none. Every scenario and system that the run's settings
// list must have results, and a partial run fails. A check whose scenario or
// system the settings leave out is skipped. The CI end-to-end job fails on
// any returned error.
func Check(run *results.Run) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	checkComplete(run, fail)
	sc := run.Scenarios
	checkRevoke(sc.Revoke, run.Settings, fail)
	if s := sc.Steady["jwt"]; s != nil && (s.StoreOpsPerRequest == nil || *s.StoreOpsPerRequest != 0) {
		fail("steady: jwt store_ops_per_request = %s, want 0", show(s.StoreOpsPerRequest))
	}
	if s := sc.Steady["sessions-redis"]; s != nil && (s.StoreOpsPerRequest == nil || *s.StoreOpsPerRequest < 1) {
		fail("steady: sessions-redis store_ops_per_request = %s, want at least 1", show(s.StoreOpsPerRequest))
	}
	if o := sc.StoreOutage["jwt"]; o != nil && o.ErrorRateDuring != 0 {
		fail("store-outage: jwt error_rate_during = %v, want 0 (it uses no store)", o.ErrorRateDuring)
	}
	if o := sc.StoreOutage["sessions-redis"]; o != nil && o.ErrorRateDuring < 0.5 {
		fail("store-outage: sessions-redis error_rate_during = %v, want at least 0.5", o.ErrorRateDuring)
	}
	if c := sc.ReplicaCrash["sessions-sticky"]; c != nil && c.UsersLoggedOut <= 0 {
		fail("replica-crash: sessions-sticky users_logged_out = %v, want more than 0", c.UsersLoggedOut)
	}
	if c := sc.ReplicaCrash["jwt"]; c != nil && c.UsersLoggedOut != 0 {
		fail("replica-crash: jwt users_logged_out = %v, want 0", c.UsersLoggedOut)
	}
	return errs
}

// checkComplete fails a partial run, a run that lists no scenario or no
// system, and each listed pair of scenario and system without results.
func checkComplete(run *results.Run, fail func(string, ...any)) {
	if run.Partial {
		fail("the run is partial: it was interrupted before every scenario ran")
	}
	set := run.Settings
	if len(set.Scenarios) == 0 || len(set.Systems) == 0 {
		fail("settings list %d scenarios and %d systems, want at least one of each", len(set.Scenarios), len(set.Systems))
	}
	sc := run.Scenarios
	for _, scenario := range set.Scenarios {
		var has func(string) bool
		switch scenario {
		case Steady:
			has = func(s string) bool { return sc.Steady[s] != nil }
		case Ramp:
			has = func(s string) bool { return sc.Ramp[s] != nil }
		case Revoke:
			has = func(s string) bool { return sc.Revoke[s] != nil }
		case ReplicaCrash:
			has = func(s string) bool { return sc.ReplicaCrash[s] != nil }
		case StoreOutage:
			has = func(s string) bool { return sc.StoreOutage[s] != nil }
		case ScaleOut:
			has = func(s string) bool { return sc.ScaleOut[s] != nil }
		default:
			fail("settings list the unknown scenario %q", scenario)
			continue
		}
		var missing []string
		for _, system := range set.Systems {
			if !has(system) {
				missing = append(missing, system)
			}
		}
		switch {
		case len(missing) == 0:
		case len(missing) == len(set.Systems):
			fail("%s: no results for any system, though the settings list the scenario", scenario)
		default:
			fail("%s: no results for %s, which the settings list", scenario, strings.Join(missing, ", "))
		}
	}
}

// revokeMarginMS allows for the poll interval and scheduling on a busy
// machine on top of hybrid's access TTL and leeway.
const revokeMarginMS = 2000

func checkRevoke(rv map[string]*results.Revoke, set results.Settings, fail func(string, ...any)) {
	for _, name := range []string{"sessions-redis", "jwt-denylist"} {
		r := rv[name]
		if r == nil {
			continue
		}
		if r.RejectedAfterMS == nil || *r.RejectedAfterMS > 1000 || r.StillAcceptedAtEnd != 0 {
			fail("revoke: %s rejected_after_ms = %s with %v still accepted, want every credential rejected within 1000 ms",
				name, show(r.RejectedAfterMS), r.StillAcceptedAtEnd)
		}
	}
	if r := rv["jwt"]; r != nil && (r.RejectedAfterMS != nil || r.StillAcceptedAtEnd != 1) {
		fail("revoke: jwt rejected_after_ms = %s with %v still accepted, want none rejected within the window",
			show(r.RejectedAfterMS), r.StillAcceptedAtEnd)
	}
	if r := rv["hybrid"]; r != nil {
		limit := set.HybridAccessTTL + set.JWTLeewayMS + revokeMarginMS
		if r.RejectedAfterMS == nil || *r.RejectedAfterMS > limit || r.StillAcceptedAtEnd != 0 {
			fail("revoke: hybrid rejected_after_ms = %s with %v still accepted, want all rejected within %.0f ms (access TTL + leeway + margin)",
				show(r.RejectedAfterMS), r.StillAcceptedAtEnd, limit)
		}
	}
}

func show(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%g", *v)
}
