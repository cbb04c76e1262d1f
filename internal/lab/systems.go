package lab

import (
	"maps"
	"slices"
)

// System is one system under test: an app, its configuration and its load
// balancer port. The embedded lab and docker-compose.yml are both built from
// Systems, and a test checks the compose file against it.
type System struct {
	// Name names the system in reports, its compose service and its Redis
	// key prefix.
	Name string
	// App is the app that every replica runs: "sessions", "jwtapp" or
	// "hybrid", which is also its binary's name.
	App string
	// Port is the load balancer's port for the system on 127.0.0.1.
	Port int
	// Sticky is true when the load balancer pins a client to one replica
	// with a cookie; otherwise it uses round robin.
	Sticky bool
	// Env holds the variables that make the app this system. Options.SystemEnv
	// overrides them, and they override the parent environment.
	Env map[string]string
	// UsesRedis is true when requests of the system depend on Redis, so a
	// Redis outage shows in its results.
	UsesRedis bool
}

// Apps of the lab, by binary name.
const (
	AppSessions = "sessions"
	AppJWT      = "jwtapp"
	AppHybrid   = "hybrid"
)

// LabAccessTTL is the hybrid system's access token lifetime in the lab. It is
// shorter than the app's default so the revoke scenario can watch access
// tokens run out within one run, and it equals the load test's default.
// Options.SystemEnv may override it.
const LabAccessTTL = "15s"

// Systems returns the five systems, in the order of their ports (8081 to
// 8085). Every call returns fresh copies, so callers may change them.
func Systems() []System {
	return []System{
		{Name: "sessions-sticky", App: AppSessions, Port: 8081, Sticky: true,
			Env: map[string]string{"SESSION_STORE": "memory"}},
		{Name: "sessions-redis", App: AppSessions, Port: 8082, UsesRedis: true,
			Env: map[string]string{"SESSION_STORE": "redis"}},
		{Name: "jwt", App: AppJWT, Port: 8083,
			Env: map[string]string{"DENYLIST": "off", "JWT_AUDIENCE": Audience("jwt")}},
		{Name: "jwt-denylist", App: AppJWT, Port: 8084, UsesRedis: true,
			Env: map[string]string{"DENYLIST": "on", "JWT_AUDIENCE": Audience("jwt-denylist")}},
		{Name: "hybrid", App: AppHybrid, Port: 8085, UsesRedis: true,
			Env: map[string]string{"ACCESS_TTL": LabAccessTTL, "JWT_AUDIENCE": Audience("hybrid")}},
	}
}

// Lookup returns the system named name.
func Lookup(name string) (System, bool) {
	for _, s := range Systems() {
		if s.Name == name {
			return s, true
		}
	}
	return System{}, false
}

// SystemNames returns the names of the five systems, in the order of Systems.
func SystemNames() []string {
	var names []string
	for _, s := range Systems() {
		names = append(names, s.Name)
	}
	return names
}

// CommonEnv returns the variables that every replica of every system gets,
// in both modes. The lab is plain HTTP on loopback or a private network, so
// cookies must not be Secure. All replicas share one clock (one machine),
// so the JWT leeway for clock skew is 1s instead of the apps' 30s, which
// would also exceed hybrid's short lab access TTL.
func CommonEnv() map[string]string {
	return map[string]string{"COOKIE_SECURE": "false", "JWT_LEEWAY": "1s"}
}

// Audience returns the JWT audience of system. Each JWT system has its own,
// so a token issued by one is rejected by the others even where they share
// a signing key, as the compose stack's systems do.
func Audience(system string) string {
	return "authlab:" + system
}

// RedisPrefix returns the Redis key prefix of system, so several systems can
// share one Redis.
func RedisPrefix(system string) string {
	return "authlab:" + system + ":"
}

// replicaEnv returns the getenv of one replica. Lookups go, in order, to
// fixed (the replica's identity, which nothing overrides), to override
// (Options.SystemEnv), to the system's Env and CommonEnv, then to the parent
// environment.
func replicaEnv(sys System, fixed, override map[string]string, parent func(string) string) func(string) string {
	layers := []map[string]string{fixed, override, sys.Env, CommonEnv()}
	for i, m := range layers {
		layers[i] = maps.Clone(m)
	}
	return func(key string) string {
		for _, m := range layers {
			if v, ok := m[key]; ok {
				return v
			}
		}
		if parent == nil {
			return ""
		}
		return parent(key)
	}
}

// sortedKeys returns the keys of m in order, for stable output.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
