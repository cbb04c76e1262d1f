package hybridauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/logtest"
	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/token"
)

const (
	adminToken = "test-admin-token-0123456789"
	password   = "test-password"
)

// testEnv returns the settings of a replica with its own Redis prefix and
// signing key. Replicas built from the same map share both.
func testEnv(t testing.TB, redisURL string) map[string]string {
	t.Helper()
	keyFile := filepath.Join(t.TempDir(), "jwt.pem")
	if err := token.GenerateKeyFile(token.AlgEdDSA, keyFile); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"SYSTEM":               "hybrid-test",
		"REPLICA_ID":           "hybrid-test-1",
		"USERS":                "20",
		"BCRYPT_COST":          "4",
		"USER_PASSWORD":        password,
		"ADMIN_TOKEN":          adminToken,
		"LOGIN_RATE_USER":      "0",
		"LOGIN_RATE_CLIENT":    "0",
		"REDIS_URL":            redisURL,
		"REDIS_PREFIX":         redistest.Prefix(t),
		"JWT_PRIVATE_KEY_FILE": keyFile,
	}
}

// replica is one running replica of the app behind a loopback test server.
type replica struct {
	url    string
	env    map[string]string
	log    *logtest.Buffer
	client *http.Client
}

// startReplica builds a replica from env with the given overrides and serves
// it until the test ends.
func startReplica(t testing.TB, env map[string]string, overrides map[string]string) *replica {
	t.Helper()
	settings := maps.Clone(env)
	maps.Copy(settings, overrides)
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(context.Background(), func(k string) string { return settings[k] }, logger)
	if err != nil {
		t.Fatalf("build replica: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	client := ts.Client()
	t.Cleanup(func() {
		client.CloseIdleConnections()
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close replica: %v", err)
		}
	})
	return &replica{url: ts.URL, env: settings, log: logs, client: client}
}

// mustTestStore returns a store on the replica's Redis and prefix, to look
// at what the replica wrote.
func (r *replica) mustTestStore(t testing.TB) *Store {
	t.Helper()
	rdb, err := redisx.Open(r.env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	return NewStore(rdb, r.env["REDIS_PREFIX"], time.Hour, time.Minute)
}

// response is what a test request returned.
type response struct {
	status int
	header http.Header
	body   map[string]any
}

// code returns the "error" field of the body.
func (r response) code() string {
	s, _ := r.body["error"].(string)
	return s
}

func (r response) str(field string) string {
	s, _ := r.body[field].(string)
	return s
}

// send makes one request with a JSON content type when body is not empty
// and decodes the JSON reply.
func (r *replica) send(t testing.TB, method, path, body, bearer string) response {
	t.Helper()
	req, err := http.NewRequest(method, r.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return r.do(t, req)
}

func (r *replica) do(t testing.TB, req *http.Request) response {
	t.Helper()
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s body: %v", req.URL.Path, err)
	}
	out := response{status: resp.StatusCode, header: resp.Header}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", req.Method, req.URL.Path, raw)
		}
	}
	return out
}

// tokens is a login or refresh reply.
type tokens struct {
	access, refresh string
}

func refreshBody(raw string) string {
	b, _ := json.Marshal(RefreshRequest{RefreshToken: raw})
	return string(b)
}

func (r *replica) mustLogin(t testing.TB, user string) tokens {
	t.Helper()
	resp := r.send(t, http.MethodPost, "/login", `{"username":"`+user+`","password":"`+password+`"}`, "")
	if resp.status != http.StatusOK {
		t.Fatalf("login %s: status %d, body %v", user, resp.status, resp.body)
	}
	return tokensOf(t, resp)
}

func (r *replica) mustRefresh(t testing.TB, raw string) tokens {
	t.Helper()
	resp := r.send(t, http.MethodPost, "/refresh", refreshBody(raw), "")
	if resp.status != http.StatusOK {
		t.Fatalf("refresh: status %d, body %v", resp.status, resp.body)
	}
	return tokensOf(t, resp)
}

func tokensOf(t testing.TB, resp response) tokens {
	t.Helper()
	tk := tokens{access: resp.str("access_token"), refresh: resp.str("refresh_token")}
	if tk.access == "" || tk.refresh == "" {
		t.Fatalf("reply without both tokens: %v", resp.body)
	}
	if resp.str("token_type") != "Bearer" {
		t.Errorf("token_type %q, want Bearer", resp.str("token_type"))
	}
	if cc := resp.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	return tk
}

// assertStatus checks the status and error code of a response.
func assertStatus(t *testing.T, step string, resp response, status int, code string) {
	t.Helper()
	if resp.status != status {
		t.Errorf("%s: status %d, want %d (body %v)", step, resp.status, status, resp.body)
	}
	if resp.code() != code {
		t.Errorf("%s: error %q, want %q", step, resp.code(), code)
	}
}

// jwtHeader returns the decoded header of a JWT.
func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	part, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatalf("decode JWT header: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("parse JWT header: %v", err)
	}
	return h
}
