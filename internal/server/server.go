package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authlab/authlab/internal/users"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ReplicaHeader names the response header that carries the replica id.
const ReplicaHeader = "X-Replica"

// ReadinessCheck reports whether a dependency of the app can serve requests.
type ReadinessCheck func(ctx context.Context) error

// Server is one replica of an app: its Echo instance, its users, its metrics
// and its readiness checks. Its methods are safe for concurrent use once the
// routes are added.
type Server struct {
	Config  Config
	Echo    *echo.Echo
	Users   *users.Directory
	Logger  *slog.Logger
	Metrics *Metrics

	limits *loginLimits
	// failMu guards the per-code state of logFailure.
	failMu      sync.Mutex
	failLast    map[string]time.Time
	failDropped map[string]int

	mu      sync.Mutex
	checks  map[string]ReadinessCheck
	closers []func() error
}

// New builds the Server of one replica: it hashes the demo password, sets up
// the middleware and serves /healthz, /readyz and /metrics.
func New(cfg Config, logger *slog.Logger) (*Server, error) {
	dir, err := users.New(cfg.Users, cfg.Password, cfg.BcryptCost)
	if err != nil {
		return nil, err
	}
	s := &Server{
		Config:  cfg,
		Echo:    echo.New(),
		Users:   dir,
		Logger:  logger.With("system", cfg.System, "replica", cfg.ReplicaID),
		Metrics: newMetrics(cfg),
		limits:  newLoginLimits(cfg.LoginPerUser, cfg.LoginPerClient),
		checks:  map[string]ReadinessCheck{},

		failLast:    map[string]time.Time{},
		failDropped: map[string]int{},
	}
	s.setupEcho()
	if cfg.AdminToken == "" {
		s.Logger.Warn("admin route disabled: set ADMIN_TOKEN (at least 16 bytes) to enable POST /admin/revoke")
	}
	return s, nil
}

func (s *Server) setupEcho() {
	e := s.Echo
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	// The load balancer in front is on loopback or a private network, and
	// echo trusts X-Forwarded-For only from those ranges by default.
	e.IPExtractor = echo.ExtractIPFromXFFHeader()
	e.Use(s.replicaHeader, s.observe, middleware.Recover(), s.headerLimit)
	e.Use(middleware.BodyLimit(strconv.Itoa(s.Config.BodyLimit)))
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})))
}

// AddReadiness registers a check that /readyz runs on every call.
func (s *Server) AddReadiness(name string, check ReadinessCheck) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks[name] = check
}

// OnClose registers fn to run when the replica is closed, in reverse order.
func (s *Server) OnClose(fn func() error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closers = append(s.closers, fn)
}

// Handler returns the HTTP handler of the replica.
func (s *Server) Handler() http.Handler { return s.Echo }

// Close releases what the app registered with OnClose (store clients,
// cleanup goroutines) and returns their errors joined.
func (s *Server) Close() error {
	s.mu.Lock()
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		errs = append(errs, closers[i]())
	}
	return errors.Join(errs...)
}

func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	s.mu.Lock()
	checks := make(map[string]ReadinessCheck, len(s.checks))
	for k, v := range s.checks {
		checks[k] = v
	}
	s.mu.Unlock()
	status := map[string]string{}
	ready := true
	for name, check := range checks {
		status[name] = "ok"
		if err := check(ctx); err != nil {
			ready = false
			status[name] = "unavailable"
			s.Logger.Warn("readiness check failed", "check", name, "err", err)
		}
	}
	code := http.StatusOK
	if !ready {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, map[string]any{"ready": ready, "checks": status})
}

func (s *Server) replicaHeader(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(ReplicaHeader, s.Config.ReplicaID)
		return next(c)
	}
}

// headerLimit rejects a request with a header value longer than
// HeaderLimit, before any handler parses it.
func (s *Server) headerLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for name, values := range c.Request().Header {
			for _, v := range values {
				if len(v) > s.Config.HeaderLimit {
					return Errorf(CodeHeaderTooLarge, "header %s is longer than %d bytes", name, s.Config.HeaderLimit)
				}
			}
		}
		return next(c)
	}
}

// observe logs one line a request and records its metrics. It logs no header,
// body or cookie, so no credential reaches the log.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		status := c.Response().Status
		elapsed := time.Since(start)
		s.Metrics.observe(route, status, elapsed)
		s.Logger.Debug("request", "method", c.Request().Method, "route", route,
			"status", status, "duration_ms", float64(elapsed.Microseconds())/1000)
		return nil
	}
}

// RequireAdmin is middleware that lets a request through only with
// "Authorization: Bearer ADMIN_TOKEN". It compares in constant time.
func (s *Server) RequireAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Config.AdminToken == "" {
			return Errorf(CodeAdminDisabled, "the admin route is disabled: start the app with ADMIN_TOKEN set")
		}
		token, ok := BearerToken(c.Request())
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(s.Config.AdminToken)) != 1 {
			return Errorf(CodeForbidden, "missing or wrong admin token")
		}
		return next(c)
	}
}

// BearerToken returns the token of an "Authorization: Bearer" header, and
// false when there is none. It reads no other place (no query, no cookie).
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get(echo.HeaderAuthorization)
	scheme, token, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// Identity is the body of GET /api/me.
type Identity struct {
	User    string   `json:"user"`
	Roles   []string `json:"roles"`
	System  string   `json:"system"`
	Replica string   `json:"replica"`
	// ExpiresAt is when the credential stops working on its own, in RFC 3339.
	ExpiresAt string `json:"expires_at,omitempty"`
}

// Me returns the /api/me body for user.
func (s *Server) Me(user string, roles []string, expires time.Time) Identity {
	if roles == nil {
		roles = []string{}
	}
	id := Identity{User: user, Roles: roles, System: s.Config.System, Replica: s.Config.ReplicaID}
	if !expires.IsZero() {
		id.ExpiresAt = expires.UTC().Format(time.RFC3339)
	}
	return id
}

// Serve listens on the configured address and serves the replica until ctx
// is done, then shuts down gracefully within ShutdownTimeout.
func (s *Server) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on ADDR=%s: %w", s.Config.Addr, err)
	}
	srv := s.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.Logger.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("serve on %s: %w", s.Config.Addr, err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.Config.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	s.Logger.Info("stopped")
	return err
}

// HTTPServer returns an http.Server for the replica with bounded timeouts
// and header size; the caller sets Addr or calls Serve on a listener.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.Echo,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
}

// registerRuntime adds the Go runtime collectors to reg.
func registerRuntime(reg *prometheus.Registry) {
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}
