package sessionauth_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
)

func TestLoginMeLogout(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := startReplica(t, "r1", sc.env(t))

			resp := r.send(t, http.MethodPost, "/login", loginBody("user-0002", password), "", nil)
			if resp.status != http.StatusOK {
				t.Fatalf("login: status %d, body %s", resp.status, resp.raw)
			}
			for field, want := range map[string]string{"user": "user-0002", "system": "sessions-test", "replica": "r1"} {
				if got := resp.body[field]; got != want {
					t.Errorf("login body %s = %v, want %s", field, got, want)
				}
			}
			cookie := resp.cookie()
			if cookie == nil {
				t.Fatalf("login set no %s cookie: %v", cookieName, resp.header.Values("Set-Cookie"))
			}
			session := cookie.Value

			r.mustBeUser(t, session, "user-0002")
			me := r.me(t, session)
			if me.body["system"] != "sessions-test" || me.body["replica"] != "r1" {
				t.Errorf("/api/me body %s, want system sessions-test and replica r1", me.raw)
			}
			if _, err := time.Parse(time.RFC3339, me.body["expires_at"].(string)); err != nil {
				t.Errorf("/api/me expires_at: %v", err)
			}

			out := r.send(t, http.MethodPost, "/logout", "", session, nil)
			if out.status != http.StatusOK || out.body["logged_out"] != true {
				t.Fatalf("logout: status %d, body %s, want 200 with logged_out true", out.status, out.raw)
			}
			if c := out.cookie(); c == nil || c.MaxAge >= 0 {
				t.Errorf("logout cookie %v, want one with a negative Max-Age", c)
			}
			r.mustBeRejected(t, session)

			if strings.Contains(r.log.String(), session) {
				t.Error("the log contains the session token")
			}
		})
	}
}

func TestLoginCookieAttributes(t *testing.T) {
	r := startReplica(t, "r1", nil)
	resp := r.send(t, http.MethodPost, "/login", loginBody("user-0002", password), "", nil)
	c := resp.cookie()
	if c == nil {
		t.Fatalf("login set no %s cookie: %v", cookieName, resp.header.Values("Set-Cookie"))
	}
	if !c.HttpOnly {
		t.Error("cookie is not HttpOnly")
	}
	if !c.Secure {
		t.Error("cookie is not Secure by default")
	}
	if c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie SameSite = %v, want Lax", c.SameSite)
	}
	if c.Path != "/" {
		t.Errorf("cookie Path = %q, want /", c.Path)
	}
	if c.MaxAge <= 0 || c.MaxAge > int((30*time.Minute).Seconds())+1 {
		t.Errorf("cookie Max-Age = %d, want the idle timeout of 1800 s", c.MaxAge)
	}
	if got := resp.header.Get("Vary"); !strings.Contains(got, "Cookie") {
		t.Errorf("Vary = %q, want it to contain Cookie", got)
	}
}

func TestCookieSecureOff(t *testing.T) {
	r := startReplica(t, "r1", map[string]string{"COOKIE_SECURE": "false", "SESSION_COOKIE": "sid"})
	resp := r.send(t, http.MethodPost, "/login", loginBody("user-0002", password), "", nil)
	var found *http.Cookie
	for _, c := range (&http.Response{Header: resp.header}).Cookies() {
		if c.Name == "sid" {
			found = c
		}
	}
	if found == nil {
		t.Fatalf("login set no sid cookie: %v", resp.header.Values("Set-Cookie"))
	}
	if found.Secure {
		t.Error("cookie is Secure with COOKIE_SECURE=false")
	}
}

func TestLoginRenewsSessionToken(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := startReplica(t, "r1", sc.env(t))

			// An attacker logs in and plants their cookie on the victim,
			// who then logs in with it.
			planted := r.login(t, "user-0002", "")
			victim := r.login(t, "user-0003", planted)
			if victim == planted {
				t.Fatal("login kept the session token that the request came with")
			}
			r.mustBeUser(t, victim, "user-0003")
			r.mustBeRejected(t, planted)

			// A made-up token is not adopted either.
			madeUp := strings.Repeat("A", 43)
			if got := r.login(t, "user-0004", madeUp); got == madeUp {
				t.Fatal("login adopted a made-up session token")
			}
		})
	}
}

