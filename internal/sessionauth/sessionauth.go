package sessionauth

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/server"
)

// App is the name of the app, and the default of SYSTEM.
const App = "sessions"

// New builds one replica of the sessions app from its environment. It reads
// the common settings (server.LoadConfig) and the app's own (LoadConfig),
// and returns every invalid setting in one error. With the redis store it
// does not connect at start, and /readyz reports whether Redis responds.
//
// The replica's session store, Redis client and cleanup goroutine are
// released by the returned server's Close.
func New(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*server.Server, error) {
	env := config.New(getenv)
	common, _ := server.LoadConfig(env, App)
	cfg := LoadConfig(env, common.System)
	if err := env.Err(); err != nil {
		return nil, err
	}

	srv, err := server.New(common, logger)
	if err != nil {
		return nil, err
	}

	a, err := newApp(srv, cfg)
	if err != nil {
		_ = srv.Close()
		return nil, err
	}
	a.routes()
	srv.Logger.Info("session store ready", "store", cfg.Store,
		"idle_timeout", cfg.IdleTimeout.String(), "lifetime", cfg.Lifetime.String(),
		"cookie", cfg.CookieName, "cookie_secure", cfg.CookieSecure)
	return srv, nil
}

// baseManager is the session manager that every replica copies and then
// configures. scs.New also starts a cleanup goroutine for a default memstore,
// and in scs v2.9.0 that goroutine can't be stopped without a data race,
// because StopCleanup reads the stop channel that the goroutine assigns.
// Calling scs.New once keeps that goroutine to one a process, so replicas
// started and closed in one process leak none.
//
// NOTE: the copies share scs's context key, under which Load finds session
// data already in a request context. That is harmless as long as no request
// context passes through the session middleware of two replicas.
var baseManager = scs.New()

// app holds one replica's session manager and store.
type app struct {
	srv   *server.Server
	cfg   Config
	sm    *scs.SessionManager
	store indexedStore
}

func newApp(srv *server.Server, cfg Config) (*app, error) {
	store, err := openStore(srv, cfg)
	if err != nil {
		return nil, err
	}
	sm := new(scs.SessionManager)
	*sm = *baseManager
	sm.Store = store
	sm.IdleTimeout = cfg.IdleTimeout
	sm.Lifetime = cfg.Lifetime
	// The store keys sessions by the SHA-256 of the token, so a copy of the
	// store's contents holds no cookie that works.
	sm.HashTokenInStore = true
	sm.Cookie = scs.SessionCookie{
		Name:     cfg.CookieName,
		HttpOnly: true,
		Path:     "/",
		SameSite: http.SameSiteLaxMode,
		Secure:   cfg.CookieSecure,
		Persist:  true,
	}
	return &app{srv: srv, cfg: cfg, sm: sm, store: store}, nil
}

// openStore creates the replica's store and registers its release and, for
// Redis, its readiness check.
func openStore(srv *server.Server, cfg Config) (indexedStore, error) {
	if cfg.Store == StoreRedis {
		client, err := redisx.Open(cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		srv.OnClose(client.Close)
		srv.AddReadiness("redis", func(ctx context.Context) error {
			return redisx.Ping(ctx, client, time.Second)
		})
		return newRedisStore(client, cfg.RedisPrefix, cfg.Lifetime), nil
	}
	m := newMemoryStore(memoryCleanupInterval)
	srv.OnClose(m.Close)
	return m, nil
}

func (a *app) routes() {
	e := a.srv.Echo
	e.POST("/login", a.login, a.sameOrigin, a.loadSession)
	e.GET("/api/me", a.me, a.loadSession)
	e.POST("/logout", a.logout, a.sameOrigin, a.loadSession)
	e.POST("/admin/revoke", a.revoke, a.srv.RequireAdmin)
}
