package lab

import "context"

// RedisInfo describes the Redis that the lab's replicas use.
type RedisInfo struct {
	// Kind is "redis-server" or "miniredis" for a Redis the lab started,
	// and "external" for one given by REDIS_URL or run by docker compose.
	Kind string
	// Version is the server version when the lab knows it, else "unknown".
	Version string
	// URL is the redis:// URL that the load test can connect to, for
	// example to read INFO commandstats.
	URL string
}

// Target is a running lab that the load test drives: the embedded lab
// (Start) or a docker compose stack (Compose). Its methods are safe for
// concurrent use.
type Target interface {
	// Mode returns ModeEmbedded or ModeCompose.
	Mode() string
	// URL returns the load balancer URL of system, such as
	// "http://127.0.0.1:8081", or "" for an unknown system.
	URL(system string) string
	// Redis returns the Redis that the replicas use.
	Redis() RedisInfo
	// AdminToken returns the bearer token of POST /admin/revoke.
	AdminToken() string
	// AppEnv returns the environment that a replica of system reads, so the
	// load test can report the settings the apps really run with. It holds
	// secrets such as ADMIN_TOKEN: read settings from it, never log it.
	AppEnv(ctx context.Context, system string) (func(string) string, error)
	// Replicas returns the ids of the replicas of system that are running,
	// as sent in X-Replica.
	Replicas(system string) []string
	// KillReplica stops a replica abruptly: its listener and open
	// connections close at once, and its memory is lost.
	KillReplica(ctx context.Context, system, replica string) error
	// StartReplica starts a killed replica again, with fresh memory.
	StartReplica(ctx context.Context, system, replica string) error
	// AddReplica starts one more replica of system and returns its id. The
	// load balancer sends it traffic once it is up.
	AddReplica(ctx context.Context, system string) (string, error)
	// SetReplicas scales system to n running replicas.
	SetReplicas(ctx context.Context, system string, n int) error
	// StopRedis stops the lab's Redis abruptly, as an outage would.
	StopRedis(ctx context.Context) error
	// StartRedis starts the lab's Redis again, empty.
	StartRedis(ctx context.Context) error
	// Close stops what the Target started.
	Close() error
}
