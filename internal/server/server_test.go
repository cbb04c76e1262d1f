package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authlab/authlab/internal/config"
	"github.com/labstack/echo/v4"
)

func mustServer(tb testing.TB, env map[string]string) *Server {
	tb.Helper()
	base := map[string]string{"USERS": "5", "BCRYPT_COST": "4", "REPLICA_ID": "test-1", "ADMIN_TOKEN": "0123456789abcdef-admin"}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := LoadConfig(config.New(func(k string) string { return base[k] }), "test")
	if err != nil {
		tb.Fatalf("LoadConfig: %v", err)
	}
	s, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	s.Echo.POST("/login", func(c echo.Context) error {
		u, err := s.Login(c)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"user": u.Name})
	})
	s.Echo.POST("/admin/revoke", func(c echo.Context) error {
		name, err := s.BindRevoke(c)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"revoked": name})
	}, s.RequireAdmin)
	return s
}

type reply struct {
	status int
	code   string
	header http.Header
}

func send(tb testing.TB, h http.Handler, method, path, contentType, body string, header map[string]string) reply {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct {
		Error string `json:"error"`
	}
	if rec.Code >= 400 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			tb.Fatalf("%s %s: error body is not JSON: %q", method, path, rec.Body.String())
		}
	}
	return reply{status: rec.Code, code: out.Error, header: rec.Header()}
}

func TestLoginBadInput(t *testing.T) {
	s := mustServer(t, nil)
	const jsonType = "application/json"
	tests := []struct {
		name        string
		contentType string
		body        string
		header      map[string]string
		wantStatus  int
		wantCode    string
	}{
		{name: "empty body", contentType: jsonType, body: "", wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "malformed json", contentType: jsonType, body: `{"username":`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "two objects", contentType: jsonType, body: `{}{}`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "array", contentType: jsonType, body: `[]`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "stray closing brace", contentType: jsonType, body: `{"username":"user-0002","password":"authlab-demo"}}`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "stray closing bracket", contentType: jsonType, body: `{"username":"user-0002","password":"authlab-demo"}]`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: "username=a", wantStatus: 415, wantCode: CodeUnsupportedMedia},
		{name: "missing password", contentType: jsonType, body: `{"username":"user-0001"}`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "missing username", contentType: jsonType, body: `{"password":"x"}`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "wrong password", contentType: jsonType, body: `{"username":"user-0001","password":"nope"}`, wantStatus: 401, wantCode: CodeInvalidCredential},
		{name: "unknown user", contentType: jsonType, body: `{"username":"user-9999","password":"authlab-demo"}`, wantStatus: 401, wantCode: CodeInvalidCredential},
		{name: "oversized body", contentType: jsonType, body: `{"username":"` + strings.Repeat("a", 5000) + `"}`, wantStatus: 413, wantCode: CodePayloadTooLarge},
		{name: "oversized header", contentType: jsonType, body: `{}`, header: map[string]string{"X-Big": strings.Repeat("b", 5000)}, wantStatus: 431, wantCode: CodeHeaderTooLarge},
		{name: "unknown route", contentType: jsonType, body: `{}`, wantStatus: 404, wantCode: CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/login"
			if tt.name == "unknown route" {
				path = "/nope"
			}
			r := send(t, s.Handler(), http.MethodPost, path, tt.contentType, tt.body, tt.header)
			if r.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", r.status, tt.wantStatus)
			}
			if r.code != tt.wantCode {
				t.Errorf("error = %q, want %q", r.code, tt.wantCode)
			}
			if r.header.Get(ReplicaHeader) != "test-1" {
				t.Errorf("X-Replica = %q, want test-1", r.header.Get(ReplicaHeader))
			}
		})
	}
}

func TestLoginSucceeds(t *testing.T) {
	s := mustServer(t, nil)
	r := send(t, s.Handler(), http.MethodPost, "/login", "application/json",
		`{"username":"user-0002","password":"authlab-demo"}`, nil)
	if r.status != http.StatusOK {
		t.Fatalf("status = %d (%s), want 200", r.status, r.code)
	}
}

