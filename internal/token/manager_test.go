package token

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/users"
	"github.com/golang-jwt/jwt/v5"
)

var (
	testUser    = users.User{Name: "user-0002", Roles: []string{"user"}}
	testSecret  = []byte("0123456789abcdef0123456789abcdef")
	otherSecret = []byte("fedcba9876543210fedcba9876543210")
	allAlgs     = []string{AlgEdDSA, AlgES256, AlgRS256, AlgHS256}
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// mustKeyFile writes a new key for alg in a temporary folder.
func mustKeyFile(tb testing.TB, alg string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "jwt.pem")
	if err := GenerateKeyFile(alg, path); err != nil {
		tb.Fatalf("GenerateKeyFile(%s): %v", alg, err)
	}
	return path
}

// baseConfig returns a Config for alg with a fresh key file or the test
// secret.
func baseConfig(tb testing.TB, alg string) Config {
	tb.Helper()
	cfg := Config{Alg: alg, TTL: 10 * time.Minute, Leeway: 30 * time.Second}
	if alg == AlgHS256 {
		cfg.Secret = testSecret
	} else {
		cfg.KeyFile = mustKeyFile(tb, alg)
	}
	return cfg
}

func mustManager(tb testing.TB, cfg Config) *Manager {
	tb.Helper()
	m, err := NewManager(cfg, discard())
	if err != nil {
		tb.Fatalf("NewManager: %v", err)
	}
	return m
}

func mustIssue(tb testing.TB, m *Manager) string {
	tb.Helper()
	raw, _, err := m.Issue(testUser)
	if err != nil {
		tb.Fatalf("Issue: %v", err)
	}
	return raw
}

// mustSign signs claims with method and key, putting kid in the header when
// it is not empty.
func mustSign(tb testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	raw, err := t.SignedString(key)
	if err != nil {
		tb.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return raw
}

// validClaims returns claims that m accepts.
func validClaims(m *Manager) *Claims {
	now := time.Now()
	return &Claims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer: m.cfg.Issuer, Audience: jwt.ClaimStrings{m.cfg.Audience}, Subject: testUser.Name,
		ID: "jti-1", IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
	}}
}

// publicKeyPEM returns the PKIX PEM of m's public key, the bytes an attacker
// would try as an HMAC secret.
func publicKeyPEM(tb testing.TB, m *Manager) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(m.current.verify)
	if err != nil {
		tb.Fatalf("marshal public key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// otherSigningKey returns a key of m's algorithm that m does not know.
func otherSigningKey(tb testing.TB, m *Manager) any {
	tb.Helper()
	if m.cfg.Alg == AlgHS256 {
		return otherSecret
	}
	k, err := loadKeyFile(m.cfg.Alg, mustKeyFile(tb, m.cfg.Alg))
	if err != nil {
		tb.Fatalf("load other key: %v", err)
	}
	return k.sign
}

// tamperPayload replaces the payload of raw with one that makes the holder
// an admin, keeping the header and the signature.
func tamperPayload(tb testing.TB, raw string) string {
	tb.Helper()
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatalf("decode payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		tb.Fatalf("unmarshal payload: %v", err)
	}
	claims["sub"] = "user-0001"
	claims["roles"] = []string{"user", "admin"}
	changed, _ := json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(changed)
	return strings.Join(parts, ".")
}

func TestRoundTrip(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			m := mustManager(t, baseConfig(t, alg))
			raw, issued, err := m.Issue(testUser)
			if err != nil {
				t.Fatalf("Issue: %v", err)
			}
			got, err := m.Verify(raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Subject != testUser.Name {
				t.Errorf("sub = %q, want %q", got.Subject, testUser.Name)
			}
			if strings.Join(got.Roles, ",") != "user" {
				t.Errorf("roles = %v, want [user]", got.Roles)
			}
			if got.Issuer != DefaultIssuer {
				t.Errorf("iss = %q, want %q", got.Issuer, DefaultIssuer)
			}
			if len(got.Audience) != 1 || got.Audience[0] != DefaultAudience {
				t.Errorf("aud = %v, want [%s]", got.Audience, DefaultAudience)
			}
			if got.ID != issued.ID || len(got.ID) != 22 {
				t.Errorf("jti = %q, want %q of 22 characters (128 bits)", got.ID, issued.ID)
			}
			if life := got.ExpiresAt.Sub(got.IssuedAt.Time); life != m.TTL() {
				t.Errorf("exp - iat = %v, want %v", life, m.TTL())
			}
			if got.IssuedAtMs()/1000 != got.IssuedAt.Unix() {
				t.Errorf("iat_ms = %d, not in the iat second %d", got.IssuedAtMs(), got.IssuedAt.Unix())
			}
			if kid := headerKid(t, raw); kid != m.KeyID() {
				t.Errorf("header kid = %q, want %q", kid, m.KeyID())
			}
		})
	}
}

func headerKid(tb testing.TB, raw string) string {
	tb.Helper()
	t, _, err := jwt.NewParser().ParseUnverified(raw, &Claims{})
	if err != nil {
		tb.Fatalf("parse header: %v", err)
	}
	kid, _ := t.Header["kid"].(string)
	return kid
}

