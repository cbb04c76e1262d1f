package scenario

import (
	"strings"
	"testing"
	"time"
)

var systems = []string{"sessions-sticky", "sessions-redis", "jwt", "jwt-denylist", "hybrid"}

func TestPlanValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(p *Plan)
		wantErr string
	}{
		{name: "default", change: func(*Plan) {}},
		{name: "unknown scenario", change: func(p *Plan) { p.Scenarios = []string{"soak"} }, wantErr: `unknown scenario "soak"`},
		{name: "unknown system", change: func(p *Plan) { p.Systems = []string{"oauth"} }, wantErr: `unknown system "oauth"`},
		{name: "no scenario", change: func(p *Plan) { p.Scenarios = nil }, wantErr: "no scenario"},
		{name: "zero rate", change: func(p *Plan) { p.Rate = 0 }, wantErr: "invalid rate"},
		{name: "short phase", change: func(p *Plan) { p.Phase = 10 * time.Millisecond }, wantErr: "invalid duration"},
		{name: "no users", change: func(p *Plan) { p.Users = 0 }, wantErr: "invalid users"},
		{name: "too many replicas", change: func(p *Plan) { p.Replicas = 99 }, wantErr: "invalid replicas"},
		{name: "budget of one", change: func(p *Plan) { p.ErrorBudget = 1 }, wantErr: "invalid error budget"},
		{name: "window shorter than ttl", change: func(p *Plan) { p.RevokeWindow = p.HybridAccessTTL }, wantErr: "revoke window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPlan(systems)
			tt.change(&p)
			err := p.Validate(systems)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestPresetsFitTheirBudget(t *testing.T) {
	// The load phases alone must leave room for start-up and logins.
	if got := DefaultPlan(systems).Estimate(); got > 9*time.Minute {
		t.Errorf("default plan estimate = %v, want at most 9m so a run ends within 10m", got)
	}
	if got := QuickPlan(systems).Estimate(); got > 100*time.Second {
		t.Errorf("quick plan estimate = %v, want at most 100s so a run ends within 2m", got)
	}
	if err := QuickPlan(systems).Validate(systems); err != nil {
		t.Errorf("quick plan: %v", err)
	}
}
