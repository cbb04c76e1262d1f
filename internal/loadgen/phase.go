package loadgen

import (
	"time"

	"github.com/authlab/authlab/internal/results"
)

// Phase is the measurement of one Run. Offsets are durations since Started.
type Phase struct {
	Started time.Time
	// Elapsed is the length of the phase: the schedule's Duration, or less
	// when the context ended it early.
	Elapsed time.Duration
	// Partial is true when the context ended the phase before its schedule.
	Partial       bool
	BucketWidth   time.Duration
	LateThreshold time.Duration
	// Buckets is the timeline, one bucket of BucketWidth from offset 0 to
	// Elapsed. Requests sent after Elapsed by scheduled requests still in
	// flight count in the last bucket.
	Buckets []Bucket
	// LoggedOut lists every time a user's credential was rejected, in order.
	LoggedOut []Logout
	// Marks holds the offset at which each action given with At started,
	// and Ends the offset at which it returned.
	Marks map[string]time.Duration
	Ends  map[string]time.Duration

	total   Stats
	samples []sample
}

// Bucket is one interval of the timeline; its Latency covers the scheduled
// requests due in it.
type Bucket struct {
	Start time.Duration
	Stats
}

// Logout is a rejection of a user's credential that made the user log in
// again.
type Logout struct {
	User string
	At   time.Duration
}

// Total returns the figures of the whole phase.
func (p *Phase) Total() Stats { return p.total.clone() }

// Latency returns the latency percentiles of the whole phase, measured from
// each request's scheduled time.
func (p *Phase) Latency() results.Latency { return p.total.Latency }

// Client returns whether the load generator kept its schedule.
func (p *Phase) Client() results.Client {
	return p.total.Client(p.LateThreshold)
}

// ReplicaShare returns each replica's share of the phase's responses.
func (p *Phase) ReplicaShare() map[string]float64 {
	return p.total.ReplicaShare()
}

// UsersLoggedOut returns the number of distinct users whose credential was
// rejected during the phase.
func (p *Phase) UsersLoggedOut() int {
	seen := map[string]bool{}
	for _, l := range p.LoggedOut {
		seen[l.User] = true
	}
	return len(seen)
}

// Window returns the figures of the buckets that start in [from, to): the
// counts summed from the buckets, and latency percentiles over the scheduled
// requests due in those buckets. Bounds are rounded up to the bucket width.
func (p *Phase) Window(from, to time.Duration) Stats {
	w := newStats()
	first, last := -1, -1
	for i := range p.Buckets {
		b := &p.Buckets[i]
		if b.Start < from || b.Start >= to {
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		w.add(&b.Stats)
		w.Duration += b.Duration
	}
	if first < 0 {
		return w
	}

	lo := time.Duration(first) * p.BucketWidth
	hi := time.Duration(last+1) * p.BucketWidth
	if last == len(p.Buckets)-1 {
		// The last bucket also holds the requests due after Elapsed.
		hi = 1<<63 - 1
	}
	h := newHistogram()
	for _, s := range p.samples {
		if s.at >= lo && s.at < hi {
			_ = h.RecordValue(s.micros)
		}
	}
	w.Latency = latencyOf(h)
	return w
}

// Timeline returns the buckets in the results layout.
func (p *Phase) Timeline() []results.Bucket {
	out := make([]results.Bucket, len(p.Buckets))
	for i, b := range p.Buckets {
		out[i] = results.Bucket{
			TMS:       ms(b.Start),
			Requests:  b.Requests,
			Errors:    b.Errors,
			ErrorRate: b.ErrorRate(),
		}
	}
	return out
}
