package lab

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeCLI is a shell script that replaces both the docker and the
// compose CLIs: it appends its arguments to a log and prints canned
// container lists. After an "up" it lists one more running container, as a
// scale-up would.
const fakeCLI = `#!/bin/sh
echo "$(basename "$0") $*" >> "$FAKE_DIR/calls"
case "$*" in
  *"up -d"*) touch "$FAKE_DIR/scaled" ;;
  *"ps -a -q jwt") echo aaa; echo bbb; [ -f "$FAKE_DIR/scaled" ] && echo ccc ;;
  "inspect --format {{json .Config.Env}} aaa") echo '["PATH=/usr/bin","ACCESS_TTL=15s","USERS=","ARGS=a=b"]' ;;
  "inspect --format"*)
    echo "aaa jwt-host-a true"
    echo "bbb jwt-host-b false"
    [ -f "$FAKE_DIR/scaled" ] && echo "ccc jwt-host-c true" ;;
esac
exit 0
`

// newFakeCompose returns a compose target whose docker and compose commands
// are fakeCLI, and the path of the log of their calls.
func newFakeCompose(t *testing.T) (*composeTarget, string) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"docker", "fake-compose"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fakeCLI), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_DIR", dir)
	target := &composeTarget{
		opts:   ComposeOptions{Dir: dir, Project: "authlab-test", Command: []string{filepath.Join(dir, "fake-compose")}, Host: "127.0.0.1"},
		logger: slog.New(slog.DiscardHandler),
	}
	return target, filepath.Join(dir, "calls")
}

