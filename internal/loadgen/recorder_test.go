package loadgen

import (
	"math"
	"testing"
	"time"
)

// near reports whether got is within the histogram's precision (3
// significant digits, so 0.1%) of want.
func near(got, want float64) bool {
	return math.Abs(got-want) <= want*0.001+1e-9
}

func TestRecorderPercentiles(t *testing.T) {
	start := time.Unix(1000, 0)
	r := newRecorder(start, time.Second, 250*time.Millisecond, 10*time.Millisecond, nil)
	// Latencies of 1, 2, ... 1000 ms, all due at offset 0.
	for i := 1; i <= 1000; i++ {
		r.done(0, start.Add(time.Duration(i)*time.Millisecond))
	}
	got := r.phase(time.Second, false).Latency()

	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p50", got.P50, 500},
		{"p90", got.P90, 900},
		{"p99", got.P99, 990},
		{"p99.9", got.P999, 999},
		{"max", got.Max, 1000},
		{"mean", got.Mean, 500.5},
	} {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v ms, want %v ms ± 0.1%%", c.name, c.got, c.want)
		}
	}
}

func TestRecorderClampsLatency(t *testing.T) {
	start := time.Unix(1000, 0)
	r := newRecorder(start, time.Second, time.Second, time.Millisecond, nil)
	r.done(0, start.Add(2*time.Minute))
	r.done(time.Second, start) // ended before it was due
	got := r.phase(time.Second, false).Latency()
	if !near(got.Max, 60_000) {
		t.Errorf("max = %v ms, want 60000 ms: latencies past the range count as 60 s", got.Max)
	}
	if got.P50 > 0.002 {
		t.Errorf("p50 = %v ms, want 0.001 ms: a negative latency counts as 1 µs", got.P50)
	}
}

func TestRecorderCounts(t *testing.T) {
	start := time.Unix(1000, 0)
	r := newRecorder(start, time.Second, 250*time.Millisecond, 10*time.Millisecond, nil)
	r.sent(0, start.Add(5*time.Millisecond))
	r.sent(300*time.Millisecond, start.Add(320*time.Millisecond)) // late
	r.dropped(600 * time.Millisecond)
	r.request(outcome{kind: KindLogin, sentAt: start.Add(time.Millisecond), status: 200, replica: "r1"})
	r.request(outcome{kind: KindMe, sentAt: start.Add(2 * time.Millisecond), status: 401, replica: "r2", credentialBytes: 40})
	r.request(outcome{kind: KindMe, sentAt: start.Add(310 * time.Millisecond), status: 200, replica: "r1", credentialBytes: 60})
	r.request(outcome{kind: KindRefresh, sentAt: start.Add(320 * time.Millisecond), status: 0})
	r.request(outcome{kind: KindLogin, sentAt: start.Add(330 * time.Millisecond), status: 200, invalid: true, replica: "r3"})
	r.loggedOut("user-0001", start.Add(3*time.Millisecond))
	total := r.phase(time.Second, false).Total()

	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"scheduled", total.Scheduled, 3},
		{"sent", total.Sent, 2},
		{"dropped", total.Dropped, 1},
		{"late", total.Late, 1},
		{"requests", total.Requests, 5},
		{"errors", total.Errors, 3},
		{"status 200", total.ByStatus["200"], 2},
		{"status 401", total.ByStatus["401"], 1},
		{"status transport", total.ByStatus[StatusTransport], 1},
		{"status invalid", total.ByStatus[StatusInvalidResponse], 1},
		{"errors 401", total.ErrorsByStatus["401"], 1},
		{"errors 200", total.ErrorsByStatus["200"], 0},
		{"replica r1", total.ByReplica["r1"], 2},
		{"kind me", total.ByKind[KindMe], 2},
		{"kind login", total.ByKind[KindLogin], 2},
		{"errors login", total.ErrorsByKind[KindLogin], 1},
		{"credential requests", total.CredentialRequests, 2},
		{"logged out", total.LoggedOut, 1},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if got := total.MeanCredentialBytes(); got != 50 {
		t.Errorf("MeanCredentialBytes() = %v, want 50", got)
	}
	if got := total.ErrorRateOf(KindMe); got != 0.5 {
		t.Errorf("ErrorRateOf(me) = %v, want 0.5", got)
	}
	if got := total.Throughput(); got != 5 {
		t.Errorf("Throughput() = %v, want 5 requests a second", got)
	}
	if _, ok := total.ByReplica[""]; ok {
		t.Error("ByReplica counts a response without X-Replica")
	}
}

