package server

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// loginLimits keeps one token bucket a username and one a client address.
// Buckets idle for longer than limiterIdle are dropped, so a flood of
// made-up usernames can't grow the maps without bound.
type loginLimits struct {
	perUser, perClient *keyedLimiter
}

const limiterIdle = 10 * time.Minute

func newLoginLimits(userPerMinute, clientPerMinute int) *loginLimits {
	return &loginLimits{perUser: newKeyedLimiter(userPerMinute), perClient: newKeyedLimiter(clientPerMinute)}
}

// allow takes one attempt from both buckets. When either is empty it takes
// none and returns how long to wait.
func (l *loginLimits) allow(user, client string) (time.Duration, bool) {
	now := time.Now()
	clientSlot, wait, ok := l.perClient.reserve(client, now)
	if !ok {
		return wait, false
	}
	if _, wait, ok := l.perUser.reserve(user, now); !ok {
		clientSlot.cancel(now)
		return wait, false
	}
	return 0, true
}

type keyedLimiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[string]*bucket
	swept     time.Time
}

type bucket struct {
	limiter *rate.Limiter
	used    time.Time
}

func newKeyedLimiter(perMinute int) *keyedLimiter {
	return &keyedLimiter{perMinute: perMinute, buckets: map[string]*bucket{}}
}

// slot is one attempt taken from a bucket, which cancel gives back.
type slot struct{ r *rate.Reservation }

func (s slot) cancel(now time.Time) {
	if s.r != nil {
		s.r.CancelAt(now)
	}
}

// reserve takes one attempt from key's bucket. When the bucket is empty it
// takes none and returns how long to wait.
func (k *keyedLimiter) reserve(key string, now time.Time) (slot, time.Duration, bool) {
	if k.perMinute == 0 {
		return slot{}, 0, true
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.sweep(now)
	b := k.buckets[key]
	if b == nil {
		b = &bucket{limiter: rate.NewLimiter(rate.Limit(float64(k.perMinute)/60), k.perMinute)}
		k.buckets[key] = b
	}
	b.used = now
	r := b.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return slot{}, d, false
	}
	return slot{r: r}, 0, true
}

func (k *keyedLimiter) sweep(now time.Time) {
	if now.Sub(k.swept) < time.Minute {
		return
	}
	k.swept = now
	for key, b := range k.buckets {
		if now.Sub(b.used) > limiterIdle {
			delete(k.buckets, key)
		}
	}
}
