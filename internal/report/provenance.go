package report

import (
	"fmt"
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
	add("arrival rate", rate(st.RateRPS))
	add("phase length", duration(st.PhaseMS))
	add("virtual users", fmt.Sprint(st.Users))
	add("replicas a system", fmt.Sprint(st.Replicas))
	add("p99 latency objective", latency(st.ObjectiveMS))
	add("error budget of a ramp step", percent(st.ErrorBudget))
	add("jwt access token lifetime", duration(st.JWTAccessTTL))
	add("hybrid access token lifetime", duration(st.HybridAccessTTL))
	add("refresh margin", duration(st.RefreshMarginMS))
	add("bcrypt cost", fmt.Sprint(st.BcryptCost))
	add("revoke window", duration(st.RevokeWindowMS))
	add("revoke poll interval", duration(st.RevokePollMS))
	for _, name := range keysOf(run.Versions) {
		add("version of "+name, run.Versions[name])
	}
	return t
}

func listText(items []string) string {
	if len(items) == 0 {
		return "all"
	}
	return strings.Join(items, ", ")
}

// reproduce returns the commands that run the same load again.
//
// NOTE: the flag names (-quick, -rate, -duration, -users, -replicas,
// -scenarios, -systems, -target) are written here by hand, not read from the
// loadtest command. Keep them in step with `go run ./loadtest -h`.
func reproduce(run *results.Run) []command {
	args := loadtestArgs(run.Settings)
	if run.Mode == "compose" {
		return []command{{
			Intro: "Start the services, then run the load test against them:",
			Lines: []string{"docker compose up -d", "go run ./loadtest -target compose" + args},
		}}
	}
	return []command{{
		Intro: "From the repository root, with no Docker needed:",
		Lines: []string{"go run ./loadtest" + args},
	}}
}

// loadtestArgs returns the flags that repeat the settings, each with a
// leading space.
func loadtestArgs(st results.Settings) string {
	var b strings.Builder
	if st.Quick {
		b.WriteString(" -quick")
	}
	if st.RateRPS > 0 {
		b.WriteString(" -rate " + strconv.FormatFloat(st.RateRPS, 'f', -1, 64))
	}
	if st.PhaseMS > 0 {
		b.WriteString(" -duration " + (time.Duration(st.PhaseMS * float64(time.Millisecond))).String())
	}
	if st.Users > 0 {
		b.WriteString(" -users " + strconv.Itoa(st.Users))
	}
	if st.Replicas > 0 {
		b.WriteString(" -replicas " + strconv.Itoa(st.Replicas))
	}
	if len(st.Scenarios) > 0 {
		b.WriteString(" -scenarios " + strings.Join(st.Scenarios, ","))
	}
	if len(st.Systems) > 0 {
		b.WriteString(" -systems " + strings.Join(st.Systems, ","))
	}
	return b.String()
}
