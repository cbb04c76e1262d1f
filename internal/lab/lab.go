package lab

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// DefaultReplicas is the number of replicas a system gets when
// Options.Replicas is zero.
const DefaultReplicas = 3

// Options configures the embedded lab. The zero value is valid.
type Options struct {
	// Replicas is the number of replicas each system starts with; default
	// DefaultReplicas.
	Replicas int
	// Ports maps a system name to its load balancer port on 127.0.0.1. Nil
	// picks free ports (for tests); FixedPorts returns the lab's fixed ones.
	// A non-nil map must name every system.
	Ports map[string]int
	// Getenv reads the parent environment, which every replica inherits
	// (USER_PASSWORD, USERS, BCRYPT_COST, ACCESS_TTL, LOGIN_RATE_*, ...), and
	// REDIS_URL and ADMIN_TOKEN for the lab itself; default os.Getenv.
	Getenv func(string) string
	// SystemEnv maps a system name to variables that override the system's
	// own Env and the parent environment for its replicas.
	SystemEnv map[string]map[string]string
	// Logger receives the lab's own events; default discards them.
	Logger *slog.Logger
	// AppLog receives the replicas' and Caddy's logs at level warn and above;
	// default io.Discard.
	AppLog io.Writer
	// PreferEmbeddedRedis starts miniredis even when redis-server is on
	// PATH. It has no effect when REDIS_URL is set.
	PreferEmbeddedRedis bool
}

// FixedPorts returns the lab's fixed load balancer ports, 8081 to 8085, as
// Options.Ports wants them.
func FixedPorts() map[string]int {
	ports := map[string]int{}
	for _, s := range Systems() {
		ports[s.Name] = s.Port
	}
	return ports
}

// running is set while an embedded lab runs, because Caddy's configuration
// is global to the process.
var running atomic.Bool

// ErrLabRunning is returned by Start when another embedded lab runs in this
// process.
var ErrLabRunning = errors.New("an embedded lab is already running in this process: close it first")

// Lab is the embedded lab: every replica of the five systems runs in this
// process on loopback, behind Caddy embedded as a library, with a Redis the
// lab starts or the one REDIS_URL names. It implements Target and is safe for
// concurrent use.
type Lab struct {
	opts       Options
	logger     *slog.Logger
	appLogger  *slog.Logger
	adminToken string
	tmpDir     string
	redis      labRedis
	ports      map[string]int
	// heldPorts keeps free load balancer ports bound until Caddy starts.
	heldPorts []net.Listener

	// ctx lives as long as the lab; apps get it as their build context.
	ctx    context.Context
	cancel context.CancelFunc

	// mu guards systems and serializes Caddy reloads.
	mu      sync.Mutex
	systems map[string]*systemState
	closed  bool
}

var _ Target = (*Lab)(nil)

// Start starts the embedded lab: Redis, every replica and the load
// balancer. It returns once GET /healthz returns 200 on every system's URL,
// ErrLabRunning when another lab runs in this process, and an error wrapping
// ErrPortInUse and naming the port when a load balancer port is taken.
// Close stops the lab.
func Start(ctx context.Context, opts Options) (*Lab, error) {
	if !running.CompareAndSwap(false, true) {
		return nil, ErrLabRunning
	}
	l, err := newLab(opts)
	if err != nil {
		running.Store(false)
		return nil, err
	}
	l.ctx, l.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := l.start(ctx); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	l.logger.Info("lab started", "replicas", l.opts.Replicas, "redis", l.redis.info.Kind)
	return l, nil
}