func TestRedisReplicasShareSessions(t *testing.T) {
	env := redisEnv(t)
	r1 := startReplica(t, "r1", env)
	r2 := startReplica(t, "r2", env)

	session := r1.login(t, "user-0002", "")
	r2.mustBeUser(t, session, "user-0002")
	r1.mustBeUser(t, session, "user-0002")

	if out := r2.send(t, http.MethodPost, "/logout", "", session, nil); out.status != http.StatusOK {
		t.Fatalf("logout on r2: status %d, body %s", out.status, out.raw)
	}
	r1.mustBeRejected(t, session)
}

func TestMemoryReplicasKeepOwnSessions(t *testing.T) {
	r1 := startReplica(t, "r1", map[string]string{"SESSION_STORE": "memory"})
	r2 := startReplica(t, "r2", map[string]string{"SESSION_STORE": "memory"})

	session := r1.login(t, "user-0002", "")
	r1.mustBeUser(t, session, "user-0002")
	r2.mustBeRejected(t, session)

	// r2 can't tell a session of r1 from a made-up one, so it leaves the
	// cookie alone.
	if c := r2.me(t, session).cookie(); c != nil {
		t.Errorf("r2 set cookie %v for a session it does not keep, want none", c)
	}
}

func TestRejectionExpiresDeadCookie(t *testing.T) {
	r := startReplica(t, "r1", redisEnv(t))
	session := r.login(t, "user-0002", "")
	r.revoke(t, "user-0002")
	for name, value := range map[string]string{"revoked": session, "malformed": "not-a-token"} {
		c := r.me(t, value).cookie()
		if c == nil || c.MaxAge >= 0 {
			t.Errorf("401 for a %s cookie set %v, want a cookie with a negative Max-Age", name, c)
		}
	}
}

func TestRevokeRedisReachesEveryReplica(t *testing.T) {
	env := redisEnv(t)
	r1 := startReplica(t, "r1", env)
	r2 := startReplica(t, "r2", env)

	revoked := []string{r1.login(t, "user-0004", ""), r1.login(t, "user-0004", ""), r2.login(t, "user-0004", "")}
	other := r1.login(t, "user-0005", "")

	resp := r2.revoke(t, "user-0004")
	if resp.status != http.StatusOK {
		t.Fatalf("revoke: status %d, body %s", resp.status, resp.raw)
	}
	if got := resp.body["revoked_sessions"]; got != float64(3) {
		t.Errorf("revoked_sessions = %v, want 3", got)
	}
	if got := resp.body["scope"]; got != "all_replicas" {
		t.Errorf("scope = %v, want all_replicas", got)
	}
	if _, ok := resp.body["not_revoked"]; ok {
		t.Errorf("body %s has not_revoked, want none with a shared store", resp.raw)
	}
	if msg, _ := resp.body["message"].(string); !strings.Contains(msg, "all sessions of user-0004 were destroyed") {
		t.Errorf("message %q does not say that all sessions were destroyed", msg)
	}
	for _, session := range revoked {
		r1.mustBeRejected(t, session)
		r2.mustBeRejected(t, session)
	}
	r2.mustBeUser(t, other, "user-0005")

	again := r1.revoke(t, "user-0004")
	if got := again.body["revoked_sessions"]; got != float64(0) {
		t.Errorf("second revoke: revoked_sessions = %v, want 0", got)
	}
}

