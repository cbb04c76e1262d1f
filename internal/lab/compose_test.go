package lab

import (
	"bytes"
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

var update = flag.Bool("update", false, "rewrite deploy/Caddyfile from deploy/Caddyfile.tmpl")

const repoRoot = "../.."

// TestComposeCaddyfile checks that the committed deploy/Caddyfile, which
// docker compose mounts, is the compose rendering of the template.
func TestComposeCaddyfile(t *testing.T) {
	want, err := ComposeCaddyfile()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(repoRoot, "deploy", "Caddyfile")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (run go test ./internal/lab -run TestComposeCaddyfile -update)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the compose rendering of deploy/Caddyfile.tmpl: "+
			"run go test ./internal/lab -run TestComposeCaddyfile -update", path)
	}
	if _, err := adaptCaddyfile(want); err != nil {
		t.Errorf("compose Caddyfile does not adapt: %v", err)
	}
	for _, sys := range Systems() {
		if !bytes.Contains(want, []byte("name "+sys.Name+"\n")) {
			t.Errorf("compose Caddyfile has no dynamic upstream for service %s", sys.Name)
		}
	}
}

func TestEmbeddedCaddyfilePolicies(t *testing.T) {
	data := caddyfileData{Mode: ModeEmbedded, StorageDir: t.TempDir(), LogOutput: caddyLogModule}
	for _, sys := range Systems() {
		data.Sites = append(data.Sites, caddySite{Name: sys.Name, Port: sys.Port, Sticky: sys.Sticky,
			Upstreams: []string{"127.0.0.1:1", "127.0.0.1:2"}})
	}
	data.Sites[4].Upstreams = nil
	src, err := renderCaddyfile(data)
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	if got := strings.Count(text, "lb_policy cookie lb_sticky"); got != 1 {
		t.Errorf("cookie policy appears %d times, want once (sessions-sticky)", got)
	}
	if got := strings.Count(text, "lb_policy round_robin"); got != 3 {
		t.Errorf("round_robin appears %d times, want 3 (the hybrid site has no replica)", got)
	}
	if !strings.Contains(text, "respond \"no replica of hybrid is running\" 503") {
		t.Errorf("a site without replicas does not respond 503:\n%s", text)
	}
	if got := strings.Count(text, "bind 127.0.0.1"); got != 5 {
		t.Errorf("bind 127.0.0.1 appears %d times, want 5", got)
	}
	if _, err := adaptCaddyfile(src); err != nil {
		t.Errorf("embedded Caddyfile does not adapt: %v", err)
	}
}

// loadCompose loads docker-compose.yml as docker compose would, with
// ADMIN_TOKEN set and nothing else from the environment. Extra files are
// merged over it, as with COMPOSE_FILE.
func loadCompose(t *testing.T, extra ...string) *types.Project {
	t.Helper()
	files := []string{filepath.Join(repoRoot, "docker-compose.yml")}
	for _, f := range extra {
		files = append(files, filepath.Join(repoRoot, f))
	}
	opts, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(repoRoot),
		cli.WithName("authlab"),
		cli.WithEnv([]string{"ADMIN_TOKEN=compose-test-admin-token"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	project, err := cli.ProjectFromOptions(context.Background(), opts)
	if err != nil {
		t.Fatalf("load %v: %v", files, err)
	}
	return project
}

// TestOfflineOverrideChangesOnlyImages checks that the stack of
// deploy/offline/compose.yml is the stack of docker-compose.yml with two
// images replaced by the ones deploy/offline/build-images.sh builds.
func TestOfflineOverrideChangesOnlyImages(t *testing.T) {
	base := loadCompose(t)
	offline := loadCompose(t, "deploy/offline/compose.yml")
	wantImages := map[string]string{"redis": "authlab/redis:offline", "lb": "authlab/caddy:offline"}
	for name, svc := range offline.Services {
		want, replaced := wantImages[name]
		if !replaced {
			want = base.Services[name].Image
		}
		if svc.Image != want {
			t.Errorf("service %s: image %q, want %q", name, svc.Image, want)
		}
		svc.Image = base.Services[name].Image
		if !reflect.DeepEqual(svc, base.Services[name]) {
			t.Errorf("service %s differs from docker-compose.yml in more than its image", name)
		}
	}
	if len(offline.Services) != len(base.Services) {
		t.Errorf("the override has %d services, docker-compose.yml %d", len(offline.Services), len(base.Services))
	}
	script, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "offline", "build-images.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, image := range append(slices.Collect(maps.Values(wantImages)), base.Services["sessions-redis"].Image) {
		if !bytes.Contains(script, []byte("-t "+image+" ")) {
			t.Errorf("build-images.sh does not build %s", image)
		}
	}
}

func TestComposeServicesMatchSystems(t *testing.T) {
	project := loadCompose(t)
	want := append(SystemNames(), "redis", "keygen", "lb")
	got := project.ServiceNames()
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("services = %v, want %v", got, want)
	}
	for _, sys := range Systems() {
		t.Run(sys.Name, func(t *testing.T) {
			svc, ok := project.Services[sys.Name]
			if !ok {
				t.Fatalf("no service %s", sys.Name)
			}
			checkAppService(t, sys, svc)
		})
	}
}

