// Package loadgen is the lab's load generator: an open-model pacer, virtual
// users for the three apps, and a recorder of latency and errors.
//
// A Fleet contains N virtual users of one system. Fleet.Run sends requests
// at the times a Schedule fixes in advance (Constant or Steps), whatever the
// server's latency. It measures each request's latency from its scheduled
// time, so a server that stalls shows the stall in the percentiles instead
// of slowing the client down and hiding it (coordinated omission). Each scheduled request
// is the next user in round-robin order sending GET /api/me, after logging
// in or refreshing when it has to. Logins and refreshes are recorded as
// requests of their own kind, so their load is part of the measurement.
//
// The client checks itself: at most Config.MaxInFlight scheduled requests are
// in flight, a request due while every slot is busy is dropped, a request
// that starts more than Config.LateThreshold after its time is late, and
// Phase.Client reports a bottleneck when more than 1% of the requests were
// dropped or late. Figures from such a phase measure the client as much as
// the server.
//
// NOTE: the pacer runs in the same process as the systems under test in the
// embedded lab, so they compete for the same CPUs.
package loadgen