func TestLoginRateLimitPerUser(t *testing.T) {
	s := mustServer(t, map[string]string{"LOGIN_RATE_USER": "2"})
	body := `{"username":"user-0003","password":"wrong"}`
	for i := range 2 {
		if r := send(t, s.Handler(), http.MethodPost, "/login", "application/json", body, nil); r.status != 401 {
			t.Fatalf("attempt %d: status = %d, want 401", i+1, r.status)
		}
	}
	r := send(t, s.Handler(), http.MethodPost, "/login", "application/json", body, nil)
	if r.status != http.StatusTooManyRequests || r.code != CodeRateLimited {
		t.Fatalf("third attempt: %d %q, want 429 %q", r.status, r.code, CodeRateLimited)
	}
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	other := send(t, s.Handler(), http.MethodPost, "/login", "application/json", `{"username":"user-0004","password":"wrong"}`, nil)
	if other.status != http.StatusUnauthorized {
		t.Errorf("another user: status = %d, want 401 (limits are per user)", other.status)
	}
}

func TestLoginRateLimitPerClient(t *testing.T) {
	s := mustServer(t, map[string]string{"LOGIN_RATE_CLIENT": "1", "LOGIN_RATE_USER": "0"})
	first := send(t, s.Handler(), http.MethodPost, "/login", "application/json", `{"username":"user-0001","password":"x"}`, nil)
	second := send(t, s.Handler(), http.MethodPost, "/login", "application/json", `{"username":"user-0002","password":"x"}`, nil)
	if first.status != http.StatusUnauthorized {
		t.Errorf("first: status = %d, want 401", first.status)
	}
	if second.status != http.StatusTooManyRequests {
		t.Errorf("second from the same client: status = %d, want 429", second.status)
	}
}

func TestAdminRoute(t *testing.T) {
	body := `{"username":"user-0002"}`
	tests := []struct {
		name       string
		env        map[string]string
		auth       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{name: "no token", auth: "", body: body, wantStatus: 403, wantCode: CodeForbidden},
		{name: "wrong token", auth: "Bearer 0123456789abcdef-wrong", body: body, wantStatus: 403, wantCode: CodeForbidden},
		{name: "basic scheme", auth: "Basic 0123456789abcdef-admin", body: body, wantStatus: 403, wantCode: CodeForbidden},
		{name: "disabled", env: map[string]string{"ADMIN_TOKEN": " "}, auth: "Bearer x", body: body, wantStatus: 403, wantCode: CodeAdminDisabled},
		{name: "unknown user", auth: "Bearer 0123456789abcdef-admin", body: `{"username":"bob"}`, wantStatus: 404, wantCode: CodeNotFound},
		{name: "missing user", auth: "Bearer 0123456789abcdef-admin", body: `{}`, wantStatus: 400, wantCode: CodeInvalidRequest},
		{name: "valid", auth: "Bearer 0123456789abcdef-admin", body: body, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustServer(t, tt.env)
			r := send(t, s.Handler(), http.MethodPost, "/admin/revoke", "application/json", tt.body,
				map[string]string{"Authorization": tt.auth})
			if r.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", r.status, tt.wantStatus)
			}
			if r.code != tt.wantCode {
				t.Errorf("error = %q, want %q", r.code, tt.wantCode)
			}
		})
	}
}

func TestLoadConfigRejectsShortAdminToken(t *testing.T) {
	env := config.New(func(k string) string {
		return map[string]string{"ADMIN_TOKEN": "short"}[k]
	})
	if _, err := LoadConfig(env, "test"); err == nil || !strings.Contains(err.Error(), "ADMIN_TOKEN") {
		t.Fatalf("LoadConfig error = %v, want one naming ADMIN_TOKEN", err)
	}
}

func TestLoadConfigRejectsBadDirectory(t *testing.T) {
	long := strings.Repeat("p", 73)
	tests := []struct {
		name, key, value, want string
	}{
		{"too many users", "USERS", "2000000000", "invalid USERS=2000000000"},
		{"no users", "USERS", "0", "invalid USERS=0"},
		{"password over 72 bytes", "USER_PASSWORD", long, "invalid USER_PASSWORD: 73 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := config.New(func(k string) string {
				return map[string]string{tt.key: tt.value}[k]
			})
			_, err := LoadConfig(env, "test")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadConfig error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), long) {
				t.Errorf("LoadConfig error %q contains the password", err)
			}
		})
	}
}

