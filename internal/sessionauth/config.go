package sessionauth

import (
	"regexp"
	"time"

	"github.com/authlab/authlab/internal/config"
)

// Session stores selected by SESSION_STORE.
const (
	StoreMemory = "memory"
	StoreRedis  = "redis"
)

// Config holds the settings of the sessions app on top of server.Config.
type Config struct {
	// Store is StoreMemory or StoreRedis; SESSION_STORE, default memory.
	Store string
	// RedisURL is the Redis of the redis store; REDIS_URL, default
	// "redis://127.0.0.1:6379/0".
	RedisURL string
	// RedisPrefix starts every Redis key of the app; REDIS_PREFIX, default
	// "authlab:<system>:".
	RedisPrefix string
	// IdleTimeout ends a session that received no request for this long;
	// SESSION_IDLE_TIMEOUT, default 30m, 0 turns it off.
	IdleTimeout time.Duration
	// Lifetime ends a session this long after login, whatever its activity;
	// SESSION_LIFETIME, default 12h.
	Lifetime time.Duration
	// CookieName is the name of the session cookie; SESSION_COOKIE, default
	// "authlab_session".
	CookieName string
	// CookieSecure sets the Secure attribute of the cookie; COOKIE_SECURE,
	// default true. Turn it off only for plain-HTTP local runs, because a
	// browser never sends a Secure cookie over HTTP.
	CookieSecure bool
}

// cookieNameRE matches an RFC 6265 cookie name (an RFC 7230 token).
var cookieNameRE = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// LoadConfig reads the app's own settings from env. The system name sets the
// default Redis key prefix. Invalid values are recorded in env, so env.Err
// returns them together with the common settings' errors.
func LoadConfig(env *config.Env, system string) Config {
	c := Config{
		Store:        env.OneOf("SESSION_STORE", StoreMemory, StoreMemory, StoreRedis),
		RedisURL:     env.String("REDIS_URL", "redis://127.0.0.1:6379/0"),
		RedisPrefix:  env.String("REDIS_PREFIX", "authlab:"+system+":"),
		IdleTimeout:  env.Duration("SESSION_IDLE_TIMEOUT", 30*time.Minute),
		Lifetime:     env.Duration("SESSION_LIFETIME", 12*time.Hour),
		CookieName:   env.String("SESSION_COOKIE", "authlab_session"),
		CookieSecure: env.Bool("COOKIE_SECURE", true),
	}
	if c.Lifetime < time.Second {
		env.Errorf("invalid SESSION_LIFETIME=%v: want at least 1s", c.Lifetime)
	}
	if c.IdleTimeout > 0 && c.IdleTimeout < time.Second {
		env.Errorf("invalid SESSION_IDLE_TIMEOUT=%v: want 0 (off) or at least 1s", c.IdleTimeout)
	}
	if !cookieNameRE.MatchString(c.CookieName) {
		env.Errorf("invalid SESSION_COOKIE=%q: want a cookie name made of letters, digits and !#$%%&'*+-.^_`|~", c.CookieName)
	}
	return c
}
