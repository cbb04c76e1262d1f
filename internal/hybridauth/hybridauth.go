package hybridauth

import (
	"context"
	"log/slog"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
)

// App is the name of the app, and the default of SYSTEM.
const App = "hybrid"

// New builds one replica of the hybrid app from its environment. It reads
// the common settings (server.LoadConfig), the token settings
// (token.LoadConfig, ACCESS_TTL default 10m) and the app's own (LoadConfig),
// and returns every invalid setting in one error. It does not connect to
// Redis at start: /readyz reports whether Redis responds, and requests with a
// valid access token work without it.
//
// The replica's Redis client is released by the returned server's Close.
func New(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*server.Server, error) {
	env := config.New(getenv)
	common, _ := server.LoadConfig(env, App)
	tokenCfg := token.LoadConfig(env, DefaultAccessTTL)
	cfg := LoadConfig(env, common.System)
	if err := env.Err(); err != nil {
		return nil, err
	}

	srv, err := server.New(common, logger)
	if err != nil {
		return nil, err
	}
	tokens, err := token.NewManager(tokenCfg, srv.Logger)
	if err != nil {
		return nil, err
	}
	rdb, err := redisx.Open(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	srv.OnClose(rdb.Close)

	store := NewStore(rdb, cfg.RedisPrefix, cfg.RefreshTTL, cfg.ReuseInterval)
	srv.AddReadiness("redis", store.Ping)
	a := &app{srv: srv, cfg: cfg, tokens: tokens, store: store}
	a.routes()
	srv.Logger.Info("refresh store ready", "access_ttl", tokens.TTL().String(),
		"refresh_ttl", cfg.RefreshTTL.String(), "reuse_interval", cfg.ReuseInterval.String(),
		"alg", tokens.Alg(), "kid", tokens.KeyID())
	return srv, nil
}

// app holds one replica's token manager and refresh store.
type app struct {
	srv    *server.Server
	cfg    Config
	tokens *token.Manager
	store  *Store
}

func (a *app) routes() {
	e := a.srv.Echo
	e.POST("/login", a.login)
	e.POST("/refresh", a.refresh)
	e.POST("/logout", a.logout)
	e.GET("/api/me", a.me)
	e.GET("/.well-known/jwks.json", a.jwks)
	e.POST("/admin/revoke", a.revoke, a.srv.RequireAdmin)
}
