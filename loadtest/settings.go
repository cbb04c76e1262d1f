package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/hybridauth"
	"github.com/authlab/authlab/internal/jwtauth"
	"github.com/authlab/authlab/internal/lab"
	"github.com/authlab/authlab/internal/scenario"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
)

// revokeMargin is the time the revoke window adds to hybrid's access TTL
// plus the leeway when readSettings lengthens it.
const revokeMargin = 2 * time.Second

// composeFaultPhase is the shortest fault phase against compose. Each
// docker compose command there took 0.7 to 0.8 s (kill and start of Redis,
// 2 cores, Docker 20.10, docker-compose 1.29.2), and a fault scenario runs
// two of them with time before, between and after.
const composeFaultPhase = 6 * time.Second

// readSettings sets the plan's app settings (bcrypt cost, token lifetimes,
// leeway) to the values the target's replicas read, through the apps' own
// config loaders and defaults, so the report and -check state what the apps
// ran with. In compose those values come from docker-compose.yml and the
// shell that started the stack, not from the load test.
//
// It lengthens the revoke window when hybrid's access tokens outlive it and,
// against compose, the fault phases to composeFaultPhase. It returns an
// error when the stack has fewer demo users than the plan.
func readSettings(ctx context.Context, plan *scenario.Plan, target lab.Target, stdout io.Writer) error {
	var haveCost, haveJWT, haveLeeway bool
	for _, name := range plan.Systems {
		sys, ok := lab.Lookup(name)
		if !ok {
			return fmt.Errorf("unknown system %q", name)
		}
		getenv, err := target.AppEnv(ctx, name)
		if err != nil {
			return fmt.Errorf("read the settings of %s: %w", name, err)
		}
		env := config.New(getenv)
		common, err := server.LoadConfig(env, sys.App)
		if err != nil {
			return fmt.Errorf("invalid settings of %s: %w", name, err)
		}
		if need := plan.Users + plan.RevokeUsers; common.Users < need {
			return fmt.Errorf("%s has USERS=%d demo users; the plan needs %d (-users plus %d for revoke): "+
				"raise USERS where the stack is started, or lower -users", name, common.Users, need, plan.RevokeUsers)
		}
		if !haveCost {
			plan.BcryptCost, haveCost = common.BcryptCost, true
		}
		var tokens token.Config
		switch sys.App {
		case lab.AppJWT:
			tokens = token.LoadConfig(env, jwtauth.DefaultAccessTTL)
			if !haveJWT {
				plan.JWTAccessTTL, haveJWT = tokens.TTL, true
			}
		case lab.AppHybrid:
			tokens = token.LoadConfig(env, hybridauth.DefaultAccessTTL)
			plan.HybridAccessTTL = tokens.TTL
		default:
			continue
		}
		if err := env.Err(); err != nil {
			return fmt.Errorf("invalid settings of %s: %w", name, err)
		}
		if !haveLeeway {
			plan.Leeway, haveLeeway = tokens.Leeway, true
		}
	}
	if target.Mode() == lab.ModeCompose {
		plan.FaultPhase = max(plan.FaultPhase, composeFaultPhase)
	}
	if slices.Contains(plan.Systems, "hybrid") && plan.RevokeWindow <= plan.HybridAccessTTL+plan.Leeway {
		plan.RevokeWindow = plan.HybridAccessTTL + plan.Leeway + revokeMargin
		if slices.Contains(plan.Scenarios, scenario.Revoke) {
			fmt.Fprintf(stdout, "authlab: hybrid's ACCESS_TTL is %v on this %s lab, so the revoke window is %v\n",
				plan.HybridAccessTTL, target.Mode(), plan.RevokeWindow)
		}
	}
	return nil
}
