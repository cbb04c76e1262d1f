package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/users"
	"github.com/golang-jwt/jwt/v5"
)

// Claims is the payload of a token. IssuedAtMilli (iat_ms) repeats iat in
// milliseconds because iat has one-second precision. A revocation cut-off
// ("every token issued before T") needs it to tell a token issued just
// before T from a new login just after T in the same second.
type Claims struct {
	jwt.RegisteredClaims
	Roles         []string `json:"roles,omitempty"`
	IssuedAtMilli int64    `json:"iat_ms,omitempty"`
}

// IssuedAtMs returns when the token was issued in Unix milliseconds: iat_ms
// when present, and otherwise the start of the iat second.
func (c *Claims) IssuedAtMs() int64 {
	if c.IssuedAtMilli > 0 {
		return c.IssuedAtMilli
	}
	if c.IssuedAt == nil {
		return 0
	}
	return c.IssuedAt.UnixMilli()
}

// Manager issues and verifies tokens. It is safe for concurrent use.
type Manager struct {
	cfg     Config
	method  jwt.SigningMethod
	current key
	// keys holds every key accepted for verification by kid: the current
	// one and the previous one, if any.
	keys   map[string]key
	parser *jwt.Parser
}

// NewManager loads or generates the keys of cfg and returns a Manager. Empty
// Alg, Issuer and Audience get their defaults. It returns an error for an
// invalid setting or an unreadable key file. When cfg has no key file it
// generates a key and logs a warning, because replicas with generated keys
// reject each other's tokens.
func NewManager(cfg Config, logger *slog.Logger) (*Manager, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	current, previous, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Alg != AlgHS256 && cfg.KeyFile == "" {
		logger.Warn("JWT signing key generated at start: replicas reject each other's tokens until they share JWT_PRIVATE_KEY_FILE",
			"alg", cfg.Alg, "kid", current.kid)
	}
	m := &Manager{cfg: cfg, method: methods[cfg.Alg], current: current, keys: map[string]key{current.kid: current}}
	if previous != nil {
		m.keys[previous.kid] = *previous
	}
	m.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{cfg.Alg}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(cfg.Now),
		jwt.WithStrictDecoding(),
	)
	return m, nil
}

// loadKeys returns the current key and the previous one (nil when there is
// none or when it is the current key again).
func loadKeys(cfg Config) (key, *key, error) {
	if cfg.Alg == AlgHS256 {
		current := newSecretKey(cfg.Secret)
		if len(cfg.PreviousSecret) == 0 {
			return current, nil, nil
		}
		previous := newSecretKey(cfg.PreviousSecret)
		return current, distinct(current, previous), nil
	}
	current, err := currentKey(cfg)
	if err != nil {
		return key{}, nil, err
	}
	if cfg.PreviousKeyFile == "" {
		return current, nil, nil
	}
	previous, err := loadKeyFile(cfg.Alg, cfg.PreviousKeyFile)
	if err != nil {
		return key{}, nil, fmt.Errorf("JWT_PREVIOUS_KEY_FILE: %w", err)
	}
	return current, distinct(current, previous), nil
}

func currentKey(cfg Config) (key, error) {
	if cfg.KeyFile != "" {
		k, err := loadKeyFile(cfg.Alg, cfg.KeyFile)
		if err != nil {
			return key{}, fmt.Errorf("JWT_PRIVATE_KEY_FILE: %w", err)
		}
		return k, nil
	}
	signer, err := generateKey(cfg.Alg)
	if err != nil {
		return key{}, err
	}
	return newPublicKey(cfg.Alg, signer)
}

func distinct(current, previous key) *key {
	if previous.kid == current.kid {
		return nil
	}
	return &previous
}

// TTL returns the lifetime of the tokens the Manager issues.
func (m *Manager) TTL() time.Duration { return m.cfg.TTL }

// Leeway returns the clock skew tolerated when verifying exp, nbf and iat.
func (m *Manager) Leeway() time.Duration { return m.cfg.Leeway }

// KeyID returns the kid of the current signing key.
func (m *Manager) KeyID() string { return m.current.kid }

// Alg returns the signing algorithm.
func (m *Manager) Alg() string { return m.cfg.Alg }