type badToken struct {
	name string
	raw  string
	want error // nil when the token must be accepted
}

// badTokens returns the tokens that m must reject, and two it must accept.
func badTokens(t *testing.T, m *Manager) []badToken {
	cfg := m.cfg
	at := func(offset time.Duration) Config {
		c := cfg
		c.Now = func() time.Time { return time.Now().Add(offset) }
		return c
	}
	wrongIss, wrongAud := cfg, cfg
	wrongIss.Issuer = "someone-else"
	wrongAud.Audience = "another-api"
	noExp := validClaims(m)
	noExp.ExpiresAt = nil
	good := mustIssue(t, m)

	cases := []badToken{
		{"valid", good, nil},
		{"expired within leeway", mustIssue(t, mustManager(t, at(-cfg.TTL-cfg.Leeway/2))), nil},
		{"expired beyond leeway", mustIssue(t, mustManager(t, at(-cfg.TTL-cfg.Leeway-time.Second))), ErrTokenExpired},
		{"issued in the future", mustIssue(t, mustManager(t, at(time.Hour))), ErrTokenInvalid},
		{"alg none", mustSign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, m.KeyID(), validClaims(m)), ErrTokenInvalid},
		{"wrong issuer", mustIssue(t, mustManager(t, wrongIss)), ErrWrongIssuer},
		{"wrong audience", mustIssue(t, mustManager(t, wrongAud)), ErrWrongAudience},
		{"unknown kid", mustSign(t, m.method, m.current.sign, "no-such-key", validClaims(m)), ErrUnknownKey},
		{"missing kid", mustSign(t, m.method, m.current.sign, "", validClaims(m)), ErrUnknownKey},
		{"missing exp", mustSign(t, m.method, m.current.sign, m.KeyID(), noExp), ErrTokenInvalid},
		{"other key with same kid", mustSign(t, m.method, otherSigningKey(t, m), m.KeyID(), validClaims(m)), ErrTokenInvalid},
		{"tampered payload", tamperPayload(t, good), ErrTokenInvalid},
		{"empty", "", ErrTokenMalformed},
		{"two parts", "eyJhbGciOiJFZERTQSJ9.e30", ErrTokenMalformed},
		{"four parts", good + ".AAAA", ErrTokenMalformed},
		{"bad base64 header", "!!!." + strings.SplitN(good, ".", 2)[1], ErrTokenMalformed},
		{"non-canonical base64 signature", flipUnusedBit(good), ErrTokenMalformed},
		{"header not JSON", "bm90IGpzb24." + strings.SplitN(good, ".", 2)[1], ErrTokenMalformed},
	}
	if cfg.Alg != AlgHS256 {
		cases = append(cases, badToken{"HS256 signed with the public key",
			mustSign(t, jwt.SigningMethodHS256, publicKeyPEM(t, m), m.KeyID(), validClaims(m)), ErrTokenInvalid})
	}
	return cases
}

// flipUnusedBit changes the last character of raw's signature in a bit that
// base64 decoding drops, so only strict decoding tells the two apart. Every
// signature length here leaves at least two unused bits.
func flipUnusedBit(raw string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, raw[len(raw)-1])
	return raw[:len(raw)-1] + string(alphabet[last^1])
}

func TestVerifyRejectsBadTokens(t *testing.T) {
	for _, alg := range allAlgs {
		m := mustManager(t, baseConfig(t, alg))
		for _, tc := range badTokens(t, m) {
			t.Run(alg+"/"+tc.name, func(t *testing.T) {
				claims, err := m.Verify(tc.raw)
				if tc.want == nil {
					if err != nil {
						t.Fatalf("Verify: %v, want the token accepted", err)
					}
					return
				}
				if !errors.Is(err, tc.want) {
					t.Fatalf("Verify error = %v, want %v", err, tc.want)
				}
				if claims != nil {
					t.Errorf("Verify returned claims %+v with an error", claims)
				}
			})
		}
	}
}

func TestRotation(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			oldCfg := baseConfig(t, alg)
			oldManager := mustManager(t, oldCfg)
			oldToken := mustIssue(t, oldManager)

			newCfg := baseConfig(t, alg)
			if alg == AlgHS256 {
				newCfg.Secret, newCfg.PreviousSecret = otherSecret, oldCfg.Secret
			} else {
				newCfg.PreviousKeyFile = oldCfg.KeyFile
			}
			rotated := mustManager(t, newCfg)
			if _, err := rotated.Verify(oldToken); err != nil {
				t.Errorf("token of the previous key rejected: %v", err)
			}
			kid := headerKid(t, mustIssue(t, rotated))
			if kid != rotated.KeyID() {
				t.Errorf("new token kid = %q, want the new key %q", kid, rotated.KeyID())
			}
			if kid == oldManager.KeyID() {
				t.Errorf("new token kid = %q, the kid of the previous key", kid)
			}

			newCfg.PreviousKeyFile, newCfg.PreviousSecret = "", nil
			if _, err := mustManager(t, newCfg).Verify(oldToken); !errors.Is(err, ErrUnknownKey) {
				t.Errorf("after dropping the previous key: error = %v, want %v", err, ErrUnknownKey)
			}
		})
	}
}

