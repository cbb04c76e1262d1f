package sessionauth

import (
	"context"
	"errors"
	"time"

	"github.com/alexedwards/scs/v2"
)

// errSessionEnded is returned by a store's CommitCtx when the session it
// should extend no longer exists, because it was revoked, logged out or
// expired while the request was running. Writing it anyway would bring a
// revoked session back.
var errSessionEnded = errors.New("session ended while the request was running")

// indexedStore is an scs store that also keeps, for every user, the set of
// their session tokens, so that Revoke can end them all.
//
// scs passes the request context to CommitCtx and DeleteCtx. The handlers
// put the user into it with withSessionUser when the call starts or ends a
// logged-in session:
//   - CommitCtx with a user stores a new session and adds it to the user's
//     index, as at login.
//   - CommitCtx without a user extends an existing session only, and returns
//     errSessionEnded when it is gone.
//   - DeleteCtx deletes the session and, when ctx names the user, removes the
//     token from the index.
//
// scs hashes tokens before it calls the store (HashTokenInStore), so the
// store and its index hold SHA-256 hashes, never a cookie value.
type indexedStore interface {
	scs.CtxStore
	// Revoke deletes every session of user that the store reaches and
	// returns how many were still valid.
	Revoke(ctx context.Context, user string) (int, error)
}

type sessionUserKey struct{}

// withSessionUser marks ctx so that the store's next CommitCtx or DeleteCtx
// updates the index of user.
func withSessionUser(ctx context.Context, user string) context.Context {
	return context.WithValue(ctx, sessionUserKey{}, user)
}

func sessionUser(ctx context.Context) string {
	user, _ := ctx.Value(sessionUserKey{}).(string)
	return user
}

// msUntil returns the time from now to t in whole milliseconds, at least 1,
// because Redis rejects a zero or negative PX.
func msUntil(t time.Time) int64 {
	ms := time.Until(t).Milliseconds()
	if ms < 1 {
		return 1
	}
	return ms
}
