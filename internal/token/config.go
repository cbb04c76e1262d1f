package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/authlab/authlab/internal/config"
)

// Signing algorithms accepted in Config.Alg (JWT_ALG).
const (
	AlgEdDSA = "EdDSA"
	AlgES256 = "ES256"
	AlgRS256 = "RS256"
	AlgHS256 = "HS256"
)

// Defaults applied by LoadConfig, and by NewManager to empty fields.
const (
	DefaultIssuer   = "authlab"
	DefaultAudience = "authlab-api"
	DefaultLeeway   = 30 * time.Second
)

// MinSecretLen is the shortest HS256 secret accepted, in bytes: 32 bytes is
// the output size of SHA-256 (RFC 7518, section 3.2).
const MinSecretLen = 32

// Config holds the settings of a Manager.
type Config struct {
	// Alg is the signing algorithm; JWT_ALG, one of AlgEdDSA (default),
	// AlgES256, AlgRS256 or AlgHS256.
	Alg string
	// KeyFile is a PEM private key (PKCS#8, or SEC 1 "EC PRIVATE KEY", or
	// PKCS#1 "RSA PRIVATE KEY"); JWT_PRIVATE_KEY_FILE. Empty means a key is
	// generated at start, so replicas don't accept each other's tokens.
	// Unused for HS256.
	KeyFile string
	// PreviousKeyFile is the key before the last rotation, still accepted
	// for verification but never used to sign; JWT_PREVIOUS_KEY_FILE,
	// optional. It must be of the same algorithm as KeyFile.
	PreviousKeyFile string
	// Secret is the HS256 key, at least MinSecretLen bytes; JWT_SECRET.
	Secret []byte
	// PreviousSecret is the HS256 key before the last rotation;
	// JWT_PREVIOUS_SECRET, optional.
	PreviousSecret []byte
	// Issuer is the iss claim; JWT_ISSUER, default DefaultIssuer.
	Issuer string
	// Audience is the aud claim; JWT_AUDIENCE, default DefaultAudience.
	Audience string
	// TTL is the lifetime of a token; ACCESS_TTL, default given by the app.
	// It must be at least 1s.
	TTL time.Duration
	// Leeway is the clock skew tolerated on exp, nbf and iat; JWT_LEEWAY,
	// default DefaultLeeway. It must be shorter than TTL.
	Leeway time.Duration
	// Now is the clock, time.Now when nil. Tests set it to issue tokens in
	// the past or the future.
	Now func() time.Time
}

// LoadConfig reads the token settings from env, with defaultTTL as the
// default of ACCESS_TTL. Invalid values are recorded in env (see env.Err).
func LoadConfig(env *config.Env, defaultTTL time.Duration) Config {
	c := Config{
		Alg:             env.OneOf("JWT_ALG", AlgEdDSA, AlgEdDSA, AlgES256, AlgRS256, AlgHS256),
		KeyFile:         env.Lookup("JWT_PRIVATE_KEY_FILE"),
		PreviousKeyFile: env.Lookup("JWT_PREVIOUS_KEY_FILE"),
		Secret:          []byte(env.Lookup("JWT_SECRET")),
		PreviousSecret:  []byte(env.Lookup("JWT_PREVIOUS_SECRET")),
		Issuer:          env.String("JWT_ISSUER", DefaultIssuer),
		Audience:        env.String("JWT_AUDIENCE", DefaultAudience),
		TTL:             env.Duration("ACCESS_TTL", defaultTTL),
		Leeway:          env.Duration("JWT_LEEWAY", DefaultLeeway),
	}
	if err := c.validate(); err != nil {
		env.Errorf("%w", err)
	}
	return c
}

// withDefaults fills the empty string fields and the clock.
func (c Config) withDefaults() Config {
	if c.Alg == "" {
		c.Alg = AlgEdDSA
	}
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	if c.Audience == "" {
		c.Audience = DefaultAudience
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if _, ok := methods[c.Alg]; !ok {
		errs = append(errs, fmt.Errorf("invalid JWT_ALG %q: want EdDSA, ES256, RS256 or HS256", c.Alg))
	}
	if c.Alg == AlgHS256 {
		errs = append(errs, checkSecret("JWT_SECRET", c.Secret, true))
		errs = append(errs, checkSecret("JWT_PREVIOUS_SECRET", c.PreviousSecret, false))
	}
	// exp counts whole seconds, so a shorter token could be expired when it
	// is issued.
	if c.TTL < time.Second {
		errs = append(errs, fmt.Errorf("invalid ACCESS_TTL %v: want at least 1s, because exp counts whole seconds", c.TTL))
	}
	if c.Leeway < 0 || c.Leeway >= c.TTL {
		errs = append(errs, fmt.Errorf("invalid JWT_LEEWAY %v: want 0 or more and shorter than ACCESS_TTL (%v)", c.Leeway, c.TTL))
	}
	return errors.Join(errs...)
}

func checkSecret(name string, secret []byte, required bool) error {
	if len(secret) == 0 && !required {
		return nil
	}
	if len(secret) < MinSecretLen {
		return fmt.Errorf("invalid %s: HS256 needs a secret of at least %d bytes, got %d", name, MinSecretLen, len(secret))
	}
	return nil
}
