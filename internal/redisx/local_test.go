package redisx

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func mustLocal(tb testing.TB, embedded bool) *Local {
	tb.Helper()
	l, err := StartLocal(embedded)
	if err != nil {
		tb.Fatalf("StartLocal: %v", err)
	}
	tb.Cleanup(func() { _ = l.Stop() })
	return l
}

func TestEmbeddedExpiresKeysOnItsOwn(t *testing.T) {
	l := mustLocal(t, true)
	if l.Kind() != KindEmbedded {
		t.Fatalf("Kind = %q, want %q", l.Kind(), KindEmbedded)
	}
	c, err := Open(l.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 100*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := c.Get(ctx, "k").Err(); !errors.Is(err, redis.Nil) {
		t.Errorf("GET after the TTL: err = %v, want redis.Nil (the key must expire without a test moving the clock)", err)
	}
}

func TestLocalStopAndStartKeepAddress(t *testing.T) {
	for _, embedded := range []bool{false, true} {
		l := mustLocal(t, embedded)
		addr := l.Addr()
		c, err := Open(l.URL())
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := c.Ping(ctx).Err(); err != nil {
			t.Fatalf("%s: ping before Stop: %v", l.Kind(), err)
		}
		if err := l.Stop(); err != nil {
			t.Fatalf("%s: Stop: %v", l.Kind(), err)
		}
		if err := c.Ping(ctx).Err(); err == nil {
			t.Errorf("%s: ping after Stop succeeded, want an error", l.Kind())
		}
		if err := l.Start(); err != nil {
			t.Fatalf("%s: Start: %v", l.Kind(), err)
		}
		if l.Addr() != addr {
			t.Errorf("%s: address changed from %s to %s", l.Kind(), addr, l.Addr())
		}
		if err := Ping(ctx, c, 2*time.Second); err != nil {
			t.Errorf("%s: ping after Start: %v", l.Kind(), err)
		}
		c.Close()
	}
}

func TestFreeAddrAvoidsEphemeralPorts(t *testing.T) {
	low := ephemeralLow()
	for range 20 {
		addr, err := freeAddr()
		if err != nil {
			t.Fatal(err)
		}
		_, portText, _ := net.SplitHostPort(addr)
		port, _ := strconv.Atoi(portText)
		if port < 10000 || port >= low {
			t.Fatalf("freeAddr = %s, want a port from 10000 to below the ephemeral range at %d", addr, low)
		}
	}
}
