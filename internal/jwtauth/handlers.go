package jwtauth

import (
	"fmt"
	"net/http"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// jwksMaxAge is how long a client may cache the JWKS. A verifier that caches
// the set gets a rotated key at most this late, so it should also fetch the
// set again when it meets an unknown kid.
const jwksMaxAge = 5 * time.Minute

// LogoutResponse is the body of POST /logout.
type LogoutResponse struct {
	// LoggedOut is true when the server now rejects the token (DENYLIST=on).
	LoggedOut bool   `json:"logged_out"`
	Message   string `json:"message"`
	// ExpiresAt is the token's exp in RFC 3339, and ExpiresIn the seconds
	// left until then.
	ExpiresAt string `json:"expires_at"`
	ExpiresIn int64  `json:"expires_in"`
}

// login checks the credentials and returns a new token in the OAuth 2.0
// shape.
func (a *app) login(c echo.Context) error {
	u, err := a.srv.Login(c)
	if err != nil {
		return err
	}
	raw, _, err := a.tokens.Issue(u)
	if err != nil {
		return server.Internal(err)
	}
	// RFC 6749, section 5.1: a response carrying a token must not be cached.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, server.TokenResponse{
		AccessToken: raw,
		TokenType:   "Bearer",
		ExpiresIn:   int64(a.tokens.TTL() / time.Second),
	})
}

func (a *app) me(c echo.Context) error {
	claims, err := a.authenticate(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.srv.Me(claims.Subject, claims.Roles, claims.ExpiresAt.Time))
}

func (a *app) jwks(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, fmt.Sprintf("public, max-age=%d", int(jwksMaxAge/time.Second)))
	return c.JSON(http.StatusOK, a.tokens.JWKS())
}

// logout denies the token with the denylist on. Without it, the server
// cannot end the token, and the response gives the time it stays valid until.
func (a *app) logout(c echo.Context) error {
	claims, err := a.authenticate(c)
	if err != nil {
		return err
	}
	exp := claims.ExpiresAt.Time
	resp := LogoutResponse{
		ExpiresAt: exp.UTC().Format(time.RFC3339),
		ExpiresIn: max(int64(time.Until(exp)/time.Second), 0),
	}
	if a.denylist == nil {
		// NOTE: a stateless JWT can't be revoked: this token keeps working
		// on every replica until exp, whatever the client does.
		resp.Message = fmt.Sprintf("the server keeps no state for this token, so it stays valid until it expires at %s "+
			"(%d seconds from now): delete it on the client", resp.ExpiresAt, resp.ExpiresIn)
		return c.JSON(http.StatusOK, resp)
	}
	if err := a.denylist.denyToken(c.Request().Context(), claims, a.tokens.Leeway()); err != nil {
		return server.StoreUnavailable(err)
	}
	resp.LoggedOut = true
	resp.Message = "the token is denied on every replica from now until it expires"
	return c.JSON(http.StatusOK, resp)
}
