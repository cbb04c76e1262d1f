package hybridauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/redistest"
)

func TestLoginRefreshLogout(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)

	first := r.mustLogin(t, "user-0002")
	me := r.send(t, http.MethodGet, "/api/me", "", first.access)
	assertStatus(t, "me after login", me, http.StatusOK, "")
	if me.str("user") != "user-0002" || me.str("system") != "hybrid-test" {
		t.Errorf("me: %v, want user-0002 on hybrid-test", me.body)
	}
	if me.header.Get("X-Replica") != "hybrid-test-1" {
		t.Errorf("X-Replica %q, want hybrid-test-1", me.header.Get("X-Replica"))
	}

	second := r.mustRefresh(t, first.refresh)
	if second.refresh == first.refresh || second.access == first.access {
		t.Fatal("refresh returned a token it was given")
	}
	assertStatus(t, "me after refresh", r.send(t, http.MethodGet, "/api/me", "", second.access), http.StatusOK, "")

	out := r.send(t, http.MethodPost, "/logout", refreshBody(second.refresh), second.access)
	assertStatus(t, "logout", out, http.StatusOK, "")
	if out.body["revoked"] != true {
		t.Errorf("logout revoked = %v, want true", out.body["revoked"])
	}
	until, err := time.Parse(time.RFC3339, out.str("access_token_valid_until"))
	if err != nil {
		t.Fatalf("logout access_token_valid_until %q: %v", out.str("access_token_valid_until"), err)
	}
	exp, _ := time.Parse(time.RFC3339, me.str("expires_at"))
	if want := exp.Add(30 * time.Second); until.Sub(want).Abs() > 2*time.Second {
		t.Errorf("access_token_valid_until %v, want exp plus the 30s leeway, about %v", until, want)
	}
	if !strings.Contains(out.str("message"), "stays valid until") {
		t.Errorf("logout message %q does not say that the access token stays valid", out.str("message"))
	}

	assertStatus(t, "refresh after logout", r.send(t, http.MethodPost, "/refresh", refreshBody(second.refresh), ""),
		http.StatusUnauthorized, "invalid_refresh_token")
	// The documented limit: the access token works until it expires.
	assertStatus(t, "me after logout", r.send(t, http.MethodGet, "/api/me", "", second.access), http.StatusOK, "")

	logs := r.log.String()
	for _, secret := range []string{first.refresh, second.refresh, first.access, second.access} {
		if strings.Contains(logs, secret) {
			t.Error("a token appears in the log")
		}
	}
	for _, raw := range []string{first.refresh, second.refresh} {
		b, _ := decodeToken(raw)
		if strings.Contains(logs, hashToken(b)) {
			t.Error("a refresh token hash appears in the log")
		}
	}
}

func TestRefreshRace(t *testing.T) {
	const callers = 20
	const interval = time.Second
	r := startReplica(t, testEnv(t, redistest.URL(t)), map[string]string{"REFRESH_REUSE_INTERVAL": interval.String()})
	store := r.mustTestStore(t)
	first := r.mustLogin(t, "user-0002")

	replies := make([]response, callers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			replies[i] = r.send(t, http.MethodPost, "/refresh", refreshBody(first.refresh), "")
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	if elapsed := time.Since(began); elapsed >= interval {
		t.Fatalf("the %d refreshes took %v, longer than the reuse interval: the checks below would not hold", callers, elapsed)
	}

	successor := ""
	for i, resp := range replies {
		assertStatus(t, "concurrent refresh", resp, http.StatusOK, "")
		if i == 0 {
			successor = resp.str("refresh_token")
		}
		if resp.str("refresh_token") != successor {
			t.Errorf("caller %d got a different successor", i)
		}
	}
	ids, err := store.Families(context.Background(), "user-0002")
	if err != nil || len(ids) != 1 {
		t.Fatalf("families of user-0002: %v, %v, want one", ids, err)
	}
	fam, err := store.Family(context.Background(), ids[0])
	if err != nil {
		t.Fatalf("family after the race: %v, want it alive", err)
	}
	if fam.Tokens != 2 {
		t.Errorf("family has %d tokens after the race, want 2", fam.Tokens)
	}

	time.Sleep(interval - time.Since(began) + 100*time.Millisecond)
	assertStatus(t, "replay after the interval", r.send(t, http.MethodPost, "/refresh", refreshBody(first.refresh), ""),
		http.StatusUnauthorized, "refresh_token_reused")
	assertStatus(t, "successor after the replay", r.send(t, http.MethodPost, "/refresh", refreshBody(successor), ""),
		http.StatusUnauthorized, "invalid_refresh_token")
	if _, err := store.Family(context.Background(), ids[0]); !errors.Is(err, ErrFamilyNotFound) {
		t.Errorf("family after the replay: %v, want ErrFamilyNotFound", err)
	}
}

func TestRefreshReuseInsideInterval(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)
	first := r.mustLogin(t, "user-0002")
	second := r.mustRefresh(t, first.refresh)

	again := r.mustRefresh(t, first.refresh)
	if again.refresh != second.refresh {
		t.Error("reuse inside the interval returned another refresh token than the current successor")
	}
	assertStatus(t, "me with the reissued access token", r.send(t, http.MethodGet, "/api/me", "", again.access), http.StatusOK, "")

	// Two generations old: first's successor has rotated too, so the family
	// is revoked even though first is still inside its interval.
	third := r.mustRefresh(t, second.refresh)
	assertStatus(t, "reuse two generations old", r.send(t, http.MethodPost, "/refresh", refreshBody(first.refresh), ""),
		http.StatusUnauthorized, "refresh_token_reused")
	assertStatus(t, "current token after the reuse", r.send(t, http.MethodPost, "/refresh", refreshBody(third.refresh), ""),
		http.StatusUnauthorized, "invalid_refresh_token")
}

