// Package redisx opens the apps' Redis clients and runs a local Redis for the
// lab and the tests.
//
// A local Redis is redis-server from PATH when there is one, started on a free
// loopback port with persistence off, and otherwise miniredis, an embedded
// Redis-compatible server. Kind returns which one ran, because the lab's report
// must name it.
package redisx

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Open parses url ("redis://host:port/db") and returns a client with short
// timeouts, so a dead Redis fails a request within about a second instead of
// hanging it. It does not connect: call Ping to check.
func Open(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("invalid REDIS_URL: %w", err)
	}
	opts.DialTimeout = 500 * time.Millisecond
	opts.ReadTimeout = 500 * time.Millisecond
	opts.WriteTimeout = 500 * time.Millisecond
	opts.PoolTimeout = time.Second
	// By default go-redis retries a failed dial 5 times, 100 ms apart, so a
	// request waits about a second while Redis is down. With one quick retry
	// an outage fails requests at once, with a 503.
	opts.DialerRetries = 1
	opts.DialerRetryTimeout = 20 * time.Millisecond
	opts.MaxRetries = 1
	opts.MinRetryBackoff = 8 * time.Millisecond
	opts.MaxRetryBackoff = 64 * time.Millisecond
	return redis.NewClient(opts), nil
}

// Ping returns nil when the client's server responds within timeout.
func Ping(ctx context.Context, c *redis.Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return c.Ping(ctx).Err()
}
