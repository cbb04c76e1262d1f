package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testPassword = "demo-password"

// fakeApp mimics the HTTP contract of the three apps closely enough for the
// virtual users: /login, /api/me and, for Hybrid, a rotating /refresh.
type fakeApp struct {
	flavor    Flavor
	expiresIn int64 // seconds, for Bearer and Hybrid
	replicas  []string

	mu       sync.Mutex
	sessions map[string]string // session id or access token -> user
	refresh  map[string]string // refresh token -> user
	seen     []string          // credential header of each /api/me

	reject      atomic.Bool  // reject every credential and refresh token
	loginStatus atomic.Int64 // when non-zero, the status of every /login response
	login429    atomic.Int64 // the number of logins still to reject with 429
	// storeDown makes /refresh fail with 503 store_unavailable.
	storeDown atomic.Bool
	// emptyLogin makes /login return 200 with an empty JSON object.
	emptyLogin atomic.Bool
	logins     atomic.Int64
	refreshes  atomic.Int64
	mes        atomic.Int64
	served     atomic.Int64
	// meDelay, when set, runs in /api/me before it responds, with the count
	// of /api/me requests so far.
	meDelay func(n int64)
	// refreshDelay, when set, runs in /refresh before it responds.
	refreshDelay func()
}

func newFakeApp(t testing.TB, flavor Flavor) (*fakeApp, string) {
	t.Helper()
	app := &fakeApp{
		flavor:    flavor,
		expiresIn: 3600,
		replicas:  []string{"r1", "r2", "r3"},
		sessions:  map[string]string{},
		refresh:   map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", app.handleLogin)
	mux.HandleFunc("GET /api/me", app.handleMe)
	mux.HandleFunc("POST /refresh", app.handleRefresh)
	srv := httptest.NewServer(app.withReplica(mux))
	t.Cleanup(srv.Close)
	return app, srv.URL
}

func (a *fakeApp) withReplica(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := a.served.Add(1)
		w.Header().Set("X-Replica", a.replicas[int(n)%len(a.replicas)])
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "message": code})
}

func (a *fakeApp) handleLogin(w http.ResponseWriter, r *http.Request) {
	a.logins.Add(1)
	var body struct{ Username, Password string }
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&body) != nil {
		writeError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if a.login429.Add(-1) >= 0 {
		w.Header().Set("Retry-After", "0")
		writeError(w, http.StatusTooManyRequests, "rate_limited")
		return
	}
	if a.emptyLogin.Load() {
		writeJSON(w, http.StatusOK, map[string]string{})
		return
	}
	if status := a.loginStatus.Load(); status != 0 {
		writeError(w, int(status), "invalid_credentials")
		return
	}
	if body.Password != testPassword || !strings.HasPrefix(body.Username, "user-") {
		writeError(w, http.StatusUnauthorized, "invalid_credentials")
		return
	}
	if a.flavor == Cookie {
		sid := a.issue(body.Username, a.sessions)
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "lb_sticky", Value: "r1", Path: "/"})
		writeJSON(w, http.StatusOK, map[string]string{"user": body.Username})
		return
	}
	a.writeTokens(w, body.Username)
}

func (a *fakeApp) writeTokens(w http.ResponseWriter, user string) {
	resp := map[string]any{
		"access_token": a.issue(user, a.sessions),
		"token_type":   "Bearer",
		"expires_in":   a.expiresIn,
	}
	if a.flavor == Hybrid {
		resp["refresh_token"] = a.issue(user, a.refresh)
	}
	writeJSON(w, http.StatusOK, resp)
}

func (a *fakeApp) issue(user string, into map[string]string) string {
	value := rand.Text()
	a.mu.Lock()
	into[value] = user
	a.mu.Unlock()
	return value
}

// credentialOf returns the session id or bearer token of r and the header
// value that carried it.
func (a *fakeApp) credentialOf(r *http.Request) (value, header string) {
	if a.flavor == Cookie {
		c, err := r.Cookie("sid")
		if err != nil {
			return "", ""
		}
		return c.Value, r.Header.Get("Cookie")
	}
	header = r.Header.Get("Authorization")
	return strings.TrimPrefix(header, "Bearer "), header
}

func (a *fakeApp) handleMe(w http.ResponseWriter, r *http.Request) {
	n := a.mes.Add(1)
	if a.meDelay != nil {
		a.meDelay(n)
	}
	value, header := a.credentialOf(r)
	a.mu.Lock()
	a.seen = append(a.seen, header)
	user, ok := a.sessions[value]
	a.mu.Unlock()
	if !ok || a.reject.Load() {
		writeError(w, http.StatusUnauthorized, "unauthenticated")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": user, "roles": []string{"user"}})
}

func (a *fakeApp) handleRefresh(w http.ResponseWriter, r *http.Request) {
	a.refreshes.Add(1)
	if a.refreshDelay != nil {
		a.refreshDelay()
	}
	if a.storeDown.Load() {
		writeError(w, http.StatusServiceUnavailable, "store_unavailable")
		return
	}
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	a.mu.Lock()
	user, ok := a.refresh[body.RefreshToken]
	delete(a.refresh, body.RefreshToken)
	a.mu.Unlock()
	if !ok || a.reject.Load() {
		writeError(w, http.StatusUnauthorized, "invalid_refresh_token")
		return
	}
	a.writeTokens(w, user)
}

// revoke makes the server reject the access token or session id value.
func (a *fakeApp) revoke(value string) {
	a.mu.Lock()
	delete(a.sessions, value)
	a.mu.Unlock()
}

func (a *fakeApp) seenHeaders() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

func mustFleet(t testing.TB, cfg Config) *Fleet {
	t.Helper()
	if cfg.Password == "" {
		cfg.Password = testPassword
	}
	f, err := NewFleet(cfg)
	if err != nil {
		t.Fatalf("NewFleet: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

func mustLoginAll(t testing.TB, f *Fleet) {
	t.Helper()
	ctx, cancel := contextWithTimeout(t, 10*time.Second)
	defer cancel()
	if err := f.LoginAll(ctx, 4); err != nil {
		t.Fatalf("LoginAll: %v", err)
	}
}

func contextWithTimeout(t testing.TB, d time.Duration) (context.Context, context.CancelFunc) {
	t.Helper()
	return context.WithTimeout(t.Context(), d)
}
