// Package redistest gives tests a Redis to talk to over TCP.
//
// URL returns REDIS_URL when it is set, as CI does with a real Redis.
// Otherwise it starts redis-server from PATH on a free port for the test, and
// only without redis-server does it fall back to miniredis, so the tests pass
// on a fresh machine.
package redistest

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/authlab/authlab/internal/redisx"
)

var prefixes atomic.Int64

// URL returns the address of a Redis for tb and stops it at the end of the
// test when the test started it.
func URL(tb testing.TB) string {
	tb.Helper()
	if url := os.Getenv("REDIS_URL"); url != "" {
		return url
	}
	l := Start(tb)
	return l.URL()
}

// Start starts a Redis that only tb uses, so the test may stop and start it.
func Start(tb testing.TB) *redisx.Local {
	tb.Helper()
	l, err := redisx.StartLocal(false)
	if err != nil {
		tb.Fatalf("start local redis: %v", err)
	}
	tb.Cleanup(func() { _ = l.Stop() })
	tb.Logf("using %s at %s", l.Kind(), l.Addr())
	return l
}

// Prefix returns a key prefix unique to this test process and call, so tests
// sharing one Redis never see each other's keys.
func Prefix(tb testing.TB) string {
	tb.Helper()
	return fmt.Sprintf("test:%d:%d:", os.Getpid(), prefixes.Add(1))
}
