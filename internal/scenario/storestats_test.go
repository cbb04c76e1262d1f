package scenario

import (
	"context"
	"testing"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
)

func TestParseCommandStats(t *testing.T) {
	info := "# Commandstats\r\n" +
		"cmdstat_get:calls=21,usec=175,usec_per_call=8.33,rejected_calls=0,failed_calls=0\r\n" +
		"cmdstat_client|setinfo:calls=4,usec=3,usec_per_call=0.75\r\n" +
		"cmdstat_evalsha:calls=7,usec=90,usec_per_call=12.86\r\n"
	got := parseCommandStats(info)
	if got["get"] != 21 || got["evalsha"] != 7 || got["client|setinfo"] != 4 {
		t.Errorf("parseCommandStats = %v", got)
	}
}

func TestOpsBetweenSkipsProbes(t *testing.T) {
	before := map[string]int64{"get": 10, "info": 3}
	after := map[string]int64{"get": 25, "set": 5, "info": 9, "client|setinfo": 2, "ping": 4}
	if got := opsBetween(before, after); got != 20 {
		t.Errorf("opsBetween = %d, want 20 (15 GET + 5 SET)", got)
	}
}

func TestCommandCallsAgainstRedis(t *testing.T) {
	c, err := redisx.Open(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	before, err := commandCalls(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	key := redistest.Prefix(t) + "k"
	for range 3 {
		c.Get(ctx, key)
	}
	after, err := commandCalls(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// Other tests may share this Redis, so only a lower bound holds.
	if got := after["get"] - before["get"]; got < 3 {
		t.Errorf("GET calls grew by %d, want at least 3", got)
	}
}
