package jwtauth

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/authlab/authlab/internal/token"
	"github.com/redis/go-redis/v9"
)

// denylist keeps the revoked tokens in Redis. Both keys of a user carry the
// user name in braces, a Redis Cluster hash tag, so the single MGET of check
// stays valid on a cluster. It is safe for concurrent use.
type denylist struct {
	client *redis.Client
	prefix string
}

// tokenKey is set while a logged-out token would still be accepted.
func (d *denylist) tokenKey(user, jti string) string {
	return d.prefix + "{" + user + "}:denied-jti:" + jti
}

// userKey holds the revoke cut-off of a user in Unix milliseconds.
func (d *denylist) userKey(user string) string {
	return d.prefix + "{" + user + "}:revoked-before"
}

// check reads both keys of the token in one round trip. It returns
// ErrTokenRevoked, ErrUserRevoked, or a wrapped Redis error.
func (d *denylist) check(ctx context.Context, claims *token.Claims) error {
	user := claims.Subject
	values, err := d.client.MGet(ctx, d.tokenKey(user, claims.ID), d.userKey(user)).Result()
	if err != nil {
		return fmt.Errorf("read denylist: %w", err)
	}
	if values[0] != nil {
		return ErrTokenRevoked
	}
	if values[1] == nil {
		return nil
	}
	cutoff, err := strconv.ParseInt(fmt.Sprint(values[1]), 10, 64)
	if err != nil {
		return fmt.Errorf("read denylist: invalid cut-off %q for %s: %w", values[1], user, err)
	}
	// A token issued in the same millisecond as the revoke counts as
	// issued before it.
	if claims.IssuedAtMs() <= cutoff {
		return ErrUserRevoked
	}
	return nil
}

// denyToken stores the token's jti until it would no longer be accepted
// anyway: its exp plus the verification leeway.
func (d *denylist) denyToken(ctx context.Context, claims *token.Claims, leeway time.Duration) error {
	ttl := max(time.Until(claims.ExpiresAt.Time)+leeway, time.Millisecond)
	err := d.client.Set(ctx, d.tokenKey(claims.Subject, claims.ID), "1", ttl).Err()
	if err != nil {
		return fmt.Errorf("deny token: %w", err)
	}
	return nil
}

// revokeUser stores cutoff (Unix milliseconds) as the user's revoke time for
// ttl, the longest time a token issued before it is still accepted.
func (d *denylist) revokeUser(ctx context.Context, user string, cutoff int64, ttl time.Duration) error {
	err := d.client.Set(ctx, d.userKey(user), cutoff, ttl).Err()
	if err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", user, err)
	}
	return nil
}
