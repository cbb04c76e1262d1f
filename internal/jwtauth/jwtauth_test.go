package jwtauth

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/token"
	"github.com/authlab/authlab/internal/users"
	"github.com/golang-jwt/jwt/v5"
)

func TestLoginMeLogoutWithoutDenylist(t *testing.T) {
	r := startReplica(t, "jwt-1", baseEnv(mustKeyFile(t)))
	raw := mustLogin(t, r, alice)

	res := me(t, r, raw)
	if res.status != http.StatusOK {
		t.Fatalf("me: status %d, body %v", res.status, res.body)
	}
	if res.str("user") != alice || res.str("system") != "jwt" || res.str("replica") != "jwt-1" {
		t.Errorf("me body = %v, want user %s, system jwt, replica jwt-1", res.body, alice)
	}

	out := send(t, http.MethodPost, r.url+"/logout", "", bearer(raw))
	if out.status != http.StatusOK {
		t.Fatalf("logout: status %d, body %v", out.status, out.body)
	}
	if out.body["logged_out"] != false {
		t.Errorf("logged_out = %v, want false", out.body["logged_out"])
	}
	if !strings.Contains(out.str("message"), "stays valid until it expires") {
		t.Errorf("logout message %q does not say the token stays valid", out.str("message"))
	}
	exp, err := time.Parse(time.RFC3339, out.str("expires_at"))
	if err != nil {
		t.Errorf("expires_at %q is not RFC 3339: %v", out.str("expires_at"), err)
	}
	if left := time.Until(exp); left < 23*time.Hour || left > 24*time.Hour {
		t.Errorf("expires_at is %v from now, want about the 24h ACCESS_TTL", left)
	}
	if secs, _ := out.body["expires_in"].(float64); secs < 23*3600 || secs > 24*3600 {
		t.Errorf("expires_in = %v, want about 86400", out.body["expires_in"])
	}

	if res := me(t, r, raw); res.status != http.StatusOK {
		t.Errorf("me after logout: status %d, want 200 because the token stays valid", res.status)
	}
}

func TestLoginMeLogoutWithDenylist(t *testing.T) {
	r := startReplica(t, "jwt-denylist-1", denylistEnv(baseEnv(mustKeyFile(t)), redisURL(t), redistest.Prefix(t)))
	raw := mustLogin(t, r, alice)
	other := mustLogin(t, r, alice)
	if res := me(t, r, raw); res.status != http.StatusOK {
		t.Fatalf("me: status %d, body %v", res.status, res.body)
	}

	out := send(t, http.MethodPost, r.url+"/logout", "", bearer(raw))
	if out.status != http.StatusOK {
		t.Fatalf("logout: status %d, body %v", out.status, out.body)
	}
	if out.body["logged_out"] != true {
		t.Errorf("logged_out = %v, want true", out.body["logged_out"])
	}

	wantStatus(t, "me after logout", me(t, r, raw), http.StatusUnauthorized, "invalid_token")
	wantStatus(t, "logout again", send(t, http.MethodPost, r.url+"/logout", "", bearer(raw)), http.StatusUnauthorized, "invalid_token")
	if res := me(t, r, other); res.status != http.StatusOK {
		t.Errorf("another token of the same user after logout: status %d, want 200", res.status)
	}
	if metrics := scrape(t, r); !strings.Contains(metrics, `reason="revoked"`) {
		t.Error(`metrics do not count the rejection with reason="revoked"`)
	}
}

func TestRevokeWithoutDenylist(t *testing.T) {
	r := startReplica(t, "jwt-1", baseEnv(mustKeyFile(t)))
	raw := mustLogin(t, r, alice)

	res := send(t, http.MethodPost, r.url+"/admin/revoke", `{"username":"`+alice+`"}`, bearer(adminToken))
	wantStatus(t, "revoke", res, http.StatusNotImplemented, "not_implemented")
	if !strings.Contains(res.str("message"), "can't be revoked before it expires") {
		t.Errorf("message %q does not say the token can't be revoked", res.str("message"))
	}
	latest, err := time.Parse(time.RFC3339, res.str("expires_at_latest"))
	if err != nil {
		t.Fatalf("expires_at_latest %q is not RFC 3339: %v", res.str("expires_at_latest"), err)
	}
	if d := time.Until(latest) - DefaultAccessTTL; d < -time.Minute || d > time.Minute {
		t.Errorf("expires_at_latest is %v from now, want the 24h ACCESS_TTL", time.Until(latest))
	}
	if res.body["revoked"] != false {
		t.Errorf("revoked = %v, want false", res.body["revoked"])
	}
	if res := me(t, r, raw); res.status != http.StatusOK {
		t.Errorf("me after revoke: status %d, want 200 because nothing can revoke the token", res.status)
	}
}