func TestReadyz(t *testing.T) {
	s := mustServer(t, nil)
	healthy := true
	s.AddReadiness("store", func(ctx context.Context) error {
		if healthy {
			return nil
		}
		return errors.New("connection refused")
	})
	if r := send(t, s.Handler(), http.MethodGet, "/readyz", "", "", nil); r.status != http.StatusOK {
		t.Errorf("ready store: /readyz = %d, want 200", r.status)
	}
	healthy = false
	if r := send(t, s.Handler(), http.MethodGet, "/readyz", "", "", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("failed store: /readyz = %d, want 503", r.status)
	}
	if r := send(t, s.Handler(), http.MethodGet, "/healthz", "", "", nil); r.status != http.StatusOK {
		t.Errorf("/healthz = %d, want 200 whatever the store", r.status)
	}
}

func TestMetricsCountRequests(t *testing.T) {
	s := mustServer(t, nil)
	send(t, s.Handler(), http.MethodGet, "/healthz", "", "", nil)
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `authlab_http_requests_total{replica="test-1",route="/healthz",status="200",system="test"} 1`) {
		t.Errorf("/metrics does not count the /healthz request:\n%s", rec.Body.String())
	}
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
		ok     bool
	}{
		{name: "bearer", header: "Bearer abc", want: "abc", ok: true},
		{name: "lowercase scheme", header: "bearer abc", want: "abc", ok: true},
		{name: "empty token", header: "Bearer ", ok: false},
		{name: "basic", header: "Basic abc", ok: false},
		{name: "no scheme", header: "abc", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", tt.header)
			got, ok := BearerToken(r)
			if got != tt.want || ok != tt.ok {
				t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestStoreFailuresLoggedOnceASecond(t *testing.T) {
	s := mustServer(t, nil)
	var buf bytes.Buffer
	s.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	s.Echo.GET("/down", func(echo.Context) error { return StoreUnavailable(errors.New("dial tcp: connection refused")) })
	for range 5 {
		if r := send(t, s.Handler(), http.MethodGet, "/down", "", "", nil); r.status != http.StatusServiceUnavailable || r.code != CodeStoreUnavailable {
			t.Fatalf("/down = %d %q, want 503 %q", r.status, r.code, CodeStoreUnavailable)
		}
	}
	if got := strings.Count(buf.String(), "request failed"); got != 1 {
		t.Errorf("logged %d failures, want 1 within a second:\n%s", got, buf.String())
	}
}

func TestChunkedOversizedBody(t *testing.T) {
	s := mustServer(t, nil)
	body := `{"username":"user-0001","password":"` + strings.Repeat("a", 5000) + `"}`
	req := httptest.NewRequest(http.MethodPost, "/login", io.NopCloser(strings.NewReader(body)))
	req.ContentLength = -1 // sent chunked, so only the reader can enforce the limit
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), CodePayloadTooLarge) {
		t.Errorf("chunked oversized body: %d %s, want 413 %s", rec.Code, rec.Body, CodePayloadTooLarge)
	}
}

func TestUserLimitLeavesClientBudget(t *testing.T) {
	s := mustServer(t, map[string]string{"LOGIN_RATE_USER": "1", "LOGIN_RATE_CLIENT": "3"})
	wrong := func(user string) reply {
		return send(t, s.Handler(), http.MethodPost, "/login", "application/json", `{"username":"`+user+`","password":"x"}`, nil)
	}
	wrong("user-0001")
	for i := range 3 {
		if r := wrong("user-0001"); r.status != http.StatusTooManyRequests {
			t.Fatalf("repeat %d for user-0001: status %d, want 429", i+1, r.status)
		}
	}
	// Three attempts were refused by the user limit; they must not have
	// used up the client's budget of three.
	if r := wrong("user-0002"); r.status != http.StatusUnauthorized {
		t.Errorf("user-0002 after user-0001 was limited: status %d, want 401", r.status)
	}
}
