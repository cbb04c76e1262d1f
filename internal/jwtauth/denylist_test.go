package jwtauth

import (
	"errors"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/token"
	"github.com/golang-jwt/jwt/v5"
)

// TestDenylistCutoffMilliseconds pins the comparison of iat_ms with the
// revoke cut-off, inside one second, where iat alone can't decide.
func TestDenylistCutoffMilliseconds(t *testing.T) {
	client, err := redisx.Open(redistest.URL(t))
	if err != nil {
		t.Fatalf("open redis: %v", err)
	}
	t.Cleanup(func() { client.Close() })
	d := &denylist{client: client, prefix: redistest.Prefix(t)}

	second := time.Now().Truncate(time.Second)
	cutoff := second.Add(500 * time.Millisecond).UnixMilli()
	if err := d.revokeUser(t.Context(), alice, cutoff, time.Minute); err != nil {
		t.Fatalf("revokeUser: %v", err)
	}
	claimsAt := func(user string, iatMs int64) *token.Claims {
		return &token.Claims{
			RegisteredClaims: jwt.RegisteredClaims{Subject: user, ID: "jti-" + user,
				IssuedAt: jwt.NewNumericDate(time.UnixMilli(iatMs))},
			IssuedAtMilli: iatMs,
		}
	}
	noMilli := claimsAt(alice, cutoff+100)
	noMilli.IssuedAtMilli = 0

	tests := []struct {
		name   string
		claims *token.Claims
		want   error
	}{
		{"issued 1ms before", claimsAt(alice, cutoff-1), ErrUserRevoked},
		{"issued at the cut-off", claimsAt(alice, cutoff), ErrUserRevoked},
		{"issued 1ms after", claimsAt(alice, cutoff+1), nil},
		{"iat only, same second", noMilli, ErrUserRevoked},
		{"other user", claimsAt(bob, cutoff-1), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.check(t.Context(), tc.claims); !errors.Is(err, tc.want) {
				t.Errorf("check = %v, want %v", err, tc.want)
			}
		})
	}
}
