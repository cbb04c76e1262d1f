package hybridauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
	"github.com/authlab/authlab/internal/users"
	"github.com/labstack/echo/v4"
)

// RefreshRequest is the body of POST /refresh and POST /logout.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// login checks the credentials and starts a new family: a refresh token and
// an access token.
func (a *app) login(c echo.Context) error {
	u, err := a.srv.Login(c)
	if err != nil {
		return err
	}

	issued, err := a.store.Create(c.Request().Context(), u.Name)
	if err != nil {
		return server.StoreUnavailable(err)
	}
	return a.respondTokens(c, u, issued)
}

// refresh rotates the presented refresh token and returns a new pair.
func (a *app) refresh(c echo.Context) error {
	var req RefreshRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return server.Errorf(server.CodeInvalidRequest, "refresh_token is required")
	}

	issued, err := a.store.Rotate(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return a.refreshError(err)
	}
	// Roles come from the directory on every refresh, so a role change
	// reaches the client within one access token lifetime.
	u, ok := a.srv.Users.Lookup(issued.User)
	if !ok {
		a.srv.Metrics.Rejected("refresh_unknown_user")
		return server.Errorf(server.CodeInvalidRefresh, "invalid refresh token: log in again")
	}
	if issued.Reissued {
		a.srv.Logger.Info("rotated refresh token presented again inside the reuse interval",
			"user", issued.User, "family", issued.Family)
	}
	return a.respondTokens(c, u, issued)
}

// refreshError turns an error of Store.Rotate into a response.
func (a *app) refreshError(err error) error {
	var reuse *ReuseError
	switch {
	case errors.Is(err, ErrInvalidRefresh):
		a.srv.Metrics.Rejected("refresh_invalid")
		return server.Errorf(server.CodeInvalidRefresh, "invalid refresh token: log in again")
	case errors.As(err, &reuse):
		a.srv.Metrics.Rejected("refresh_reused")
		a.srv.Logger.Warn("rotated refresh token reused: family revoked",
			"user", reuse.User, "family", reuse.Family)
		return server.Errorf(server.CodeRefreshReused,
			"refresh token already used: every refresh token of this login is revoked, log in again")
	}
	return server.StoreUnavailable(err)
}

// respondTokens issues an access token for u and sends it with the refresh
// token in the OAuth 2.0 shape. On /refresh the token has already rotated
// when this runs. If the access token can't be signed or the response is
// lost, the client gets the same successor by presenting the previous
// refresh token again inside the reuse interval.
func (a *app) respondTokens(c echo.Context, u users.User, issued Issued) error {
	access, _, err := a.tokens.Issue(u)
	if err != nil {
		return server.Internal(err)
	}
	// RFC 6749, section 5.1: a response that carries tokens must not be
	// cached.
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, server.TokenResponse{
		AccessToken:  access,
		TokenType:    "Bearer",
		ExpiresIn:    int64(a.tokens.TTL() / time.Second),
		RefreshToken: issued.Token,
	})
}

// me returns the identity of a valid access token. It never reads Redis.
func (a *app) me(c echo.Context) error {
	claims, err := a.tokens.Authenticate(c.Request())
	if err != nil {
		a.srv.Metrics.Rejected(token.RejectReason(err))
		return err
	}
	return c.JSON(http.StatusOK, a.srv.Me(claims.Subject, claims.Roles, claims.ExpiresAt.Time))
}

// jwksMaxAge is how long a client may cache the JWKS. A verifier that caches
// the set learns of a new key up to this late, so it should fetch the set
// again when it meets an unknown kid.
const jwksMaxAge = 5 * time.Minute

func (a *app) jwks(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, fmt.Sprintf("public, max-age=%d", int(jwksMaxAge/time.Second)))
	return c.JSON(http.StatusOK, a.tokens.JWKS())
}

// acceptedUntil returns the last moment at which an access token that
// expires at exp still passes verification, which allows for the leeway.
func (a *app) acceptedUntil(exp time.Time) time.Time {
	return exp.Add(a.tokens.Leeway())
}

func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// accessTTLText describes the access token lifetime with its leeway.
func (a *app) accessTTLText() string {
	return fmt.Sprintf("ACCESS_TTL %v plus a leeway of %v", a.tokens.TTL(), a.tokens.Leeway())
}