func newLab(opts Options) (*Lab, error) {
	if opts.Replicas == 0 {
		opts.Replicas = DefaultReplicas
	}
	if opts.Replicas < 0 {
		return nil, fmt.Errorf("invalid Options.Replicas %d: want 1 or more", opts.Replicas)
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.AppLog == nil {
		opts.AppLog = io.Discard
	}
	for name := range opts.SystemEnv {
		if _, ok := Lookup(name); !ok {
			return nil, fmt.Errorf("invalid Options.SystemEnv: unknown system %q", name)
		}
	}
	token, err := adminToken(opts.Getenv)
	if err != nil {
		return nil, err
	}
	ports, held, err := resolvePorts(opts.Ports)
	if err != nil {
		return nil, err
	}
	return &Lab{
		opts:       opts,
		logger:     opts.Logger,
		appLogger:  slog.New(slog.NewTextHandler(opts.AppLog, &slog.HandlerOptions{Level: slog.LevelWarn})),
		adminToken: token,
		ports:      ports,
		heldPorts:  held,
		systems:    map[string]*systemState{},
	}, nil
}

// start runs the start-up steps after newLab. On error the caller closes l,
// which releases whatever the steps started.
func (l *Lab) start(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "authlab-lab-")
	if err != nil {
		return fmt.Errorf("create the lab's temp dir: %w", err)
	}
	l.tmpDir = dir

	if l.redis, err = startRedis(l.opts); err != nil {
		return err
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for _, sys := range Systems() {
		st, err := l.newSystem(sys)
		if err != nil {
			return err
		}
		l.systems[sys.Name] = st
		for range l.opts.Replicas {
			if _, err := l.addReplicaLocked(ctx, st); err != nil {
				return err
			}
		}
	}
	setLogSink(l.opts.AppLog)
	setRedisLogger(l.appLogger)
	closeAll(l.heldPorts)
	l.heldPorts = nil
	if err := l.reloadLocked(); err != nil {
		return err
	}
	return l.waitHealthy(ctx, 10*time.Second)
}

// Close stops the load balancer, every replica and the lab's Redis, and
// removes the lab's temp dir. It returns the errors joined and is safe to
// call more than once.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	closeAll(l.heldPorts)
	var errs []error
	if err := caddy.Stop(); err != nil {
		errs = append(errs, fmt.Errorf("stop caddy: %w", err))
	}
	setLogSink(nil)
	for _, st := range l.systems {
		for _, r := range st.replicas {
			errs = append(errs, r.kill())
		}
	}
	l.mu.Unlock()

	if l.cancel != nil {
		l.cancel()
	}
	errs = append(errs, l.redis.stop())
	setRedisLogger(nil)
	if l.tmpDir != "" {
		errs = append(errs, os.RemoveAll(l.tmpDir))
	}
	running.Store(false)
	l.logger.Info("lab stopped")
	return errors.Join(errs...)
}

// Mode returns ModeEmbedded.
func (l *Lab) Mode() string { return ModeEmbedded }

// URL returns the load balancer URL of system, or "" for an unknown system.
func (l *Lab) URL(system string) string {
	port, ok := l.ports[system]
	if !ok {
		return ""
	}
	return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// Redis returns the Redis that the replicas use.
func (l *Lab) Redis() RedisInfo { return l.redis.info }

// AdminToken returns ADMIN_TOKEN from the parent environment, or the token
// generated for this lab.
func (l *Lab) AdminToken() string { return l.adminToken }

// StopRedis stops the lab's Redis abruptly. It returns an error when the
// Redis is external (REDIS_URL), because the lab cannot stop it.
func (l *Lab) StopRedis(ctx context.Context) error {
	if err := l.redis.ownedErr(); err != nil {
		return err
	}
	l.logger.Info("stopping redis")
	return l.redis.local.Stop()
}

// StartRedis starts the lab's Redis again, empty, on the same address.
func (l *Lab) StartRedis(ctx context.Context) error {
	if err := l.redis.ownedErr(); err != nil {
		return err
	}
	l.logger.Info("starting redis")
	return l.redis.local.Start()
}

// adminToken returns ADMIN_TOKEN from getenv, or a new random token.
func adminToken(getenv func(string) string) (string, error) {
	if t := getenv("ADMIN_TOKEN"); t != "" {
		return t, nil
	}
	return randomHex(24)
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate a random secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}
