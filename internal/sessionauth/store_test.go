package sessionauth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/config"
	"github.com/authlab/authlab/internal/redistest"
	"github.com/authlab/authlab/internal/redisx"
	"github.com/authlab/authlab/internal/server"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

// newTestApp builds an app with the given settings, without starting an
// HTTP server.
func newTestApp(t *testing.T, env map[string]string) *app {
	t.Helper()
	settings := map[string]string{"USERS": "20", "BCRYPT_COST": "4", "REPLICA_ID": "r1"}
	for k, v := range env {
		settings[k] = v
	}
	cfgEnv := config.New(func(k string) string { return settings[k] })
	common, _ := server.LoadConfig(cfgEnv, App)
	cfg := LoadConfig(cfgEnv, common.System)
	if err := cfgEnv.Err(); err != nil {
		t.Fatalf("load config: %v", err)
	}
	srv, err := server.New(common, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	a, err := newApp(srv, cfg)
	if err != nil {
		t.Fatalf("new app: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	a.routes()
	return a
}

// testStores returns a fresh store of each kind.
func testStores(t *testing.T) map[string]indexedStore {
	t.Helper()
	mem := newMemoryStore(time.Hour)
	t.Cleanup(func() { _ = mem.Close() })
	url := redistest.URL(t)
	client, err := redisx.Open(url)
	if err != nil {
		t.Fatalf("open redis: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	// The lab falls back to miniredis where redis-server is missing, so the
	// Lua scripts must run on both.
	embedded, err := redisx.StartLocal(true)
	if err != nil {
		t.Fatalf("start miniredis: %v", err)
	}
	t.Cleanup(func() { _ = embedded.Stop() })
	miniClient, err := redisx.Open(embedded.URL())
	if err != nil {
		t.Fatalf("open miniredis: %v", err)
	}
	t.Cleanup(func() { _ = miniClient.Close() })
	return map[string]indexedStore{
		"memory":    mem,
		"redis":     newRedisStore(client, redisTestPrefix(t, url), time.Hour),
		"miniredis": newRedisStore(miniClient, "test:", time.Hour),
	}
}

func TestHandlerWritingBodyGetsCookie(t *testing.T) {
	a := newTestApp(t, map[string]string{"COOKIE_SECURE": "false"})
	// The handler changes the session and writes the body itself, without
	// calling save: the hook before the write must commit and set the cookie.
	a.srv.Echo.POST("/test/raw", func(c echo.Context) error {
		ctx := withSessionUser(c.Request().Context(), "user-0002")
		c.SetRequest(c.Request().WithContext(ctx))
		a.sm.Put(ctx, userKey, "user-0002")
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
		_, err := c.Response().Write([]byte(`{"written":"raw"}`))
		return err
	}, a.loadSession)
	ts := httptest.NewServer(a.srv.Handler())
	defer ts.Close()

	resp, err := http.Post(ts.URL+"/test/raw", "application/json", nil)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == a.cfg.CookieName {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("raw write response has no session cookie: %v", resp.Header.Values("Set-Cookie"))
	}

	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/me", nil)
	req.AddCookie(session)
	me, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("get /api/me: %v", err)
	}
	me.Body.Close()
	if me.StatusCode != http.StatusOK {
		t.Fatalf("/api/me with the raw handler's cookie: status %d, want 200", me.StatusCode)
	}
}

func TestStoreExtendAfterRevokeFails(t *testing.T) {
	for name, store := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			expiry := time.Now().Add(time.Minute)
			if err := store.CommitCtx(withSessionUser(ctx, "user-0002"), "token-a", []byte("data"), expiry); err != nil {
				t.Fatalf("commit new session: %v", err)
			}
			if err := store.CommitCtx(ctx, "token-a", []byte("data2"), expiry); err != nil {
				t.Fatalf("extend live session: %v", err)
			}
			n, err := store.Revoke(ctx, "user-0002")
			if err != nil || n != 1 {
				t.Fatalf("revoke: %d sessions, err %v, want 1 and nil", n, err)
			}
			// A request that loaded the session before the revoke and saves
			// it afterwards must not bring it back.
			err = store.CommitCtx(ctx, "token-a", []byte("data3"), expiry)
			if !errors.Is(err, errSessionEnded) {
				t.Fatalf("extend revoked session: err %v, want errSessionEnded", err)
			}
			if _, found, err := store.FindCtx(ctx, "token-a"); found || err != nil {
				t.Fatalf("find revoked session: found %v, err %v, want false and nil", found, err)
			}
		})
	}
}

func TestStoreRevokeSkipsExpired(t *testing.T) {
	for name, store := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			if name == "miniredis" {
				// redisx starts miniredis without ClockTTL(true), and then
				// miniredis never expires a key on its own.
				t.Skip("miniredis from redisx.StartLocal does not expire keys")
			}
			ctx := withSessionUser(context.Background(), "user-0003")
			if err := store.CommitCtx(ctx, "short", []byte("d"), time.Now().Add(50*time.Millisecond)); err != nil {
				t.Fatalf("commit: %v", err)
			}
			if err := store.CommitCtx(ctx, "long", []byte("d"), time.Now().Add(time.Minute)); err != nil {
				t.Fatalf("commit: %v", err)
			}
			time.Sleep(150 * time.Millisecond)
			n, err := store.Revoke(context.Background(), "user-0003")
			if err != nil || n != 1 {
				t.Fatalf("revoke: %d sessions, err %v, want 1 (the expired one is not counted)", n, err)
			}
		})
	}
}

