package loadgen

import (
	"maps"
	"time"

	"github.com/authlab/authlab/internal/results"
)

// Kind is the purpose of an HTTP request of a virtual user.
type Kind string

// The request kinds.
const (
	KindMe      Kind = "me"      // GET /api/me
	KindRefresh Kind = "refresh" // POST /refresh (hybrid)
	KindLogin   Kind = "login"   // POST /login
)

// Status keys of Stats.ByStatus besides the decimal HTTP status codes.
const (
	// StatusTransport counts requests that got no response (connection
	// refused or reset, timeout).
	StatusTransport = "transport"
	// StatusInvalidResponse counts 2xx responses whose body broke the
	// contract, such as a login without a token or a cookie.
	StatusInvalidResponse = "invalid_response"
)

// Stats are the figures of a phase or of a window of it.
//
// Scheduled, Sent, Dropped and Late count scheduled requests by their
// scheduled time. Every other count is of HTTP requests (a scheduled request
// may send a login, a refresh and /api/me twice) by the time each was sent.
type Stats struct {
	// Duration is the length of time the figures cover.
	Duration time.Duration
	// Scheduled counts requests the pacer scheduled; each was either Sent or
	// Dropped.
	Scheduled int64
	Sent      int64
	// Dropped counts scheduled requests never sent because all MaxInFlight
	// slots were busy.
	Dropped int64
	// Late counts sent requests that started more than LateThreshold after
	// their scheduled time.
	Late int64
	// Requests counts HTTP requests of every kind.
	Requests int64
	// Errors counts HTTP requests that failed: no response, a status outside
	// 2xx (a 401 on /api/me included, since the user had to recover from it)
	// or an invalid 2xx body.
	Errors int64
	// ByStatus counts requests by status: "200", "401", StatusTransport,
	// StatusInvalidResponse.
	ByStatus map[string]int64
	// ErrorsByStatus counts the Errors by the same keys.
	ErrorsByStatus map[string]int64
	// ByReplica counts responses by their X-Replica header.
	ByReplica    map[string]int64
	ByKind       map[Kind]int64
	ErrorsByKind map[Kind]int64
	// CredentialBytes is the total size of the credentials sent with
	// /api/me (the Cookie or the Authorization header value), over
	// CredentialRequests requests.
	CredentialBytes    int64
	CredentialRequests int64
	// LoggedOut counts the times a user's credential was rejected and the
	// user had to log in again.
	LoggedOut int64
	// Latency of the scheduled requests, from their scheduled time to the
	// end of their last HTTP request (login and refresh included).
	Latency results.Latency
}

func newStats() Stats {
	return Stats{
		ByStatus:       map[string]int64{},
		ErrorsByStatus: map[string]int64{},
		ByReplica:      map[string]int64{},
		ByKind:         map[Kind]int64{},
		ErrorsByKind:   map[Kind]int64{},
	}
}

// add sums the counts of o into s. It leaves Duration and Latency alone.
func (s *Stats) add(o *Stats) {
	s.Scheduled += o.Scheduled
	s.Sent += o.Sent
	s.Dropped += o.Dropped
	s.Late += o.Late
	s.Requests += o.Requests
	s.Errors += o.Errors
	s.CredentialBytes += o.CredentialBytes
	s.CredentialRequests += o.CredentialRequests
	s.LoggedOut += o.LoggedOut
	addCounts(s.ByStatus, o.ByStatus)
	addCounts(s.ErrorsByStatus, o.ErrorsByStatus)
	addCounts(s.ByReplica, o.ByReplica)
	addCounts(s.ByKind, o.ByKind)
	addCounts(s.ErrorsByKind, o.ErrorsByKind)
}

func addCounts[K comparable](dst, src map[K]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

func (s Stats) clone() Stats {
	c := s
	c.ByStatus = maps.Clone(s.ByStatus)
	c.ErrorsByStatus = maps.Clone(s.ErrorsByStatus)
	c.ByReplica = maps.Clone(s.ByReplica)
	c.ByKind = maps.Clone(s.ByKind)
	c.ErrorsByKind = maps.Clone(s.ErrorsByKind)
	return c
}

// ErrorRate returns Errors / Requests, or 0 without requests.
func (s Stats) ErrorRate() float64 {
	return ratio(s.Errors, s.Requests)
}

// ErrorRateOf returns the error rate of the requests of one kind, or 0
// without such requests.
func (s Stats) ErrorRateOf(k Kind) float64 {
	return ratio(s.ErrorsByKind[k], s.ByKind[k])
}

// Throughput returns the HTTP requests a second over Duration.
func (s Stats) Throughput() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Requests) / s.Duration.Seconds()
}

// MeanCredentialBytes returns the mean credential size of an /api/me
// request in bytes, or 0 without such requests.
func (s Stats) MeanCredentialBytes() float64 {
	return ratio(s.CredentialBytes, s.CredentialRequests)
}

// ReplicaShare returns each replica's share of the responses that carried
// an X-Replica header.
func (s Stats) ReplicaShare() map[string]float64 {
	var total int64
	for _, n := range s.ByReplica {
		total += n
	}
	share := make(map[string]float64, len(s.ByReplica))
	for r, n := range s.ByReplica {
		share[r] = ratio(n, total)
	}
	return share
}

// Client returns whether the load generator kept its schedule, with
// lateThreshold as the limit for Late.
func (s Stats) Client(lateThreshold time.Duration) results.Client {
	return results.Client{
		Scheduled:  s.Scheduled,
		Dropped:    s.Dropped,
		Late:       s.Late,
		LateMS:     ms(lateThreshold),
		Bottleneck: isBottleneck(s.Scheduled, s.Dropped+s.Late),
	}
}

// isBottleneck reports whether more than 1% of the scheduled requests were
// dropped or late.
func isBottleneck(scheduled, missed int64) bool {
	return missed*100 > scheduled
}

func ratio(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
