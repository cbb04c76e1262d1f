package report

import (
	"fmt"
	"strings"

	"github.com/authlab/authlab/internal/results"
)

// findings returns plain sentences for someone choosing between the
// designs. Every sentence carries the figures it rests on, and a figure that
// is missing turns into a sentence saying that it was not measured.
func findings(run *results.Run, names []string) []string {
	var out []string
	for _, f := range []func(*results.Run, []string) []string{
		latencyFindings,
		storeOpsFindings,
		credentialFindings,
		denylistFindings,
		revokeFindings,
		crashFindings,
		outageFindings,
		hybridOutageFindings,
		rampFindings,
		scaleOutFindings,
	} {
		out = append(out, f(run, names)...)
	}
	return out
}

// missing returns the sentence for a figure whose scenario did not run for
// the given systems.
func missing(figure, scenario string, names ...string) string {
	if len(names) == 0 {
		return fmt.Sprintf("%s was not measured, because %s did not run.", figure, scenario)
	}
	return fmt.Sprintf("%s of %s was not measured, because %s did not run for it.",
		figure, joinList(names), scenario)
}

func latencyFindings(run *results.Run, names []string) []string {
	steady := run.Scenarios.Steady
	ran := present(names, steady)
	if len(ran) == 0 {
		return []string{missing("Latency", "steady")}
	}
	if len(ran) == 1 {
		return []string{fmt.Sprintf("In steady, %s had a p99 latency of %s.",
			ran[0], latency(steady[ran[0]].LatencyMS.P99))}
	}
	low, high := ran[0], ran[0]
	for _, name := range ran {
		if steady[name].LatencyMS.P99 < steady[low].LatencyMS.P99 {
			low = name
		}
		if steady[name].LatencyMS.P99 > steady[high].LatencyMS.P99 {
			high = name
		}
	}
	lowP99, highP99 := steady[low].LatencyMS.P99, steady[high].LatencyMS.P99
	out := []string{fmt.Sprintf("In steady, p99 latency ranged from %s (%s) to %s (%s).",
		latency(lowP99), low, latency(highP99), high)}
	if closeTo(lowP99, highP99) {
		out = []string{fmt.Sprintf("In steady, every system's p99 latency was within 10%% "+
			"of the others, from %s (%s) to %s (%s).", latency(lowP99), low, latency(highP99), high)}
	}
	var limited []string
	for _, name := range ran {
		if steady[name].Client.Bottleneck {
			limited = append(limited, name)
		}
	}
	if len(limited) > 0 {
		out = append(out, fmt.Sprintf("The load generator fell behind its schedule in steady for %s, "+
			"so those latencies may include client delay (see Warnings).", joinList(limited)))
	}
	return out
}

func storeOpsFindings(run *results.Run, names []string) []string {
	steady := run.Scenarios.Steady
	ran := present(names, steady)
	if len(ran) == 0 {
		return []string{missing("The number of store operations a request", "steady")}
	}
	var parts []string
	for _, name := range ran {
		parts = append(parts, fmt.Sprintf("%s %s", name, optional(steady[name].StoreOpsPerRequest, decimal)))
	}
	out := []string{"Store operations (Redis commands, each command a Lua script runs included) a request in steady: " + strings.Join(parts, ", ") + "."}

	jwt, redis := storeOps(steady["jwt"]), storeOps(steady["sessions-redis"])
	if jwt != nil && redis != nil {
		out = append(out, fmt.Sprintf("jwt made %s a request, %s sessions-redis's %s.",
			storeOpsText(*jwt), relation(*jwt, *redis), decimal(*redis)))
	} else {
		out = append(out, "jwt and sessions-redis cannot be compared on store operations, because "+
			joinList(storeOpsGaps(steady, "jwt", "sessions-redis"))+".")
	}
	if redisKindLacksStats(run) {
		out = append(out, "miniredis does not count commands, so store operations could not be measured in this run.")
	}
	return out
}

