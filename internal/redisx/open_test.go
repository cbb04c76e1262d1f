package redisx_test

import (
	"context"
	"strings"
	"testing"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
)

// TestOpenByHostName connects through the IPv4-first dialer, which only a
// URL with a host name uses.
func TestOpenByHostName(t *testing.T) {
	url := redistest.Start(t).URL()
	if !strings.Contains(url, "127.0.0.1") {
		t.Fatalf("local Redis URL %s is not on 127.0.0.1", url)
	}
	client, err := redisx.Open(strings.Replace(url, "127.0.0.1", "localhost", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.Ping(context.Background()).Err(); err != nil {
		t.Errorf("PING through localhost: %v", err)
	}
}