func TestRevokeMemoryReachesOnlyThisReplica(t *testing.T) {
	r1 := startReplica(t, "r1", map[string]string{"SESSION_STORE": "memory"})
	r2 := startReplica(t, "r2", map[string]string{"SESSION_STORE": "memory"})

	onR1 := []string{r1.login(t, "user-0004", ""), r1.login(t, "user-0004", "")}
	onR2 := r2.login(t, "user-0004", "")

	resp := r1.revoke(t, "user-0004")
	if resp.status != http.StatusOK {
		t.Fatalf("revoke: status %d, body %s", resp.status, resp.raw)
	}
	want := map[string]any{
		"revoked_sessions":     float64(2),
		"scope":                "this_replica",
		"replica":              "r1",
		"idle_timeout_seconds": float64(1800),
		"lifetime_seconds":     float64(43200),
	}
	for field, value := range want {
		if got := resp.body[field]; got != value {
			t.Errorf("revoke body %s = %v, want %v", field, got, value)
		}
	}
	if nr, _ := resp.body["not_revoked"].(string); !strings.Contains(nr, "other replicas") {
		t.Errorf("not_revoked = %q, want it to name other replicas", nr)
	}
	msg, _ := resp.body["message"].(string)
	for _, part := range []string{"r1 only", "30m0s", "12h0m0s"} {
		if !strings.Contains(msg, part) {
			t.Errorf("message %q does not contain %q", msg, part)
		}
	}
	for _, session := range onR1 {
		r1.mustBeRejected(t, session)
	}
	r2.mustBeUser(t, onR2, "user-0004")
}

func TestRevokeAfterLogoutCountsLiveSessions(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			r := startReplica(t, "r1", sc.env(t))

			active := r.login(t, "user-0006", "")
			ended := r.login(t, "user-0006", "")
			if out := r.send(t, http.MethodPost, "/logout", "", ended, nil); out.status != http.StatusOK {
				t.Fatalf("logout: status %d, body %s", out.status, out.raw)
			}
			// A login that replaces a session drops the old one too.
			replaced := r.login(t, "user-0006", "")
			r.login(t, "user-0006", replaced)

			resp := r.revoke(t, "user-0006")
			if got := resp.body["revoked_sessions"]; got != float64(2) {
				t.Errorf("revoked_sessions = %v, want 2 (the active session and the one that replaced another)", got)
			}
			r.mustBeRejected(t, active)
		})
	}
}

func TestIdleTimeoutEndsSession(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			env := sc.env(t)
			env["SESSION_IDLE_TIMEOUT"] = "2s"
			r := startReplica(t, "r1", env)

			session := r.login(t, "user-0002", "")
			// Each request within the idle timeout extends the session, so
			// it outlives the 2 s after login.
			time.Sleep(1200 * time.Millisecond)
			r.mustBeUser(t, session, "user-0002")
			time.Sleep(1200 * time.Millisecond)
			r.mustBeUser(t, session, "user-0002")

			time.Sleep(2500 * time.Millisecond)
			r.mustBeRejected(t, session)
		})
	}
}

func TestLifetimeEndsActiveSession(t *testing.T) {
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			env := sc.env(t)
			env["SESSION_LIFETIME"] = "2s"
			r := startReplica(t, "r1", env)

			session := r.login(t, "user-0002", "")
			time.Sleep(1200 * time.Millisecond)
			r.mustBeUser(t, session, "user-0002")
			time.Sleep(1300 * time.Millisecond)
			r.mustBeRejected(t, session)
		})
	}
}

func TestLogoutWithoutSession(t *testing.T) {
	r := startReplica(t, "r1", nil)
	out := r.send(t, http.MethodPost, "/logout", "", "", nil)
	if out.status != http.StatusOK || out.body["logged_out"] != false {
		t.Fatalf("logout without a session: status %d, body %s, want 200 with logged_out false", out.status, out.raw)
	}
}

func TestSameOriginLoginPasses(t *testing.T) {
	r := startReplica(t, "r1", nil)
	host := strings.TrimPrefix(r.url, "http://")
	header := map[string]string{"Origin": r.url, "Sec-Fetch-Site": "same-origin"}
	resp := r.send(t, http.MethodPost, "/login", loginBody("user-0002", password), "", header)
	if resp.status != http.StatusOK {
		t.Fatalf("same-origin login to %s: status %d, body %s", host, resp.status, resp.raw)
	}
}

