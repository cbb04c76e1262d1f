package sessionauth_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authlab/authlab/internal/logtest"
	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/sessionauth"
)

const (
	adminToken   = "test-admin-token-0123456789"
	password     = "test-password"
	cookieName   = "authlab_session"
	jsonMIMEType = "application/json"
)

// storeCase configures one session store for tests that run against both.
type storeCase struct {
	name string
	// env returns the settings that select the store. Replicas built from
	// the same map share a Redis and a key prefix.
	env func(t *testing.T) map[string]string
}

var stores = []storeCase{
	{name: "memory", env: func(*testing.T) map[string]string {
		return map[string]string{"SESSION_STORE": "memory"}
	}},
	{name: "redis", env: redisEnv},
}

// redisEnv selects the redis store with a key prefix of its own, whose keys
// are deleted when the test ends, because REDIS_URL may name a shared Redis.
func redisEnv(t *testing.T) map[string]string {
	url, prefix := redistest.URL(t), redistest.Prefix(t)
	t.Cleanup(func() { sessionauth.DeleteTestKeys(t, url, prefix) })
	return map[string]string{
		"SESSION_STORE": "redis",
		"REDIS_URL":     url,
		"REDIS_PREFIX":  prefix,
	}
}

// replica is one running replica of the app behind a loopback test server.
type replica struct {
	url string
	log *logtest.Buffer
}

// startReplica builds a replica named id from the test defaults overridden by
// env and serves it until the test ends.
func startReplica(t *testing.T, id string, env map[string]string) *replica {
	t.Helper()
	settings := map[string]string{
		"SYSTEM":        "sessions-test",
		"REPLICA_ID":    id,
		"USERS":         "20",
		"BCRYPT_COST":   "4",
		"USER_PASSWORD": password,
		"ADMIN_TOKEN":   adminToken,
	}
	for k, v := range env {
		settings[k] = v
	}
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := sessionauth.New(context.Background(), func(k string) string { return settings[k] }, logger)
	if err != nil {
		t.Fatalf("build replica %s: %v", id, err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close replica %s: %v", id, err)
		}
	})
	return &replica{url: ts.URL, log: logs}
}

// response is what a test request returned.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// code returns the "error" field of the body.
func (r response) code() string {
	s, _ := r.body["error"].(string)
	return s
}

// cookie returns the session cookie that the response sets, or nil.
func (r response) cookie() *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == cookieName {
			return c
		}
	}
	return nil
}

// send makes one request and decodes its JSON body. header values replace
// the defaults, and a session value adds the session cookie.
func (r *replica) send(t *testing.T, method, path, body, session string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", jsonMIMEType)
	}
	if session != "" {
		req.Header.Set("Cookie", cookieName+"="+session)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}

	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body of %s %s: %v", method, path, err)
	}

	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), jsonMIMEType) {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s returned a body that is not a JSON object: %q", method, path, raw)
		}
	}
	return out
}

// login logs user in, sending session as the cookie when it is not "", and
// returns the new session token.
func (r *replica) login(t *testing.T, user, session string) string {
	t.Helper()
	resp := r.send(t, http.MethodPost, "/login", loginBody(user, password), session, nil)
	if resp.status != http.StatusOK {
		t.Fatalf("login %s: status %d, body %s", user, resp.status, resp.raw)
	}
	c := resp.cookie()
	if c == nil || c.Value == "" {
		t.Fatalf("login %s: no %s cookie in %v", user, cookieName, resp.header.Values("Set-Cookie"))
	}
	return c.Value
}

// me calls /api/me with session and returns the response.
func (r *replica) me(t *testing.T, session string) response {
	t.Helper()
	return r.send(t, http.MethodGet, "/api/me", "", session, nil)
}

// mustBeUser fails unless session is a valid session of user on r.
func (r *replica) mustBeUser(t *testing.T, session, user string) {
	t.Helper()
	resp := r.me(t, session)
	if resp.status != http.StatusOK {
		t.Fatalf("/api/me on %s: status %d, body %s, want 200 for %s", r.url, resp.status, resp.raw, user)
	}
	if got := resp.body["user"]; got != user {
		t.Fatalf("/api/me on %s: user %v, want %s", r.url, got, user)
	}
}

// mustBeRejected fails unless /api/me on r returns 401 unauthenticated for
// session.
func (r *replica) mustBeRejected(t *testing.T, session string) {
	t.Helper()
	resp := r.me(t, session)
	if resp.status != http.StatusUnauthorized || resp.code() != "unauthenticated" {
		t.Fatalf("/api/me on %s: status %d, body %s, want 401 unauthenticated", r.url, resp.status, resp.raw)
	}
}

// revoke calls /admin/revoke for user on r and returns the response.
func (r *replica) revoke(t *testing.T, user string) response {
	t.Helper()
	header := map[string]string{"Authorization": "Bearer " + adminToken}
	return r.send(t, http.MethodPost, "/admin/revoke", `{"username":"`+user+`"}`, "", header)
}

func loginBody(user, pass string) string {
	b, _ := json.Marshal(map[string]string{"username": user, "password": pass})
	return string(b)
}
