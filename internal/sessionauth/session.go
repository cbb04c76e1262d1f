package sessionauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// userKey is the session value that holds the user name.
const userKey = "user"

// tokenLen is the length of an scs session token: 32 random bytes in
// unpadded base64url.
const tokenLen = 43

// cookieState is the shape of the request's session cookie.
type cookieState int

const (
	cookieMissing cookieState = iota
	cookieMalformed
	cookieWellFormed
)

// requestSession is the per-request state of loadSession, stored in the
// Echo context under requestSessionKey.
type requestSession struct {
	cookie cookieState
	// saved is set once the session was committed or must not be, so the
	// hook that runs before the response is written skips it.
	saved bool
}

const requestSessionKey = "sessionauth.session"

// loadSession is middleware that loads the session named by the request's
// cookie into the request context, where a new empty session takes its place
// when the cookie is missing, malformed or unknown. A well-formed cookie
// costs one store read, and a store error is a 503 store_unavailable.
//
// scs's own LoadAndSave commits the session when the handler first writes
// to an http.ResponseWriter, which can't return an error to the handler.
// Here, handlers that change the session call save before they write the
// response, so a failed commit becomes an error response. A hook on the
// Echo response also commits a session that a handler changed but did not
// save, before the status line goes out. When a handler returns an error,
// that hook commits nothing.
func (a *app) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		token, state := a.cookieToken(r)
		ctx, err := a.sm.Load(r.Context(), token)
		if err != nil {
			return server.StoreUnavailable(fmt.Errorf("load session: %w", err))
		}
		c.SetRequest(r.WithContext(ctx))
		c.Response().Header().Add(echo.HeaderVary, "Cookie")

		rs := &requestSession{cookie: state}
		c.Set(requestSessionKey, rs)
		c.Response().Before(func() { a.saveBeforeWrite(c, rs) })
		if err := next(c); err != nil {
			rs.saved = true
			return err
		}
		return nil
	}
}

// cookieToken returns the session token of r's cookie. It returns "" for a
// missing cookie and for a value that can't be an scs token, so a forged
// value of any length never reaches the store.
func (a *app) cookieToken(r *http.Request) (string, cookieState) {
	cookie, err := r.Cookie(a.cfg.CookieName)
	if err != nil || cookie.Value == "" {
		return "", cookieMissing
	}
	if !isToken(cookie.Value) {
		return "", cookieMalformed
	}
	return cookie.Value, cookieWellFormed
}

func isToken(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		isAlnum := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		if !isAlnum && ch != '-' && ch != '_' {
			return false
		}
	}
	return true
}

// save commits a changed session and writes its cookie, or writes an expired
// cookie for a destroyed session. It returns when the session expires.
func (a *app) save(c echo.Context) (time.Time, error) {
	if rs, ok := c.Get(requestSessionKey).(*requestSession); ok {
		rs.saved = true
	}
	ctx := c.Request().Context()
	switch a.sm.Status(ctx) {
	case scs.Modified:
		token, expiry, err := a.sm.Commit(ctx)
		if err != nil {
			return time.Time{}, err
		}
		a.sm.WriteSessionCookie(ctx, c.Response(), token, expiry)
		return expiry, nil
	case scs.Destroyed:
		a.sm.WriteSessionCookie(ctx, c.Response(), "", time.Time{})
		return time.Time{}, nil
	}
	return a.sm.Deadline(ctx), nil
}

// saveBeforeWrite runs just before the response header is written and
// commits a session that the handler changed without calling save.
//
// NOTE: the handler has already chosen the body by then, so a failed commit
// can only change the status (401 for a session that ended meanwhile, 503
// otherwise) and leave out the cookie. Handlers in this package call save
// themselves to avoid that.
func (a *app) saveBeforeWrite(c echo.Context, rs *requestSession) {
	if rs.saved {
		return
	}
	if _, err := a.save(c); err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, errSessionEnded) {
			status = http.StatusUnauthorized
		}
		a.srv.Logger.Error("commit session before response", "route", c.Path(), "status", status, "err", err)
		c.Response().Status = status
	}
}

// expireCookie adds a Set-Cookie header that deletes the session cookie.
func (a *app) expireCookie(c echo.Context) {
	a.sm.WriteSessionCookie(c.Request().Context(), c.Response(), "", time.Time{})
}

// requestCookie returns what loadSession saw of the request's cookie.
func requestCookie(c echo.Context) cookieState {
	if rs, ok := c.Get(requestSessionKey).(*requestSession); ok {
		return rs.cookie
	}
	return cookieMissing
}
