package loadgen

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestRunSendsSchedule(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 7})
	mustLoginAll(t, f)
	progress := &Progress{}
	p := f.Run(t.Context(), Constant(200, 500*time.Millisecond), WithProgress(progress))
	total := p.Total()

	if p.Partial {
		t.Error("Partial = true for a phase that ran to its end")
	}
	if p.Elapsed != 500*time.Millisecond {
		t.Errorf("Elapsed = %v, want the schedule's 500ms", p.Elapsed)
	}
	if total.Scheduled != 100 {
		t.Errorf("Scheduled = %d, want 100", total.Scheduled)
	}
	if total.Sent+total.Dropped != total.Scheduled {
		t.Errorf("Sent %d + Dropped %d != Scheduled %d", total.Sent, total.Dropped, total.Scheduled)
	}
	if got := app.mes.Load(); got != total.Sent {
		t.Errorf("server got %d /api/me requests, want one per sent request (%d)", got, total.Sent)
	}
	if total.ByKind[KindLogin] != 0 {
		t.Errorf("logins in phase = %d, want 0 after LoginAll", total.ByKind[KindLogin])
	}
	if got := len(p.Buckets); got != 2 {
		t.Errorf("len(Buckets) = %d, want 2 of 250 ms", got)
	}

	share := p.ReplicaShare()
	var sum float64
	for _, s := range share {
		sum += s
	}
	if len(share) != 3 || !near(sum, 1) {
		t.Errorf("ReplicaShare() = %v, want 3 replicas summing to 1", share)
	}

	snap := progress.Snapshot()
	if snap.Total != 100 || snap.Scheduled != 100 || snap.Requests != total.Requests || snap.Sent != total.Sent {
		t.Errorf("progress %+v disagrees with the phase totals %+v", snap, total)
	}
}

func TestRunRoundRobin(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 4})
	mustLoginAll(t, f)
	f.Run(t.Context(), Constant(100, 200*time.Millisecond))

	byToken := map[string]int{}
	for _, h := range app.seenHeaders() {
		byToken[h]++
	}
	for _, u := range f.Users() {
		if got := byToken["Bearer "+u.Credential()]; got != 5 {
			t.Errorf("%s sent %d requests, want 5 of 20 in round robin", u.Name(), got)
		}
	}
}

// TestRunCoordinatedOmission stalls the server for 300 ms once. Requests due
// during the stall are still sent on time, so none is lost, and their
// latency counts from their due time, so the stall shows in p99.
func TestRunCoordinatedOmission(t *testing.T) {
	app, base := newFakeApp(t, Cookie)
	var (
		once       sync.Once
		mu         sync.Mutex
		stallUntil time.Time
	)
	app.meDelay = func(n int64) {
		if n == 50 {
			once.Do(func() {
				mu.Lock()
				stallUntil = time.Now().Add(300 * time.Millisecond)
				mu.Unlock()
			})
		}
		mu.Lock()
		wait := time.Until(stallUntil)
		mu.Unlock()
		if wait > 0 {
			time.Sleep(wait)
		}
	}
	f := mustFleet(t, Config{BaseURL: base, Flavor: Cookie, Users: 10})
	mustLoginAll(t, f)
	p := f.Run(t.Context(), Constant(200, time.Second))
	total := p.Total()

	if total.Scheduled != 200 || total.Sent != 200 {
		t.Fatalf("Scheduled %d, Sent %d; want 200 and 200", total.Scheduled, total.Sent)
	}
	if got := total.ByKind[KindMe]; got != 200 {
		t.Errorf("/api/me requests = %d, want 200: the stall must not reduce the count", got)
	}
	lat := p.Latency()
	// About 60 of the 200 requests are due during the stall, with latencies
	// spread up to 300 ms, so the p99 is well above 200 ms.
	if lat.P99 < 200 {
		t.Errorf("p99 = %v ms, want at least 200 ms from the 300 ms stall", lat.P99)
	}
	if lat.Max < 280 {
		t.Errorf("max = %v ms, want about 300 ms", lat.Max)
	}
	// The 40 requests due in the first 200 ms of the stall waited at least
	// 100 ms each, counting from their due time.
	var slow int
	for _, s := range p.samples {
		if s.micros >= 100_000 {
			slow++
		}
	}
	if slow < 40 {
		t.Errorf("%d requests took 100 ms or more, want at least 40 due during the stall", slow)
	}
}

func TestRunDropsWhenSlotsBusy(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	app.meDelay = func(int64) { time.Sleep(50 * time.Millisecond) }
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 2, MaxInFlight: 1})
	mustLoginAll(t, f)
	p := f.Run(t.Context(), Constant(100, 500*time.Millisecond))
	total := p.Total()

	if total.Scheduled != 50 {
		t.Fatalf("Scheduled = %d, want 50", total.Scheduled)
	}
	if total.Sent+total.Dropped != 50 {
		t.Errorf("Sent %d + Dropped %d, want 50", total.Sent, total.Dropped)
	}
	// One slot and 50 ms a request leave room for at most about 10 requests.
	if total.Sent > 15 || total.Dropped < 35 {
		t.Errorf("Sent %d, Dropped %d; want at most 15 sent with one slot", total.Sent, total.Dropped)
	}
	if got := app.mes.Load(); got != total.Sent {
		t.Errorf("server got %d requests, want the %d sent", got, total.Sent)
	}
	if !p.Client().Bottleneck {
		t.Error("Client().Bottleneck = false with most requests dropped")
	}
}

