package jwtauth

import (
	"github.com/authlab/authlab/internal/config"
)

// Config holds the settings of jwtapp on top of server.Config and
// token.Config.
type Config struct {
	// Denylist turns on the Redis denylist; DENYLIST, default off.
	Denylist bool
	// RedisURL is the Redis of the denylist; REDIS_URL, default
	// "redis://127.0.0.1:6379/0". Unused when Denylist is off.
	RedisURL string
	// RedisPrefix starts every Redis key of the app; REDIS_PREFIX, default
	// "authlab:<system>:".
	RedisPrefix string
}

// LoadConfig reads the app's own settings from env. The system name sets the
// default Redis key prefix. Invalid values are recorded in env.
func LoadConfig(env *config.Env, system string) Config {
	return Config{
		Denylist:    env.Bool("DENYLIST", false),
		RedisURL:    env.String("REDIS_URL", "redis://127.0.0.1:6379/0"),
		RedisPrefix: env.String("REDIS_PREFIX", "authlab:"+system+":"),
	}
}
