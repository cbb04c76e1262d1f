package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestRunRejectsBadEnv(t *testing.T) {
	env := map[string]string{
		"REFRESH_TTL":            "two weeks",
		"REFRESH_REUSE_INTERVAL": "-1s",
		"ACCESS_TTL":             "0s",
		"BCRYPT_COST":            "4",
	}
	err := run(context.Background(), []string{"hybrid"}, func(k string) string { return env[k] }, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("run returned nil with invalid REFRESH_TTL")
	}
	for _, want := range []string{"REFRESH_TTL", "REFRESH_REUSE_INTERVAL", "ACCESS_TTL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestRunRejectsArguments(t *testing.T) {
	err := run(context.Background(), []string{"hybrid", "--port=1"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--port=1") {
		t.Fatalf("run with an argument returned %v, want an error naming it", err)
	}
}
