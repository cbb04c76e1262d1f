package token

import (
	"errors"

	"github.com/golang-jwt/jwt/v5"
)

// Errors returned by Verify and wrapped by Authenticate. Callers test them
// with errors.Is.
var (
	// ErrTokenMissing means the request carries no "Authorization: Bearer"
	// token.
	ErrTokenMissing = errors.New("missing bearer token")
	// ErrTokenMalformed means the token is not three base64url parts of JSON.
	ErrTokenMalformed = errors.New("malformed token")
	// ErrTokenExpired means exp is in the past by more than the leeway.
	ErrTokenExpired = errors.New("token expired")
	// ErrTokenInvalid means the token failed verification for any other
	// reason: a bad signature, an algorithm other than the configured one, a
	// tampered header or payload, a missing required claim (exp, iat, sub,
	// jti), or nbf or iat in the future.
	ErrTokenInvalid = errors.New("invalid token")
	// ErrUnknownKey means the token's kid is missing or names no key of the
	// Manager.
	ErrUnknownKey = errors.New("token signed by an unknown key")
	// ErrWrongIssuer means iss is not the configured issuer.
	ErrWrongIssuer = errors.New("token has the wrong issuer")
	// ErrWrongAudience means aud does not contain the configured audience.
	ErrWrongAudience = errors.New("token has the wrong audience")
)

// classify maps an error from jwt.Parser to one sentinel of this package. The
// order matters because golang-jwt joins several claim errors into one.
func classify(err error) error {
	switch {
	case errors.Is(err, ErrUnknownKey):
		return ErrUnknownKey
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ErrTokenMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return ErrTokenInvalid
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrTokenExpired
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ErrWrongIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ErrWrongAudience
	}
	return ErrTokenInvalid
}

// RejectReason returns a short label for a verification error, for the
// rejection metrics: "missing", "malformed", "expired", "unknown_key",
// "wrong_issuer", "wrong_audience" or "invalid" (ErrTokenInvalid). It
// returns "other" for an error that wraps none of this package's sentinels.
func RejectReason(err error) string {
	switch {
	case errors.Is(err, ErrTokenMissing):
		return "missing"
	case errors.Is(err, ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, ErrTokenExpired):
		return "expired"
	case errors.Is(err, ErrUnknownKey):
		return "unknown_key"
	case errors.Is(err, ErrWrongIssuer):
		return "wrong_issuer"
	case errors.Is(err, ErrWrongAudience):
		return "wrong_audience"
	case errors.Is(err, ErrTokenInvalid):
		return "invalid"
	}
	return "other"
}
