package jwtauth

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
	"github.com/labstack/echo/v4"
)

// App is the app name and the default SYSTEM.
const App = "jwt"

// DefaultAccessTTL is the default ACCESS_TTL of jwtapp. It is long, as
// stateless tokens usually are, because the client has no refresh token.
const DefaultAccessTTL = 24 * time.Hour

// New builds one replica of jwtapp from getenv. With DENYLIST=on it opens a
// Redis client, registered with srv.OnClose, and adds a readiness check.
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
	a, err := newApp(srv, cfg, tokenCfg)
	if err != nil {
		return nil, errors.Join(err, srv.Close())
	}
	a.routes()
	srv.Logger.Info("jwt app ready", "alg", a.tokens.Alg(), "kid", a.tokens.KeyID(),
		"access_ttl", a.tokens.TTL().String(), "leeway", a.tokens.Leeway().String(), "denylist", cfg.Denylist)
	return srv, nil
}

// app is one replica's token manager and, with DENYLIST=on, its denylist.
type app struct {
	srv    *server.Server
	tokens *token.Manager
	// denylist is nil when DENYLIST is off.
	denylist *denylist
}

func newApp(srv *server.Server, cfg Config, tokenCfg token.Config) (*app, error) {
	tokens, err := token.NewManager(tokenCfg, srv.Logger)
	if err != nil {
		return nil, err
	}
	a := &app{srv: srv, tokens: tokens}
	if !cfg.Denylist {
		return a, nil
	}
	client, err := redisx.Open(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	srv.OnClose(client.Close)
	srv.AddReadiness("redis", func(ctx context.Context) error {
		return redisx.Ping(ctx, client, time.Second)
	})
	a.denylist = &denylist{client: client, prefix: cfg.RedisPrefix}
	return a, nil
}

func (a *app) routes() {
	e := a.srv.Echo
	e.POST("/login", a.login)
	e.GET("/api/me", a.me)
	e.POST("/logout", a.logout)
	e.POST("/admin/revoke", a.revoke, a.srv.RequireAdmin)
	e.GET("/.well-known/jwks.json", a.jwks)
}

// authenticate verifies the request's bearer token and, with the denylist
// on, checks that it was not revoked. A rejection is a 401 invalid_token,
// counted by reason and logged at debug level without the token, because a
// load test sends many of them. A Redis failure is a 503.
func (a *app) authenticate(c echo.Context) (*token.Claims, error) {
	claims, err := a.tokens.Authenticate(c.Request())
	if err != nil {
		a.reject(c, token.RejectReason(err))
		return nil, err
	}
	if a.denylist == nil {
		return claims, nil
	}
	err = a.denylist.check(c.Request().Context(), claims)
	switch {
	case errors.Is(err, ErrTokenRevoked), errors.Is(err, ErrUserRevoked):
		a.reject(c, "revoked")
		return nil, &server.Error{Code: server.CodeInvalidToken, Message: err.Error(), Cause: err}
	case err != nil:
		// Fail closed: accepting a token that may be revoked would make
		// the denylist useless exactly when Redis is down.
		return nil, server.StoreUnavailable(err)
	}
	return claims, nil
}

func (a *app) reject(c echo.Context, reason string) {
	a.srv.Metrics.Rejected(reason)
	// The error text is left out because golang-jwt may quote bytes of
	// the token in it.
	a.srv.Logger.Debug("token rejected", "route", c.Path(), "reason", reason)
}
