// Package lab runs the five systems under test behind one load balancer,
// either in this process (Start) or as a docker compose stack (Compose), and
// gives the load test one interface, Target, to drive and break them.
//
// The embedded lab runs every replica as its own *server.Server and
// http.Server on a loopback port, a Redis (redis-server from PATH, else
// miniredis, unless REDIS_URL names one), and Caddy embedded as a library.
// Its Caddy config and docker compose's deploy/Caddyfile are rendered from
// one template, deploy/Caddyfile.tmpl, and docker-compose.yml is checked
// against Systems by the tests, so the two modes cannot drift apart.
//
// Caddy's configuration is global to a process, so only one embedded lab
// runs at a time, and Start returns ErrLabRunning for a second one.
package lab
