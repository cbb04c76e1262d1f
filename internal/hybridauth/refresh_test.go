package hybridauth

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/redis/go-redis/v9"
)

// mustRedis returns a client of the test Redis and a prefix unique to the
// test.
func mustRedis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	rdb, err := redisx.Open(redistest.URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = rdb.Close() })
	return rdb, redistest.Prefix(tb)
}

func mustStore(tb testing.TB, ttl, reuse time.Duration) *Store {
	tb.Helper()
	rdb, prefix := mustRedis(tb)
	return NewStore(rdb, prefix, ttl, reuse)
}

func mustCreate(tb testing.TB, s *Store, user string) Issued {
	tb.Helper()
	iss, err := s.Create(context.Background(), user)
	if err != nil {
		tb.Fatalf("create family: %v", err)
	}
	return iss
}

func mustRotate(tb testing.TB, s *Store, raw string) Issued {
	tb.Helper()
	iss, err := s.Rotate(context.Background(), raw)
	if err != nil {
		tb.Fatalf("rotate: %v", err)
	}
	return iss
}

func assertInvalid(t *testing.T, s *Store, raw, label string) {
	t.Helper()
	if _, err := s.Rotate(context.Background(), raw); !errors.Is(err, ErrInvalidRefresh) {
		t.Errorf("rotate %s: got %v, want ErrInvalidRefresh", label, err)
	}
}

func TestStoreRotate(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	ctx := context.Background()
	first := mustCreate(t, s, "user-0002")
	if len(first.Token) != rawTokenLen {
		t.Fatalf("token length %d, want %d", len(first.Token), rawTokenLen)
	}

	second := mustRotate(t, s, first.Token)
	if second.Token == first.Token {
		t.Fatal("rotation returned the presented token")
	}
	if second.Reissued {
		t.Error("first rotation marked as reissued")
	}
	if second.Family != first.Family || second.User != "user-0002" {
		t.Errorf("rotation gave family %q user %q, want %q user-0002", second.Family, second.User, first.Family)
	}
	if !second.ExpiresAt.After(time.Now().Add(59 * time.Minute)) {
		t.Errorf("successor expires at %v, want about an hour from now", second.ExpiresAt)
	}
	third := mustRotate(t, s, second.Token)
	if third.Token == second.Token || third.Family != first.Family {
		t.Error("second rotation did not give a new token in the same family")
	}

	fam, err := s.Family(ctx, first.Family)
	if err != nil {
		t.Fatal(err)
	}
	if fam.Tokens != 3 {
		t.Errorf("family has %d tokens, want 3", fam.Tokens)
	}
	if fam.User != "user-0002" {
		t.Errorf("family user %q, want user-0002", fam.User)
	}
}

func TestStoreReuseInsideInterval(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	first := mustCreate(t, s, "user-0002")
	second := mustRotate(t, s, first.Token)

	again := mustRotate(t, s, first.Token)
	if again.Token != second.Token {
		t.Error("reuse inside the interval did not return the current successor")
	}
	if !again.Reissued {
		t.Error("reuse inside the interval not marked as reissued")
	}
	if !again.ExpiresAt.Equal(second.ExpiresAt) {
		t.Errorf("reissued expiry %v, want the successor's %v", again.ExpiresAt, second.ExpiresAt)
	}
	fam, err := s.Family(context.Background(), first.Family)
	if err != nil {
		t.Fatalf("family after reuse inside the interval: %v", err)
	}
	if fam.Tokens != 2 {
		t.Errorf("family has %d tokens, want 2", fam.Tokens)
	}
	// The successor still rotates normally.
	third := mustRotate(t, s, second.Token)
	if third.Reissued || third.Token == second.Token {
		t.Error("successor did not rotate after a reissue")
	}
}

func TestStoreReuseTwoGenerationsOld(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	first := mustCreate(t, s, "user-0002")
	second := mustRotate(t, s, first.Token)
	third := mustRotate(t, s, second.Token)

	// Inside its interval, but the family has rotated twice since, which
	// one retry or one race between two tabs does not cause.
	_, err := s.Rotate(context.Background(), first.Token)
	var reuse *ReuseError
	if !errors.As(err, &reuse) {
		t.Fatalf("reuse two generations old: got %v, want *ReuseError", err)
	}
	if reuse.Family != first.Family || reuse.User != "user-0002" {
		t.Errorf("reuse error names family %q user %q", reuse.Family, reuse.User)
	}
	assertInvalid(t, s, third.Token, "current token of revoked family")
	if _, err := s.Family(context.Background(), first.Family); !errors.Is(err, ErrFamilyNotFound) {
		t.Errorf("family after reuse: got %v, want ErrFamilyNotFound", err)
	}
}

