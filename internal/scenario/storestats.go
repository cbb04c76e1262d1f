package scenario

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// commandCalls reads INFO commandstats and returns the number of calls a
// command. It counts what really reached Redis, whichever client sent it.
func commandCalls(ctx context.Context, c *redis.Client) (map[string]int64, error) {
	info, err := c.Info(ctx, "commandstats").Result()
	if err != nil {
		return nil, fmt.Errorf("read redis commandstats: %w", err)
	}
	return parseCommandStats(info), nil
}

// parseCommandStats parses lines such as
// "cmdstat_get:calls=21,usec=175,usec_per_call=8.33,rejected_calls=0,failed_calls=0".
func parseCommandStats(info string) map[string]int64 {
	calls := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, fields, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok {
			continue
		}
		name, ok = strings.CutPrefix(name, "cmdstat_")
		if !ok {
			continue
		}
		for _, f := range strings.Split(fields, ",") {
			if v, ok := strings.CutPrefix(f, "calls="); ok {
				n, err := strconv.ParseInt(v, 10, 64)
				if err == nil {
					calls[name] = n
				}
			}
		}
	}
	return calls
}

// opsBetween returns the commands executed between two snapshots, leaving out
// the lab's own probes (INFO, PING) and the apps' connection set-up (HELLO,
// CLIENT), which are not work done for a request.
func opsBetween(before, after map[string]int64) int64 {
	var total int64
	for name, n := range after {
		switch strings.SplitN(name, "|", 2)[0] {
		case "info", "ping", "hello", "client", "select", "command":
			continue
		}
		total += n - before[name]
	}
	return total
}
