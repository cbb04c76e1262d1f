// Package hybridauth is the hybrid app: a short-lived JWT access token,
// verified without any lookup, and an opaque refresh token kept in Redis that
// rotates on every use.
//
// POST /login returns both tokens and starts a family: the chain of refresh
// tokens of one login. POST /refresh exchanges a refresh token for a new
// access token and the next refresh token of the family, in one Lua script,
// so of any number of concurrent refreshes with the same token exactly one
// rotates it. GET /api/me checks only the access token's signature and
// claims and never reads Redis.
//
// A refresh token is 256 random bits, base64url encoded. Redis keeps only its
// SHA-256 hash, with the user, the family, the expiry (REFRESH_TTL after
// issue), the state (current or rotated), the successor's hash and the time
// of rotation. Each user has an index of families, used by /admin/revoke.
// Every rotation gives the new token a full REFRESH_TTL, so a login ends
// only when its client stops refreshing for that long, or on logout or
// revocation: there is no absolute lifetime. A rotated token's record stays
// until its own expiry, so that its reuse is detected for as long as it
// could have been valid, which costs one small hash in Redis a refresh.
//
// Presenting a rotated refresh token means either an honest race (two tabs,
// a retried request whose response was lost) or a stolen token. For
// REFRESH_REUSE_INTERVAL after a rotation the rotated token returns the same
// successor again, as long as that successor is still the family's current
// token. Any other reuse revokes the whole family, so a thief and the victim
// can't both keep refreshing: the next refresh of either fails and the user
// logs in again.
//
// NOTE: the server keeps only hashes, so it can hand back the successor only
// if it can recover the successor's raw value. The rotation stores the
// successor encrypted with AES-256-GCM under a key derived (HKDF-SHA256)
// from the rotated token, in a key that expires with the reuse interval.
// Only a holder of the rotated token can open it, and such a holder gets the
// successor by presenting that token anyway, so a copy of Redis gives no
// usable token. Storing the raw successor for the interval instead would be
// simpler, but anyone who reads Redis in that interval could then take over
// the login.
//
// NOTE: an access token can't be revoked before it expires. Logout and
// /admin/revoke end the refresh tokens at once, but access tokens already
// issued stay valid for at most ACCESS_TTL (default 10m) plus the
// verification leeway (JWT_LEEWAY, default 30s). The responses give that
// time. That window is the price of an /api/me that does not touch Redis,
// and it is why the app keeps working for logged-in users while Redis is
// down, when /login and /refresh return 503.
package hybridauth
