package sessionauth

import (
	"context"
	"testing"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
)

// DeleteTestKeys deletes the keys under prefix in the Redis at url, so tests
// leave nothing behind in a Redis that REDIS_URL shares.
var DeleteTestKeys = deleteTestKeys

func deleteTestKeys(t *testing.T, url, prefix string) {
	client, err := redisx.Open(url)
	if err != nil {
		t.Errorf("open redis to delete test keys: %v", err)
		return
	}
	defer client.Close()
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Logf("delete test keys under %s: %v", prefix, err)
	}
}

// redisTestPrefix returns a key prefix for one test in the Redis at url,
// whose keys are deleted when the test ends.
func redisTestPrefix(t *testing.T, url string) string {
	prefix := redistest.Prefix(t)
	t.Cleanup(func() { deleteTestKeys(t, url, prefix) })
	return prefix
}
