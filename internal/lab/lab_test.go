package lab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/authlab/authlab/internal/logtest"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"go.uber.org/goleak"
)

func TestLabEndToEnd(t *testing.T) {
	l := mustStart(t, Options{})
	if got := l.Mode(); got != ModeEmbedded {
		t.Errorf("Mode() = %q, want %q", got, ModeEmbedded)
	}
	for _, sys := range Systems() {
		t.Run(sys.Name, func(t *testing.T) {
			c := newClient(t, l.URL(sys.Name))
			c.mustLogin(demoUser)

			me := c.me()
			if me.status != http.StatusOK {
				t.Fatalf("GET /api/me: status %d, body %v", me.status, me.body)
			}
			if got := me.body["user"]; got != demoUser {
				t.Errorf("GET /api/me: user = %v, want %s", got, demoUser)
			}
			if got := me.body["system"]; got != sys.Name {
				t.Errorf("GET /api/me: system = %v, want %s", got, sys.Name)
			}
			if !strings.HasPrefix(me.replica, sys.Name+"-") {
				t.Errorf("X-Replica = %q, want a replica of %s", me.replica, sys.Name)
			}

			if out := c.logout(); out.status != http.StatusOK {
				t.Fatalf("POST /logout: status %d, body %v", out.status, out.body)
			}
			if !sys.Sticky && sys.App != AppSessions {
				return
			}
			if after := c.me(); after.status != http.StatusUnauthorized {
				t.Errorf("GET /api/me after logout: status %d, want 401", after.status)
			}
		})
	}
}

func TestLabReplicasAndAdminToken(t *testing.T) {
	l := mustStart(t, Options{Replicas: 2, Getenv: testEnv(map[string]string{"ADMIN_TOKEN": "parent-admin-token-0123456789"})})
	for _, sys := range Systems() {
		got := strings.Join(l.Replicas(sys.Name), ",")
		want := sys.Name + "-1," + sys.Name + "-2"
		if got != want {
			t.Errorf("Replicas(%s) = %s, want %s", sys.Name, got, want)
		}
	}
	if got := l.AdminToken(); got != "parent-admin-token-0123456789" {
		t.Errorf("AdminToken() = %q, want the parent's ADMIN_TOKEN", got)
	}
	if got := l.Redis().Kind; got != "redis-server" {
		t.Errorf("Redis().Kind = %q, want redis-server (installed on PATH)", got)
	}
	if got := l.URL("nope"); got != "" {
		t.Errorf(`URL("nope") = %q, want ""`, got)
	}
}

func TestStickyKeepsClientOnReplica(t *testing.T) {
	l := mustStart(t, Options{})
	url := l.URL("sessions-sticky")

	c := newClient(t, url)
	c.mustLogin(demoUser)
	counts := c.replicaCounts(50)
	if len(counts) != 1 {
		t.Errorf("one client reached %d replicas (%v), want 1", len(counts), counts)
	}

	seen := map[string]int{}
	for i := range 20 {
		other := newClient(t, url)
		other.mustLogin(fmt.Sprintf("user-%04d", i+2))
		for replica, n := range other.replicaCounts(3) {
			seen[replica] += n
		}
	}
	if len(seen) < 2 {
		t.Errorf("20 clients reached %d replicas (%v), want at least 2", len(seen), seen)
	}
}

func TestRoundRobinSpreadsClient(t *testing.T) {
	l := mustStart(t, Options{})
	for _, sys := range Systems() {
		if sys.Sticky {
			continue
		}
		t.Run(sys.Name, func(t *testing.T) {
			c := newClient(t, l.URL(sys.Name))
			c.mustLogin(demoUser)
			counts := c.replicaCounts(30)
			for _, id := range l.Replicas(sys.Name) {
				if counts[id] == 0 {
					t.Errorf("replica %s got no request of 30 (%v)", id, counts)
				}
			}
		})
	}
}