func TestRevokeWithDenylistAcrossReplicas(t *testing.T) {
	env := denylistEnv(baseEnv(mustKeyFile(t)), redisURL(t), redistest.Prefix(t))
	a := startReplica(t, "jwt-denylist-1", env)
	b := startReplica(t, "jwt-denylist-2", env)
	old := mustLogin(t, a, alice)
	bobs := mustLogin(t, a, bob)

	res := send(t, http.MethodPost, b.url+"/admin/revoke", `{"username":"`+alice+`"}`, bearer(adminToken))
	if res.status != http.StatusOK {
		t.Fatalf("revoke on b: status %d, body %v", res.status, res.body)
	}
	if _, err := time.Parse(time.RFC3339Nano, res.str("revoked_before")); err != nil {
		t.Errorf("revoked_before %q is not RFC 3339: %v", res.str("revoked_before"), err)
	}

	wantStatus(t, "old token on a", me(t, a, old), http.StatusUnauthorized, "invalid_token")
	wantStatus(t, "old token on b", me(t, b, old), http.StatusUnauthorized, "invalid_token")
	if res := me(t, b, bobs); res.status != http.StatusOK {
		t.Errorf("token of another user: status %d, want 200", res.status)
	}

	// The new login very likely falls in the same second as the revoke,
	// which iat alone could not tell apart from the revoked token.
	fresh := mustLogin(t, a, alice)
	if res := me(t, a, fresh); res.status != http.StatusOK {
		t.Errorf("login after revoke, on a: status %d, body %v", res.status, res.body)
	}
	if res := me(t, b, fresh); res.status != http.StatusOK {
		t.Errorf("login after revoke, on b: status %d, body %v", res.status, res.body)
	}
}

func TestRevokeNeedsAdminToken(t *testing.T) {
	r := startReplica(t, "jwt-1", baseEnv(mustKeyFile(t)))
	raw := mustLogin(t, r, "user-0001")
	res := send(t, http.MethodPost, r.url+"/admin/revoke", `{"username":"`+alice+`"}`, bearer(raw))
	wantStatus(t, "revoke with a user token", res, http.StatusForbidden, "forbidden")
	res = send(t, http.MethodPost, r.url+"/admin/revoke", `{"username":"user-9999"}`, bearer(adminToken))
	wantStatus(t, "revoke of an unknown user", res, http.StatusNotFound, "not_found")
}

func TestReplicasShareKeyFile(t *testing.T) {
	env := baseEnv(mustKeyFile(t))
	a, b := startReplica(t, "jwt-1", env), startReplica(t, "jwt-2", env)
	if res := me(t, b, mustLogin(t, a, alice)); res.status != http.StatusOK {
		t.Errorf("token of a on b with a shared key file: status %d, want 200", res.status)
	}

	env = baseEnv("")
	c, d := startReplica(t, "jwt-3", env), startReplica(t, "jwt-4", env)
	raw := mustLogin(t, c, alice)
	if res := me(t, c, raw); res.status != http.StatusOK {
		t.Errorf("token of c on c: status %d, want 200", res.status)
	}
	wantStatus(t, "token of c on d with generated keys", me(t, d, raw), http.StatusUnauthorized, "invalid_token")
}

func TestJWKS(t *testing.T) {
	r := startReplica(t, "jwt-1", baseEnv(mustKeyFile(t)))
	res := send(t, http.MethodGet, r.url+"/.well-known/jwks.json", "", nil)
	if res.status != http.StatusOK {
		t.Fatalf("jwks: status %d", res.status)
	}
	if cc := res.header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control = %q, want public, max-age=300", cc)
	}
	keys, _ := res.body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys = %v, want one key", res.body["keys"])
	}
	key, _ := keys[0].(map[string]any)
	raw := mustLogin(t, r, alice)
	parsed, _, err := jwt.NewParser().ParseUnverified(raw, &token.Claims{})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	if key["kid"] != parsed.Header["kid"] {
		t.Errorf("JWKS kid %v, token kid %v, want the same", key["kid"], parsed.Header["kid"])
	}
	if key["kty"] != "OKP" || key["alg"] != "EdDSA" {
		t.Errorf("key = %v, want kty OKP and alg EdDSA", key)
	}
}

