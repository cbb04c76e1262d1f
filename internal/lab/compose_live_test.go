package lab

import (
	"context"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"
)

// liveEnv names the variable that turns on the tests against a running
// compose stack. .ci/run sets it after it starts the stack.
const liveEnv = "AUTHLAB_COMPOSE_LIVE"

// composeLive returns a Target for the compose stack that the environment
// names (COMPOSE_FILE, COMPOSE_PROJECT_NAME, ADMIN_TOKEN), or skips the test
// unless AUTHLAB_COMPOSE_LIVE=1.
func composeLive(t *testing.T) Target {
	t.Helper()
	if os.Getenv(liveEnv) != "1" {
		t.Skipf("set %s=1 with a compose stack running: docker compose up -d (see deploy/offline)", liveEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target, err := Compose(ctx, ComposeOptions{Dir: repoRoot})
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	return target
}

// waitFor calls cond every 200ms until it returns true or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestComposeLiveContract(t *testing.T) {
	target := composeLive(t)
	for _, sys := range Systems() {
		t.Run(sys.Name, func(t *testing.T) {
			if got := len(target.Replicas(sys.Name)); got != 3 {
				t.Errorf("%d replicas running, want 3 (deploy.replicas)", got)
			}
			c := newClient(t, target.URL(sys.Name))
			c.mustLogin(demoUser)
			counts := c.replicaCounts(30)
			switch {
			case sys.Sticky && len(counts) != 1:
				t.Errorf("sticky client reached replicas %v, want one", counts)
			case !sys.Sticky && len(counts) != 3:
				t.Errorf("round-robin client reached replicas %v, want all 3", counts)
			}
			if resp := c.logout(); resp.status != http.StatusOK && resp.status != http.StatusNoContent {
				t.Errorf("logout: status %d, body %v", resp.status, resp.body)
			}
		})
	}
}

func TestComposeLiveFaults(t *testing.T) {
	target := composeLive(t)
	ctx := context.Background()
	const system = "jwt"
	c := newClient(t, target.URL(system))
	c.mustLogin(demoUser)

	replicas := target.Replicas(system)
	if len(replicas) == 0 {
		t.Fatalf("no replica of %s is running", system)
	}
	victim := replicas[0]
	if err := target.KillReplica(ctx, system, victim); err != nil {
		t.Fatalf("KillReplica: %v", err)
	}
	// Leave the stack as it was even when the test fails: start the victim
	// again (an error when it already runs is harmless) and scale back.
	t.Cleanup(func() {
		_ = target.StartReplica(context.Background(), system, victim)
		if err := target.SetReplicas(context.Background(), system, len(replicas)); err != nil {
			t.Errorf("SetReplicas back to %d: %v", len(replicas), err)
		}
	})
	if slices.Contains(target.Replicas(system), victim) {
		t.Errorf("Replicas still lists the killed %s", victim)
	}
	// The token outlives the replica that issued it, because all replicas
	// share the signing key.
	waitFor(t, 5*time.Second, "traffic to leave the killed replica", func() bool {
		_, hit := c.replicaCounts(20)[victim]
		return !hit
	})

	if err := target.StartReplica(ctx, system, victim); err != nil {
		t.Fatalf("StartReplica: %v", err)
	}
	waitFor(t, 20*time.Second, "the restarted replica to get traffic", func() bool {
		_, hit := c.replicaCounts(12)[victim]
		return hit
	})

	added, err := target.AddReplica(ctx, system)
	if err != nil {
		t.Fatalf("AddReplica: %v", err)
	}
	waitFor(t, 20*time.Second, "the added replica "+added+" to get traffic", func() bool {
		_, hit := c.replicaCounts(16)[added]
		return hit
	})
}

func TestComposeLiveRedisOutage(t *testing.T) {
	target := composeLive(t)
	ctx := context.Background()
	c := newClient(t, target.URL("sessions-redis"))
	c.mustLogin(demoUser)

	if err := target.StopRedis(ctx); err != nil {
		t.Fatalf("StopRedis: %v", err)
	}
	t.Cleanup(func() {
		// Start Redis even when the test fails, so the stack stays usable.
		_ = target.StartRedis(context.Background())
	})
	waitFor(t, 10*time.Second, "sessions-redis to answer 503 with Redis down", func() bool {
		return c.me().status == http.StatusServiceUnavailable
	})
	if err := target.StartRedis(ctx); err != nil {
		t.Fatalf("StartRedis: %v", err)
	}
	// Redis comes back empty, so the session is gone and a new login works.
	waitFor(t, 20*time.Second, "a login to work after Redis is back", func() bool {
		return c.login(demoUser).status == http.StatusOK
	})
	if resp := c.me(); resp.status != http.StatusOK {
		t.Errorf("GET /api/me after a new login: status %d, body %v", resp.status, resp.body)
	}
}
