package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/lab"
	"github.com/authlab/authlab/internal/scenario"
)

// envTarget is a lab.Target whose replicas read fixed environments. Only
// Mode and AppEnv are implemented; readSettings calls nothing else.
type envTarget struct {
	lab.Target
	env map[string]map[string]string
}

func (t envTarget) Mode() string { return lab.ModeCompose }

func (t envTarget) AppEnv(_ context.Context, system string) (func(string) string, error) {
	env := t.env[system]
	return func(key string) string { return env[key] }, nil
}

// stackEnv is what docker-compose.yml gives each system when the shell sets
// nothing: empty values, so the apps' defaults apply.
func stackEnv() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, name := range lab.SystemNames() {
		out[name] = map[string]string{"BCRYPT_COST": "", "USERS": "", "JWT_LEEWAY": "1s", "ACCESS_TTL": ""}
	}
	out["hybrid"]["ACCESS_TTL"] = "15s"
	return out
}

func TestReadSettingsTakesTheStacksValues(t *testing.T) {
	plan := scenario.QuickPlan(lab.SystemNames())
	var out bytes.Buffer
	if err := readSettings(context.Background(), &plan, envTarget{env: stackEnv()}, &out); err != nil {
		t.Fatalf("readSettings: %v", err)
	}
	if plan.BcryptCost != 10 {
		t.Errorf("BcryptCost = %d, want the apps' default 10", plan.BcryptCost)
	}
	if plan.JWTAccessTTL != 24*time.Hour {
		t.Errorf("JWTAccessTTL = %v, want jwtapp's default 24h", plan.JWTAccessTTL)
	}
	if plan.HybridAccessTTL != 15*time.Second || plan.Leeway != time.Second {
		t.Errorf("HybridAccessTTL, Leeway = %v, %v; want the stack's 15s and 1s", plan.HybridAccessTTL, plan.Leeway)
	}
	// The quick plan's 5s window can't see a 15s token run out.
	if want := 18 * time.Second; plan.RevokeWindow != want {
		t.Errorf("RevokeWindow = %v, want %v (TTL + leeway + margin)", plan.RevokeWindow, want)
	}
	if plan.FaultPhase != composeFaultPhase {
		t.Errorf("FaultPhase = %v, want %v against compose", plan.FaultPhase, composeFaultPhase)
	}
	if err := plan.Validate(lab.SystemNames()); err != nil {
		t.Errorf("the plan is invalid after readSettings: %v", err)
	}
	if !strings.Contains(out.String(), "revoke window is 18s") {
		t.Errorf("output %q does not say that the revoke window grew", out.String())
	}
}

func TestReadSettingsKeepsALongerWindow(t *testing.T) {
	plan := scenario.DefaultPlan(lab.SystemNames())
	plan.RevokeWindow = time.Minute
	if err := readSettings(context.Background(), &plan, envTarget{env: stackEnv()}, &bytes.Buffer{}); err != nil {
		t.Fatalf("readSettings: %v", err)
	}
	if plan.RevokeWindow != time.Minute {
		t.Errorf("RevokeWindow = %v, want the plan's 1m0s kept", plan.RevokeWindow)
	}
}

func TestReadSettingsRejectsBadStacks(t *testing.T) {
	tests := []struct {
		name   string
		system string
		key    string
		value  string
		want   string
	}{
		{"too few users", "jwt", "USERS", "30", "USERS=30"},
		{"bad bcrypt cost", "sessions-redis", "BCRYPT_COST", "many", "BCRYPT_COST"},
		{"bad access TTL", "hybrid", "ACCESS_TTL", "soon", "ACCESS_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := stackEnv()
			env[tt.system][tt.key] = tt.value
			plan := scenario.DefaultPlan(lab.SystemNames())
			err := readSettings(context.Background(), &plan, envTarget{env: env}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.system) {
				t.Errorf("err = %v, want one naming %s and %s", err, tt.system, tt.want)
			}
		})
	}
}
