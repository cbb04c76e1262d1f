// Package sessionauth is the sessions app: server-side sessions with
// alexedwards/scs v2 behind an opaque cookie.
//
// At login the app checks the password and gives the client a new random
// session token of 32 bytes from crypto/rand, so an id set on a victim before
// login (session fixation) never becomes a logged-in one. The store keeps the
// user name under the token's SHA-256 hash. The cookie carries only the token. Every request to /api/me reads
// the session from the store and writes it back with a new idle expiry.
//
// Two stores, chosen by SESSION_STORE:
//   - memory: each replica keeps its own sessions, so the load balancer must
//     pin a client to one replica (sessions-sticky). A replica that restarts
//     or dies loses its sessions, and an admin revoke reaches only the
//     sessions of the replica that serves it. The others stay valid until
//     the idle timeout or the lifetime ends them, and the revoke response
//     states this and gives both durations.
//   - redis: every replica shares one Redis (sessions-redis), so any
//     replica accepts any cookie and a revoke reaches every session. Each
//     request costs a Redis read and a write, and while Redis is down,
//     login and /api/me return 503 store_unavailable.
//
// A session ends after SESSION_IDLE_TIMEOUT without a request (default 30m),
// SESSION_LIFETIME after login whatever its activity (default 12h), at
// logout, or at an admin revoke. Each store keeps a per-user index of its
// sessions for the revoke. The cookie is HttpOnly, SameSite=Lax, Path=/ and
// Secure unless COOKIE_SECURE=false. Login and logout reject cross-site
// requests, as the comment on sameOrigin in csrf.go describes.
//
// Limits: the revoke of a memory store can't reach other replicas, which is
// the cost of keeping no shared state. Every request reads the store, which
// is the cost of revocation that takes effect on the next request.
package sessionauth
