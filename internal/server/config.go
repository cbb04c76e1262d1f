package server

import (
	"os"
	"time"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/users"
	"golang.org/x/crypto/bcrypt"
)

// DefaultPassword is the demo password of every user when USER_PASSWORD is
// unset.
const DefaultPassword = "authlab-demo"

// minAdminTokenLen is the shortest ADMIN_TOKEN accepted, in bytes.
const minAdminTokenLen = 16

// Config holds the settings that every app reads.
type Config struct {
	// System names the system under test in responses; SYSTEM, default the
	// app's name.
	System string
	// ReplicaID is sent in X-Replica; REPLICA_ID, default the hostname.
	ReplicaID string
	// Addr is the listen address; ADDR, default ":8080".
	Addr string
	// Users is the size of the demo directory; USERS, default 1000.
	Users int
	// Password is the demo password; USER_PASSWORD, default DefaultPassword.
	Password string
	// BcryptCost is the bcrypt work factor; BCRYPT_COST, default 10.
	BcryptCost int
	// AdminToken is the bearer token of /admin/revoke; ADMIN_TOKEN, no
	// default. Without it the admin route returns 403 admin_disabled.
	AdminToken string
	// LoginPerUser and LoginPerClient are login attempts a minute allowed for
	// one username and for one client address; LOGIN_RATE_USER, default 10,
	// and LOGIN_RATE_CLIENT, default 300. Zero turns a limit off.
	LoginPerUser   int
	LoginPerClient int
	// BodyLimit is the largest request body in bytes; BODY_LIMIT, default 4096.
	BodyLimit int
	// HeaderLimit is the largest single request header value in bytes;
	// HEADER_LIMIT, default 4096.
	HeaderLimit int
	// ShutdownTimeout bounds a graceful stop; SHUTDOWN_TIMEOUT, default 10s.
	ShutdownTimeout time.Duration
}

// LoadConfig reads the common settings of the app named app from env and
// returns every invalid one as a single error.
func LoadConfig(env *config.Env, app string) (Config, error) {
	host, _ := os.Hostname()
	c := Config{
		System:          env.String("SYSTEM", app),
		ReplicaID:       env.String("REPLICA_ID", host),
		Addr:            env.String("ADDR", ":8080"),
		Users:           env.Int("USERS", 1000),
		Password:        env.String("USER_PASSWORD", DefaultPassword),
		BcryptCost:      env.Int("BCRYPT_COST", bcrypt.DefaultCost),
		AdminToken:      env.Lookup("ADMIN_TOKEN"),
		LoginPerUser:    env.Int("LOGIN_RATE_USER", 10),
		LoginPerClient:  env.Int("LOGIN_RATE_CLIENT", 300),
		BodyLimit:       env.Int("BODY_LIMIT", 4096),
		HeaderLimit:     env.Int("HEADER_LIMIT", 4096),
		ShutdownTimeout: env.Duration("SHUTDOWN_TIMEOUT", 10*time.Second),
	}
	if c.ReplicaID == "" {
		c.ReplicaID = app
	}
	if c.AdminToken != "" && len(c.AdminToken) < minAdminTokenLen {
		env.Errorf("invalid ADMIN_TOKEN: want at least %d bytes", minAdminTokenLen)
	}
	if c.Users < 1 || c.Users > users.MaxUsers {
		env.Errorf("invalid USERS=%d: want 1 to %d", c.Users, users.MaxUsers)
	}
	// bcrypt hashes at most 72 bytes. The message gives the length only,
	// never the password.
	if len(c.Password) > 72 {
		env.Errorf("invalid USER_PASSWORD: %d bytes, want at most 72 (bcrypt's limit)", len(c.Password))
	}
	if c.LoginPerUser < 0 || c.LoginPerClient < 0 {
		env.Errorf("invalid LOGIN_RATE_USER or LOGIN_RATE_CLIENT: want 0 (off) or more")
	}
	if c.BodyLimit < 256 || c.HeaderLimit < 256 {
		env.Errorf("invalid BODY_LIMIT or HEADER_LIMIT: want at least 256 bytes")
	}
	return c, env.Err()
}
