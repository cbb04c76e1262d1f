package main

import (
	"strconv"

	"github.com/authlab/authlab/internal/scenario"
)

// labEnv returns the variables the load test sets for every replica of the
// embedded lab, unless the environment sets them already. They make the run
// measurable on one machine, and the report states them.
func labEnv(plan scenario.Plan, getenv func(string) string) map[string]string {
	env := map[string]string{
		// Every virtual user logs in from 127.0.0.1, so a per-address login
		// limit would throttle the load test itself.
		"LOGIN_RATE_CLIENT": "0",
		// Users log in again after a crash or an outage, several times a run.
		"LOGIN_RATE_USER": "600",
		// All replicas share one clock, so the leeway for clock skew can be
		// short, and revoked hybrid tokens end close to their exp.
		"JWT_LEEWAY":  plan.Leeway.String(),
		"BCRYPT_COST": strconv.Itoa(plan.BcryptCost),
		"USERS":       strconv.Itoa(max(1000, plan.Users+plan.RevokeUsers)),
	}
	for k := range env {
		if v := getenv(k); v != "" {
			env[k] = v
		}
	}
	return env
}

// systemEnv returns the per-system overrides of the embedded lab.
func systemEnv(plan scenario.Plan, getenv func(string) string) map[string]map[string]string {
	common := labEnv(plan, getenv)
	out := map[string]map[string]string{}
	for _, system := range plan.Systems {
		env := map[string]string{}
		for k, v := range common {
			env[k] = v
		}
		if system == "hybrid" {
			env["ACCESS_TTL"] = plan.HybridAccessTTL.String()
		}
		out[system] = env
	}
	return out
}
