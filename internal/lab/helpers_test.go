package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/users"
)

// testEnv is the parent environment of the tests' labs: a small directory,
// cheap bcrypt and no login rate limit, because every test client logs in
// from 127.0.0.1.
func testEnv(extra map[string]string) func(string) string {
	env := map[string]string{
		"USERS":             "50",
		"BCRYPT_COST":       "4",
		"LOGIN_RATE_USER":   "0",
		"LOGIN_RATE_CLIENT": "0",
	}
	for k, v := range extra {
		env[k] = v
	}
	return func(key string) string { return env[key] }
}

// mustStart starts a lab on free ports with testEnv and closes it at the end
// of the test.
func mustStart(tb testing.TB, opts Options) *Lab {
	tb.Helper()
	if opts.Getenv == nil {
		opts.Getenv = testEnv(nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := Start(ctx, opts)
	if err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() {
		if err := l.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return l
}

// client is one user agent of a test: a cookie jar and, after login, the
// bearer and refresh tokens.
type client struct {
	tb      testing.TB
	base    string
	http    *http.Client
	access  string
	refresh string
}

func newClient(tb testing.TB, base string) *client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	transport := &http.Transport{}
	tb.Cleanup(transport.CloseIdleConnections)
	return &client{tb: tb, base: base, http: &http.Client{Jar: jar, Transport: transport, Timeout: 5 * time.Second}}
}

// response is the part of an HTTP response that the tests check.
type response struct {
	status  int
	replica string
	body    map[string]any
}

func (c *client) do(method, path string, body any) response {
	c.tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.access != "" {
		req.Header.Set("Authorization", "Bearer "+c.access)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, replica: resp.Header.Get(server.ReplicaHeader)}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	if len(data) > 0 {
		_ = json.Unmarshal(data, &out.body)
	}
	return out
}

// login logs in as user and keeps the tokens of a token system.
func (c *client) login(user string) response {
	c.tb.Helper()
	resp := c.do(http.MethodPost, "/login", map[string]string{"username": user, "password": server.DefaultPassword})
	if resp.status == http.StatusOK {
		c.access, _ = resp.body["access_token"].(string)
		c.refresh, _ = resp.body["refresh_token"].(string)
	}
	return resp
}

func (c *client) me() response {
	c.tb.Helper()
	return c.do(http.MethodGet, "/api/me", nil)
}

func (c *client) logout() response {
	c.tb.Helper()
	var body any
	if c.refresh != "" {
		body = map[string]string{"refresh_token": c.refresh}
	}
	return c.do(http.MethodPost, "/logout", body)
}

// mustLogin logs in as user and fails the test unless the status is 200.
func (c *client) mustLogin(user string) {
	c.tb.Helper()
	if resp := c.login(user); resp.status != http.StatusOK {
		c.tb.Fatalf("login %s on %s: status %d, body %v", user, c.base, resp.status, resp.body)
	}
}

// replicaCounts sends n GET /api/me and counts the responses of each replica;
// it fails the test on a status other than 200.
func (c *client) replicaCounts(n int) map[string]int {
	c.tb.Helper()
	counts := map[string]int{}
	for i := range n {
		resp := c.me()
		if resp.status != http.StatusOK {
			c.tb.Fatalf("request %d: GET /api/me on %s: status %d, body %v", i, c.base, resp.status, resp.body)
		}
		counts[resp.replica]++
	}
	return counts
}

var demoUser = users.Name(1)
