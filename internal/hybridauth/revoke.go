package hybridauth

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// LogoutResponse is the body of POST /logout.
type LogoutResponse struct {
	// Revoked is true when the refresh token named a family that was still
	// alive and is now revoked.
	Revoked bool   `json:"revoked"`
	Message string `json:"message"`
	// AccessTokenValidUntil is when the access tokens of the login stop being
	// accepted, in RFC 3339. With a valid bearer token in the request it is
	// that token's exp plus the leeway. Without one it is the latest time
	// any access token issued before the logout can reach.
	AccessTokenValidUntil string `json:"access_token_valid_until"`
}

// logout revokes the family of the refresh token in the body. The access
// token stays valid until it expires.
//
// NOTE: the refresh token is required. An access token carries no family
// id, and finding its family would take a lookup that /api/me is designed
// to avoid, so a bearer token alone can't end a login. When a valid bearer
// token comes along, the response gives its expiry.
func (a *app) logout(c echo.Context) error {
	var req RefreshRequest
	if err := server.BindJSON(c, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return server.Errorf(server.CodeInvalidRequest,
			"refresh_token is required: an access token alone can't end a login, it expires on its own")
	}

	user, family, err := a.store.Revoke(c.Request().Context(), req.RefreshToken)
	if err != nil && !errors.Is(err, ErrInvalidRefresh) {
		return server.StoreUnavailable(err)
	}
	// RFC 7009, section 2.2: revoking an invalid token is not an error,
	// because the client's goal (the token no longer works) is met.
	revoked := err == nil
	if revoked {
		a.srv.Logger.Info("refresh token family revoked by logout", "user", user, "family", family)
	}
	return c.JSON(http.StatusOK, a.logoutResponse(c, revoked))
}

func (a *app) logoutResponse(c echo.Context, revoked bool) LogoutResponse {
	until := a.acceptedUntil(time.Now().Add(a.tokens.TTL()))
	validity := "access tokens already issued to this login stay valid until they expire, at the latest " +
		formatTime(until) + " (" + a.accessTTLText() + ")"
	if _, sent := server.BearerToken(c.Request()); sent {
		if claims, err := a.tokens.Authenticate(c.Request()); err == nil {
			until = a.acceptedUntil(claims.ExpiresAt.Time)
			validity = "the access token sent with this request stays valid until " + formatTime(until) +
				" (its exp plus the leeway)"
		}
	}
	msg := "the refresh tokens of this login are revoked; " + validity
	if !revoked {
		msg = "the refresh token was unknown, expired or already revoked; " + validity
	}
	return LogoutResponse{Revoked: revoked, Message: msg, AccessTokenValidUntil: formatTime(until)}
}

// RevokeResponse is the body of POST /admin/revoke.
type RevokeResponse struct {
	User string `json:"user"`
	// Revoked is the number of the user's families (one a login) that were
	// still alive and are now revoked.
	Revoked int    `json:"revoked_families"`
	Replica string `json:"replica"`
	Message string `json:"message"`
	// NotRevoked names the credentials the revoke could not reach.
	NotRevoked string `json:"not_revoked"`
	// AccessTokensValidUntil is the latest time at which an access token
	// issued before the revoke is still accepted, in RFC 3339.
	AccessTokensValidUntil string `json:"access_tokens_valid_until"`
	// AccessTTLSeconds is ACCESS_TTL, the lifetime of an access token.
	AccessTTLSeconds int64 `json:"access_ttl_seconds"`
}

// revoke revokes every family of a user. Access tokens already issued stay
// valid until they expire.
func (a *app) revoke(c echo.Context) error {
	user, err := a.srv.BindRevoke(c)
	if err != nil {
		return err
	}
	count, err := a.store.RevokeUser(c.Request().Context(), user)
	if err != nil {
		return server.StoreUnavailable(err)
	}

	until := formatTime(a.acceptedUntil(time.Now().Add(a.tokens.TTL())))
	a.srv.Logger.Info("refresh token families revoked", "user", user, "count", count)
	return c.JSON(http.StatusOK, RevokeResponse{
		User:    user,
		Revoked: count,
		Replica: a.srv.Config.ReplicaID,
		Message: fmt.Sprintf("revoked %d refresh token families of %s: no refresh works from now on; "+
			"access tokens already issued stay valid until they expire, at the latest %s (%s)",
			count, user, until, a.accessTTLText()),
		NotRevoked:             "access tokens already issued, which are verified without a lookup",
		AccessTokensValidUntil: until,
		AccessTTLSeconds:       int64(a.tokens.TTL() / time.Second),
	})
}
