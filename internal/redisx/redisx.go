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
	"errors"
	"fmt"
	"net"
	"sync"
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
	if opts.Network == "tcp" && opts.TLSConfig == nil {
		opts.Dialer = newDialer(opts.DialTimeout).dial
	}
	return redis.NewClient(opts), nil
}

// dialer dials Redis by host name, resolving only IPv4 addresses (Go's
// resolver otherwise waits for both the A and the AAAA answer). Once a name
// has resolved, it dials the last address at once and looks the name up
// again in the background, at most once a refreshEvery. In the compose lab a
// stopped Redis container leaves Docker's DNS, and under load the lookups of
// "redis" kept timing out for seconds after the container was back on the
// same address, so a lookup before each dial kept every request from
// reaching Redis for the rest of the phase (Docker 20.10 on a host whose DNS
// server does not answer, 2 cores).
type dialer struct {
	net     net.Dialer
	timeout time.Duration
	lookup  func(ctx context.Context, network, host string) ([]net.IP, error)

	mu         sync.Mutex
	last       map[string]string
	checked    map[string]time.Time
	refreshing map[string]bool
}

// refreshEvery is how often at most a resolved name is looked up again.
const refreshEvery = time.Second

// newDialer returns a dialer whose dials and lookups each time out after
// timeout.
func newDialer(timeout time.Duration) *dialer {
	return &dialer{
		net:        net.Dialer{Timeout: timeout, KeepAlive: 5 * time.Minute},
		timeout:    timeout,
		lookup:     net.DefaultResolver.LookupIP,
		last:       map[string]string{},
		checked:    map[string]time.Time{},
		refreshing: map[string]bool{},
	}
}

func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	target, err := d.resolve(ctx, addr)
	if err != nil {
		return nil, err
	}
	return d.net.DialContext(ctx, network, target)
}

// resolve returns the address to dial for addr: addr itself for an IP
// address, a name without an IPv4 address or an address without a port,
// else the name's last IPv4 address, looked up now when there is none.
func (d *dialer) resolve(ctx context.Context, addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || net.ParseIP(host) != nil {
		return addr, nil
	}
	d.mu.Lock()
	last, ok := d.last[addr]
	if ok && time.Since(d.checked[addr]) >= refreshEvery && !d.refreshing[addr] {
		d.refreshing[addr] = true
		go d.refresh(addr)
	}
	d.mu.Unlock()
	if ok {
		return last, nil
	}
	return d.lookupNow(ctx, addr)
}

// refresh looks addr up again and keeps the new address. A failed lookup
// keeps the old one.
func (d *dialer) refresh(addr string) {
	_, _ = d.lookupNow(context.Background(), addr)
	d.mu.Lock()
	d.refreshing[addr] = false
	d.mu.Unlock()
}

// lookupNow resolves the host of addr to its first IPv4 address and keeps
// the result.
func (d *dialer) lookupNow(ctx context.Context, addr string) (string, error) {
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	ips, err := d.lookup(ctx, "ip4", host)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checked[addr] = time.Now()
	var dnsErr *net.DNSError
	switch {
	case err == nil && len(ips) > 0:
		d.last[addr] = net.JoinHostPort(ips[0].String(), port)
		return d.last[addr], nil
	case err == nil, errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return addr, nil
	case d.last[addr] != "":
		return d.last[addr], nil
	default:
		return "", fmt.Errorf("resolve %s: %w", host, err)
	}
}

// Ping returns nil when the client's server responds within timeout.
func Ping(ctx context.Context, c *redis.Client, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return c.Ping(ctx).Err()
}
