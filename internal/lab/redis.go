package lab

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"sync"

	"github.com/authlab/authlab/internal/redisx"
	"github.com/redis/go-redis/v9"
)

// ErrExternalRedis is returned by StopRedis and StartRedis when the Redis is
// not the lab's own.
var ErrExternalRedis = errors.New("the lab uses an external Redis (REDIS_URL) that it cannot stop or start: " +
	"unset REDIS_URL to let the lab run its own Redis for outage scenarios")

// labRedis is the Redis of the embedded lab: local is nil when REDIS_URL
// names an external one.
type labRedis struct {
	info  RedisInfo
	local *redisx.Local
}

func startRedis(opts Options) (labRedis, error) {
	if url := opts.Getenv("REDIS_URL"); url != "" {
		return labRedis{info: RedisInfo{Kind: redisx.KindExternal, Version: "unknown", URL: url}}, nil
	}
	local, err := redisx.StartLocal(opts.PreferEmbeddedRedis)
	if err != nil {
		return labRedis{}, fmt.Errorf("start the lab's redis: %w", err)
	}
	info := RedisInfo{Kind: local.Kind(), Version: local.Version(), URL: local.URL()}
	opts.Logger.Info("redis started", "kind", info.Kind, "version", info.Version, "addr", local.Addr())
	return labRedis{info: info, local: local}, nil
}

func (r labRedis) ownedErr() error {
	if r.local == nil {
		return ErrExternalRedis
	}
	return nil
}

func (r labRedis) stop() error {
	if r.local == nil {
		return nil
	}
	return r.local.Stop()
}

// redisLog receives go-redis's own messages (failed dials, pool errors),
// which go-redis writes to one process-wide logger. While a lab runs they go
// to its AppLog at level warn, and to the standard logger otherwise.
var redisLog struct {
	once   sync.Once
	mu     sync.Mutex
	logger *slog.Logger
}

func setRedisLogger(logger *slog.Logger) {
	redisLog.once.Do(func() { redis.SetLogger(redisLogger{}) })
	redisLog.mu.Lock()
	defer redisLog.mu.Unlock()
	redisLog.logger = logger
}

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	redisLog.mu.Lock()
	logger := redisLog.logger
	redisLog.mu.Unlock()
	if logger == nil {
		log.Printf("redis: "+format, v...)
		return
	}
	logger.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}