// Issue signs a new token for u with the current key. The token carries iss,
// aud, sub, iat, nbf, exp, a random jti of 128 bits, the user's roles and
// iat_ms, and the header names the key in kid.
func (m *Manager) Issue(u users.User) (string, *Claims, error) {
	jti, err := newID()
	if err != nil {
		return "", nil, err
	}
	now := m.cfg.Now()
	issued := jwt.NewNumericDate(now)
	claims := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    m.cfg.Issuer,
			Subject:   u.Name,
			Audience:  jwt.ClaimStrings{m.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(m.cfg.TTL)),
			NotBefore: issued,
			IssuedAt:  issued,
			ID:        jti,
		},
		Roles:         append([]string(nil), u.Roles...),
		IssuedAtMilli: now.UnixMilli(),
	}
	t := jwt.NewWithClaims(m.method, claims)
	t.Header["kid"] = m.current.kid
	raw, err := t.SignedString(m.current.sign)
	if err != nil {
		return "", nil, fmt.Errorf("sign token: %w", err)
	}
	return raw, claims, nil
}

// newID returns 128 random bits, base64url-encoded.
func newID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate jti: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Verify checks raw and returns its claims. The error wraps one of
// ErrTokenMalformed, ErrTokenExpired, ErrTokenInvalid, ErrUnknownKey,
// ErrWrongIssuer or ErrWrongAudience, and the golang-jwt error as detail.
func (m *Manager) Verify(raw string) (*Claims, error) {
	claims := &Claims{}
	_, err := m.parser.ParseWithClaims(raw, claims, m.keyFor)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", classify(err), err)
	}
	if claims.Subject == "" || claims.ID == "" || claims.IssuedAt == nil {
		return nil, fmt.Errorf("%w: missing sub, jti or iat claim", ErrTokenInvalid)
	}
	return claims, nil
}

// keyFor is the jwt.Keyfunc: it returns the verification key named by the
// token's kid. It runs after the parser has checked alg against the one
// configured algorithm.
//
// NOTE: the key comes only from the Manager's own key set. A header such as
// jwk, jku or x5u would let the sender pick the key that checks its own
// signature, so those headers are ignored. The alg check here repeats
// WithValidMethods on purpose: if an EdDSA or RS256 public key were ever
// given to HS256, anyone could sign a token with the public key bytes as
// the HMAC secret (algorithm confusion).
func (m *Manager) keyFor(t *jwt.Token) (any, error) {
	if t.Method.Alg() != m.method.Alg() {
		return nil, fmt.Errorf("%w: algorithm %s not allowed", ErrTokenInvalid, t.Method.Alg())
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, fmt.Errorf("%w: no kid header", ErrUnknownKey)
	}
	k, ok := m.keys[kid]
	if !ok {
		return nil, ErrUnknownKey
	}
	return k.verify, nil
}

// JWKS returns the public keys that Verify accepts: the current key first,
// then the previous one. For HS256 the set is empty, because a secret is
// never published.
func (m *Manager) JWKS() JWKS {
	set := JWKS{Keys: []JWK{}}
	if m.current.jwk == nil {
		return set
	}
	set.Keys = append(set.Keys, *m.current.jwk)
	for kid, k := range m.keys {
		if kid != m.current.kid {
			set.Keys = append(set.Keys, *k.jwk)
		}
	}
	return set
}

// Authenticate verifies the bearer token of r's Authorization header. It
// reads no other place: a token in the query string or a cookie is not
// accepted. Every failure is a *server.Error with code invalid_token whose
// Cause wraps one of the sentinel errors (ErrTokenMissing for no bearer
// token).
func (m *Manager) Authenticate(r *http.Request) (*Claims, error) {
	raw, ok := server.BearerToken(r)
	if !ok {
		return nil, invalidToken(ErrTokenMissing)
	}
	claims, err := m.Verify(raw)
	if err != nil {
		return nil, invalidToken(err)
	}
	return claims, nil
}

// sentinels lists the errors of this package in the order invalidToken
// tests them.
var sentinels = []error{ErrTokenMissing, ErrTokenMalformed, ErrTokenExpired,
	ErrUnknownKey, ErrWrongIssuer, ErrWrongAudience, ErrTokenInvalid}

// invalidToken wraps err as a 401 whose message names only the sentinel, so
// the client never sees golang-jwt's detail.
func invalidToken(err error) *server.Error {
	msg := ErrTokenInvalid.Error()
	for _, s := range sentinels {
		if errors.Is(err, s) {
			msg = s.Error()
			break
		}
	}
	return &server.Error{Code: server.CodeInvalidToken, Message: msg, Cause: err}
}