func TestAdminRevoke(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)
	a := r.mustLogin(t, "user-0002")
	b := r.mustLogin(t, "user-0002")
	other := r.mustLogin(t, "user-0003")

	resp := r.send(t, http.MethodPost, "/admin/revoke", `{"username":"user-0002"}`, adminToken)
	assertStatus(t, "revoke", resp, http.StatusOK, "")
	if resp.body["revoked_families"] != float64(2) {
		t.Errorf("revoked_families = %v, want 2", resp.body["revoked_families"])
	}
	if resp.body["access_ttl_seconds"] != float64(600) {
		t.Errorf("access_ttl_seconds = %v, want 600", resp.body["access_ttl_seconds"])
	}
	until, err := time.Parse(time.RFC3339, resp.str("access_tokens_valid_until"))
	if err != nil {
		t.Fatalf("access_tokens_valid_until %q: %v", resp.str("access_tokens_valid_until"), err)
	}
	if want := time.Now().Add(10*time.Minute + 30*time.Second); until.Sub(want).Abs() > 2*time.Second {
		t.Errorf("access_tokens_valid_until %v, want about %v (ACCESS_TTL plus leeway)", until, want)
	}
	if resp.str("not_revoked") == "" || !strings.Contains(resp.str("message"), "stay valid until") {
		t.Errorf("revoke body does not say what stays valid: %v", resp.body)
	}

	for name, tk := range map[string]tokens{"first login": a, "second login": b} {
		assertStatus(t, "refresh of revoked "+name, r.send(t, http.MethodPost, "/refresh", refreshBody(tk.refresh), ""),
			http.StatusUnauthorized, "invalid_refresh_token")
		assertStatus(t, "me with access token of revoked "+name, r.send(t, http.MethodGet, "/api/me", "", tk.access),
			http.StatusOK, "")
	}
	r.mustRefresh(t, other.refresh)

	again := r.send(t, http.MethodPost, "/admin/revoke", `{"username":"user-0002"}`, adminToken)
	if again.body["revoked_families"] != float64(0) {
		t.Errorf("second revoke: revoked_families = %v, want 0", again.body["revoked_families"])
	}
}

func TestAdminRevokeRejects(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)
	cases := []struct {
		name   string
		body   string
		bearer string
		status int
		code   string
	}{
		{"no admin token", `{"username":"user-0002"}`, "", http.StatusForbidden, "forbidden"},
		{"wrong admin token", `{"username":"user-0002"}`, adminToken + "x", http.StatusForbidden, "forbidden"},
		{"unknown user", `{"username":"user-9999"}`, adminToken, http.StatusNotFound, "not_found"},
		{"missing username", `{}`, adminToken, http.StatusBadRequest, "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertStatus(t, tc.name, r.send(t, http.MethodPost, "/admin/revoke", tc.body, tc.bearer), tc.status, tc.code)
		})
	}
}

func TestRedisDown(t *testing.T) {
	local := redistest.Start(t)
	r := startReplica(t, testEnv(t, local.URL()), nil)
	tk := r.mustLogin(t, "user-0002")
	assertStatus(t, "readyz with redis", r.send(t, http.MethodGet, "/readyz", "", ""), http.StatusOK, "")

	if err := local.Stop(); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, "me without redis", r.send(t, http.MethodGet, "/api/me", "", tk.access), http.StatusOK, "")
	assertStatus(t, "refresh without redis", r.send(t, http.MethodPost, "/refresh", refreshBody(tk.refresh), ""),
		http.StatusServiceUnavailable, "store_unavailable")
	login := r.send(t, http.MethodPost, "/login", `{"username":"user-0002","password":"`+password+`"}`, "")
	assertStatus(t, "login without redis", login, http.StatusServiceUnavailable, "store_unavailable")
	assertStatus(t, "logout without redis", r.send(t, http.MethodPost, "/logout", refreshBody(tk.refresh), ""),
		http.StatusServiceUnavailable, "store_unavailable")
	assertStatus(t, "admin revoke without redis", r.send(t, http.MethodPost, "/admin/revoke", `{"username":"user-0002"}`, adminToken),
		http.StatusServiceUnavailable, "store_unavailable")
	ready := r.send(t, http.MethodGet, "/readyz", "", "")
	assertStatus(t, "readyz without redis", ready, http.StatusServiceUnavailable, "")
	if checks, _ := ready.body["checks"].(map[string]any); checks["redis"] != "unavailable" {
		t.Errorf("readyz checks %v, want redis unavailable", ready.body["checks"])
	}

	// The restarted Redis is empty: the token is rejected, never accepted.
	if err := local.Start(); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, "refresh after restart", r.send(t, http.MethodPost, "/refresh", refreshBody(tk.refresh), ""),
		http.StatusUnauthorized, "invalid_refresh_token")
	r.mustLogin(t, "user-0002")
}