// TestKilledReplicaLeavesRotation kills a replica, which does not reload
// Caddy, so only the health checks can take it out, and then listens on its
// old address to see which requests still arrive there.
func TestKilledReplicaLeavesRotation(t *testing.T) {
	l := mustStart(t, Options{})
	const system = "jwt"
	c := newClient(t, l.URL(system))
	c.mustLogin(demoUser)

	victim := l.Replicas(system)[0]
	addr := l.replicaAddr(system, victim)
	if err := l.KillReplica(context.Background(), system, victim); err != nil {
		t.Fatalf("kill %s: %v", victim, err)
	}
	trap := listenTrap(t, addr)

	// Within 3s (1s active interval plus margin) Caddy must stop sending
	// client requests there. Health checks may keep arriving.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if resp := c.me(); resp.status != http.StatusOK {
			t.Fatalf("GET /api/me after the kill: status %d, body %v", resp.status, resp.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := trap.appRequests.Load()
	counts := c.replicaCounts(60)
	if got := trap.appRequests.Load() - before; got != 0 {
		t.Errorf("%d client requests reached the killed replica's address 3s after the kill, want 0", got)
	}
	if counts[victim] != 0 {
		t.Errorf("killed replica %s served %d requests", victim, counts[victim])
	}
	if trap.healthChecks.Load() == 0 {
		t.Errorf("no health check reached the killed replica's address in 3s")
	}
}

func TestKillAndStartReplica(t *testing.T) {
	l := mustStart(t, Options{})
	ctx := context.Background()
	const system = "sessions-redis"
	c := newClient(t, l.URL(system))
	c.mustLogin(demoUser)

	victim := l.Replicas(system)[1]
	if err := l.KillReplica(ctx, system, victim); err != nil {
		t.Fatalf("KillReplica: %v", err)
	}
	if got := len(l.Replicas(system)); got != 2 {
		t.Errorf("Replicas after kill: %d, want 2", got)
	}
	if counts := c.replicaCounts(30); counts[victim] != 0 {
		t.Errorf("killed replica served %d requests", counts[victim])
	}
	if err := l.KillReplica(ctx, system, victim); err == nil {
		t.Errorf("second KillReplica of %s: no error", victim)
	}

	if err := l.StartReplica(ctx, system, victim); err != nil {
		t.Fatalf("StartReplica: %v", err)
	}
	if counts := c.replicaCounts(30); counts[victim] == 0 {
		t.Errorf("restarted replica %s got no request of 30 (%v)", victim, counts)
	}
}

func TestAddReplicaGetsTraffic(t *testing.T) {
	l := mustStart(t, Options{Replicas: 1})
	ctx := context.Background()
	const system = "hybrid"
	c := newClient(t, l.URL(system))
	c.mustLogin(demoUser)

	id, err := l.AddReplica(ctx, system)
	if err != nil {
		t.Fatalf("AddReplica: %v", err)
	}
	if id != system+"-2" {
		t.Errorf("AddReplica = %q, want %s-2", id, system)
	}
	if counts := c.replicaCounts(20); counts[id] == 0 {
		t.Errorf("added replica %s got no request of 20 (%v)", id, counts)
	}

	if err := l.SetReplicas(ctx, system, 3); err != nil {
		t.Fatalf("SetReplicas(3): %v", err)
	}
	if got := len(l.Replicas(system)); got != 3 {
		t.Errorf("Replicas after SetReplicas(3): %d, want 3", got)
	}
	if err := l.SetReplicas(ctx, system, 1); err != nil {
		t.Fatalf("SetReplicas(1): %v", err)
	}
	if got := strings.Join(l.Replicas(system), ","); got != system+"-1" {
		t.Errorf("Replicas after SetReplicas(1) = %s, want %s-1", got, system)
	}
	if counts := c.replicaCounts(10); counts[system+"-1"] != 10 {
		t.Errorf("after SetReplicas(1), replica counts %v, want all on %s-1", counts, system)
	}
}

func TestRedisOutage(t *testing.T) {
	l := mustStart(t, Options{Replicas: 1})
	ctx := context.Background()
	c := newClient(t, l.URL("sessions-redis"))
	c.mustLogin(demoUser)

	if err := l.StopRedis(ctx); err != nil {
		t.Fatalf("StopRedis: %v", err)
	}
	if resp := c.me(); resp.status != http.StatusServiceUnavailable {
		t.Errorf("GET /api/me during the outage: status %d, want 503", resp.status)
	}
	if err := l.StartRedis(ctx); err != nil {
		t.Fatalf("StartRedis: %v", err)
	}
	// The restarted Redis is empty: the old session is gone, and a new
	// login works.
	c.mustLogin(demoUser)
	if resp := c.me(); resp.status != http.StatusOK {
		t.Errorf("GET /api/me after the outage: status %d, want 200", resp.status)
	}
}

func TestExternalRedisCannotStop(t *testing.T) {
	url := redistest.URL(t)
	l := mustStart(t, Options{Replicas: 1, Getenv: testEnv(map[string]string{"REDIS_URL": url})})
	if got := l.Redis(); got.Kind != "external" || got.URL != url {
		t.Errorf("Redis() = %+v, want kind external and URL %s", got, url)
	}
	if err := l.StopRedis(context.Background()); !errors.Is(err, ErrExternalRedis) {
		t.Errorf("StopRedis: err = %v, want ErrExternalRedis", err)
	}
	if err := l.StartRedis(context.Background()); !errors.Is(err, ErrExternalRedis) {
		t.Errorf("StartRedis: err = %v, want ErrExternalRedis", err)
	}
	c := newClient(t, l.URL("sessions-redis"))
	c.mustLogin(demoUser)
	if resp := c.me(); resp.status != http.StatusOK {
		t.Errorf("GET /api/me with the external Redis: status %d, want 200", resp.status)
	}
}

func TestStartStopLeavesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleakOptions()...)
	// Caddy and redis-server must write nothing under these folders.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	var ports []int
	for i := range 10 {
		l, err := Start(context.Background(), Options{Replicas: 2, Getenv: testEnv(nil)})
		if err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		// A killed replica makes Caddy count failures and retry, so those
		// paths must stop at Close too.
		c := newClient(t, l.URL("jwt"))
		c.mustLogin(demoUser)
		if err := l.KillReplica(context.Background(), "jwt", "jwt-1"); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		c.replicaCounts(4)
		c.http.CloseIdleConnections()
		for _, sys := range Systems() {
			ports = append(ports, l.ports[sys.Name])
		}
		if err := l.Close(); err != nil {
			t.Fatalf("close %d: %v", i, err)
		}
	}
	for _, port := range ports {
		if err := checkPortFree(port); err != nil {
			t.Errorf("after Close: %v", err)
		}
	}
	var written []string
	err := filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if path != home {
			written = append(written, path)
		}
		return err
	})
	if err != nil || len(written) != 0 {
		t.Errorf("the lab wrote %v into HOME (err %v), want nothing", written, err)
	}
}