func checkAppService(t *testing.T, sys System, svc types.ServiceConfig) {
	t.Helper()
	if want := "/usr/local/bin/" + sys.App; len(svc.Command) == 0 || svc.Command[0] != want {
		t.Errorf("command = %v, want %s", svc.Command, want)
	}
	env := map[string]string{
		"SYSTEM":               sys.Name,
		"REDIS_PREFIX":         RedisPrefix(sys.Name),
		"REDIS_URL":            "redis://redis:6379/0",
		"JWT_PRIVATE_KEY_FILE": "/keys/jwt.pem",
		"ADMIN_TOKEN":          "compose-test-admin-token",
	}
	for k, v := range sys.Env {
		env[k] = v
	}
	for k, v := range CommonEnv() {
		env[k] = v
	}

	for k, want := range env {
		got := svc.Environment[k]
		if got == nil || *got != want {
			t.Errorf("environment %s = %v, want %q", k, deref(got), want)
		}
	}
	if _, ok := svc.Environment["REPLICA_ID"]; ok {
		t.Errorf("REPLICA_ID is set: compose replicas must use their hostname")
	}

	if svc.Deploy == nil || svc.Deploy.Replicas == nil || *svc.Deploy.Replicas != DefaultReplicas {
		t.Errorf("deploy.replicas is not %d", DefaultReplicas)
	}
	if svc.ContainerName != "" || len(svc.Ports) != 0 {
		t.Errorf("container_name %q and %d ports: both stop --scale from working", svc.ContainerName, len(svc.Ports))
	}
	if svc.HealthCheck == nil || len(svc.HealthCheck.Test) < 2 || !strings.Contains(svc.HealthCheck.Test[1], "healthcheck") {
		t.Errorf("healthcheck = %+v, want the healthcheck binary", svc.HealthCheck)
	}

	if got := svc.DependsOn["redis"].Condition; got != types.ServiceConditionHealthy {
		t.Errorf("depends_on redis: condition %q, want %s", got, types.ServiceConditionHealthy)
	}
	if got := svc.DependsOn["keygen"].Condition; got != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("depends_on keygen: condition %q, want %s", got, types.ServiceConditionCompletedSuccessfully)
	}
	if len(svc.Volumes) != 1 || svc.Volumes[0].Source != "keys" || svc.Volumes[0].Target != "/keys" || !svc.Volumes[0].ReadOnly {
		t.Errorf("volumes = %+v, want the keys volume read-only at /keys", svc.Volumes)
	}
	if svc.Restart != types.RestartPolicyNo {
		t.Errorf("restart = %q, want no: the crash scenario restarts replicas itself", svc.Restart)
	}
}

