// Package jwtauth is the jwtapp app: login returns a signed JWT (see package
// token) that every replica verifies on its own, with no shared state.
//
// With DENYLIST=off (the jwt system) nothing is stored on the server, so
// logout and an admin revoke cannot end a token before its exp: the
// responses state this and give the time at which the token stops working.
//
// With DENYLIST=on (the jwt-denylist system) logout writes the token's jti to
// Redis and an admin revoke writes a per-user cut-off time. Every
// authenticated request then reads both keys in one Redis round trip. That
// brings back the per-request store lookup that stateless tokens were meant
// to remove, and a Redis outage rejects every request with 503
// store_unavailable rather than accept tokens it cannot check.
package jwtauth
