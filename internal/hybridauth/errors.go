package hybridauth

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidRefresh is returned for a refresh token that is malformed,
	// unknown, expired or revoked. The four cases are not distinguished.
	ErrInvalidRefresh = errors.New("invalid refresh token")

	// ErrRefreshReused is matched by the *ReuseError returned when a rotated
	// refresh token is presented outside the reuse interval.
	ErrRefreshReused = errors.New("refresh token reused")
)

// ReuseError reports the reuse of a rotated refresh token. The store has
// revoked the token's family by the time the error is returned.
type ReuseError struct {
	User   string
	Family string
}

func (e *ReuseError) Error() string {
	return fmt.Sprintf("refresh token of family %s reused: family revoked", e.Family)
}

// Is reports whether target is ErrRefreshReused.
func (e *ReuseError) Is(target error) bool { return target == ErrRefreshReused }
