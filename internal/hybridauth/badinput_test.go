package hybridauth

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/token"
	"github.com/authlab/authlab/internal/users"
)

// mustForeignToken signs an access token for user-0002 with the replica's
// key file, or a generated key when keyFile is empty, with cfg's changes.
func mustForeignToken(t *testing.T, keyFile string, change func(*token.Config)) string {
	t.Helper()
	cfg := token.Config{Alg: token.AlgEdDSA, KeyFile: keyFile, TTL: 10 * time.Minute, Leeway: 30 * time.Second}
	change(&cfg)
	m, err := token.NewManager(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := m.Issue(users.User{Name: "user-0002", Roles: []string{"user"}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// tamper returns raw with its payload's sub changed to the admin user-0001
// and the signature kept.
func tamper(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["sub"] = "user-0001"
	changed, _ := json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(changed)
	return strings.Join(parts, ".")
}

// algNone returns raw's payload under an unsigned header with alg "none".
func algNone(t *testing.T, raw string) string {
	t.Helper()
	parts := strings.Split(raw, ".")
	header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": jwtHeader(t, raw)["kid"].(string)})
	return base64.RawURLEncoding.EncodeToString(header) + "." + parts[1] + "."
}

func TestBadInputs(t *testing.T) {
	env := testEnv(t, redistest.URL(t))
	r := startReplica(t, env, map[string]string{"REFRESH_REUSE_INTERVAL": "100ms"})
	// A second replica on the same Redis and prefix, with refresh tokens
	// that expire almost at once.
	shortLived := startReplica(t, env, map[string]string{"REFRESH_TTL": "200ms", "REFRESH_REUSE_INTERVAL": "0s"})

	expired := shortLived.mustLogin(t, "user-0002").refresh
	rotated := r.mustLogin(t, "user-0003")
	r.mustRefresh(t, rotated.refresh)
	time.Sleep(300 * time.Millisecond)
	valid := r.mustLogin(t, "user-0004")
	keyFile := env["JWT_PRIVATE_KEY_FILE"]

	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		bearer      string
		status      int
		code        string
	}{
		{name: "refresh without body", path: "/refresh", contentType: "application/json",
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh malformed JSON", path: "/refresh", body: `{"refresh_token":`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh JSON array", path: "/refresh", body: `["x"]`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh two JSON objects", path: "/refresh", body: `{"refresh_token":"a"}{}`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh missing field", path: "/refresh", body: `{}`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh empty field", path: "/refresh", body: `{"refresh_token":""}`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh field not a string", path: "/refresh", body: `{"refresh_token":42}`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "refresh form body", path: "/refresh", contentType: "application/x-www-form-urlencoded",
			body: "refresh_token=" + valid.refresh, status: http.StatusUnsupportedMediaType, code: "unsupported_media_type"},
		{name: "refresh oversized body", path: "/refresh",
			body:   `{"refresh_token":"` + strings.Repeat("a", 5000) + `"}`,
			status: http.StatusRequestEntityTooLarge, code: "payload_too_large"},
		{name: "refresh random token", path: "/refresh", body: refreshBody(newSecret()),
			status: http.StatusUnauthorized, code: "invalid_refresh_token"},
		{name: "refresh malformed token", path: "/refresh", body: refreshBody("not-a-token"),
			status: http.StatusUnauthorized, code: "invalid_refresh_token"},
		{name: "refresh with access token", path: "/refresh", body: refreshBody(valid.access),
			status: http.StatusUnauthorized, code: "invalid_refresh_token"},
		{name: "refresh expired token", path: "/refresh", body: refreshBody(expired),
			status: http.StatusUnauthorized, code: "invalid_refresh_token"},
		{name: "refresh reused outside interval", path: "/refresh", body: refreshBody(rotated.refresh),
			status: http.StatusUnauthorized, code: "refresh_token_reused"},
		{name: "refresh GET", method: http.MethodGet, path: "/refresh",
			status: http.StatusMethodNotAllowed, code: "method_not_allowed"},
		{name: "logout missing field", path: "/logout", body: `{}`, bearer: valid.access,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "logout malformed JSON", path: "/logout", body: `{`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "logout random token", path: "/logout", body: refreshBody(newSecret()),
			status: http.StatusOK},
		{name: "login missing password", path: "/login", body: `{"username":"user-0002"}`,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "login wrong password", path: "/login", body: `{"username":"user-0002","password":"wrong"}`,
			status: http.StatusUnauthorized, code: "invalid_credentials"},
		{name: "me without bearer", method: http.MethodGet, path: "/api/me",
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me garbage bearer", method: http.MethodGet, path: "/api/me", bearer: "abc",
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me refresh token as bearer", method: http.MethodGet, path: "/api/me", bearer: valid.refresh,
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me expired bearer", method: http.MethodGet, path: "/api/me",
			bearer: mustForeignToken(t, keyFile, func(c *token.Config) {
				c.Now = func() time.Time { return time.Now().Add(-time.Hour) }
			}),
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me tampered bearer", method: http.MethodGet, path: "/api/me", bearer: tamper(t, valid.access),
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me alg none bearer", method: http.MethodGet, path: "/api/me", bearer: algNone(t, valid.access),
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me wrong audience", method: http.MethodGet, path: "/api/me",
			bearer: mustForeignToken(t, keyFile, func(c *token.Config) { c.Audience = "another-api" }),
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me wrong issuer", method: http.MethodGet, path: "/api/me",
			bearer: mustForeignToken(t, keyFile, func(c *token.Config) { c.Issuer = "someone-else" }),
			status: http.StatusUnauthorized, code: "invalid_token"},
		{name: "me unknown key", method: http.MethodGet, path: "/api/me",
			bearer: mustForeignToken(t, "", func(*token.Config) {}),
			status: http.StatusUnauthorized, code: "invalid_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequest(method, r.url+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.contentType != "":
				req.Header.Set("Content-Type", tc.contentType)
			case tc.body != "":
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			assertStatus(t, tc.name, r.do(t, req), tc.status, tc.code)
		})
	}

	// None of the rejected requests may have spent the valid tokens.
	assertStatus(t, "me after bad inputs", r.send(t, http.MethodGet, "/api/me", "", valid.access), http.StatusOK, "")
	r.mustRefresh(t, valid.refresh)
}