func TestStartRejectsSecondLab(t *testing.T) {
	mustStart(t, Options{Replicas: 1})
	_, err := Start(context.Background(), Options{Replicas: 1, Getenv: testEnv(nil)})
	if !errors.Is(err, ErrLabRunning) {
		t.Errorf("second Start: err = %v, want ErrLabRunning", err)
	}
}

func TestStartRejectsPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	// The other systems get ports the kernel just handed out and took back.
	// Neighbours of the busy port can belong to any other program, and a
	// taken one makes Start fail on that system instead of on jwt.
	ports := map[string]int{}
	for _, sys := range Systems() {
		free, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[sys.Name] = free.Addr().(*net.TCPAddr).Port
		free.Close()
	}
	ports["jwt"] = busy

	_, err = Start(context.Background(), Options{Replicas: 1, Ports: ports, Getenv: testEnv(nil)})
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("Start with port %d in use: err = %v, want ErrPortInUse", busy, err)
	}
	if !strings.Contains(err.Error(), fmt.Sprint(busy)) || !strings.Contains(err.Error(), "jwt") {
		t.Errorf("error %q does not name the port %d and the system jwt", err, busy)
	}
}

// trap listens on a killed replica's address and counts the requests that
// reach it, telling health checks apart from client requests. It closes
// every connection without a response.
type trap struct {
	healthChecks atomic.Int64
	appRequests  atomic.Int64
}

func listenTrap(tb testing.TB, addr string) *trap {
	tb.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatalf("listen on the killed replica's address %s: %v", addr, err)
	}
	tr := &trap{}
	var wg sync.WaitGroup
	tb.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { tr.count(conn) })
		}
	})
	return tr
}

