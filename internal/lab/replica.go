package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
)

// systemState holds the replicas of one system. The Lab's mu guards it.
type systemState struct {
	sys System
	// fixed holds the variables every replica of the system gets and
	// nothing overrides, except REPLICA_ID, which each replica adds.
	fixed map[string]string
	// next is the number of the next new replica, from 1.
	next int
	// replicas maps a replica id to its state, running or killed.
	replicas map[string]*replica
}

// replica is one running or killed replica. srv and httpServer are nil
// while it is killed.
type replica struct {
	id         string
	num        int
	srv        *server.Server
	httpServer *http.Server
	addr       string
	// served is closed when httpServer.Serve has returned.
	served chan struct{}
}

func (r *replica) running() bool { return r.srv != nil }

// newSystem prepares the shared settings of sys: Redis, the admin token and
// one signing key for all its replicas.
func (l *Lab) newSystem(sys System) (*systemState, error) {
	fixed := map[string]string{
		"SYSTEM":       sys.Name,
		"REDIS_URL":    l.redis.info.URL,
		"REDIS_PREFIX": RedisPrefix(sys.Name),
		"ADMIN_TOKEN":  l.adminToken,
		// Unused, because the lab hands each replica its own listener, but
		// set so that a replica never falls back to the default :8080.
		"ADDR": "127.0.0.1:0",
	}
	env := replicaEnv(sys, nil, l.opts.SystemEnv[sys.Name], l.opts.Getenv)
	alg := config.New(env).OneOf("JWT_ALG", token.AlgEdDSA,
		token.AlgEdDSA, token.AlgES256, token.AlgRS256, token.AlgHS256)
	if alg == token.AlgHS256 {
		if env("JWT_SECRET") == "" {
			secret, err := randomHex(token.MinSecretLen)
			if err != nil {
				return nil, err
			}
			fixed["JWT_SECRET"] = secret
		}
	} else {
		path := filepath.Join(l.tmpDir, sys.Name+"-jwt.pem")
		if err := token.GenerateKeyFile(alg, path); err != nil {
			return nil, fmt.Errorf("generate the signing key of %s: %w", sys.Name, err)
		}
		fixed["JWT_PRIVATE_KEY_FILE"] = path
	}
	return &systemState{sys: sys, fixed: fixed, next: 1, replicas: map[string]*replica{}}, nil
}

// addReplicaLocked starts a new replica of st with the next free number.
func (l *Lab) addReplicaLocked(ctx context.Context, st *systemState) (*replica, error) {
	r := &replica{id: st.sys.Name + "-" + strconv.Itoa(st.next), num: st.next}
	st.next++
	if err := l.runReplica(ctx, st, r); err != nil {
		return nil, err
	}
	st.replicas[r.id] = r
	return r, nil
}

// runReplica builds r's app and serves it on a new loopback port.
func (l *Lab) runReplica(ctx context.Context, st *systemState, r *replica) error {
	build, ok := builders[st.sys.App]
	if !ok {
		return fmt.Errorf("start %s: app %q is not linked into the lab", r.id, st.sys.App)
	}
	fixed := map[string]string{"REPLICA_ID": r.id}
	for k, v := range st.fixed {
		fixed[k] = v
	}
	env := replicaEnv(st.sys, fixed, l.opts.SystemEnv[st.sys.Name], l.opts.Getenv)
	srv, err := build(l.ctx, env, l.appLogger)
	if err != nil {
		return fmt.Errorf("start %s: %w", r.id, err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return errors.Join(fmt.Errorf("start %s: listen: %w", r.id, err), srv.Close())
	}
	r.srv, r.httpServer, r.addr = srv, srv.HTTPServer(), ln.Addr().String()
	r.served = make(chan struct{})
	go func(hs *http.Server, served chan struct{}) {
		defer close(served)
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			l.logger.Error("replica stopped serving", "replica", r.id, "err", err)
		}
	}(r.httpServer, r.served)
	l.logger.Info("replica started", "replica", r.id, "addr", r.addr)
	return nil
}

// kill closes r's listener and connections at once, then releases the app.
// It is a no-op for a killed replica.
func (r *replica) kill() error {
	if !r.running() {
		return nil
	}
	err := r.httpServer.Close()
	<-r.served
	err = errors.Join(err, r.srv.Close())
	r.srv, r.httpServer, r.served = nil, nil, nil
	if err != nil {
		return fmt.Errorf("kill %s: %w", r.id, err)
	}
	return nil
}

// drainDelay is how long SetReplicas keeps removed replicas listening after
// the reload that takes them out of the load balancer. It is an estimate: a
// request on loopback gets its upstream within microseconds.
const drainDelay = 200 * time.Millisecond

// stopTimeout bounds the graceful stop of a replica that SetReplicas
// removes. The load balancer no longer sends it requests, so only requests
// in flight remain. Without a bound, http.Server.Shutdown would wait 5s for
// a connection that Caddy dialed but never used (state new).
const stopTimeout = time.Second

