package lab

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/authlab/authlab/internal/redisx"
)

// ComposeOptions configures Compose. The zero value targets the stack of
// docker-compose.yml in the working directory.
type ComposeOptions struct {
	// Dir is the folder of docker-compose.yml; default the working
	// directory.
	Dir string
	// Project is the compose project name; default compose's own choice
	// (COMPOSE_PROJECT_NAME, else the folder's name).
	Project string
	// Getenv reads ADMIN_TOKEN, which must be the value the stack was
	// started with; default os.Getenv.
	Getenv func(string) string
	// Logger receives the fault injection events; default discards them.
	Logger *slog.Logger
	// Command is the compose CLI and its leading arguments, such as
	// ["docker", "compose"]; default the first of "docker compose" and
	// "docker-compose" that runs.
	Command []string
	// Host is the address the stack publishes its ports on; default
	// 127.0.0.1.
	Host string
}

// composeRedisPort is the port docker-compose.yml publishes Redis on.
const composeRedisPort = 6379

// composeHint ends the errors of a stack that is not running.
const composeHint = "start the stack with `docker compose up -d` (and ADMIN_TOKEN exported)"

// composeTarget drives a running docker compose stack through the compose
// and docker CLIs.
type composeTarget struct {
	opts       ComposeOptions
	logger     *slog.Logger
	adminToken string
	redis      RedisInfo
}

var _ Target = (*composeTarget)(nil)

// Compose returns a Target for the docker compose stack of docker-compose.yml.
// It does not start the stack: it checks that GET /healthz returns 200 on
// each system's URL and returns an error naming the URL that failed, with the
// hint to run `docker compose up -d`.
func Compose(ctx context.Context, opts ComposeOptions) (Target, error) {
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	token := opts.Getenv("ADMIN_TOKEN")
	if token == "" {
		return nil, errors.New("missing ADMIN_TOKEN: export the value the compose stack was started with")
	}
	if opts.Command == nil {
		cmd, err := detectCompose(ctx)
		if err != nil {
			return nil, err
		}
		opts.Command = cmd
	}
	t := &composeTarget{opts: opts, logger: opts.Logger, adminToken: token}
	if err := t.checkHealthy(ctx); err != nil {
		return nil, err
	}
	t.redis = t.redisInfo(ctx)
	return t, nil
}

// detectCompose returns the compose CLI: the docker compose plugin when it
// runs, else the standalone docker-compose.
func detectCompose(ctx context.Context) ([]string, error) {
	if err := exec.CommandContext(ctx, "docker", "compose", "version").Run(); err == nil {
		return []string{"docker", "compose"}, nil
	}
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}, nil
	}
	return nil, errors.New("no compose CLI found: install the docker compose plugin or docker-compose")
}

func (t *composeTarget) checkHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for _, sys := range Systems() {
		url := t.URL(sys.Name) + "/healthz"
		if err := getOK(ctx, client, url); err != nil {
			return fmt.Errorf("compose stack: GET %s failed: %w: %s", url, err, composeHint)
		}
	}
	return nil
}

// redisInfo reads the version of the stack's Redis, or "unknown".
func (t *composeTarget) redisInfo(ctx context.Context) RedisInfo {
	info := RedisInfo{
		Kind:    redisx.KindExternal,
		Version: "unknown",
		URL:     fmt.Sprintf("redis://%s:%d/0", t.opts.Host, composeRedisPort),
	}
	client, err := redisx.Open(info.URL)
	if err != nil {
		return info
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	text, err := client.Info(ctx, "server").Result()
	if err != nil {
		t.logger.Warn("read the compose Redis version", "url", info.URL, "err", err)
		return info
	}
	if v := infoField(text, "redis_version"); v != "" {
		info.Version = v
	}
	return info
}

// infoField returns the value of key in the text of a Redis INFO reply.
func infoField(text, key string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+":"); ok {
			return v
		}
	}
	return ""
}

// Mode returns ModeCompose.
func (t *composeTarget) Mode() string { return ModeCompose }

// URL returns the load balancer URL of system on the published port.
func (t *composeTarget) URL(system string) string {
	sys, ok := Lookup(system)
	if !ok {
		return ""
	}
	return "http://" + t.opts.Host + ":" + strconv.Itoa(sys.Port)
}

// Redis returns the stack's Redis, published on port 6379.
func (t *composeTarget) Redis() RedisInfo { return t.redis }

// AdminToken returns ADMIN_TOKEN.
func (t *composeTarget) AdminToken() string { return t.adminToken }

// Close does nothing: the stack keeps running until `docker compose down`.
func (t *composeTarget) Close() error { return nil }
