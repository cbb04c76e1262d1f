package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jwt.pem")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"jwtapp", "keygen", "-alg", "ES256", "-out", path}, os.Getenv, &stdout, &stderr); err != nil {
		t.Fatalf("keygen: %v (stderr %q)", err, stderr.String())
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read key: %v", err)
	}
	if !bytes.HasPrefix(first, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Errorf("key file starts with %q, want a PKCS#8 PEM block", first[:min(len(first), 30)])
	}
	info, _ := os.Stat(path)
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("key file mode = %o, want 600", mode)
	}

	stdout.Reset()
	if err := run(context.Background(), []string{"jwtapp", "keygen", "-alg", "ES256", "-out", path}, os.Getenv, &stdout, &stderr); err != nil {
		t.Fatalf("keygen over an existing file: %v", err)
	}
	kept, _ := os.ReadFile(path)
	if !bytes.Equal(first, kept) {
		t.Error("keygen without -force replaced the existing key")
	}
	if !strings.Contains(stdout.String(), "kept the existing ES256 key") {
		t.Errorf("stdout = %q, want it to say the key was kept", stdout.String())
	}

	if err := run(context.Background(), []string{"jwtapp", "keygen", "-force", "-alg", "ES256", "-out", path}, os.Getenv, &stdout, &stderr); err != nil {
		t.Fatalf("keygen -force: %v", err)
	}
	replaced, _ := os.ReadFile(path)
	if bytes.Equal(first, replaced) {
		t.Error("keygen -force kept the old key")
	}
}

func TestKeygenRejectsUnusableExistingFile(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	edKey := filepath.Join(dir, "ed.pem")
	if err := run(context.Background(), []string{"jwtapp", "keygen", "-out", edKey}, os.Getenv, io.Discard, io.Discard); err != nil {
		t.Fatalf("keygen: %v", err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"not a PEM file", []string{"keygen", "-out", garbage}},
		{"a folder", []string{"keygen", "-out", dir}},
		{"key of another alg", []string{"keygen", "-alg", "RS256", "-out", edKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(context.Background(), append([]string{"jwtapp"}, tc.args...), os.Getenv, &stdout, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "not a usable") {
				t.Errorf("err = %v, want one saying the file is not a usable key", err)
			}
			if strings.Contains(stdout.String(), "kept") {
				t.Errorf("stdout = %q, want no claim that the key was kept", stdout.String())
			}
		})
	}
}

func TestKeygenBadFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "jwt.pem")
	tests := []struct {
		name  string
		args  []string
		usage bool // a usage error exits with status 2
	}{
		{"unknown flag", []string{"keygen", "-bits", "4096", "-out", out}, true},
		{"missing out", []string{"keygen", "-alg", "EdDSA"}, true},
		{"extra argument", []string{"keygen", "-out", out, "again"}, true},
		{"HS256", []string{"keygen", "-alg", "HS256", "-out", out}, false},
		{"unknown alg", []string{"keygen", "-alg", "PS256", "-out", out}, false},
		{"missing folder", []string{"keygen", "-out", filepath.Join(out, "absent", "jwt.pem")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), append([]string{"jwtapp"}, tc.args...), os.Getenv, &stdout, &stderr)
			if err == nil {
				t.Fatal("run succeeded, want an error")
			}
			if got := errors.As(err, new(usageError)); got != tc.usage {
				t.Errorf("usage error = %v, want %v (err %v)", got, tc.usage, err)
			}
		})
	}
}

func TestRunRejectsBadEnv(t *testing.T) {
	env := map[string]string{"JWT_ALG": "none", "ACCESS_TTL": "soon", "BCRYPT_COST": "4", "LOG_LEVEL": "error"}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"jwtapp"}, func(k string) string { return env[k] }, &stdout, &stderr)
	if err == nil {
		t.Fatal("run succeeded with an invalid environment")
	}
	for _, name := range []string{"JWT_ALG", "ACCESS_TTL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestRunRejectsArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"jwtapp", "serve"}, os.Getenv, &stdout, &stderr)
	if !errors.As(err, new(usageError)) {
		t.Errorf("error = %v, want a usage error", err)
	}
}

func TestRunServesUntilCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"ADDR": addr, "BCRYPT_COST": "4", "USERS": "2", "LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"jwtapp"}, func(k string) string { return env[k] }, &stdout, &stderr)
	}()

	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("healthz: status %d, want 200", res.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("jwtapp did not listen on %s within 5s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v, want nil", err)
	}
}