// storeOpsText returns a store operation count a request with its noun.
func storeOpsText(v float64) string {
	if v == 1 {
		return "1 store operation"
	}
	return decimal(v) + " store operations"
}

// storeOpsGaps returns, for each of names without a store-ops figure, why
// it has none.
func storeOpsGaps(steady map[string]*results.Steady, names ...string) []string {
	var gaps []string
	for _, name := range names {
		switch {
		case steady[name] == nil:
			gaps = append(gaps, name+" did not run steady")
		case steady[name].StoreOpsPerRequest == nil:
			gaps = append(gaps, name+"'s figure was not measured")
		}
	}
	return gaps
}

// storeOps returns the store operations a request of s, or nil when s is
// nil or the figure was not measured.
func storeOps(s *results.Steady) *float64 {
	if s == nil {
		return nil
	}
	return s.StoreOpsPerRequest
}

// redisKindLacksStats reports whether the run used miniredis, which has no
// INFO commandstats.
func redisKindLacksStats(run *results.Run) bool {
	return run.Redis.Kind == "miniredis"
}

func credentialFindings(run *results.Run, names []string) []string {
	steady := run.Scenarios.Steady
	jwt := steady["jwt"]
	cookieName := ""
	for _, name := range []string{"sessions-redis", "sessions-sticky"} {
		if steady[name] != nil {
			cookieName = name
			break
		}
	}
	if jwt == nil || cookieName == "" {
		return []string{"The credential sizes of a JWT and a session cookie were not both measured, " +
			"because steady did not run for jwt and a sessions system."}
	}
	tokenBytes, cookieBytes := jwt.CredentialBytes, steady[cookieName].CredentialBytes
	size := fmt.Sprintf("jwt carried a %s-byte credential a request, %s the %s bytes of the %s session cookie.",
		decimal(tokenBytes), relation(tokenBytes, cookieBytes), decimal(cookieBytes), cookieName)
	if tokenBytes > cookieBytes && !closeTo(tokenBytes, cookieBytes) && cookieBytes > 0 {
		size = fmt.Sprintf("jwt carried a %s-byte credential a request, %s the %s bytes of the %s session cookie.",
			decimal(tokenBytes), ratio(tokenBytes, cookieBytes), decimal(cookieBytes), cookieName)
	}
	return []string{
		"A JWT's payload is only base64url-encoded, not encrypted, so anyone who holds the token can read its claims. " +
			size,
	}
}

func denylistFindings(run *results.Run, names []string) []string {
	sc := run.Scenarios
	deny, jwt := storeOps(sc.Steady["jwt-denylist"]), storeOps(sc.Steady["jwt"])
	var out []string
	switch {
	case deny == nil || jwt == nil:
		out = append(out, "The store cost of the denylist cannot be stated, because "+
			joinList(storeOpsGaps(sc.Steady, "jwt-denylist", "jwt"))+".")
	case *deny > *jwt && !closeTo(*deny, *jwt):
		out = append(out, fmt.Sprintf("jwt-denylist made %s a request against %s for jwt, "+
			"so the denylist brings the store back into the request path.", storeOpsText(*deny), decimal(*jwt)))
	default:
		out = append(out, fmt.Sprintf("jwt-denylist made %s a request, %s jwt's %s.",
			storeOpsText(*deny), relation(*deny, *jwt), decimal(*jwt)))
	}

	denyOutage, jwtOutage := sc.StoreOutage["jwt-denylist"], sc.StoreOutage["jwt"]
	if denyOutage == nil || jwtOutage == nil {
		return append(out, "How the denylist fails with the store was not measured, because store-outage did not run for both jwt and jwt-denylist.")
	}
	return append(out, fmt.Sprintf("While Redis was stopped, jwt-denylist's error rate was %s, %s jwt's %s.",
		percent(denyOutage.ErrorRateDuring), relation(denyOutage.ErrorRateDuring, jwtOutage.ErrorRateDuring),
		percent(jwtOutage.ErrorRateDuring)))
}

