package hybridauth

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrFamilyNotFound is returned by Family for an id that is unknown, expired
// or revoked.
var ErrFamilyNotFound = errors.New("refresh token family not found")

// Family describes one login's chain of refresh tokens.
type Family struct {
	ID        string
	User      string
	CreatedAt time.Time
	// ExpiresAt is the expiry of the family's latest token.
	ExpiresAt time.Time
	// Tokens is the number of tokens issued in the family: 1 after login,
	// plus one for each rotation. It includes rotated tokens that expired.
	Tokens int
}

// Family returns the family with the given id. It reads the family with
// several commands, not atomically, so it suits tests and inspection, not
// decisions.
func (s *Store) Family(ctx context.Context, id string) (Family, error) {
	now, err := s.rdb.Time(ctx).Result()
	if err != nil {
		return Family{}, fmt.Errorf("read Redis time: %w", err)
	}
	fields, err := s.rdb.HGetAll(ctx, s.familyKey(id)).Result()
	if err != nil {
		return Family{}, fmt.Errorf("read refresh token family %s: %w", id, err)
	}
	created, _ := strconv.ParseInt(fields["created"], 10, 64)
	exp, _ := strconv.ParseInt(fields["exp"], 10, 64)
	if exp <= now.UnixMilli() {
		return Family{}, ErrFamilyNotFound
	}

	tokens, err := s.rdb.SCard(ctx, s.familyKey(id)+":tokens").Result()
	if err != nil {
		return Family{}, fmt.Errorf("read tokens of refresh token family %s: %w", id, err)
	}
	return Family{
		ID:        id,
		User:      fields["user"],
		CreatedAt: time.UnixMilli(created),
		ExpiresAt: time.UnixMilli(exp),
		Tokens:    int(tokens),
	}, nil
}

// Families returns the ids of the user's families that are still alive,
// skipping ids in the index whose family expired on its own. Like Family, it
// is not atomic.
func (s *Store) Families(ctx context.Context, user string) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, s.indexKey(user)).Result()
	if err != nil {
		return nil, fmt.Errorf("read refresh token families of %s: %w", user, err)
	}
	alive := ids[:0]
	for _, id := range ids {
		_, err := s.Family(ctx, id)
		if errors.Is(err, ErrFamilyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		alive = append(alive, id)
	}
	return alive, nil
}