func TestPhaseWindow(t *testing.T) {
	start := time.Unix(1000, 0)
	r := newRecorder(start, time.Second, 250*time.Millisecond, 10*time.Millisecond, nil)
	// Bucket i gets i+1 requests due and sent at 250 ms × i + 1 ms, each
	// with a latency of (i+1) × 10 ms. Every request of bucket 2 fails.
	for i := range 4 {
		at := time.Duration(i)*250*time.Millisecond + time.Millisecond
		for range i + 1 {
			status := 200
			if i == 2 {
				status = 503
			}
			r.sent(at, start.Add(at))
			r.request(outcome{kind: KindMe, sentAt: start.Add(at), status: status, replica: "r1"})
			r.done(at, start.Add(at+time.Duration(i+1)*10*time.Millisecond))
		}
	}
	p := r.phase(time.Second, false)

	if got := len(p.Buckets); got != 4 {
		t.Fatalf("len(Buckets) = %d, want 4", got)
	}
	w := p.Window(500*time.Millisecond, time.Second)
	if w.Requests != 3+4 {
		t.Errorf("window requests = %d, want 7", w.Requests)
	}
	if w.Errors != 3 {
		t.Errorf("window errors = %d, want 3", w.Errors)
	}
	if w.Duration != 500*time.Millisecond {
		t.Errorf("window duration = %v, want 500ms", w.Duration)
	}
	if !near(w.Latency.Max, 40) || !near(w.Latency.P50, 40) {
		t.Errorf("window latency p50 %v ms, max %v ms; want 40 ms and 40 ms", w.Latency.P50, w.Latency.Max)
	}
	first := p.Window(0, 250*time.Millisecond)
	if !near(first.Latency.Max, 10) {
		t.Errorf("first bucket max = %v ms, want 10 ms", first.Latency.Max)
	}
	if got := p.Window(2*time.Second, 3*time.Second); got.Requests != 0 {
		t.Errorf("window past the end has %d requests, want 0", got.Requests)
	}
	if got := p.Buckets[3].Latency.Max; !near(got, 40) {
		t.Errorf("bucket 3 max = %v ms, want 40 ms", got)
	}

	timeline := p.Timeline()
	if timeline[2].TMS != 500 || timeline[2].ErrorRate != 1 {
		t.Errorf("timeline[2] = %+v, want t_ms 500 and error rate 1", timeline[2])
	}
}

func TestPhasePartialMergesTail(t *testing.T) {
	start := time.Unix(1000, 0)
	r := newRecorder(start, time.Second, 250*time.Millisecond, 10*time.Millisecond, nil)
	r.request(outcome{kind: KindMe, sentAt: start.Add(100 * time.Millisecond), status: 200})
	r.request(outcome{kind: KindMe, sentAt: start.Add(900 * time.Millisecond), status: 200})
	p := r.phase(400*time.Millisecond, true)
	if got := len(p.Buckets); got != 2 {
		t.Fatalf("len(Buckets) = %d, want 2 for 400 ms of 250 ms buckets", got)
	}
	if got := p.Buckets[1].Requests; got != 1 {
		t.Errorf("last bucket requests = %d, want 1 (the request after the end)", got)
	}
	if got := p.Buckets[1].Duration; got != 150*time.Millisecond {
		t.Errorf("last bucket duration = %v, want 150ms", got)
	}
}

func TestClientBottleneck(t *testing.T) {
	tests := []struct {
		name           string
		dropped, late  int64
		wantBottleneck bool
	}{
		{name: "none missed", wantBottleneck: false},
		{name: "exactly 1 percent", dropped: 6, late: 4, wantBottleneck: false},
		{name: "over 1 percent", dropped: 6, late: 5, wantBottleneck: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Stats{Scheduled: 1000, Dropped: tt.dropped, Late: tt.late}
			c := s.Client(10 * time.Millisecond)
			if c.Bottleneck != tt.wantBottleneck {
				t.Errorf("Bottleneck = %v, want %v", c.Bottleneck, tt.wantBottleneck)
			}
			if c.LateMS != 10 {
				t.Errorf("LateMS = %v, want 10", c.LateMS)
			}
		})
	}
}

func BenchmarkRecorder(b *testing.B) {
	start := time.Now()
	r := newRecorder(start, time.Minute, 250*time.Millisecond, 10*time.Millisecond, nil)
	var n time.Duration
	for b.Loop() {
		at := n % time.Minute
		r.sent(at, start.Add(at))
		r.request(outcome{kind: KindMe, sentAt: start.Add(at), status: 200, replica: "r1", credentialBytes: 300})
		r.done(at, start.Add(at+3*time.Millisecond))
		n += time.Millisecond
	}
}