func TestRedisDown(t *testing.T) {
	local := redistest.Start(t)
	r := startReplica(t, "r1", map[string]string{
		"SESSION_STORE": "redis",
		"REDIS_URL":     local.URL(),
		"REDIS_PREFIX":  redistest.Prefix(t),
	})
	session := r.login(t, "user-0002", "")
	if ready := r.send(t, http.MethodGet, "/readyz", "", "", nil); ready.status != http.StatusOK {
		t.Fatalf("/readyz with Redis up: status %d, body %s", ready.status, ready.raw)
	}

	if err := local.Stop(); err != nil {
		t.Fatalf("stop redis: %v", err)
	}
	me := r.me(t, session)
	if me.status != http.StatusServiceUnavailable || me.code() != "store_unavailable" {
		t.Errorf("/api/me with Redis down: status %d, body %s, want 503 store_unavailable", me.status, me.raw)
	}
	login := r.send(t, http.MethodPost, "/login", loginBody("user-0003", password), "", nil)
	if login.status != http.StatusServiceUnavailable || login.code() != "store_unavailable" {
		t.Errorf("login with Redis down: status %d, body %s, want 503 store_unavailable", login.status, login.raw)
	}
	if login.cookie() != nil {
		t.Error("login with Redis down set a session cookie")
	}
	logout := r.send(t, http.MethodPost, "/logout", "", session, nil)
	if logout.status != http.StatusServiceUnavailable || logout.code() != "store_unavailable" {
		t.Errorf("logout with Redis down: status %d, body %s, want 503 store_unavailable", logout.status, logout.raw)
	}
	revoke := r.revoke(t, "user-0002")
	if revoke.status != http.StatusServiceUnavailable || revoke.code() != "store_unavailable" {
		t.Errorf("revoke with Redis down: status %d, body %s, want 503 store_unavailable", revoke.status, revoke.raw)
	}
	if ready := r.send(t, http.MethodGet, "/readyz", "", "", nil); ready.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with Redis down: status %d, body %s, want 503", ready.status, ready.raw)
	}
	if strings.Contains(r.log.String(), session) {
		t.Error("the log contains the session token")
	}

	// The restarted Redis is empty, so the old session is gone.
	if err := local.Start(); err != nil {
		t.Fatalf("restart redis: %v", err)
	}
	r.mustBeRejected(t, session)
	r.mustBeUser(t, r.login(t, "user-0003", ""), "user-0003")
}

func TestRejectionsCountedInMetrics(t *testing.T) {
	r := startReplica(t, "r1", nil)
	r.mustBeRejected(t, "")
	r.mustBeRejected(t, "not-a-token")
	r.mustBeRejected(t, strings.Repeat("Q", 43))

	metrics := r.send(t, http.MethodGet, "/metrics", "", "", nil)
	for _, reason := range []string{"no_session", "malformed_cookie", "unknown_session"} {
		if !strings.Contains(metrics.raw, `reason="`+reason+`"`) {
			t.Errorf("/metrics has no rejection with reason %s", reason)
		}
	}
}

func TestRedisKeysHoldNoToken(t *testing.T) {
	env := redisEnv(t)
	r := startReplica(t, "r1", env)
	session := r.login(t, "user-0002", "")

	client, err := redisx.Open(env["REDIS_URL"])
	if err != nil {
		t.Fatalf("open redis: %v", err)
	}
	defer client.Close()
	ctx := context.Background()
	keys, err := client.Keys(ctx, env["REDIS_PREFIX"]+"*").Result()
	if err != nil {
		t.Fatalf("list keys: %v", err)
	}
	if len(keys) != 2 {
		t.Errorf("keys after one login = %v, want a session key and an index key", keys)
	}
	for _, key := range keys {
		if strings.Contains(key, session) {
			t.Errorf("key %q contains the session token", key)
		}
		if client.Type(ctx, key).Val() == "zset" {
			members := client.ZRange(ctx, key, 0, -1).Val()
			if slices.Contains(members, session) {
				t.Errorf("index %q contains the session token", key)
			}
		}
	}
}
