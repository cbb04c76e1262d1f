package lab

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/logtest"
)

func TestServePrintsURLsAndStops(t *testing.T) {
	ports, held, err := resolvePorts(nil)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(held)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out logtest.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, Options{Replicas: 1, Ports: ports, Getenv: testEnv(map[string]string{"ADMIN_TOKEN": "serve-test-admin-token"})}, &out)
	}()

	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "stop with Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("Serve wrote no banner within 30s; output so far:\n%s", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("Serve returned before ctx was done: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	text := out.String()
	for _, sys := range Systems() {
		if !strings.Contains(text, sys.Name) || !strings.Contains(text, ":"+strconv.Itoa(ports[sys.Name])) {
			t.Errorf("banner does not list %s on port %d:\n%s", sys.Name, ports[sys.Name], text)
		}
	}
	for _, want := range []string{"serve-test-admin-token", "user-0001", `"authlab-demo"`} {
		if !strings.Contains(text, want) {
			t.Errorf("banner does not contain %q:\n%s", want, text)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
	for _, port := range ports {
		if err := checkPortFree(port); err != nil {
			t.Errorf("after Serve returned: %v", err)
		}
	}
}
