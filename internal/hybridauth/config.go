package hybridauth

import (
	"time"

	"github.com/authlab/authlab/internal/config"
)

// Config holds the settings of the hybrid app on top of server.Config and
// token.Config.
type Config struct {
	// RedisURL is the Redis of the refresh store; REDIS_URL, default
	// "redis://127.0.0.1:6379/0".
	RedisURL string
	// RedisPrefix starts every Redis key of the app; REDIS_PREFIX, default
	// "authlab:<system>:".
	RedisPrefix string
	// RefreshTTL is the lifetime of each refresh token from its issue, so a
	// login lasts while the client refreshes at least this often;
	// REFRESH_TTL, default 336h (14 days), at least 1ms.
	RefreshTTL time.Duration
	// ReuseInterval is how long after a rotation the rotated token still
	// returns its successor instead of revoking the family;
	// REFRESH_REUSE_INTERVAL, default 10s, 0 turns it off. It must be
	// shorter than RefreshTTL.
	ReuseInterval time.Duration
}

// Defaults of the app's own settings.
const (
	DefaultAccessTTL     = 10 * time.Minute
	DefaultRefreshTTL    = 14 * 24 * time.Hour
	DefaultReuseInterval = 10 * time.Second
)

// LoadConfig reads the app's own settings from env. The system name sets the
// default Redis key prefix. Invalid values are recorded in env, so env.Err
// returns them together with the other settings' errors.
func LoadConfig(env *config.Env, system string) Config {
	c := Config{
		RedisURL:      env.String("REDIS_URL", "redis://127.0.0.1:6379/0"),
		RedisPrefix:   env.String("REDIS_PREFIX", "authlab:"+system+":"),
		RefreshTTL:    env.Duration("REFRESH_TTL", DefaultRefreshTTL),
		ReuseInterval: env.Duration("REFRESH_REUSE_INTERVAL", DefaultReuseInterval),
	}
	// The store keeps times in milliseconds, so a shorter value would round
	// to zero.
	if c.RefreshTTL < time.Millisecond {
		env.Errorf("invalid REFRESH_TTL=%v: want at least 1ms", c.RefreshTTL)
	}
	if c.ReuseInterval > 0 && c.ReuseInterval < time.Millisecond {
		env.Errorf("invalid REFRESH_REUSE_INTERVAL=%v: want 0 (off) or at least 1ms", c.ReuseInterval)
	}
	if c.ReuseInterval >= c.RefreshTTL {
		env.Errorf("invalid REFRESH_REUSE_INTERVAL=%v: want it shorter than REFRESH_TTL (%v)", c.ReuseInterval, c.RefreshTTL)
	}
	return c
}
