package loadgen

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// Progress is a live view of a running phase for a status line. It is safe
// for concurrent use, and a nil *Progress counts nothing.
type Progress struct {
	started   atomic.Int64 // Unix nanoseconds
	total     atomic.Int64
	scheduled atomic.Int64
	sent      atomic.Int64
	requests  atomic.Int64
	errors    atomic.Int64
}

// ProgressSnapshot holds the counters of a Progress at one moment.
type ProgressSnapshot struct {
	// Elapsed is the time since the phase started, 0 before it starts.
	Elapsed time.Duration
	// Total is the number of requests the schedule holds.
	Total     int64
	Scheduled int64
	Sent      int64
	Requests  int64
	Errors    int64
}

// Snapshot returns the current counters.
func (p *Progress) Snapshot() ProgressSnapshot {
	var s ProgressSnapshot
	if started := p.started.Load(); started != 0 {
		s.Elapsed = time.Since(time.Unix(0, started))
	}
	s.Total = p.total.Load()
	s.Scheduled = p.scheduled.Load()
	s.Sent = p.sent.Load()
	s.Requests = p.requests.Load()
	s.Errors = p.errors.Load()
	return s
}

// reset starts the counters of a new phase.
func (p *Progress) reset(start time.Time, total int64) {
	if p == nil {
		return
	}
	p.scheduled.Store(0)
	p.sent.Store(0)
	p.requests.Store(0)
	p.errors.Store(0)
	p.total.Store(total)
	p.started.Store(start.UnixNano())
}

func (p *Progress) count(scheduled, sent, requests, errors int64) {
	if p == nil {
		return
	}
	p.scheduled.Add(scheduled)
	p.sent.Add(sent)
	p.requests.Add(requests)
	p.errors.Add(errors)
}

// ShowProgress draws a bar named name that follows p on w, refreshed five
// times a second, until the returned stop function is called. It draws
// nothing unless w is a terminal, so logs and pipes stay clean.
func ShowProgress(w io.Writer, name string, p *Progress) (stop func()) {
	file, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(file.Fd())) {
		return func() {}
	}
	const refresh = 200 * time.Millisecond
	container := mpb.New(mpb.WithOutput(w), mpb.WithRefreshRate(refresh))
	status := func(decor.Statistics) string {
		s := p.Snapshot()
		return fmt.Sprintf("%s  sent %d  requests %d  errors %d", s.Elapsed.Truncate(refresh), s.Sent, s.Requests, s.Errors)
	}
	bar := container.AddBar(0,
		mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d")),
		mpb.AppendDecorators(decor.Any(status)),
	)

	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(refresh)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				s := p.Snapshot()
				bar.SetTotal(s.Total, false)
				bar.SetCurrent(s.Scheduled)
			case <-done:
				return
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		bar.SetCurrent(p.Snapshot().Scheduled)
		bar.SetTotal(-1, true)
		container.Wait()
	}
}
