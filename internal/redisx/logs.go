package redisx

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RouteLogs sends go-redis's own log lines, such as its pool's dial failures
// while Redis is down, to logger at warn level, at most one line every
// interval with the count of lines dropped since. go-redis has one logger
// for the whole process, so the last call wins.
func RouteLogs(logger *slog.Logger, interval time.Duration) {
	redis.SetLogger(&throttledLogger{logger: logger, interval: interval})
}

type throttledLogger struct {
	logger   *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	last    time.Time
	dropped int
}

// Printf implements go-redis's internal Logging interface.
func (l *throttledLogger) Printf(ctx context.Context, format string, v ...any) {
	l.mu.Lock()
	now := time.Now()
	if now.Sub(l.last) < l.interval {
		l.dropped++
		l.mu.Unlock()
		return
	}
	dropped := l.dropped
	l.last, l.dropped = now, 0
	l.mu.Unlock()
	l.logger.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...), "dropped_since_last", dropped)
}
