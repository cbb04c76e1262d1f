// Package server holds what the three auth apps share: the settings every app
// reads, the demo user directory, the login rate limits, the Echo instance
// with its middleware, the routes of the common HTTP contract (health,
// readiness, metrics, the admin check) and the one error handler that turns
// errors into JSON responses.
//
// An app builds a Server with New, adds its own routes and readiness checks,
// and serves it with Serve, or hands Handler to an embedding program such as
// the lab.
package server
