package loadgen

import (
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/authlab/authlab/internal/results"
)

// Histogram range and precision: latencies in microseconds from 1 µs to
// 60 s, with 3 significant digits. Longer latencies are recorded as 60 s.
const (
	histMin     = 1
	histMax     = int64(60 * time.Second / time.Microsecond)
	histSigFigs = 3
)

func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histMin, histMax, histSigFigs)
}

// sample is the latency of one scheduled request, kept so that a window of
// the phase gets exact percentiles.
type sample struct {
	at     time.Duration // scheduled offset
	micros int64
}

// outcome is the result of one HTTP request, as recorded.
type outcome struct {
	kind   Kind
	sentAt time.Time
	// status is the HTTP status, or 0 when no response came back.
	status int
	// invalid marks a 2xx response whose body broke the contract.
	invalid bool
	replica string
	// credentialBytes is the size of the Cookie or Authorization header
	// value sent with /api/me.
	credentialBytes int
}

func (o outcome) statusKey() string {
	switch {
	case o.status == 0:
		return StatusTransport
	case o.invalid:
		return StatusInvalidResponse
	default:
		return strconv.Itoa(o.status)
	}
}

func (o outcome) failed() bool {
	return o.status < 200 || o.status > 299 || o.invalid
}

// recorder collects the figures of one phase. It is safe for concurrent use,
// and a nil *recorder records nothing.
type recorder struct {
	mu            sync.Mutex
	start         time.Time
	width         time.Duration
	lateThreshold time.Duration
	total         Stats
	buckets       []Stats
	hist          *hdrhistogram.Histogram
	samples       []sample
	logouts       []Logout
	progress      *Progress
}

func newRecorder(start time.Time, length, width, lateThreshold time.Duration, progress *Progress) *recorder {
	n := max(1, int((length+width-1)/width))
	r := &recorder{
		start:         start,
		width:         width,
		lateThreshold: lateThreshold,
		total:         newStats(),
		buckets:       make([]Stats, n),
		hist:          newHistogram(),
		progress:      progress,
	}
	for i := range r.buckets {
		r.buckets[i] = newStats()
	}
	return r
}

// bucket returns the bucket of offset at. Offsets past the phase, from
// requests still in flight when it ended, go to the last bucket. The caller
// holds r.mu.
func (r *recorder) bucket(at time.Duration) *Stats {
	i := min(max(int(at/r.width), 0), len(r.buckets)-1)
	return &r.buckets[i]
}

// dropped records a scheduled request that found no free slot.
func (r *recorder) dropped(at time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range []*Stats{&r.total, r.bucket(at)} {
		s.Scheduled++
		s.Dropped++
	}
	r.progress.count(1, 0, 0, 0)
}

// sent records that the scheduled request due at offset at started at
// time now.
func (r *recorder) sent(at time.Duration, now time.Time) {
	if r == nil {
		return
	}
	late := now.Sub(r.start)-at > r.lateThreshold
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range []*Stats{&r.total, r.bucket(at)} {
		s.Scheduled++
		s.Sent++
		if late {
			s.Late++
		}
	}
	r.progress.count(1, 1, 0, 0)
}

// done records the latency of the scheduled request due at offset at, which
// ended at time now.
func (r *recorder) done(at time.Duration, now time.Time) {
	if r == nil {
		return
	}
	micros := min(max(int64(now.Sub(r.start.Add(at))/time.Microsecond), histMin), histMax)
	r.mu.Lock()
	defer r.mu.Unlock()
	// RecordValue fails only outside the histogram's range, which the
	// clamp above rules out.
	_ = r.hist.RecordValue(micros)
	r.samples = append(r.samples, sample{at: at, micros: micros})
}

// request records one HTTP request.
func (r *recorder) request(o outcome) {
	if r == nil {
		return
	}
	key := o.statusKey()
	failed := o.failed()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range []*Stats{&r.total, r.bucket(o.sentAt.Sub(r.start))} {
		s.Requests++
		s.ByStatus[key]++
		s.ByKind[o.kind]++
		if o.replica != "" {
			s.ByReplica[o.replica]++
		}
		if o.kind == KindMe {
			s.CredentialBytes += int64(o.credentialBytes)
			s.CredentialRequests++
		}
		if failed {
			s.Errors++
			s.ErrorsByStatus[key]++
			s.ErrorsByKind[o.kind]++
		}
	}
	r.progress.count(0, 0, 1, boolInt(failed))
}

// loggedOut records that the server rejected the credential of user at
// time now.
func (r *recorder) loggedOut(user string, now time.Time) {
	if r == nil {
		return
	}
	at := now.Sub(r.start)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.total.LoggedOut++
	r.bucket(at).LoggedOut++
	r.logouts = append(r.logouts, Logout{User: user, At: at})
}

// phase returns what the recorder collected. It must be called once no
// request is in flight.
func (r *recorder) phase(elapsed time.Duration, partial bool) *Phase {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &Phase{
		Started:       r.start,
		Elapsed:       elapsed,
		Partial:       partial,
		BucketWidth:   r.width,
		LateThreshold: r.lateThreshold,
		LoggedOut:     r.logouts,
		total:         r.total.clone(),
		samples:       r.samples,
	}
	p.total.Duration = elapsed
	p.total.Latency = latencyOf(r.hist)
	p.Buckets = r.closeBuckets(elapsed)
	return p
}

// closeBuckets cuts the buckets at elapsed, merging later ones into the
// last, and fills in each bucket's duration and latency. The caller holds
// r.mu.
func (r *recorder) closeBuckets(elapsed time.Duration) []Bucket {
	n := min(max(1, int((elapsed+r.width-1)/r.width)), len(r.buckets))
	for i := n; i < len(r.buckets); i++ {
		r.buckets[n-1].add(&r.buckets[i])
	}
	byBucket := make([][]int64, n)
	for _, s := range r.samples {
		i := min(int(s.at/r.width), n-1)
		byBucket[i] = append(byBucket[i], s.micros)
	}

	out := make([]Bucket, n)
	h := newHistogram()
	for i := range out {
		start := time.Duration(i) * r.width
		out[i] = Bucket{Start: start, Stats: r.buckets[i].clone()}
		out[i].Duration = min(r.width, elapsed-start)
		h.Reset()
		for _, v := range byBucket[i] {
			_ = h.RecordValue(v)
		}
		out[i].Latency = latencyOf(h)
	}
	return out
}

// latencyOf converts a histogram in microseconds to milliseconds. An empty
// histogram gives zero figures.
func latencyOf(h *hdrhistogram.Histogram) results.Latency {
	if h.TotalCount() == 0 {
		return results.Latency{}
	}
	toMS := func(micros int64) float64 { return float64(micros) / 1000 }
	return results.Latency{
		P50:  toMS(h.ValueAtQuantile(50)),
		P90:  toMS(h.ValueAtQuantile(90)),
		P99:  toMS(h.ValueAtQuantile(99)),
		P999: toMS(h.ValueAtQuantile(99.9)),
		Max:  toMS(h.Max()),
		Mean: h.Mean() / 1000,
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