func revokeFindings(run *results.Run, names []string) []string {
	revoke := run.Scenarios.Revoke
	ran := present(names, revoke)
	if len(ran) == 0 {
		return []string{missing("Revocation", "revoke")}
	}
	var out []string
	for _, name := range ran {
		out = append(out, revokeSentence(name, revoke[name], run.Settings.RevokeWindowMS))
	}
	return out
}

// revokeSentence describes what happened to one system's revoked
// credentials within the observation window.
func revokeSentence(name string, r *results.Revoke, defaultWindowMS float64) string {
	window := duration(revokeWindow(r, defaultWindowMS))
	expiry := ""
	if r.StillAcceptedAtEnd > 0 {
		expiry = " Their expiry was " + notMeasured + "."
		if r.TokensExpireInMS != nil {
			expiry = fmt.Sprintf(" They stay valid until they expire, %s after the revoke.", duration(*r.TokensExpireInMS))
		}
	}
	switch {
	case r.RejectedAfterMS == nil:
		return fmt.Sprintf("After a revoke, %s rejected none of %s, and still accepted %s of the revoked credentials at the end of the %s window.%s",
			name, plural(r.Users, "revoked user"), percent(r.StillAcceptedAtEnd), window, expiry)
	case r.StillAcceptedAtEnd > 0:
		return fmt.Sprintf("After a revoke, %s rejected %s of revoked users within %s, but still accepted %s of the credentials at the end of the %s window.%s",
			name, percent(r.RejectedShare), duration(*r.RejectedAfterMS), percent(r.StillAcceptedAtEnd), window, expiry)
	default:
		return fmt.Sprintf("After a revoke, %s rejected %s of revoked users within %s (median %s).",
			name, percent(r.RejectedShare), duration(*r.RejectedAfterMS), optional(r.RejectedAfterP50MS, duration))
	}
}

func crashFindings(run *results.Run, names []string) []string {
	crash := run.Scenarios.ReplicaCrash
	ran := present(names, crash)
	if len(ran) == 0 {
		return []string{missing("The effect of a replica crash", "replica-crash")}
	}
	var lost, kept []string
	for _, name := range ran {
		c := crash[name]
		if c.UsersLoggedOut > 0 {
			lost = append(lost, fmt.Sprintf("%s logged out %s of its users (%d of %d)",
				name, percent(c.UsersLoggedOut), c.UsersLoggedOutCount, c.Users))
		} else {
			kept = append(kept, name)
		}
	}
	switch {
	case len(lost) == 0:
		return []string{fmt.Sprintf("When one replica crashed, no system logged out any user (%s: 0%%).", joinList(kept))}
	case len(kept) == 0:
		return []string{fmt.Sprintf("When one replica crashed, %s.", joinList(lost))}
	default:
		return []string{fmt.Sprintf("When one replica crashed, %s, while %s logged out none (0%%).",
			joinList(lost), joinList(kept))}
	}
}

func outageFindings(run *results.Run, names []string) []string {
	outage := run.Scenarios.StoreOutage
	ran := present(names, outage)
	if len(ran) == 0 {
		return []string{missing("The effect of a store outage", "store-outage")}
	}
	var during, recovery []string
	for _, name := range ran {
		o := outage[name]
		during = append(during, fmt.Sprintf("%s %s", name, percent(o.ErrorRateDuring)))
		if o.RecoveryMS == nil {
			recovery = append(recovery, name+" did not recover within the phase")
		} else {
			recovery = append(recovery, fmt.Sprintf("%s %s", name, duration(*o.RecoveryMS)))
		}
	}
	return []string{
		"While Redis was stopped, the error rate was: " + strings.Join(during, ", ") + ".",
		"Recovery after Redis came back: " + strings.Join(recovery, ", ") + ".",
	}
}

