package redisx

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

func TestDialerResolve(t *testing.T) {
	r := newDialer(time.Second)
	ctx := context.Background()
	tests := []struct {
		addr, want string
	}{
		{"localhost:6379", "127.0.0.1:6379"},
		{"127.0.0.1:6379", "127.0.0.1:6379"},
		{"[::1]:6379", "[::1]:6379"},
		{"/run/redis.sock", "/run/redis.sock"},
	}
	for _, tt := range tests {
		got, err := r.resolve(ctx, tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("resolve(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
}

func TestDialerKeepsLastAddress(t *testing.T) {
	var mu sync.Mutex
	answer := net.IPv4(172, 23, 0, 3)
	var dnsDown bool
	r := newDialer(time.Second)
	r.lookup = func(context.Context, string, string) ([]net.IP, error) {
		mu.Lock()
		defer mu.Unlock()
		if dnsDown {
			return nil, &net.DNSError{Err: "i/o timeout", Name: "redis", IsTimeout: true}
		}
		return []net.IP{answer}, nil
	}
	set := func(ip net.IP, down bool) {
		mu.Lock()
		answer, dnsDown = ip, down
		mu.Unlock()
	}
	ctx := context.Background()
	if got, err := r.resolve(ctx, "redis:6379"); err != nil || got != "172.23.0.3:6379" {
		t.Fatalf("resolve = %q, %v; want 172.23.0.3:6379", got, err)
	}

	set(answer, true)
	if got, err := r.resolve(ctx, "redis:6379"); err != nil || got != "172.23.0.3:6379" {
		t.Errorf("resolve with DNS down = %q, %v; want the last address 172.23.0.3:6379", got, err)
	}
	var dnsErr *net.DNSError
	if _, err := r.resolve(ctx, "other:6379"); !errors.As(err, &dnsErr) {
		t.Errorf("resolve of a name never resolved, DNS down: err = %v, want the DNS error", err)
	}

	// A new address reaches the dialer through the background lookup.
	set(net.IPv4(172, 23, 0, 9), false)
	r.mu.Lock()
	r.checked["redis:6379"] = time.Time{}
	r.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := r.resolve(ctx, "redis:6379")
		if got == "172.23.0.9:6379" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("resolve = %q 5s after the address changed, want 172.23.0.9:6379", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
