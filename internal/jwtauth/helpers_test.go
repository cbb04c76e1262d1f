package jwtauth

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/server"
	"github.com/authlab/authlab/internal/token"
	"github.com/golang-jwt/jwt/v5"
)

const (
	adminToken = "0123456789abcdef-admin"
	password   = "test-password"
	alice      = "user-0002"
	bob        = "user-0003"
)

// replica is one running jwtapp replica on a loopback port.
type replica struct {
	url string
	srv *server.Server
}

// mustKeyFile writes a new EdDSA key for a group of replicas.
func mustKeyFile(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "jwt.pem")
	if err := token.GenerateKeyFile(token.AlgEdDSA, path); err != nil {
		tb.Fatalf("GenerateKeyFile: %v", err)
	}
	return path
}

// baseEnv returns the settings of a test replica signing with keyFile.
func baseEnv(keyFile string) map[string]string {
	return map[string]string{
		"USERS": "10", "USER_PASSWORD": password, "BCRYPT_COST": "4",
		"ADMIN_TOKEN": adminToken, "LOGIN_RATE_USER": "1000", "LOGIN_RATE_CLIENT": "1000",
		"JWT_PRIVATE_KEY_FILE": keyFile,
	}
}

// denylistEnv adds DENYLIST=on with a Redis and a key prefix of its own.
func denylistEnv(env map[string]string, redisURL, prefix string) map[string]string {
	env["DENYLIST"] = "on"
	env["SYSTEM"] = "jwt-denylist"
	env["REDIS_URL"] = redisURL
	env["REDIS_PREFIX"] = prefix
	return env
}

// startReplica builds a replica from env and serves it with httptest, which
// binds 127.0.0.1:0.
func startReplica(tb testing.TB, id string, env map[string]string) replica {
	tb.Helper()
	vars := map[string]string{"REPLICA_ID": id}
	for k, v := range env {
		vars[k] = v
	}
	srv, err := New(context.Background(), func(k string) string { return vars[k] }, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	tb.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			tb.Errorf("close replica %s: %v", id, err)
		}
	})
	return replica{url: ts.URL, srv: srv}
}

// response is a decoded reply.
type response struct {
	status int
	header http.Header
	body   map[string]any
}

func (r response) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// send makes one request. header values replace the defaults: a JSON body
// gets Content-Type application/json unless header sets another one.
func send(tb testing.TB, method, url, body string, header map[string]string) response {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	out := response{status: res.StatusCode, header: res.Header}
	if len(data) > 0 && json.Unmarshal(data, &out.body) != nil {
		tb.Fatalf("%s %s: body is not a JSON object: %q", method, url, data)
	}
	return out
}

func bearer(raw string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + raw}
}

// mustLogin logs user in on r and returns the access token.
func mustLogin(tb testing.TB, r replica, user string) string {
	tb.Helper()
	res := send(tb, http.MethodPost, r.url+"/login", `{"username":"`+user+`","password":"`+password+`"}`, nil)
	if res.status != http.StatusOK {
		tb.Fatalf("login %s: status %d, body %v", user, res.status, res.body)
	}
	raw := res.str("access_token")
	if raw == "" || res.str("token_type") != "Bearer" {
		tb.Fatalf("login %s: body %v, want an access_token of type Bearer", user, res.body)
	}
	return raw
}

// me calls GET /api/me with raw and returns the response.
func me(tb testing.TB, r replica, raw string) response {
	tb.Helper()
	return send(tb, http.MethodGet, r.url+"/api/me", "", bearer(raw))
}

func wantStatus(tb testing.TB, what string, res response, status int, code string) {
	tb.Helper()
	if res.status != status {
		tb.Errorf("%s: status %d, want %d (body %v)", what, res.status, status, res.body)
	}
	if got := res.str("error"); got != code {
		tb.Errorf("%s: error code %q, want %q", what, got, code)
	}
	if code == "invalid_token" && res.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		tb.Errorf("%s: WWW-Authenticate %q, want Bearer error=\"invalid_token\"", what, res.header.Get("WWW-Authenticate"))
	}
}

// mustPrivateKey reads the PKCS#8 key that GenerateKeyFile wrote.
func mustPrivateKey(tb testing.TB, path string) crypto.Signer {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read key: %v", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatalf("no PEM block in %s", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatalf("parse key: %v", err)
	}
	return k.(crypto.Signer)
}

// mustManager returns a token manager on keyFile whose config edit changes.
func mustManager(tb testing.TB, keyFile string, edit func(*token.Config)) *token.Manager {
	tb.Helper()
	cfg := token.Config{Alg: token.AlgEdDSA, KeyFile: keyFile, TTL: time.Hour, Leeway: 30 * time.Second}
	if edit != nil {
		edit(&cfg)
	}
	m, err := token.NewManager(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatalf("NewManager: %v", err)
	}
	return m
}

// claimsFor returns valid claims for user, for tokens signed by hand.
func claimsFor(user string) *token.Claims {
	now := time.Now()
	return &token.Claims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer: token.DefaultIssuer, Audience: jwt.ClaimStrings{token.DefaultAudience}, Subject: user,
		ID: "hand-made", IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}}
}

func mustSign(tb testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.Claims) string {
	tb.Helper()
	t := jwt.NewWithClaims(method, claims)
	if kid != "" {
		t.Header["kid"] = kid
	}
	raw, err := t.SignedString(key)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return raw
}

// redisURL returns a Redis shared by the test's replicas.
func redisURL(tb testing.TB) string {
	tb.Helper()
	return redistest.URL(tb)
}