func TestStoreReuseAfterInterval(t *testing.T) {
	s := mustStore(t, time.Hour, 100*time.Millisecond)
	first := mustCreate(t, s, "user-0002")
	second := mustRotate(t, s, first.Token)
	time.Sleep(200 * time.Millisecond)

	_, err := s.Rotate(context.Background(), first.Token)
	if !errors.Is(err, ErrRefreshReused) {
		t.Fatalf("reuse after the interval: got %v, want ErrRefreshReused", err)
	}
	assertInvalid(t, s, second.Token, "successor of revoked family")
	assertInvalid(t, s, first.Token, "reused token after revocation")
}

func TestStoreReuseIntervalZero(t *testing.T) {
	s := mustStore(t, time.Hour, 0)
	first := mustCreate(t, s, "user-0002")
	mustRotate(t, s, first.Token)
	if _, err := s.Rotate(context.Background(), first.Token); !errors.Is(err, ErrRefreshReused) {
		t.Fatalf("reuse with interval 0: got %v, want ErrRefreshReused", err)
	}
}

func TestStoreInvalidTokens(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	cases := []struct {
		name string
		raw  string
	}{
		{"empty", ""},
		{"short", "abc"},
		{"not base64url", strings.Repeat("*", rawTokenLen)},
		{"padded", newSecret()[:rawTokenLen-1] + "="},
		{"unknown", newSecret()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertInvalid(t, s, tc.raw, tc.name)
			if _, _, err := s.Revoke(context.Background(), tc.raw); !errors.Is(err, ErrInvalidRefresh) {
				t.Errorf("revoke: got %v, want ErrInvalidRefresh", err)
			}
		})
	}
}

func TestStoreExpiry(t *testing.T) {
	s := mustStore(t, 150*time.Millisecond, time.Minute)
	first := mustCreate(t, s, "user-0002")
	time.Sleep(250 * time.Millisecond)
	assertInvalid(t, s, first.Token, "expired token")
}

func TestStoreRevoke(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	ctx := context.Background()
	first := mustCreate(t, s, "user-0002")
	second := mustRotate(t, s, first.Token)
	other := mustCreate(t, s, "user-0002")

	// Logout may present any token of the family, even a rotated one.
	user, fam, err := s.Revoke(ctx, first.Token)
	if err != nil {
		t.Fatal(err)
	}
	if user != "user-0002" || fam != first.Family {
		t.Errorf("revoke returned user %q family %q", user, fam)
	}
	assertInvalid(t, s, second.Token, "current token of revoked family")
	if _, _, err := s.Revoke(ctx, second.Token); !errors.Is(err, ErrInvalidRefresh) {
		t.Errorf("second revoke: got %v, want ErrInvalidRefresh", err)
	}
	mustRotate(t, s, other.Token)

	ids, err := s.Families(ctx, "user-0002")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != other.Family {
		t.Errorf("index after revoke: %v, want only %s", ids, other.Family)
	}
}

func TestStoreRevokeUser(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	ctx := context.Background()
	a := mustCreate(t, s, "user-0002")
	b := mustCreate(t, s, "user-0002")
	b2 := mustRotate(t, s, b.Token)
	other := mustCreate(t, s, "user-0003")

	n, err := s.RevokeUser(ctx, "user-0002")
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("revoked %d families, want 2", n)
	}
	assertInvalid(t, s, a.Token, "first family")
	assertInvalid(t, s, b2.Token, "second family")
	mustRotate(t, s, other.Token)

	n, err = s.RevokeUser(ctx, "user-0002")
	if err != nil || n != 0 {
		t.Errorf("second revoke: %d families, err %v, want 0 and nil", n, err)
	}
}

func TestStoreIndexFollowsExpiry(t *testing.T) {
	rdb, prefix := mustRedis(t)
	long := NewStore(rdb, prefix, time.Hour, time.Minute)
	short := NewStore(rdb, prefix, 150*time.Millisecond, time.Minute)
	ctx := context.Background()

	live := mustCreate(t, long, "user-0002")
	expired := mustCreate(t, short, "user-0002")
	ttl := rdb.PTTL(ctx, long.indexKey("user-0002")).Val()
	if ttl < 59*time.Minute {
		t.Errorf("index TTL %v after a shorter family, want the longer family's hour", ttl)
	}

	time.Sleep(250 * time.Millisecond)
	ids, err := long.Families(ctx, "user-0002")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != live.Family {
		t.Errorf("live families %v, want only %s (expired: %s)", ids, live.Family, expired.Family)
	}
	n, err := long.RevokeUser(ctx, "user-0002")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("revoked %d families, want 1: the expired one is not counted", n)
	}
	if rdb.Exists(ctx, long.indexKey("user-0002")).Val() != 0 {
		t.Error("index still exists after revoking every family")
	}
}