func TestComposeLoadBalancer(t *testing.T) {
	project := loadCompose(t)
	lb := project.Services["lb"]
	published := map[string]string{}
	for _, p := range lb.Ports {
		published[p.Published] = p.HostIP
		if p.Published != strconv.Itoa(int(p.Target)) {
			t.Errorf("lb port %s published as %s: want the same port inside and out", strconv.Itoa(int(p.Target)), p.Published)
		}
	}
	for _, sys := range Systems() {
		if ip, ok := published[strconv.Itoa(sys.Port)]; !ok || ip != "127.0.0.1" {
			t.Errorf("lb does not publish %d on 127.0.0.1 for %s (ports %+v)", sys.Port, sys.Name, lb.Ports)
		}
	}
	if len(lb.Ports) != len(Systems()) {
		t.Errorf("lb publishes %d ports, want %d", len(lb.Ports), len(Systems()))
	}
	if !strings.HasPrefix(lb.Image, "caddy:2.11.9") {
		t.Errorf("lb image %q, want caddy:2.11.9 (the caddy version in go.mod)", lb.Image)
	}
	var mounted bool
	for _, v := range lb.Volumes {
		if v.Target == "/etc/caddy/Caddyfile" && strings.HasSuffix(v.Source, filepath.Join("deploy", "Caddyfile")) && v.ReadOnly {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("lb volumes %+v do not mount deploy/Caddyfile read-only at /etc/caddy/Caddyfile", lb.Volumes)
	}
}

func TestComposeRedisAndKeygen(t *testing.T) {
	project := loadCompose(t)
	redis := project.Services["redis"]
	if !strings.HasPrefix(redis.Image, "redis:7.") {
		t.Errorf("redis image %q, want a pinned redis:7 tag", redis.Image)
	}
	if len(redis.Ports) != 1 || redis.Ports[0].HostIP != "127.0.0.1" || redis.Ports[0].Published != "6379" {
		t.Errorf("redis ports %+v, want 127.0.0.1:6379", redis.Ports)
	}
	if redis.HealthCheck == nil || !slices.Contains(redis.HealthCheck.Test, "redis-cli") {
		t.Errorf("redis healthcheck %+v, want redis-cli ping", redis.HealthCheck)
	}
	if !slices.Contains(redis.Command, "--appendonly") || !slices.Contains(redis.Command, "--save") {
		t.Errorf("redis command %v does not turn persistence off", redis.Command)
	}

	keygen := project.Services["keygen"]
	if !slices.Contains(keygen.Command, "keygen") || !slices.Contains(keygen.Command, "/keys/jwt.pem") {
		t.Errorf("keygen command %v, want jwtapp keygen writing /keys/jwt.pem", keygen.Command)
	}
	if keygen.Restart != types.RestartPolicyNo {
		t.Errorf("keygen restart %q, want no", keygen.Restart)
	}
	if len(keygen.Volumes) != 1 || keygen.Volumes[0].ReadOnly {
		t.Errorf("keygen volumes %+v, want the keys volume writable", keygen.Volumes)
	}
}

func TestComposeRequiresAdminToken(t *testing.T) {
	opts, err := cli.NewProjectOptions([]string{filepath.Join(repoRoot, "docker-compose.yml")},
		cli.WithWorkingDirectory(repoRoot), cli.WithName("authlab"), cli.WithEnv([]string{"ADMIN_TOKEN="}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cli.ProjectFromOptions(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "ADMIN_TOKEN") {
		t.Errorf("load without ADMIN_TOKEN: err = %v, want one naming ADMIN_TOKEN", err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

func TestJWTSystemsHaveTheirOwnAudience(t *testing.T) {
	seen := map[string]string{}
	for _, sys := range Systems() {
		if sys.App == AppSessions {
			continue
		}
		aud := sys.Env["JWT_AUDIENCE"]
		if aud == "" {
			t.Errorf("%s has no JWT_AUDIENCE, so it would accept another system's tokens signed with a shared key", sys.Name)
			continue
		}
		if other, dup := seen[aud]; dup {
			t.Errorf("%s and %s share the audience %q", sys.Name, other, aud)
		}
		seen[aud] = sys.Name
	}
}