func TestJWKS(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)
	tk := r.mustLogin(t, "user-0002")
	resp := r.send(t, http.MethodGet, "/.well-known/jwks.json", "", "")
	assertStatus(t, "jwks", resp, http.StatusOK, "")
	keys, _ := resp.body["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("jwks has %d keys, want 1", len(keys))
	}
	key, _ := keys[0].(map[string]any)
	if kid := jwtHeader(t, tk.access)["kid"]; key["kid"] != kid {
		t.Errorf("jwks kid %v, access token kid %v", key["kid"], kid)
	}
	if cc := resp.header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control %q, want public, max-age=300", cc)
	}
	if _, ok := key["d"]; ok {
		t.Error("jwks publishes the private key")
	}
}

func TestLogoutWithoutBearer(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)
	tk := r.mustLogin(t, "user-0002")

	out := r.send(t, http.MethodPost, "/logout", refreshBody(tk.refresh), "")
	assertStatus(t, "logout", out, http.StatusOK, "")
	if out.body["revoked"] != true {
		t.Errorf("revoked = %v, want true", out.body["revoked"])
	}
	until, err := time.Parse(time.RFC3339, out.str("access_token_valid_until"))
	if err != nil {
		t.Fatalf("access_token_valid_until %q: %v", out.str("access_token_valid_until"), err)
	}
	if want := time.Now().Add(10*time.Minute + 30*time.Second); until.Sub(want).Abs() > 2*time.Second {
		t.Errorf("access_token_valid_until %v, want about %v (ACCESS_TTL plus leeway)", until, want)
	}

	again := r.send(t, http.MethodPost, "/logout", refreshBody(tk.refresh), "")
	assertStatus(t, "second logout", again, http.StatusOK, "")
	if again.body["revoked"] != false {
		t.Errorf("second logout: revoked = %v, want false", again.body["revoked"])
	}
}

func TestLogoutWithRotatedToken(t *testing.T) {
	r := startReplica(t, testEnv(t, redistest.URL(t)), nil)
	first := r.mustLogin(t, "user-0002")
	second := r.mustRefresh(t, first.refresh)

	out := r.send(t, http.MethodPost, "/logout", refreshBody(first.refresh), "")
	if out.body["revoked"] != true {
		t.Errorf("logout with a rotated token: revoked = %v, want true", out.body["revoked"])
	}
	assertStatus(t, "refresh after logout", r.send(t, http.MethodPost, "/refresh", refreshBody(second.refresh), ""),
		http.StatusUnauthorized, "invalid_refresh_token")
}

func TestRefreshAcrossReplicas(t *testing.T) {
	env := testEnv(t, redistest.URL(t))
	one := startReplica(t, env, map[string]string{"REPLICA_ID": "hybrid-test-1"})
	two := startReplica(t, env, map[string]string{"REPLICA_ID": "hybrid-test-2"})

	first := one.mustLogin(t, "user-0002")
	second := two.mustRefresh(t, first.refresh)
	me := one.send(t, http.MethodGet, "/api/me", "", second.access)
	assertStatus(t, "me on another replica", me, http.StatusOK, "")
	if again := one.mustRefresh(t, first.refresh); again.refresh != second.refresh {
		t.Error("reuse on another replica inside the interval returned another successor")
	}
}

func BenchmarkRefreshHTTP(b *testing.B) {
	r := startReplica(b, testEnv(b, redistest.URL(b)), nil)
	raw := r.mustLogin(b, "user-0002").refresh
	for b.Loop() {
		raw = r.mustRefresh(b, raw).refresh
	}
}

func TestRefreshUserNoLongerListed(t *testing.T) {
	env := testEnv(t, redistest.URL(t))
	large := startReplica(t, env, map[string]string{"USERS": "20"})
	small := startReplica(t, env, map[string]string{"USERS": "5"})

	tk := large.mustLogin(t, "user-0010")
	assertStatus(t, "refresh of a user the directory lacks", small.send(t, http.MethodPost, "/refresh", refreshBody(tk.refresh), ""),
		http.StatusUnauthorized, "invalid_refresh_token")
}