func hybridOutageFindings(run *results.Run, names []string) []string {
	o := run.Scenarios.StoreOutage["hybrid"]
	if o == nil {
		return nil
	}
	if o.AccessErrorRateDuring == nil || o.RefreshErrorRateDuring == nil {
		return []string{"hybrid's access and refresh error rates during the store outage were not measured apart."}
	}
	access, refresh := *o.AccessErrorRateDuring, *o.RefreshErrorRateDuring
	return []string{fmt.Sprintf("While Redis was stopped, hybrid's access-token requests failed at %s, %s its refreshes, which failed at %s. "+
		"All its requests together, the logins of users whose refresh failed included, failed at %s.",
		percent(access), relation(access, refresh), percent(refresh), percent(o.ErrorRateDuring))}
}

func rampFindings(run *results.Run, names []string) []string {
	ramp := run.Scenarios.Ramp
	ran := present(names, ramp)
	if len(ran) == 0 {
		return []string{missing("The highest rate held", "ramp")}
	}
	var held []string
	for _, name := range ran {
		r := ramp[name]
		held = append(held, name+" "+heldText(r, rampRunFor(r, run.Settings.Replicas)))
	}
	replicas := ""
	if run.Settings.Replicas > 0 {
		replicas = " with " + plural(run.Settings.Replicas, "replica")
	}
	out := []string{fmt.Sprintf("Highest rate held%s, within the p99 objective of %s and an error budget of %s: %s.",
		replicas, latency(run.Settings.ObjectiveMS), percent(run.Settings.ErrorBudget), strings.Join(held, ", "))}
	for _, name := range ran {
		if s := rampGrowth(name, ramp[name]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// rampGrowth describes how the held rate of one system changed from its
// smallest to its largest replica count, or returns "" with fewer than two
// ramp runs.
func rampGrowth(name string, r *results.Ramp) string {
	if len(r.Runs) < 2 {
		return ""
	}
	first, last := r.Runs[0], r.Runs[0]
	for _, run := range r.Runs {
		if run.Replicas < first.Replicas {
			first = run
		}
		if run.Replicas > last.Replicas {
			last = run
		}
	}
	if first.Replicas == last.Replicas {
		return ""
	}
	text := fmt.Sprintf("From %d to %d replicas, %s's highest held rate went from %s to %s",
		first.Replicas, last.Replicas, name, rate(first.MaxRateRPS), rate(last.MaxRateRPS))
	if first.MaxRateRPS > 0 && last.MaxRateRPS > first.MaxRateRPS && !closeTo(first.MaxRateRPS, last.MaxRateRPS) {
		text += fmt.Sprintf(" (%s)", ratio(last.MaxRateRPS, first.MaxRateRPS))
	}
	if allHeld(&last) {
		text += ", and every step of the larger ramp was held, so its limit was not reached"
	}
	return text + "."
}

func scaleOutFindings(run *results.Run, names []string) []string {
	scale := run.Scenarios.ScaleOut
	ran := present(names, scale)
	if len(ran) == 0 {
		return []string{missing("The share of a new replica", "scale-out")}
	}
	var shares, below []string
	for _, name := range ran {
		s := scale[name]
		shares = append(shares, fmt.Sprintf("%s %s", name, percent(s.NewReplicaShare)))
		if s.NewReplicaShare < s.FairShare && !closeTo(s.NewReplicaShare, s.FairShare) {
			below = append(below, name)
		}
	}
	out := []string{fmt.Sprintf("A replica added under load served, in the second half of the time after the add: %s, against a fair share of %s.",
		strings.Join(shares, ", "), fairShares(scale, ran))}
	if len(below) > 0 {
		out = append(out, fmt.Sprintf("The new replica got less than its fair share on %s.", joinList(below)))
	}
	return out
}

// fairShares returns the fair share of the systems, as one value when they
// agree.
func fairShares(scale map[string]*results.ScaleOut, names []string) string {
	first := scale[names[0]].FairShare
	var each []string
	same := true
	for _, name := range names {
		each = append(each, fmt.Sprintf("%s for %s", percent(scale[name].FairShare), name))
		same = same && scale[name].FairShare == first
	}
	if same {
		return percent(first)
	}
	return strings.Join(each, ", ")
}
