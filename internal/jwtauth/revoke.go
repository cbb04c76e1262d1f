package jwtauth

import (
	"fmt"
	"net/http"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// RevokeResponse is the body of a successful POST /admin/revoke
// (DENYLIST=on).
type RevokeResponse struct {
	User string `json:"user"`
	// RevokedBefore is the cut-off in RFC 3339 with milliseconds: every
	// token of the user issued at or before it is rejected.
	RevokedBefore string `json:"revoked_before"`
	// Scope is "all_replicas", because the cut-off is in the shared Redis.
	Scope   string `json:"scope"`
	Replica string `json:"replica"`
	Message string `json:"message"`
}

// rfc3339Milli is RFC 3339 with exactly three fraction digits.
const rfc3339Milli = "2006-01-02T15:04:05.000Z07:00"

// revoke rejects every token of a user issued up to now. Without the
// denylist it returns 501 with the time at which those tokens expire at the
// latest.
//
// The cut-off is stored in milliseconds and compared with the token's
// iat_ms claim, not with iat. iat has one-second precision, so comparing
// with it would either let a token issued earlier in the revoke's second
// through, or reject a fresh login made later in that same second.
//
// NOTE: the cut-off comes from this replica's clock and iat_ms from the
// issuing replica's clock. Replicas whose clocks differ by d can accept,
// for up to d, a token issued just before the revoke, or reject a login
// made just after it.
func (a *app) revoke(c echo.Context) error {
	user, err := a.srv.BindRevoke(c)
	if err != nil {
		return err
	}
	now := time.Now()
	if a.denylist == nil {
		return notRevocable(user, now, a.tokens.TTL(), a.tokens.Leeway())
	}
	ttl := a.tokens.TTL() + a.tokens.Leeway()
	if err := a.denylist.revokeUser(c.Request().Context(), user, now.UnixMilli(), ttl); err != nil {
		return server.StoreUnavailable(err)
	}
	cutoff := time.UnixMilli(now.UnixMilli()).UTC().Format(rfc3339Milli)
	a.srv.Logger.Info("tokens revoked", "user", user, "revoked_before", cutoff)
	return c.JSON(http.StatusOK, RevokeResponse{
		User:          user,
		RevokedBefore: cutoff,
		Scope:         "all_replicas",
		Replica:       a.srv.Config.ReplicaID,
		Message: fmt.Sprintf("every token of %s issued at or before %s is rejected on every replica, "+
			"and a new login works", user, cutoff),
	})
}

// notRevocable is the 501 of a revoke without the denylist. A token issued
// just before now expires at now+ttl at the latest, and verification still
// accepts it for the leeway after that.
func notRevocable(user string, now time.Time, ttl, leeway time.Duration) *server.Error {
	latest := now.Add(ttl).UTC().Format(time.RFC3339)
	accepted := now.Add(ttl + leeway).UTC().Format(time.RFC3339)
	return &server.Error{
		Code: server.CodeNotImplemented,
		Message: fmt.Sprintf("a stateless JWT can't be revoked before it expires: the tokens of %s stay valid "+
			"until they expire, at the latest at %s (accepted until %s with the clock-skew leeway)", user, latest, accepted),
		Detail: map[string]any{
			"user":               user,
			"revoked":            false,
			"expires_at_latest":  latest,
			"accepted_until":     accepted,
			"expires_in_at_most": int64(ttl / time.Second),
		},
	}
}
