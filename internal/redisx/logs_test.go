package redisx

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestThrottledLoggerDropsRepeats(t *testing.T) {
	var buf bytes.Buffer
	l := &throttledLogger{logger: slog.New(slog.NewTextHandler(&buf, nil)), interval: time.Hour}
	for range 5 {
		l.Printf(context.Background(), "dial tcp %s: connection refused", "127.0.0.1:1")
	}
	if got := strings.Count(buf.String(), "connection refused"); got != 1 {
		t.Errorf("logged %d lines, want 1 within the interval:\n%s", got, buf.String())
	}
	if l.dropped != 4 {
		t.Errorf("dropped = %d, want 4", l.dropped)
	}
}
