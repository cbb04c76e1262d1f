// Package token issues and verifies the signed JWTs of jwtapp and hybrid
// (golang-jwt v5).
//
// A Manager signs with one current key and verifies with the current key and
// an optional previous one, so a key can be rotated without logging anyone
// out: tokens of the previous key keep working until they expire. Every key
// has a kid derived from the key itself (the RFC 7638 JWK thumbprint for
// public keys), so replicas that load the same key file put the same kid in
// their tokens and accept each other's tokens. JWKS publishes the public keys.
//
// Verification accepts only the configured algorithm, requires exp, checks
// iss and aud with a small leeway for clock skew, and takes the key only from
// the Manager's own key set by kid. It never reads a key or a key URL from
// the token (the jwk, jku and x5u headers are ignored).
//
// NOTE: a JWT payload is only base64url-encoded, not encrypted: anyone who
// holds a token can read its claims. Tokens carry only iss, aud, sub, iat,
// nbf, exp, jti, roles and iat_ms, and no claim may ever hold a secret.
//
// NOTE: a token stays valid until exp whatever the server does. Ending a
// token early takes server-side state (a denylist), which jwtauth adds with
// DENYLIST=on.
package token
