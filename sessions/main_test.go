package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestRunRejectsBadEnv(t *testing.T) {
	env := map[string]string{
		"SESSION_STORE":    "postgres",
		"SESSION_LIFETIME": "soon",
		"BCRYPT_COST":      "4",
	}
	err := run(context.Background(), []string{"sessions"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("run returned nil with SESSION_STORE=postgres")
	}
	for _, want := range []string{"SESSION_STORE", "SESSION_LIFETIME"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestRunRejectsArguments(t *testing.T) {
	err := run(context.Background(), []string{"sessions", "--port=1"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--port=1") {
		t.Fatalf("run with an argument returned %v, want an error naming it", err)
	}
}
