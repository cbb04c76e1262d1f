package jwtauth

import "errors"

// Errors wrapped in the invalid_token response when the denylist rejects a
// token whose signature and claims are valid.
var (
	// ErrTokenRevoked means the token was logged out: its jti is denied.
	ErrTokenRevoked = errors.New("token revoked by logout")
	// ErrUserRevoked means an admin revoked every token of the user issued
	// at or before a cut-off time, and this token is one of them.
	ErrUserRevoked = errors.New("token revoked by an admin")
)