func TestJWKSVerifiesTokens(t *testing.T) {
	for _, alg := range []string{AlgEdDSA, AlgES256, AlgRS256} {
		t.Run(alg, func(t *testing.T) {
			oldCfg := baseConfig(t, alg)
			cfg := baseConfig(t, alg)
			cfg.PreviousKeyFile = oldCfg.KeyFile
			m := mustManager(t, cfg)

			body, err := json.Marshal(m.JWKS())
			if err != nil {
				t.Fatalf("marshal JWKS: %v", err)
			}
			var set JWKS
			if err := json.Unmarshal(body, &set); err != nil {
				t.Fatalf("unmarshal JWKS: %v", err)
			}
			if len(set.Keys) != 2 {
				t.Fatalf("JWKS has %d keys, want 2 (current and previous)", len(set.Keys))
			}
			current := set.Keys[0]
			if current.Kid != m.KeyID() {
				t.Errorf("first key kid = %q, want the current kid %q", current.Kid, m.KeyID())
			}
			if current.Alg != alg {
				t.Errorf("first key alg = %q, want %s", current.Alg, alg)
			}
			if current.Use != "sig" {
				t.Errorf("first key use = %q, want sig", current.Use)
			}
			if got := thumbprint(current); got != current.Kid {
				t.Errorf("thumbprint of the published key = %q, want kid %q", got, current.Kid)
			}
			pub := jwkPublicKey(t, current)
			raw := mustIssue(t, m)
			if _, err := jwt.Parse(raw, func(*jwt.Token) (any, error) { return pub, nil }); err != nil {
				t.Errorf("token does not verify with the published key: %v", err)
			}
		})
	}
}

func TestJWKSEmptyForHS256(t *testing.T) {
	m := mustManager(t, baseConfig(t, AlgHS256))
	body, _ := json.Marshal(m.JWKS())
	if string(body) != `{"keys":[]}` {
		t.Errorf("JWKS = %s, want {\"keys\":[]}", body)
	}
}

func TestKidStableAcrossReplicas(t *testing.T) {
	cfg := baseConfig(t, AlgEdDSA)
	a, b := mustManager(t, cfg), mustManager(t, cfg)
	if a.KeyID() != b.KeyID() {
		t.Errorf("kids of one key file differ: %q and %q", a.KeyID(), b.KeyID())
	}
	if _, err := b.Verify(mustIssue(t, a)); err != nil {
		t.Errorf("replica sharing the key file rejected the token: %v", err)
	}

	cfg.KeyFile = ""
	c, d := mustManager(t, cfg), mustManager(t, cfg)
	if _, err := d.Verify(mustIssue(t, c)); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("replica with its own generated key: error = %v, want %v", err, ErrUnknownKey)
	}
}

func TestAuthenticate(t *testing.T) {
	m := mustManager(t, baseConfig(t, AlgEdDSA))
	raw := mustIssue(t, m)
	tests := []struct {
		name   string
		header string
		target string
		want   error
	}{
		{"bearer", "Bearer " + raw, "/api/me", nil},
		{"lowercase scheme", "bearer " + raw, "/api/me", nil},
		{"no header", "", "/api/me", ErrTokenMissing},
		{"basic scheme", "Basic dXNlcjpwYXNz", "/api/me", ErrTokenMissing},
		{"token in query", "", "/api/me?access_token=" + raw, ErrTokenMissing},
		{"garbage", "Bearer abc", "/api/me", ErrTokenMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			claims, err := m.Authenticate(r)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if claims.Subject != testUser.Name {
					t.Errorf("sub = %q, want %q", claims.Subject, testUser.Name)
				}
				return
			}
			var se *server.Error
			if !errors.As(err, &se) || se.Code != server.CodeInvalidToken {
				t.Fatalf("error = %v, want a *server.Error with code %s", err, server.CodeInvalidToken)
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want it to wrap %v", err, tc.want)
			}
			if strings.Contains(se.Message, "jwt") || strings.Contains(se.Message, ":") {
				t.Errorf("client message %q leaks detail", se.Message)
			}
		})
	}
}

func TestRejectReason(t *testing.T) {
	m := mustManager(t, baseConfig(t, AlgEdDSA))
	_, err := m.Verify("a.b")
	if got := RejectReason(err); got != "malformed" {
		t.Errorf("RejectReason(malformed) = %q, want malformed", got)
	}
	if got := RejectReason(errors.New("x")); got != "other" {
		t.Errorf("RejectReason(foreign error) = %q, want other", got)
	}
}

func TestManagerConcurrentUse(t *testing.T) {
	m := mustManager(t, baseConfig(t, AlgEdDSA))
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				raw, _, err := m.Issue(testUser)
				if err == nil {
					_, err = m.Verify(raw)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Errorf("issue and verify from 8 goroutines: %v", err)
		}
	}
}
