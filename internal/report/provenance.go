package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/authlab/authlab/internal/results"
)

// howMade returns the settings, versions and machine of the run as a table
// of name and value.
func howMade(run *results.Run) table {
	st := run.Settings
	t := table{Header: []string{"setting", "value"}}
	add := func(name, value string) { t.Rows = append(t.Rows, []string{name, value}) }

	add("mode", modeText(run.Mode))
	add("Redis", redisText(run.Redis))
	add("machine", machineText(run.Machine))
	add("started", timeText(run.Started))
	add("finished", timeText(run.Finished))
	add("quick", strconv.FormatBool(st.Quick))
	add("scenarios", listText(st.Scenarios))
	add("systems", listText(st.Systems))
	add("arrival rate", positive(st.RateRPS, rate))
	add("phase length", positive(st.PhaseMS, duration))
	if st.FaultPhaseMS > st.PhaseMS {
		add("phase length of replica-crash, store-outage and scale-out", duration(st.FaultPhaseMS))
	}
	add("virtual users", positive(float64(st.Users), decimal))
	add("replicas a system", positive(float64(st.Replicas), decimal))
	add("p99 latency objective", positive(st.ObjectiveMS, latency))
	add("error budget of a ramp step", percent(st.ErrorBudget))
	add("jwt access token lifetime", positive(st.JWTAccessTTL, duration))
	add("hybrid access token lifetime", positive(st.HybridAccessTTL, duration))
	add("refresh margin", positive(st.RefreshMarginMS, duration))
	add("JWT leeway (a token is accepted until exp plus this)", leewayText(st.JWTLeewayMS))
	add("bcrypt cost", positive(float64(st.BcryptCost), decimal))
	add("revoke window", positive(st.RevokeWindowMS, duration))
	add("revoke poll interval", positive(st.RevokePollMS, duration))
	for _, name := range keysOf(run.Versions) {
		add("version of "+name, run.Versions[name])
	}
	return t
}

// positive formats a setting that is valid only above zero, so a zero is a
// setting the run did not record.
func positive(v float64, format func(float64) string) string {
	if v <= 0 {
		return notRecorded
	}
	return format(v)
}

// leewayText formats the JWT leeway, where zero is a valid setting.
func leewayText(ms float64) string {
	if ms == 0 {
		return "0 (none)"
	}
	return duration(ms)
}

func listText(items []string) string {
	if len(items) == 0 {
		return notRecorded
	}
	return strings.Join(items, ", ")
}

// reproduce returns the commands that run the same load again.
//
// NOTE: the flag names are copied from loadtest/flags.go, not read from it,
// so a flag renamed there must be renamed here too.
func reproduce(run *results.Run) []command {
	args := loadtestArgs(run.Settings, run.Mode != "compose")
	if run.Mode == "compose" {
		lines := []string{"export ADMIN_TOKEN=$(openssl rand -hex 24)"}
		var stack []string
		if st := run.Settings; st.BcryptCost > 0 {
			stack = append(stack, "BCRYPT_COST="+strconv.Itoa(st.BcryptCost))
		}
		if st := run.Settings; st.HybridAccessTTL > 0 && slices.Contains(st.Systems, "hybrid") {
			stack = append(stack, "HYBRID_ACCESS_TTL="+durationFlag(st.HybridAccessTTL))
		}
		if len(stack) > 0 {
			lines = append(lines, "export "+strings.Join(stack, " "))
		}
		lines = append(lines, "docker compose up -d --build", "go run ./loadtest -target compose"+args)
		return []command{{
			Intro: "Start the services with the run's settings, then run the load test against them:",
			Lines: lines,
		}}
	}
	return []command{{
		Intro: "From the repository root, with no Docker needed:",
		Lines: []string{"go run ./loadtest" + args},
	}}
}

// loadtestArgs returns the flags that repeat the settings, each with a
// leading space. -replicas applies only to the embedded lab, because the
// compose file sets the replica count of a compose stack.
func loadtestArgs(st results.Settings, embedded bool) string {
	var b strings.Builder
	if st.Quick {
		b.WriteString(" -quick")
	}
	if st.RateRPS > 0 {
		b.WriteString(" -rate " + strconv.FormatFloat(st.RateRPS, 'f', -1, 64))
	}
	if st.PhaseMS > 0 {
		b.WriteString(" -duration " + durationFlag(st.PhaseMS))
	}
	if st.Users > 0 {
		b.WriteString(" -users " + strconv.Itoa(st.Users))
	}
	if embedded && st.Replicas > 0 {
		b.WriteString(" -replicas " + strconv.Itoa(st.Replicas))
	}
	if st.ObjectiveMS > 0 {
		b.WriteString(" -objective " + durationFlag(st.ObjectiveMS))
	}
	if st.ErrorBudget > 0 {
		b.WriteString(" -error-budget " + strconv.FormatFloat(st.ErrorBudget, 'f', -1, 64))
	}
	if len(st.Scenarios) > 0 {
		b.WriteString(" -scenarios " + strings.Join(st.Scenarios, ","))
	}
	if len(st.Systems) > 0 {
		b.WriteString(" -systems " + strings.Join(st.Systems, ","))
	}
	return b.String()
}

// durationFlag formats milliseconds as a value for a time.Duration flag.
func durationFlag(ms float64) string {
	return time.Duration(ms * float64(time.Millisecond)).String()
}
