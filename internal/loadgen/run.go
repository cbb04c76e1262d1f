package loadgen

import (
	"context"
	"sync"
	"time"
)

// RunOption changes one Run.
type RunOption func(*runOptions)

type runOptions struct {
	progress *Progress
	actions  []action
}

type action struct {
	offset time.Duration
	name   string
	do     func()
}

// WithProgress makes Run update p while it runs.
func WithProgress(p *Progress) RunOption {
	return func(o *runOptions) { o.progress = p }
}

// At makes Run call do in its own goroutine at offset after the phase
// starts, such as to stop a replica under load, and store the offsets at
// which do started and returned in Phase.Marks[name] and Phase.Ends[name].
// Run waits for do to return. An action not yet due when the schedule or
// the context ends is skipped.
func At(offset time.Duration, name string, do func()) RunOption {
	return func(o *runOptions) { o.actions = append(o.actions, action{offset, name, do}) }
}

// Run sends the requests of s, each as the next user in round-robin order
// sending GET /api/me, and returns the measured Phase. It blocks until the
// schedule ends and the requests in flight are done, or until ctx ends. In
// the second case the Phase is marked Partial, and the requests that ctx cut
// short are not recorded.
//
// The pacer is written here instead of using vegeta's attacker, because
// vegeta measures latency from the moment a request is actually sent: when
// the client falls behind, the time a request waited for its turn would not
// show. Here each request is due at a time fixed by the schedule, latency
// counts from that time, and a request that finds all MaxInFlight slots busy
// is dropped and counted rather than delayed.
func (f *Fleet) Run(ctx context.Context, s Schedule, opts ...RunOption) *Phase {
	var o runOptions
	for _, opt := range opts {
		opt(&o)
	}
	start := time.Now()
	o.progress.reset(start, s.Len())
	rec := newRecorder(start, s.Duration(), f.cfg.Bucket, f.cfg.LateThreshold, o.progress)

	actionCtx, cancelActions := context.WithCancel(ctx)
	defer cancelActions()
	marks, ends, actionsDone := runActions(actionCtx, start, o.actions)
	var inFlight sync.WaitGroup
	partial := !f.pace(ctx, s, rec, &inFlight)
	cancelActions()
	elapsed := time.Since(start)
	if !partial {
		elapsed = s.Duration()
	}
	inFlight.Wait()
	actionsDone()

	p := rec.phase(elapsed, partial)
	p.Marks, p.Ends = marks(), ends()
	return p
}

// pace starts each request of s at its scheduled time and returns false if
// ctx ended first. Once the last request has started, it waits until the
// end of the schedule, so the phase keeps its full length.
func (f *Fleet) pace(ctx context.Context, s Schedule, rec *recorder, inFlight *sync.WaitGroup) bool {
	slots := make(chan struct{}, f.cfg.MaxInFlight)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for n := int64(0); ; n++ {
		at, ok := s.At(n)
		if !ok {
			at = s.Duration()
		}
		if !sleepUntil(ctx, timer, rec.start.Add(at)) {
			return false
		}
		if !ok {
			return true
		}

		select {
		case slots <- struct{}{}:
		default:
			rec.dropped(at)
			continue
		}
		u := f.users[n%int64(len(f.users))]
		inFlight.Go(func() {
			defer func() { <-slots }()
			rec.sent(at, time.Now())
			f.visit(ctx, u, rec)
			if ctx.Err() == nil {
				rec.done(at, time.Now())
			}
		})
	}
}

// sleepUntil waits for deadline on timer and returns false if ctx ended
// first. It returns at once for a deadline in the past, so a pacer that
// fell behind catches up without sleeping.
func sleepUntil(ctx context.Context, timer *time.Timer, deadline time.Time) bool {
	wait := time.Until(deadline)
	if wait <= 0 {
		return ctx.Err() == nil
	}
	timer.Reset(wait)
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// runActions starts each action at its offset. marks and ends return the
// offsets at which the actions started and returned, once wait has
// returned; wait blocks until every started action has returned.
func runActions(ctx context.Context, start time.Time, actions []action) (marks, ends func() map[string]time.Duration, wait func()) {
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		started = map[string]time.Duration{}
		ended   = map[string]time.Duration{}
	)
	for _, a := range actions {
		wg.Go(func() {
			timer := time.NewTimer(0)
			defer timer.Stop()
			if !sleepUntil(ctx, timer, start.Add(a.offset)) {
				return
			}
			mu.Lock()
			started[a.name] = time.Since(start)
			mu.Unlock()
			a.do()
			mu.Lock()
			ended[a.name] = time.Since(start)
			mu.Unlock()
		})
	}
	return func() map[string]time.Duration { return started },
		func() map[string]time.Duration { return ended }, wg.Wait
}