func TestLoginResponse(t *testing.T) {
	r := startReplica(t, "jwt-1", baseEnv(mustKeyFile(t)))
	res := send(t, http.MethodPost, r.url+"/login", `{"username":"`+alice+`","password":"`+password+`"}`, nil)
	if res.status != http.StatusOK {
		t.Fatalf("login: status %d", res.status)
	}
	if res.body["expires_in"] != float64(DefaultAccessTTL/time.Second) {
		t.Errorf("expires_in = %v, want %d", res.body["expires_in"], DefaultAccessTTL/time.Second)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	if res.header.Get("X-Replica") != "jwt-1" {
		t.Errorf("X-Replica = %q, want jwt-1", res.header.Get("X-Replica"))
	}
}

func TestBadInputs(t *testing.T) {
	keyFile := mustKeyFile(t)
	r := startReplica(t, "jwt-1", baseEnv(keyFile))
	good := mustLogin(t, r, alice)
	current := mustManager(t, keyFile, nil)
	issue := func(edit func(*token.Config)) string {
		raw, _, err := mustManager(t, keyFile, edit).Issue(users.User{Name: alice, Roles: []string{"user"}})
		if err != nil {
			t.Fatalf("issue: %v", err)
		}
		return raw
	}
	priv := mustPrivateKey(t, keyFile)
	pubDER, _ := x509.MarshalPKIXPublicKey(priv.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	parts := strings.Split(good, ".")
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"authlab","aud":["authlab-api"],"sub":"user-0001",` +
		`"roles":["user","admin"],"exp":4102444800,"iat":1700000000,"jti":"x"}`))

	tests := []struct {
		name   string
		method string
		path   string
		body   string
		header map[string]string
		status int
		code   string
	}{
		{"login missing body", "POST", "/login", "", map[string]string{"Content-Type": "application/json"}, 400, "invalid_request"},
		{"login malformed JSON", "POST", "/login", `{"username":`, nil, 400, "invalid_request"},
		{"login missing password", "POST", "/login", `{"username":"user-0002"}`, nil, 400, "invalid_request"},
		{"login wrong password", "POST", "/login", `{"username":"user-0002","password":"nope"}`, nil, 401, "invalid_credentials"},
		{"login unknown user", "POST", "/login", `{"username":"user-9999","password":"` + password + `"}`, nil, 401, "invalid_credentials"},
		{"login form body", "POST", "/login", "username=a", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"login oversized body", "POST", "/login", `{"username":"` + strings.Repeat("a", 5000) + `"}`, nil, 413, "payload_too_large"},
		{"me no token", "GET", "/api/me", "", nil, 401, "invalid_token"},
		{"me expired token", "GET", "/api/me", "", bearer(issue(func(c *token.Config) {
			c.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
		})), 401, "invalid_token"},
		{"me alg none", "GET", "/api/me", "", bearer(mustSign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, current.KeyID(), claimsFor(alice))), 401, "invalid_token"},
		{"me HS256 with the public key", "GET", "/api/me", "", bearer(mustSign(t, jwt.SigningMethodHS256, pubPEM, current.KeyID(), claimsFor(alice))), 401, "invalid_token"},
		{"me wrong issuer", "GET", "/api/me", "", bearer(issue(func(c *token.Config) { c.Issuer = "evil" })), 401, "invalid_token"},
		{"me wrong audience", "GET", "/api/me", "", bearer(issue(func(c *token.Config) { c.Audience = "other-api" })), 401, "invalid_token"},
		{"me unknown kid", "GET", "/api/me", "", bearer(mustSign(t, jwt.SigningMethodEdDSA, priv, "other-kid", claimsFor(alice))), 401, "invalid_token"},
		{"me tampered payload", "GET", "/api/me", "", bearer(parts[0] + "." + tamperedPayload + "." + parts[2]), 401, "invalid_token"},
		{"me two parts", "GET", "/api/me", "", bearer(parts[0] + "." + parts[1]), 401, "invalid_token"},
		{"me token in query", "GET", "/api/me?access_token=" + good, "", nil, 401, "invalid_token"},
		{"me token in cookie", "GET", "/api/me", "", map[string]string{"Cookie": "access_token=" + good}, 401, "invalid_token"},
		{"me basic scheme", "GET", "/api/me", "", map[string]string{"Authorization": "Basic dXNlci0wMDAyOnBhc3M="}, 401, "invalid_token"},
		{"me oversized header", "GET", "/api/me", "", bearer(strings.Repeat("a", 5000)), 431, "header_too_large"},
		{"logout no token", "POST", "/logout", "", nil, 401, "invalid_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, tc.method, r.url+tc.path, tc.body, tc.header)
			wantStatus(t, tc.name, res, tc.status, tc.code)
		})
	}

	metrics := scrape(t, r)
	for _, reason := range []string{"expired", "missing", "malformed", "unknown_key", "wrong_issuer", "wrong_audience", "invalid"} {
		if !strings.Contains(metrics, `reason="`+reason+`"`) {
			t.Errorf("metrics do not count a rejection with reason %q", reason)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	env := baseEnv(mustKeyFile(t))
	env["LOGIN_RATE_USER"] = "2"
	r := startReplica(t, "jwt-1", env)
	body := `{"username":"user-0004","password":"wrong"}`
	for i := range 2 {
		res := send(t, http.MethodPost, r.url+"/login", body, nil)
		wantStatus(t, "attempt "+strconv.Itoa(i+1), res, http.StatusUnauthorized, "invalid_credentials")
	}
	res := send(t, http.MethodPost, r.url+"/login", body, nil)
	wantStatus(t, "third attempt", res, http.StatusTooManyRequests, "rate_limited")
	if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs < 1 {
		t.Errorf("Retry-After = %q, want a positive number of seconds", res.header.Get("Retry-After"))
	}
}

func TestRedisDownFailsClosed(t *testing.T) {
	redis := redistest.Start(t)
	r := startReplica(t, "jwt-denylist-1", denylistEnv(baseEnv(mustKeyFile(t)), redis.URL(), redistest.Prefix(t)))
	raw := mustLogin(t, r, alice)
	if res := me(t, r, raw); res.status != http.StatusOK {
		t.Fatalf("me with Redis up: status %d", res.status)
	}

	if err := redis.Stop(); err != nil {
		t.Fatalf("stop redis: %v", err)
	}
	wantStatus(t, "me with Redis down", me(t, r, raw), http.StatusServiceUnavailable, "store_unavailable")
	wantStatus(t, "logout with Redis down", send(t, http.MethodPost, r.url+"/logout", "", bearer(raw)), http.StatusServiceUnavailable, "store_unavailable")
	revoke := send(t, http.MethodPost, r.url+"/admin/revoke", `{"username":"`+alice+`"}`, bearer(adminToken))
	wantStatus(t, "revoke with Redis down", revoke, http.StatusServiceUnavailable, "store_unavailable")
	if res := send(t, http.MethodGet, r.url+"/readyz", "", nil); res.status != http.StatusServiceUnavailable {
		t.Errorf("readyz with Redis down: status %d, want 503", res.status)
	}
	wantStatus(t, "malformed token with Redis down", me(t, r, "a.b.c"), http.StatusUnauthorized, "invalid_token")

	if err := redis.Start(); err != nil {
		t.Fatalf("start redis: %v", err)
	}
	if res := me(t, r, raw); res.status != http.StatusOK {
		t.Errorf("me after Redis is back: status %d, want 200", res.status)
	}
}

func TestHS256Replicas(t *testing.T) {
	env := baseEnv("")
	env["JWT_ALG"] = "HS256"
	env["JWT_SECRET"] = strings.Repeat("s", 32)
	a, b := startReplica(t, "jwt-1", env), startReplica(t, "jwt-2", env)
	if res := me(t, b, mustLogin(t, a, alice)); res.status != http.StatusOK {
		t.Errorf("HS256 token of a on b with a shared secret: status %d, want 200", res.status)
	}
	res := send(t, http.MethodGet, a.url+"/.well-known/jwks.json", "", nil)
	if keys, ok := res.body["keys"].([]any); !ok || len(keys) != 0 {
		t.Errorf("HS256 JWKS keys = %v, want an empty list because a secret is never published", res.body["keys"])
	}

	env["JWT_SECRET"] = strings.Repeat("t", 32)
	c := startReplica(t, "jwt-3", env)
	wantStatus(t, "HS256 token on a replica with another secret", me(t, c, mustLogin(t, a, alice)), http.StatusUnauthorized, "invalid_token")
}

func TestReadyzWithoutDenylistIgnoresRedis(t *testing.T) {
	env := baseEnv(mustKeyFile(t))
	env["REDIS_URL"] = "redis://127.0.0.1:1/0"
	r := startReplica(t, "jwt-1", env)
	if res := send(t, http.MethodGet, r.url+"/readyz", "", nil); res.status != http.StatusOK {
		t.Errorf("readyz: status %d, want 200 because DENYLIST is off", res.status)
	}
}

func TestNewRejectsBadEnv(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"short secret", map[string]string{"JWT_ALG": "HS256", "JWT_SECRET": "short"}, "JWT_SECRET"},
		{"bad denylist", map[string]string{"DENYLIST": "maybe"}, "DENYLIST"},
		{"missing key file", map[string]string{"JWT_PRIVATE_KEY_FILE": "/nonexistent/jwt.pem"}, "JWT_PRIVATE_KEY_FILE"},
		{"bad redis url", map[string]string{"DENYLIST": "on", "REDIS_URL": "http://x"}, "REDIS_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]string{"BCRYPT_COST": "4", "USERS": "2"}
			for k, v := range tc.vars {
				vars[k] = v
			}
			_, err := New(t.Context(), func(k string) string { return vars[k] }, slog.New(slog.DiscardHandler))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func scrape(tb testing.TB, r replica) string {
	tb.Helper()
	res, err := http.Get(r.url + "/metrics")
	if err != nil {
		tb.Fatalf("get metrics: %v", err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return string(data)
}