func TestRunCountsLate(t *testing.T) {
	_, base := newFakeApp(t, Bearer)
	// No goroutine starts within 1 ns of its timer, so every request is late.
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 2, LateThreshold: time.Nanosecond})
	mustLoginAll(t, f)
	total := f.Run(t.Context(), Constant(100, 200*time.Millisecond)).Total()
	if total.Late == 0 || total.Late > total.Sent {
		t.Errorf("Late = %d of %d sent, want all or nearly all", total.Late, total.Sent)
	}

	f = mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 2, LateThreshold: time.Hour})
	mustLoginAll(t, f)
	if late := f.Run(t.Context(), Constant(100, 200*time.Millisecond)).Total().Late; late != 0 {
		t.Errorf("Late = %d with a 1 h threshold, want 0", late)
	}
}

func TestRunLogsOutRejectedUsers(t *testing.T) {
	app, base := newFakeApp(t, Cookie)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Cookie, Users: 5})
	mustLoginAll(t, f)
	// The windows checked below keep 300 ms away from the switches, since a
	// request is bucketed by when it was sent, not when the server saw it.
	p := f.Run(t.Context(), Constant(100, 1500*time.Millisecond),
		At(600*time.Millisecond, "reject", func() { app.reject.Store(true) }),
		At(900*time.Millisecond, "accept", func() { app.reject.Store(false) }),
	)

	rejectAt, ok := p.Marks["reject"]
	if !ok || rejectAt < 600*time.Millisecond {
		t.Fatalf("Marks[reject] = %v, %v; want at or after 600ms", rejectAt, ok)
	}
	if got := p.UsersLoggedOut(); got != 5 {
		t.Errorf("UsersLoggedOut() = %d, want all 5", got)
	}
	for _, l := range p.LoggedOut {
		if l.At < rejectAt {
			t.Errorf("%s logged out at %v, before the server rejected at %v", l.User, l.At, rejectAt)
		}
	}
	before := p.Window(0, 300*time.Millisecond)
	if before.Errors != 0 || before.LoggedOut != 0 {
		t.Errorf("before the rejection: %d errors (%v), %d logouts; want 0 and 0", before.Errors, before.ErrorsByStatus, before.LoggedOut)
	}
	total := p.Total()
	if total.ByKind[KindLogin] < 5 {
		t.Errorf("logins = %d, want at least 5 as every user logs in again", total.ByKind[KindLogin])
	}
	for _, u := range f.Users() {
		if count, first := u.LoggedOut(); count == 0 || first.IsZero() {
			t.Errorf("%s: LoggedOut() = %d, %v; want at least once", u.Name(), count, first)
		}
	}
	if after := p.Window(1200*time.Millisecond, 1500*time.Millisecond); after.Errors != 0 {
		t.Errorf("after the server accepts again: %d errors, want 0", after.Errors)
	}
}

func TestRunLogsInOnFirstTurn(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 3})
	total := f.Run(t.Context(), Constant(50, 200*time.Millisecond)).Total()
	if got := total.ByKind[KindLogin]; got != 3 {
		t.Errorf("logins = %d, want 3, one per user", got)
	}
	if got := app.logins.Load(); got != 3 {
		t.Errorf("server logins = %d, want 3", got)
	}
	if total.Errors != 0 {
		t.Errorf("errors = %d, want 0", total.Errors)
	}
}

func TestRunPartialOnCancel(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	app.meDelay = func(int64) { time.Sleep(20 * time.Millisecond) }
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 2})
	mustLoginAll(t, f)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	started := time.Now()
	p := f.Run(ctx, Constant(100, 10*time.Second),
		At(5*time.Second, "late action", func() { t.Error("an action due after the cancel ran") }))

	if !p.Partial {
		t.Error("Partial = false after the context ended the phase")
	}
	if wall := time.Since(started); wall > 5*time.Second {
		t.Errorf("Run returned after %v, want soon after the 300 ms cancel", wall)
	}
	total := p.Total()
	if total.Scheduled == 0 || total.Scheduled >= 1000 {
		t.Errorf("Scheduled = %d, want a part of the 1000", total.Scheduled)
	}
	if total.ByStatus[StatusTransport] != 0 {
		t.Errorf("%d requests cut by the cancel were recorded as transport errors", total.ByStatus[StatusTransport])
	}
	if _, ok := p.Marks["late action"]; ok {
		t.Error("Marks holds an action that never ran")
	}
}

func TestRunRecordsActionEnds(t *testing.T) {
	_, base := newFakeApp(t, Bearer)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 1})
	mustLoginAll(t, f)
	p := f.Run(t.Context(), Constant(50, 600*time.Millisecond),
		At(100*time.Millisecond, "slow", func() { time.Sleep(200 * time.Millisecond) }))
	start, end := p.Marks["slow"], p.Ends["slow"]
	if start < 100*time.Millisecond {
		t.Errorf("Marks[slow] = %v, want at or after 100ms", start)
	}
	if end-start < 200*time.Millisecond {
		t.Errorf("Ends[slow] - Marks[slow] = %v, want at least the 200ms the action slept", end-start)
	}
}

func TestRunTransportErrors(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 1, Timeout: 50 * time.Millisecond})
	mustLoginAll(t, f)
	app.meDelay = func(int64) { time.Sleep(200 * time.Millisecond) }
	total := f.Run(t.Context(), Constant(20, 100*time.Millisecond)).Total()
	if total.ByStatus[StatusTransport] != 2 || total.Errors != 2 {
		t.Errorf("transport %d, errors %d; want 2 and 2 timed-out requests", total.ByStatus[StatusTransport], total.Errors)
	}
}
