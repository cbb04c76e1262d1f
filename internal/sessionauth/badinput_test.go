package sessionauth_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestBadRequests(t *testing.T) {
	forged := strings.Repeat("Q", 43)
	admin := map[string]string{"Authorization": "Bearer " + adminToken}
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		// session is sent as the session cookie when it is not "".
		session string
		header  map[string]string
		// attempts repeats the request; only the last response is checked.
		attempts   int
		wantStatus int
		wantCode   string
	}{
		{name: "missing body", method: http.MethodPost, path: "/login", header: map[string]string{"Content-Type": jsonMIMEType},
			wantStatus: 400, wantCode: "invalid_request"},
		{name: "malformed JSON", method: http.MethodPost, path: "/login", body: `{"username":`,
			wantStatus: 400, wantCode: "invalid_request"},
		{name: "two JSON objects", method: http.MethodPost, path: "/login", body: loginBody("user-0002", password) + "{}",
			wantStatus: 400, wantCode: "invalid_request"},
		{name: "wrong content type", method: http.MethodPost, path: "/login", body: loginBody("user-0002", password),
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, wantStatus: 415, wantCode: "unsupported_media_type"},
		{name: "missing password", method: http.MethodPost, path: "/login", body: `{"username":"user-0002"}`,
			wantStatus: 400, wantCode: "invalid_request"},
		{name: "missing username", method: http.MethodPost, path: "/login", body: `{"password":"x"}`,
			wantStatus: 400, wantCode: "invalid_request"},
		{name: "wrong password", method: http.MethodPost, path: "/login", body: loginBody("user-0003", "wrong"),
			wantStatus: 401, wantCode: "invalid_credentials"},
		{name: "unknown user", method: http.MethodPost, path: "/login", body: loginBody("user-0999", password),
			wantStatus: 401, wantCode: "invalid_credentials"},
		{name: "oversized body", method: http.MethodPost, path: "/login", body: loginBody("user-0002", strings.Repeat("p", 5000)),
			wantStatus: 413, wantCode: "payload_too_large"},
		{name: "oversized header", method: http.MethodGet, path: "/api/me", header: map[string]string{"X-Padding": strings.Repeat("h", 5000)},
			wantStatus: 431, wantCode: "header_too_large"},
		{name: "login with GET", method: http.MethodGet, path: "/login",
			wantStatus: 405, wantCode: "method_not_allowed"},
		{name: "no cookie", method: http.MethodGet, path: "/api/me",
			wantStatus: 401, wantCode: "unauthenticated"},
		{name: "forged cookie", method: http.MethodGet, path: "/api/me", session: forged,
			wantStatus: 401, wantCode: "unauthenticated"},
		{name: "garbage cookie", method: http.MethodGet, path: "/api/me", session: "%00garbage!*",
			wantStatus: 401, wantCode: "unauthenticated"},
		{name: "too long cookie", method: http.MethodGet, path: "/api/me", session: strings.Repeat("a", 3000),
			wantStatus: 401, wantCode: "unauthenticated"},
		{name: "cross-site Origin on logout", method: http.MethodPost, path: "/logout", session: forged,
			header: map[string]string{"Origin": "https://attacker.example"}, wantStatus: 403, wantCode: "forbidden"},
		{name: "null Origin on logout", method: http.MethodPost, path: "/logout",
			header: map[string]string{"Origin": "null"}, wantStatus: 403, wantCode: "forbidden"},
		{name: "cross-site Sec-Fetch-Site on login", method: http.MethodPost, path: "/login", body: loginBody("user-0002", password),
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403, wantCode: "forbidden"},
		{name: "cross-site Origin on login", method: http.MethodPost, path: "/login", body: loginBody("user-0002", password),
			header: map[string]string{"Origin": "http://127.0.0.1:1"}, wantStatus: 403, wantCode: "forbidden"},
		{name: "revoke without token", method: http.MethodPost, path: "/admin/revoke", body: `{"username":"user-0002"}`,
			wantStatus: 403, wantCode: "forbidden"},
		{name: "revoke with wrong token", method: http.MethodPost, path: "/admin/revoke", body: `{"username":"user-0002"}`,
			header: map[string]string{"Authorization": "Bearer " + adminToken + "x"}, wantStatus: 403, wantCode: "forbidden"},
		{name: "revoke of unknown user", method: http.MethodPost, path: "/admin/revoke", body: `{"username":"user-0999"}`,
			header: admin, wantStatus: 404, wantCode: "not_found"},
		{name: "revoke without username", method: http.MethodPost, path: "/admin/revoke", body: `{}`,
			header: admin, wantStatus: 400, wantCode: "invalid_request"},
		{name: "login rate limit", method: http.MethodPost, path: "/login", body: loginBody("user-0010", password),
			attempts: 4, wantStatus: 429, wantCode: "rate_limited"},
	}
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			env := sc.env(t)
			env["LOGIN_RATE_USER"] = "3"
			r := startReplica(t, "r1", env)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					var resp response
					for range max(tc.attempts, 1) {
						resp = r.send(t, tc.method, tc.path, tc.body, tc.session, tc.header)
					}
					if resp.status != tc.wantStatus {
						t.Errorf("status %d, want %d (body %s)", resp.status, tc.wantStatus, resp.raw)
					}
					if resp.code() != tc.wantCode {
						t.Errorf("error code %q, want %q (body %s)", resp.code(), tc.wantCode, resp.raw)
					}
					if tc.wantStatus == 429 && resp.header.Get("Retry-After") == "" {
						t.Error("429 without a Retry-After header")
					}
					if resp.status >= 400 && resp.cookie() != nil && resp.cookie().MaxAge >= 0 {
						t.Errorf("error response set a live session cookie")
					}
				})
			}
		})
	}
}
