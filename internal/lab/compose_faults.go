package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// container is one container of a compose service. Its hostname is the
// replica id, because compose replicas run without REPLICA_ID and the apps
// then use the hostname.
type container struct {
	id       string
	hostname string
	running  bool
}

// compose runs the compose CLI with args in opts.Dir and returns its stdout.
func (t *composeTarget) compose(ctx context.Context, args ...string) ([]byte, error) {
	full := slices.Clone(t.opts.Command[1:])
	if t.opts.Project != "" {
		full = append(full, "-p", t.opts.Project)
	}
	full = append(full, args...)
	return t.run(ctx, t.opts.Command[0], full...)
}

// docker runs the docker CLI with args and returns its stdout.
func (t *composeTarget) docker(ctx context.Context, args ...string) ([]byte, error) {
	return t.run(ctx, "docker", args...)
}

func (t *composeTarget) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = t.opts.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		line := strings.Join(append([]string{name}, args...), " ")
		return nil, fmt.Errorf("%s: %w: %s", line, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// containers returns the containers of service, running or not.
func (t *composeTarget) containers(ctx context.Context, service string) ([]container, error) {
	// -a, because the compose plugin lists only running containers without
	// it, and StartReplica must find a killed one.
	out, err := t.compose(ctx, "ps", "-a", "-q", service)
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		return nil, nil
	}
	args := append([]string{"inspect", "--format", "{{.Id}} {{.Config.Hostname}} {{.State.Running}}"}, ids...)
	out, err = t.docker(ctx, args...)
	if err != nil {
		return nil, err
	}
	return parseInspect(string(out))
}

// parseInspect parses the lines of docker inspect --format
// "{{.Id}} {{.Config.Hostname}} {{.State.Running}}".
func parseInspect(text string) ([]container, error) {
	var out []container
	for line := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 3 {
			return nil, fmt.Errorf("unexpected docker inspect line %q: want id, hostname and running", line)
		}
		running, err := strconv.ParseBool(fields[2])
		if err != nil {
			return nil, fmt.Errorf("unexpected docker inspect line %q: %w", line, err)
		}
		out = append(out, container{id: fields[0], hostname: fields[1], running: running})
	}
	slices.SortFunc(out, func(a, b container) int { return strings.Compare(a.hostname, b.hostname) })
	return out, nil
}

func runningHostnames(cs []container) []string {
	var ids []string
	for _, c := range cs {
		if c.running {
			ids = append(ids, c.hostname)
		}
	}
	return ids
}

// AppEnv returns the environment of the first container of system, as
// docker inspect reports it: what docker-compose.yml and the shell that ran
// `docker compose up` gave it, and the image's own variables.
func (t *composeTarget) AppEnv(ctx context.Context, system string) (func(string) string, error) {
	if err := checkSystem(system); err != nil {
		return nil, err
	}
	cs, err := t.containers(ctx, system)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("no container of %s: %s", system, composeHint)
	}
	out, err := t.docker(ctx, "inspect", "--format", "{{json .Config.Env}}", cs[0].id)
	if err != nil {
		return nil, err
	}
	env, err := parseEnvJSON(out)
	if err != nil {
		return nil, fmt.Errorf("environment of %s container %s: %w", system, cs[0].id, err)
	}
	return func(key string) string { return env[key] }, nil
}

// parseEnvJSON parses the JSON list of "KEY=value" strings that docker
// inspect prints for {{json .Config.Env}}.
func parseEnvJSON(b []byte) (map[string]string, error) {
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("want a JSON list of KEY=value strings: %w", err)
	}
	env := make(map[string]string, len(list))
	for _, kv := range list {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env, nil
}

// Replicas returns the hostnames of the running containers of system, or
// nil when the compose CLI fails (the error is logged).
func (t *composeTarget) Replicas(system string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := t.containers(ctx, system)
	if err != nil {
		t.logger.Error("list compose replicas", "system", system, "err", err)
		return nil
	}
	return runningHostnames(cs)
}