func readCalls(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func TestComposeReplicasRunningOnly(t *testing.T) {
	target, _ := newFakeCompose(t)
	got := strings.Join(target.Replicas("jwt"), ",")
	if got != "jwt-host-a" {
		t.Errorf("Replicas(jwt) = %s, want jwt-host-a (jwt-host-b is stopped)", got)
	}
}

func TestComposeAppEnv(t *testing.T) {
	target, _ := newFakeCompose(t)
	getenv, err := target.AppEnv(context.Background(), "jwt")
	if err != nil {
		t.Fatalf("AppEnv(jwt): %v", err)
	}
	for key, want := range map[string]string{"ACCESS_TTL": "15s", "USERS": "", "ARGS": "a=b", "UNSET": ""} {
		if got := getenv(key); got != want {
			t.Errorf("AppEnv(jwt)(%s) = %q, want %q", key, got, want)
		}
	}
	if _, err := target.AppEnv(context.Background(), "nope"); err == nil || !strings.Contains(err.Error(), "unknown system") {
		t.Errorf("AppEnv(nope): err = %v, want unknown system", err)
	}
}

func TestParseEnvJSONRejectsOtherOutput(t *testing.T) {
	if _, err := parseEnvJSON([]byte("<no value>\n")); err == nil {
		t.Error("parseEnvJSON accepted text that is not a JSON list")
	}
}

func TestComposeKillAndStartReplica(t *testing.T) {
	target, calls := newFakeCompose(t)
	ctx := context.Background()
	if err := target.KillReplica(ctx, "jwt", "jwt-host-a"); err != nil {
		t.Fatalf("KillReplica: %v", err)
	}
	if err := target.StartReplica(ctx, "jwt", "jwt-host-b"); err != nil {
		t.Fatalf("StartReplica: %v", err)
	}
	log := readCalls(t, calls)
	if !containsLine(log, "docker kill aaa") {
		t.Errorf("calls %q do not kill container aaa", log)
	}
	if !containsLine(log, "docker start bbb") {
		t.Errorf("calls %q do not start container bbb", log)
	}
	if !containsLine(log, "fake-compose -p authlab-test ps -a -q jwt") {
		t.Errorf("calls %q do not list the jwt containers of project authlab-test", log)
	}

	err := target.KillReplica(ctx, "jwt", "jwt-host-z")
	if err == nil || !strings.Contains(err.Error(), "jwt-host-z") {
		t.Errorf("KillReplica of an unknown replica: err = %v, want one naming it", err)
	}
	if err := target.KillReplica(ctx, "nope", "x"); err == nil || !strings.Contains(err.Error(), "unknown system") {
		t.Errorf("KillReplica of an unknown system: err = %v, want unknown system", err)
	}
}

func TestComposeAddReplica(t *testing.T) {
	target, calls := newFakeCompose(t)
	id, err := target.AddReplica(context.Background(), "jwt")
	if err != nil {
		t.Fatalf("AddReplica: %v", err)
	}
	if id != "jwt-host-c" {
		t.Errorf("AddReplica = %q, want jwt-host-c", id)
	}
	want := "fake-compose -p authlab-test up -d --no-recreate --no-deps --scale jwt=2 jwt"
	if log := readCalls(t, calls); !containsLine(log, want) {
		t.Errorf("calls %q do not contain %q", log, want)
	}
}

func TestComposeSetReplicasAndRedis(t *testing.T) {
	target, calls := newFakeCompose(t)
	ctx := context.Background()
	if err := target.SetReplicas(ctx, "hybrid", 5); err != nil {
		t.Fatalf("SetReplicas: %v", err)
	}
	if err := target.SetReplicas(ctx, "hybrid", 0); err == nil {
		t.Errorf("SetReplicas(0): no error")
	}
	if err := target.StopRedis(ctx); err != nil {
		t.Fatalf("StopRedis: %v", err)
	}
	if err := target.StartRedis(ctx); err != nil {
		t.Fatalf("StartRedis: %v", err)
	}
	log := readCalls(t, calls)
	for _, want := range []string{
		"fake-compose -p authlab-test up -d --no-recreate --no-deps --scale hybrid=5 hybrid",
		"fake-compose -p authlab-test kill redis",
		"fake-compose -p authlab-test start redis",
	} {
		if !containsLine(log, want) {
			t.Errorf("calls %q do not contain %q", log, want)
		}
	}
}

func TestComposeNotRunning(t *testing.T) {
	// 127.0.0.2 is loopback too, and nothing of this test listens there.
	_, err := Compose(context.Background(), ComposeOptions{
		Host:    "127.0.0.2",
		Command: []string{"true"},
		Getenv:  testEnv(map[string]string{"ADMIN_TOKEN": "compose-test-admin-token"}),
	})
	if err == nil {
		t.Fatal("Compose without a stack: no error")
	}
	for _, want := range []string{"http://127.0.0.2:8081/healthz", "docker compose up -d"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestComposeRequiresToken(t *testing.T) {
	_, err := Compose(context.Background(), ComposeOptions{Command: []string{"true"}, Getenv: testEnv(nil)})
	if err == nil || !strings.Contains(err.Error(), "ADMIN_TOKEN") {
		t.Errorf("Compose without ADMIN_TOKEN: err = %v, want one naming ADMIN_TOKEN", err)
	}
}

func TestParseInspectRejectsGarbage(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{name: "two fields", text: "abc host"},
		{name: "bad bool", text: "abc host maybe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseInspect(tt.text); err == nil {
				t.Errorf("parseInspect(%q): no error", tt.text)
			}
		})
	}
	if cs, err := parseInspect(""); err != nil || len(cs) != 0 {
		t.Errorf(`parseInspect("") = %v, %v; want no containers`, cs, err)
	}
}

func TestInfoField(t *testing.T) {
	text := "# Server\r\nredis_version:7.4.2\r\nredis_mode:standalone\r\n"
	if got := infoField(text, "redis_version"); got != "7.4.2" {
		t.Errorf("infoField(redis_version) = %q, want 7.4.2", got)
	}
	if got := infoField(text, "missing"); got != "" {
		t.Errorf("infoField(missing) = %q, want empty", got)
	}
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