func TestRedisIndexFollowsSessions(t *testing.T) {
	url := redistest.URL(t)
	client, err := redisx.Open(url)
	if err != nil {
		t.Fatalf("open redis: %v", err)
	}
	defer client.Close()
	prefix := redisTestPrefix(t, url)
	store := newRedisStore(client, prefix, time.Hour)
	ctx := context.Background()
	index := prefix + "user:user-0002"

	login := withSessionUser(ctx, "user-0002")
	for _, token := range []string{"t1", "t2"} {
		if err := store.CommitCtx(login, token, []byte("d"), time.Now().Add(time.Minute)); err != nil {
			t.Fatalf("commit %s: %v", token, err)
		}
	}
	if n := client.ZCard(ctx, index).Val(); n != 2 {
		t.Fatalf("index has %d members after two logins, want 2", n)
	}
	ttl := client.PTTL(ctx, index).Val()
	if ttl < 59*time.Minute || ttl > time.Hour {
		t.Errorf("index TTL %v, want about the 1h lifetime", ttl)
	}
	sessionTTL := client.PTTL(ctx, prefix+"session:t1").Val()
	if sessionTTL <= 0 || sessionTTL > time.Minute {
		t.Errorf("session TTL %v, want at most the 1m expiry", sessionTTL)
	}

	if err := store.DeleteCtx(login, "t1"); err != nil {
		t.Fatalf("delete t1: %v", err)
	}
	members := client.ZRange(ctx, index, 0, -1).Val()
	if len(members) != 1 || members[0] != "t2" {
		t.Errorf("index after logout of t1 = %v, want [t2]", members)
	}

	// A member whose score has passed is dropped at the next login.
	client.ZAdd(ctx, index, redis.Z{Score: float64(time.Now().Add(-time.Second).UnixMilli()), Member: "stale"})
	if err := store.CommitCtx(login, "t3", []byte("d"), time.Now().Add(time.Minute)); err != nil {
		t.Fatalf("commit t3: %v", err)
	}
	if score := client.ZScore(ctx, index, "stale"); score.Err() != redis.Nil {
		t.Errorf("stale member still in the index: %v", score.Val())
	}

	if _, err := store.Revoke(ctx, "user-0002"); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if n := client.Exists(ctx, index, prefix+"session:t2", prefix+"session:t3").Val(); n != 0 {
		t.Errorf("%d of the index and its sessions exist after revoke, want 0", n)
	}
}

func TestMemoryStoreCleanup(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	m := newMemoryStore(20 * time.Millisecond)
	ctx := withSessionUser(context.Background(), "user-0002")
	if err := m.CommitCtx(ctx, "short", []byte("d"), time.Now().Add(10*time.Millisecond)); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if err := m.CommitCtx(ctx, "long", []byte("d"), time.Now().Add(time.Minute)); err != nil {
		t.Fatalf("commit: %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		m.mu.Lock()
		_, stale := m.userOf["short"]
		_, live := m.userOf["long"]
		m.mu.Unlock()
		if !stale {
			if !live {
				t.Fatal("cleanup deleted the unexpired session")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cleanup did not delete the expired session within 2s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestConfigRejectsInvalid(t *testing.T) {
	cases := []struct {
		name string
		key  string
		val  string
	}{
		{name: "unknown store", key: "SESSION_STORE", val: "postgres"},
		{name: "zero lifetime", key: "SESSION_LIFETIME", val: "0s"},
		{name: "idle timeout below 1s", key: "SESSION_IDLE_TIMEOUT", val: "10ms"},
		{name: "cookie name with space", key: "SESSION_COOKIE", val: "my session"},
		{name: "cookie secure not a bool", key: "COOKIE_SECURE", val: "maybe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := config.New(func(k string) string {
				if k == tc.key {
					return tc.val
				}
				return ""
			})
			LoadConfig(env, App)
			err := env.Err()
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("%s=%q: error %v, want one naming %s", tc.key, tc.val, err, tc.key)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	env := config.New(func(string) string { return "" })
	cfg := LoadConfig(env, "sessions-sticky")
	if err := env.Err(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	want := Config{
		Store:        StoreMemory,
		RedisURL:     "redis://127.0.0.1:6379/0",
		RedisPrefix:  "authlab:sessions-sticky:",
		IdleTimeout:  30 * time.Minute,
		Lifetime:     12 * time.Hour,
		CookieName:   "authlab_session",
		CookieSecure: true,
	}
	if cfg != want {
		t.Fatalf("defaults = %+v, want %+v", cfg, want)
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	for _, store := range []string{StoreMemory, StoreRedis} {
		t.Run(store, func(t *testing.T) {
			env := map[string]string{"SESSION_STORE": store}
			if store == StoreRedis {
				env["REDIS_URL"] = redistest.URL(t)
				env["REDIS_PREFIX"] = redisTestPrefix(t, env["REDIS_URL"])
			}
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			a := newTestApp(t, env)
			ts := httptest.NewServer(a.srv.Handler())
			client := &http.Client{Transport: &http.Transport{}}
			body := strings.NewReader(`{"username":"user-0002","password":"` + server.DefaultPassword + `"}`)
			resp, err := client.Post(ts.URL+"/login", "application/json", body)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("login: status %d", resp.StatusCode)
			}
			client.CloseIdleConnections()
			ts.Close()
			if err := a.srv.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
		})
	}
}
