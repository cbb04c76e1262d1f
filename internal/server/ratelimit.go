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
	if wait, ok := l.perClient.allow(client); !ok {
		return wait, false
	}
	if wait, ok := l.perUser.allow(user); !ok {
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

func (k *keyedLimiter) allow(key string) (time.Duration, bool) {
	if k.perMinute == 0 {
		return 0, true
	}
	now := time.Now()
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
		return d, false
	}
	return 0, true
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
