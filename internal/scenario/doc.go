// Package scenario runs the lab's scenarios (steady, ramp, revoke,
// replica-crash, store-outage, scale-out) against the systems of a lab
// target, one system at a time, and fills a results.Run with what they
// measured.
//
// Every figure comes from this run: latencies from the load generator's
// histograms, store operations from Redis's own command counters, replica
// shares from the X-Replica header of each response. A scenario that could
// not run on a target (a store outage against a Redis the lab does not own)
// is left out and named in the run's warnings, never filled with a guess.
package scenario
