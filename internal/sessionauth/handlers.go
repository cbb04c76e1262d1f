package sessionauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// LoginResponse is the body of a successful POST /login. The session itself
// travels in the Set-Cookie header.
type LoginResponse struct {
	User    string `json:"user"`
	System  string `json:"system"`
	Replica string `json:"replica"`
	// ExpiresAt is when the session ends unless a request extends it, in
	// RFC 3339.
	ExpiresAt string `json:"expires_at"`
}

// LogoutResponse is the body of POST /logout.
type LogoutResponse struct {
	LoggedOut bool   `json:"logged_out"`
	Message   string `json:"message"`
}

// login checks the credentials, gives the client a new session id and stores
// the user in the session.
func (a *app) login(c echo.Context) error {
	u, err := a.srv.Login(c)
	if err != nil {
		return err
	}

	// A new token on every login means that a session id planted on a victim
	// before login (session fixation) never becomes an authenticated one.
	// RenewToken deletes the session that the request came with, and the
	// context names its user so the index loses it too.
	ctx := c.Request().Context()
	previous := a.sm.GetString(ctx, userKey)
	if err := a.sm.RenewToken(withSessionUser(ctx, previous)); err != nil {
		return server.StoreUnavailable(fmt.Errorf("renew session token: %w", err))
	}
	a.sm.Put(ctx, userKey, u.Name)

	c.SetRequest(c.Request().WithContext(withSessionUser(ctx, u.Name)))
	expiry, err := a.save(c)
	if err != nil {
		return server.StoreUnavailable(fmt.Errorf("save the session: %w", err))
	}
	return c.JSON(http.StatusOK, LoginResponse{
		User:      u.Name,
		System:    a.srv.Config.System,
		Replica:   a.srv.Config.ReplicaID,
		ExpiresAt: expiry.UTC().Format(time.RFC3339),
	})
}

// me returns the session's user, after extending the session by the idle
// timeout.
func (a *app) me(c echo.Context) error {
	ctx := c.Request().Context()
	name := a.sm.GetString(ctx, userKey)
	if name == "" {
		return a.rejectSession(c, "")
	}
	u, ok := a.srv.Users.Lookup(name)
	if !ok {
		return a.rejectSession(c, "unknown_user")
	}

	expiry, err := a.save(c)
	if errors.Is(err, errSessionEnded) {
		return a.rejectSession(c, "session_ended")
	}
	if err != nil {
		return server.StoreUnavailable(fmt.Errorf("extend session: %w", err))
	}
	return c.JSON(http.StatusOK, a.srv.Me(u.Name, u.Roles, expiry))
}

// rejectSession returns the 401 for a request without a valid session and
// counts it under reason, or under a reason derived from the cookie when
// reason is "". The response expires a cookie that can't be valid anywhere.
func (a *app) rejectSession(c echo.Context, reason string) error {
	state := requestCookie(c)
	if reason == "" {
		switch state {
		case cookieMissing:
			reason = "no_session"
		case cookieMalformed:
			reason = "malformed_cookie"
		default:
			// The cookie looked like a token, but the store has no session
			// for it: expired, logged out, revoked, or made up.
			reason = "unknown_session"
		}
	}
	a.srv.Metrics.Rejected(reason)
	// With the memory store, a cookie unknown here may belong to a session
	// on another replica that the load balancer failed to pin the client
	// to, so only a malformed one is expired.
	if state == cookieMalformed || state == cookieWellFormed && a.cfg.Store == StoreRedis {
		a.expireCookie(c)
	}
	return server.Errorf(server.CodeUnauthenticated, "no valid session: log in with POST /login")
}

// logout destroys the session. Without a session it still returns 200,
// because the client's goal, having no session, already holds.
func (a *app) logout(c echo.Context) error {
	ctx := c.Request().Context()
	name := a.sm.GetString(ctx, userKey)
	if name == "" {
		if requestCookie(c) != cookieMissing {
			a.expireCookie(c)
		}
		return c.JSON(http.StatusOK, LogoutResponse{LoggedOut: false, Message: "no session to end"})
	}

	if err := a.sm.Destroy(withSessionUser(ctx, name)); err != nil {
		return server.StoreUnavailable(fmt.Errorf("destroy session: %w", err))
	}
	if _, err := a.save(c); err != nil {
		return server.Internal(err)
	}
	return c.JSON(http.StatusOK, LogoutResponse{LoggedOut: true, Message: "session destroyed"})
}