// stop shuts r down gracefully: requests in flight get up to stopTimeout,
// and ctx may cut that short.
func (r *replica) stop(ctx context.Context) error {
	if !r.running() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, stopTimeout)
	defer cancel()
	err := r.httpServer.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Past the bound, the remaining connections are closed, as a kill
		// would, and that is not an error of the stop.
		err = r.httpServer.Close()
	}
	<-r.served
	err = errors.Join(err, r.srv.Close())
	r.srv, r.httpServer, r.served = nil, nil, nil
	if err != nil {
		return fmt.Errorf("stop %s: %w", r.id, err)
	}
	return nil
}

// runningReplicas returns the running replicas of st, by number.
func (st *systemState) runningReplicas() []*replica {
	var out []*replica
	for _, r := range st.replicas {
		if r.running() {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *replica) int { return a.num - b.num })
	return out
}

// AppEnv returns the environment that every replica of system reads, its
// identity (REPLICA_ID, ADDR) aside.
func (l *Lab) AppEnv(_ context.Context, system string) (func(string) string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, err := l.systemLocked(system)
	if err != nil {
		return nil, err
	}
	return replicaEnv(st.sys, st.fixed, l.opts.SystemEnv[system], l.opts.Getenv), nil
}

// Replicas returns the ids of the running replicas of system, by number.
func (l *Lab) Replicas(system string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.systems[system]
	if !ok {
		return nil
	}
	var ids []string
	for _, r := range st.runningReplicas() {
		ids = append(ids, r.id)
	}
	return ids
}

// KillReplica stops replica abruptly: its listener and connections close at
// once, so requests in flight on it fail, and its memory is lost. The load
// balancer is not reloaded, as after a real crash and as in compose: Caddy's
// health checks take the replica out within about a second, and retry a
// request whose dial fails on another replica.
//
// NOTE: a reload cancels Caddy's retries in flight, so reloading here would
// turn GETs in flight on the killed replica, which Caddy retries, into 502s.
func (l *Lab) KillReplica(ctx context.Context, system, replica string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, r, err := l.replicaLocked(system, replica)
	if err != nil {
		return err
	}
	if !r.running() {
		return fmt.Errorf("kill %s: replica is not running", replica)
	}
	err = r.kill()
	l.logger.Info("replica killed", "replica", replica)
	return err
}

// StartReplica starts a killed replica again, with fresh memory, on a new
// port, and reloads the load balancer with it.
func (l *Lab) StartReplica(ctx context.Context, system, replica string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, r, err := l.replicaLocked(system, replica)
	if err != nil {
		return err
	}
	if r.running() {
		return fmt.Errorf("start %s: replica is already running", replica)
	}
	if err := l.runReplica(ctx, st, r); err != nil {
		return err
	}
	return l.reloadLocked()
}

// AddReplica starts a new replica of system and reloads the load balancer,
// which sends it traffic from then on.
func (l *Lab) AddReplica(ctx context.Context, system string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, err := l.systemLocked(system)
	if err != nil {
		return "", err
	}
	r, err := l.addReplicaLocked(ctx, st)
	if err != nil {
		return "", err
	}
	return r.id, l.reloadLocked()
}

// SetReplicas scales system to n running replicas: it adds new replicas, or
// takes the newest ones out of the load balancer and then shuts them down
// gracefully. Replicas removed this way are forgotten, not killed.
func (l *Lab) SetReplicas(ctx context.Context, system string, n int) error {
	if n < 1 {
		return fmt.Errorf("invalid replica count %d for %s: want 1 or more", n, system)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	st, err := l.systemLocked(system)
	if err != nil {
		return err
	}

	running := st.runningReplicas()
	for i := len(running); i < n; i++ {
		if _, err := l.addReplicaLocked(ctx, st); err != nil {
			return errors.Join(err, l.reloadLocked())
		}
	}
	if len(running) <= n {
		return l.reloadLocked()
	}

	extra := running[n:]
	for _, r := range extra {
		delete(st.replicas, r.id)
	}
	if err := l.reloadLocked(); err != nil {
		return err
	}
	// Requests that reached Caddy's previous config may still be about to
	// dial a removed replica. Its listener stays open a moment, because a
	// refused dial there would be a 502: the reload cancelled the previous
	// config's retries.
	time.Sleep(drainDelay)
	var errs []error
	for _, r := range extra {
		errs = append(errs, r.stop(ctx))
		l.logger.Info("replica removed", "replica", r.id)
	}
	return errors.Join(errs...)
}

func (l *Lab) systemLocked(system string) (*systemState, error) {
	if l.closed {
		return nil, errors.New("the lab is closed")
	}
	st, ok := l.systems[system]
	if !ok {
		return nil, fmt.Errorf("unknown system %q: want one of %s", system, strings.Join(SystemNames(), ", "))
	}
	return st, nil
}

func (l *Lab) replicaLocked(system, id string) (*systemState, *replica, error) {
	st, err := l.systemLocked(system)
	if err != nil {
		return nil, nil, err
	}
	r, ok := st.replicas[id]
	if !ok {
		return nil, nil, fmt.Errorf("unknown replica %q of %s", id, system)
	}
	return st, r, nil
}
