package sessionauth

import (
	"fmt"
	"net/http"

	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
)

// Scopes of a revoke, sent in RevokeResponse.Scope.
const (
	// ScopeAllReplicas means that the revoke reached every replica's
	// sessions, because they share one store.
	ScopeAllReplicas = "all_replicas"
	// ScopeThisReplica means that the revoke reached only the sessions kept
	// in the memory of the replica that served it.
	ScopeThisReplica = "this_replica"
)

// RevokeResponse is the body of POST /admin/revoke.
type RevokeResponse struct {
	User string `json:"user"`
	// Revoked is the number of the user's sessions that were still valid
	// and are now destroyed.
	Revoked int    `json:"revoked_sessions"`
	Scope   string `json:"scope"`
	Replica string `json:"replica"`
	Message string `json:"message"`
	// NotRevoked names the sessions the revoke could not reach, and is empty
	// when it reached them all.
	NotRevoked string `json:"not_revoked,omitempty"`
	// IdleTimeoutSeconds and LifetimeSeconds bound how long the sessions in
	// NotRevoked stay valid. They are set only with NotRevoked, and an idle
	// timeout of 0 means that there is none.
	IdleTimeoutSeconds int64 `json:"idle_timeout_seconds,omitempty"`
	LifetimeSeconds    int64 `json:"lifetime_seconds,omitempty"`
}

// revoke destroys every session of a user that this replica's store reaches.
func (a *app) revoke(c echo.Context) error {
	user, err := a.srv.BindRevoke(c)
	if err != nil {
		return err
	}
	count, err := a.store.Revoke(c.Request().Context(), user)
	if err != nil {
		return server.StoreUnavailable(err)
	}
	resp := a.revokeResponse(user, count)
	a.srv.Logger.Info("sessions revoked", "user", user, "count", count, "scope", resp.Scope)
	return c.JSON(http.StatusOK, resp)
}

func (a *app) revokeResponse(user string, count int) RevokeResponse {
	resp := RevokeResponse{User: user, Revoked: count, Replica: a.srv.Config.ReplicaID}
	if a.cfg.Store == StoreRedis {
		resp.Scope = ScopeAllReplicas
		resp.Message = fmt.Sprintf("all sessions of %s were destroyed (%d were still valid). "+
			"Every replica rejects them from its next request.", user, count)
		return resp
	}

	resp.Scope = ScopeThisReplica
	resp.NotRevoked = "sessions of the user kept in the memory of other replicas"
	resp.IdleTimeoutSeconds = int64(a.cfg.IdleTimeout.Seconds())
	resp.LifetimeSeconds = int64(a.cfg.Lifetime.Seconds())
	until := fmt.Sprintf("their lifetime of %v after login ends", a.cfg.Lifetime)
	if a.cfg.IdleTimeout > 0 {
		until = fmt.Sprintf("they go %v without a request or their lifetime of %v after login ends",
			a.cfg.IdleTimeout, a.cfg.Lifetime)
	}
	resp.Message = fmt.Sprintf("destroyed %d sessions of %s on replica %s only. "+
		"Sessions on other replicas stay valid until %s.", count, user, a.srv.Config.ReplicaID, until)
	return resp
}