func TestStoreIndexTTLGrowsWithRotation(t *testing.T) {
	rdb, prefix := mustRedis(t)
	short := NewStore(rdb, prefix, 2*time.Second, time.Minute)
	long := NewStore(rdb, prefix, time.Hour, time.Minute)
	ctx := context.Background()

	first := mustCreate(t, short, "user-0002")
	// A rotation through a store with a longer lifetime extends the family.
	mustRotate(t, long, first.Token)
	for _, key := range []string{long.indexKey("user-0002"), long.familyKey(first.Family), long.familyKey(first.Family) + ":tokens"} {
		if ttl := rdb.PTTL(ctx, key).Val(); ttl < 59*time.Minute {
			t.Errorf("TTL of %s is %v after rotation, want about an hour", strings.TrimPrefix(key, prefix), ttl)
		}
	}
}

func TestStoreKeepsNoRawToken(t *testing.T) {
	rdb, prefix := mustRedis(t)
	s := NewStore(rdb, prefix, time.Hour, time.Minute)
	ctx := context.Background()
	first := mustCreate(t, s, "user-0002")
	second := mustRotate(t, s, first.Token)

	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, key := range keys {
		dump.WriteString(key)
		dump.WriteString(rdb.Dump(ctx, key).Val())
	}
	for _, raw := range []string{first.Token, second.Token} {
		if strings.Contains(dump.String(), raw) {
			t.Errorf("Redis contains a raw refresh token")
		}
	}
}

func TestStoreConcurrentRotate(t *testing.T) {
	s := mustStore(t, time.Hour, time.Minute)
	first := mustCreate(t, s, "user-0002")
	const callers = 50
	results := make([]Issued, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { results[i], errs[i] = s.Rotate(context.Background(), first.Token) })
	}
	wg.Wait()

	created := 0
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !results[i].Reissued {
			created++
		}
		if results[i].Token != results[0].Token {
			t.Errorf("caller %d got a different successor", i)
		}
	}
	if created != 1 {
		t.Errorf("%d callers created a successor, want 1", created)
	}
}

func TestSealSuccessor(t *testing.T) {
	token, _ := decodeToken(newSecret())
	other, _ := decodeToken(newSecret())
	successor := newSecret()
	sealed, err := sealSuccessor(token, successor)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, successor) {
		t.Error("sealed value contains the successor")
	}
	got, err := openSuccessor(token, sealed)
	if err != nil || got != successor {
		t.Errorf("open with the sealing token: %q, %v", got, err)
	}
	if _, err := openSuccessor(other, sealed); err == nil {
		t.Error("another token opened the sealed successor")
	}
}

func BenchmarkStoreRotate(b *testing.B) {
	s := mustStore(b, time.Hour, 10*time.Second)
	raw := mustCreate(b, s, "user-0002").Token
	for b.Loop() {
		raw = mustRotate(b, s, raw).Token
	}
}

// The lab falls back on miniredis when redis-server is missing, and
// miniredis expires keys only when its clock is moved forward by hand.
func TestStoreOnMiniredis(t *testing.T) {
	local, err := redisx.StartLocal(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Stop() })
	rdb, err := redisx.Open(local.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	long := NewStore(rdb, "mini:", time.Hour, 100*time.Millisecond)
	short := NewStore(rdb, "mini:", 100*time.Millisecond, 50*time.Millisecond)
	ctx := context.Background()

	first := mustCreate(t, long, "user-0002")
	second := mustRotate(t, long, first.Token)
	if again := mustRotate(t, long, first.Token); again.Token != second.Token {
		t.Error("reuse inside the interval did not return the successor")
	}
	expiring := mustCreate(t, short, "user-0002")
	time.Sleep(200 * time.Millisecond)

	assertInvalid(t, long, expiring.Token, "expired token")
	if _, err := long.Rotate(ctx, first.Token); !errors.Is(err, ErrRefreshReused) {
		t.Errorf("reuse after the interval: got %v, want ErrRefreshReused", err)
	}
	assertInvalid(t, long, second.Token, "successor of revoked family")
	other := mustCreate(t, long, "user-0002")
	n, err := long.RevokeUser(ctx, "user-0002")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("revoked %d families, want 1: the expired one is not counted", n)
	}
	assertInvalid(t, long, other.Token, "token of revoked user")
}
