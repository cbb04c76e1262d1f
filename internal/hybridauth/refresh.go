package hybridauth

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

var (
	//go:embed lua/common.lua
	luaCommon string
	//go:embed lua/create.lua
	luaCreate string
	//go:embed lua/rotate.lua
	luaRotate string
	//go:embed lua/revoke_token.lua
	luaRevokeToken string
	//go:embed lua/revoke_user.lua
	luaRevokeUser string
)

// The scripts run with EVALSHA, falling back to EVAL once after a Redis
// restart. Redis runs each one atomically, so no other command can read a
// half-done change.
var (
	createScript      = redis.NewScript(luaCommon + luaCreate)
	rotateScript      = redis.NewScript(luaCommon + luaRotate)
	revokeTokenScript = redis.NewScript(luaCommon + luaRevokeToken)
	revokeUserScript  = redis.NewScript(luaCommon + luaRevokeUser)
)

// Store keeps refresh-token families in Redis: every token stored as its
// SHA-256 hash with its user, family, expiry and rotation state, and an
// index of each user's families. It is safe for concurrent use.
//
// NOTE: the rotation and revocation scripts build family and index keys from
// values they read, so they don't declare every key they touch, which Redis
// Cluster requires. The store works with a single Redis server (or a
// primary with replicas) only.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
	reuse  time.Duration
}

// NewStore returns a store that keeps its keys under prefix. Each token
// expires ttl after it is issued, and a rotated token returns its successor
// again for reuseInterval after its rotation. Both are rounded down to whole
// milliseconds. ttl must be at least a millisecond.
func NewStore(rdb redis.UniversalClient, prefix string, ttl, reuseInterval time.Duration) *Store {
	return &Store{rdb: rdb, prefix: prefix, ttl: ttl, reuse: reuseInterval}
}

// Issued is a refresh token handed to a client.
type Issued struct {
	// Token is the raw refresh token. The store keeps only its hash.
	Token     string
	User      string
	Family    string
	ExpiresAt time.Time
	// Reissued is true when Rotate returned, inside the reuse interval, the
	// successor that an earlier call with the same token had already issued.
	Reissued bool
}

// Create starts a new family for user and returns its first token.
func (s *Store) Create(ctx context.Context, user string) (Issued, error) {
	raw, fam := newSecret(), newSecret()
	token, _ := decodeToken(raw)
	hash := hashToken(token)
	keys := []string{s.tokenKey(hash), s.familyKey(fam), s.familyKey(fam) + ":tokens", s.indexKey(user)}
	exp, err := createScript.Run(ctx, s.rdb, keys, user, fam, hash, s.ttl.Milliseconds()).Int64()
	if err != nil {
		return Issued{}, fmt.Errorf("create refresh token family: %w", err)
	}
	return Issued{Token: raw, User: user, Family: fam, ExpiresAt: time.UnixMilli(exp)}, nil
}

// Rotate exchanges raw for its successor in one atomic step, so of any
// number of concurrent calls with the same token exactly one creates the
// successor. The others, and any later call inside the reuse interval, get
// that same successor back while it is still the family's current token.
//
// Rotate returns ErrInvalidRefresh for a malformed, unknown, expired or
// revoked token. It returns a *ReuseError, which matches ErrRefreshReused,
// for any other presentation of a rotated token, after revoking the family.
// Any other error comes from Redis.
func (s *Store) Rotate(ctx context.Context, raw string) (Issued, error) {
	token, err := decodeToken(raw)
	if err != nil {
		return Issued{}, err
	}
	hash := hashToken(token)
	successor := newSecret()
	sealed, err := sealSuccessor(token, successor)
	if err != nil {
		return Issued{}, err
	}
	next, _ := decodeToken(successor)
	keys := []string{s.tokenKey(hash), s.tokenKey(hash) + ":next", s.tokenKey(hashToken(next))}
	reply, err := rotateScript.Run(ctx, s.rdb, keys,
		s.prefix, hashToken(next), sealed, s.ttl.Milliseconds(), s.reuse.Milliseconds()).Slice()
	if err != nil {
		return Issued{}, fmt.Errorf("rotate refresh token: %w", err)
	}
	return s.rotateResult(token, successor, reply)
}

// rotateResult turns the reply of the rotate script into a result.
func (s *Store) rotateResult(token []byte, successor string, reply []any) (Issued, error) {
	fields := make([]string, 0, len(reply))
	var exp int64
	for _, v := range reply {
		switch v := v.(type) {
		case string:
			fields = append(fields, v)
		case int64:
			exp = v
		}
	}
	if len(fields) == 0 {
		return Issued{}, fmt.Errorf("rotate refresh token: empty script reply")
	}
	switch {
	case fields[0] == "invalid":
		return Issued{}, ErrInvalidRefresh
	case fields[0] == "reused" && len(fields) == 3:
		return Issued{}, &ReuseError{User: fields[1], Family: fields[2]}
	case fields[0] == "rotated" && len(fields) == 3:
		return Issued{Token: successor, User: fields[1], Family: fields[2], ExpiresAt: time.UnixMilli(exp)}, nil
	case fields[0] == "reissued" && len(fields) == 4:
		current, err := openSuccessor(token, fields[3])
		if err != nil {
			return Issued{}, fmt.Errorf("reissue refresh token of family %s: %w", fields[2], err)
		}
		return Issued{Token: current, User: fields[1], Family: fields[2], ExpiresAt: time.UnixMilli(exp), Reissued: true}, nil
	}
	return Issued{}, fmt.Errorf("rotate refresh token: unexpected script reply %q", fields[0])
}

// Revoke revokes the family of raw, whatever the token's state, and returns
// the family's user and id. It returns ErrInvalidRefresh when the token is
// malformed or unknown, which includes a token whose family is already
// revoked or expired.
func (s *Store) Revoke(ctx context.Context, raw string) (user, family string, err error) {
	token, err := decodeToken(raw)
	if err != nil {
		return "", "", err
	}
	keys := []string{s.tokenKey(hashToken(token))}
	reply, err := revokeTokenScript.Run(ctx, s.rdb, keys, s.prefix).StringSlice()
	if err != nil {
		return "", "", fmt.Errorf("revoke refresh token family: %w", err)
	}
	if len(reply) != 2 {
		return "", "", ErrInvalidRefresh
	}
	return reply[0], reply[1], nil
}

// RevokeUser revokes every family of user and returns how many were still
// alive.
func (s *Store) RevokeUser(ctx context.Context, user string) (int, error) {
	n, err := revokeUserScript.Run(ctx, s.rdb, []string{s.indexKey(user)}, s.prefix, user).Int()
	if err != nil {
		return 0, fmt.Errorf("revoke refresh token families of %s: %w", user, err)
	}
	return n, nil
}

// Ping returns nil when Redis responds.
func (s *Store) Ping(ctx context.Context) error {
	return s.rdb.Ping(ctx).Err()
}

func (s *Store) tokenKey(hash string) string { return s.prefix + "rt:" + hash }
func (s *Store) familyKey(id string) string  { return s.prefix + "fam:" + id }
func (s *Store) indexKey(user string) string { return s.prefix + "user:" + user + ":fams" }