// find returns the container of system whose hostname is replica.
func (t *composeTarget) find(ctx context.Context, system, replica string) (container, error) {
	if err := checkSystem(system); err != nil {
		return container{}, err
	}
	cs, err := t.containers(ctx, system)
	if err != nil {
		return container{}, err
	}
	for _, c := range cs {
		if c.hostname == replica {
			return c, nil
		}
	}
	return container{}, fmt.Errorf("unknown replica %q of %s: no container has that hostname", replica, system)
}

// KillReplica sends SIGKILL to the replica's container (docker kill). Docker
// DNS stops returning it at once, and Caddy drops it at its next lookup,
// within a second; requests whose dial fails meanwhile are retried on
// another replica.
func (t *composeTarget) KillReplica(ctx context.Context, system, replica string) error {
	c, err := t.find(ctx, system, replica)
	if err != nil {
		return err
	}
	if _, err := t.docker(ctx, "kill", c.id); err != nil {
		return err
	}
	t.logger.Info("replica killed", "replica", replica, "container", c.id)
	return nil
}

// StartReplica starts a killed replica's container again (docker start).
// It keeps its hostname, and its memory is new.
func (t *composeTarget) StartReplica(ctx context.Context, system, replica string) error {
	c, err := t.find(ctx, system, replica)
	if err != nil {
		return err
	}
	if _, err := t.docker(ctx, "start", c.id); err != nil {
		return err
	}
	t.logger.Info("replica started", "replica", replica, "container", c.id)
	return nil
}

// AddReplica scales system to one more running container and returns the
// new container's hostname. Caddy's DNS lookup finds it within about a
// second.
func (t *composeTarget) AddReplica(ctx context.Context, system string) (string, error) {
	before, err := t.containers(ctx, system)
	if err != nil {
		return "", err
	}
	running := runningHostnames(before)
	if err := t.scale(ctx, system, len(running)+1); err != nil {
		return "", err
	}
	after, err := t.containers(ctx, system)
	if err != nil {
		return "", err
	}
	for _, id := range runningHostnames(after) {
		if !slices.Contains(running, id) {
			return id, nil
		}
	}
	return "", fmt.Errorf("scale %s to %d: no new running container", system, len(running)+1)
}

// SetReplicas scales system to n containers with `up --scale`.
func (t *composeTarget) SetReplicas(ctx context.Context, system string, n int) error {
	if n < 1 {
		return fmt.Errorf("invalid replica count %d for %s: want 1 or more", n, system)
	}
	return t.scale(ctx, system, n)
}

// scale runs `up -d --no-recreate --no-deps --scale system=n system`, which
// leaves the other containers, Redis and the key volume alone.
func (t *composeTarget) scale(ctx context.Context, system string, n int) error {
	if err := checkSystem(system); err != nil {
		return err
	}
	_, err := t.compose(ctx, "up", "-d", "--no-recreate", "--no-deps",
		"--scale", system+"="+strconv.Itoa(n), system)
	if err == nil {
		t.logger.Info("replicas scaled", "system", system, "replicas", n)
	}
	return err
}

// StopRedis kills the Redis container (SIGKILL), as an outage would.
func (t *composeTarget) StopRedis(ctx context.Context) error {
	if _, err := t.compose(ctx, "kill", "redis"); err != nil {
		return err
	}
	t.logger.Info("redis killed")
	return nil
}

// StartRedis starts the Redis container again. Persistence is off, so it
// starts empty.
func (t *composeTarget) StartRedis(ctx context.Context) error {
	if _, err := t.compose(ctx, "start", "redis"); err != nil {
		return err
	}
	t.logger.Info("redis started")
	return nil
}

// checkSystem returns an error naming the five systems unless system is one.
func checkSystem(system string) error {
	if _, ok := Lookup(system); !ok {
		return fmt.Errorf("unknown system %q: want one of %s", system, strings.Join(SystemNames(), ", "))
	}
	return nil
}