func (tr *trap) count(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return
	}
	if strings.Contains(line, "/healthz") {
		tr.healthChecks.Add(1)
	} else {
		tr.appRequests.Add(1)
	}
}

// replicaAddr returns the loopback address of a running replica.
func (l *Lab) replicaAddr(system, id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.systems[system].replicas[id].addr
}

// goleakOptions lists the goroutines that outlive a lab on purpose.
func goleakOptions() []goleak.Option {
	return []goleak.Option{
		// sessionauth's package-level scs.New() starts the default memstore's
		// cleanup goroutine at init, once a process, and never stops it.
		goleak.IgnoreTopFunction("github.com/alexedwards/scs/v2/memstore.(*MemStore).startCleanup"),
	}
}

// TestReloadUnderLoad changes the replicas of a system while clients send
// GET requests. Caddy keeps its listeners across a reload, and retries a GET
// that fails on a killed replica, so no request may fail.
//
// NOTE: a POST in flight on a killed replica fails with 502, because Caddy
// retries only GETs once the request reached the replica.
func TestReloadUnderLoad(t *testing.T) {
	var appLog logtest.Buffer
	l := mustStart(t, Options{Replicas: 2, AppLog: &appLog})
	defer func() {
		if t.Failed() {
			t.Logf("app and Caddy log:\n%s", appLog.String())
		}
	}()
	ctx := context.Background()
	const system = "jwt"
	stop := make(chan struct{})
	var failures, total atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		c := newClient(t, l.URL(system))
		c.mustLogin(demoUser)
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				total.Add(1)
				if resp := c.me(); resp.status != http.StatusOK {
					failures.Add(1)
					t.Logf("GET /api/me: status %d, body %v", resp.status, resp.body)
				}
			}
		})
	}

	added, err := l.AddReplica(ctx, system)
	if err != nil {
		t.Errorf("AddReplica: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := l.KillReplica(ctx, system, system+"-1"); err != nil {
		t.Errorf("KillReplica: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := l.StartReplica(ctx, system, system+"-1"); err != nil {
		t.Errorf("StartReplica: %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := l.SetReplicas(ctx, system, 1); err != nil {
		t.Errorf("SetReplicas(1): %v", err)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()

	if got := failures.Load(); got != 0 {
		t.Errorf("%d of %d requests failed while replicas changed (added %s)", got, total.Load(), added)
	}
	if total.Load() < 20 {
		t.Errorf("only %d requests were sent, too few to show anything", total.Load())
	}
}

func TestAppEnvIsWhatTheReplicasRead(t *testing.T) {
	l := mustStart(t, Options{
		Replicas:  1,
		Getenv:    testEnv(map[string]string{"ACCESS_TTL": "9m"}),
		SystemEnv: map[string]map[string]string{"hybrid": {"ACCESS_TTL": "7s"}},
	})
	ctx := context.Background()
	hybrid, err := l.AppEnv(ctx, "hybrid")
	if err != nil {
		t.Fatalf("AppEnv(hybrid): %v", err)
	}
	jwt, err := l.AppEnv(ctx, "jwt")
	if err != nil {
		t.Fatalf("AppEnv(jwt): %v", err)
	}
	for _, tt := range []struct {
		name, got, want string
	}{
		{"hybrid ACCESS_TTL (SystemEnv)", hybrid("ACCESS_TTL"), "7s"},
		{"jwt ACCESS_TTL (parent)", jwt("ACCESS_TTL"), "9m"},
		{"hybrid SYSTEM (fixed)", hybrid("SYSTEM"), "hybrid"},
		{"hybrid JWT_LEEWAY (CommonEnv)", hybrid("JWT_LEEWAY"), "1s"},
		{"jwt BCRYPT_COST (parent)", jwt("BCRYPT_COST"), "4"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	// The replicas run with those values: hybrid's login reports how long
	// its access token lives.
	resp := newClient(t, l.URL("hybrid")).login(demoUser)
	if resp.status != http.StatusOK || resp.body["expires_in"] != float64(7) {
		t.Errorf("hybrid login: status %d, expires_in %v, want 200 and 7", resp.status, resp.body["expires_in"])
	}
	if _, err := l.AppEnv(ctx, "oauth"); err == nil {
		t.Error("AppEnv(oauth) returned no error for an unknown system")
	}
}
