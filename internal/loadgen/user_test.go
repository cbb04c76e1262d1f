package loadgen

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewFleetInvalidConfig(t *testing.T) {
	valid := Config{BaseURL: "http://127.0.0.1:8081", Flavor: Cookie, Users: 1, Password: "x"}
	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string
	}{
		{name: "unknown flavor", change: func(c *Config) { c.Flavor = "saml" }, wantErr: `invalid flavor "saml"`},
		{name: "no users", change: func(c *Config) { c.Users = 0 }, wantErr: "invalid user count 0"},
		{name: "no password", change: func(c *Config) { c.Password = "" }, wantErr: "missing password"},
		{name: "remote address", change: func(c *Config) { c.BaseURL = "http://10.0.0.1:8081" }, wantErr: "loopback"},
		{name: "remote name", change: func(c *Config) { c.BaseURL = "http://example.com" }, wantErr: "loopback"},
		{name: "https", change: func(c *Config) { c.BaseURL = "https://127.0.0.1:8081" }, wantErr: "want http://host:port"},
		{name: "negative in flight", change: func(c *Config) { c.MaxInFlight = -1 }, wantErr: "MaxInFlight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.change(&cfg)
			_, err := NewFleet(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewFleet error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	for _, base := range []string{"http://localhost:8081", "http://[::1]:8081"} {
		cfg := valid
		cfg.BaseURL = base
		if _, err := NewFleet(cfg); err != nil {
			t.Errorf("NewFleet(%s) error = %v, want none", base, err)
		}
	}
}

func TestUserNames(t *testing.T) {
	f := mustFleet(t, Config{BaseURL: "http://127.0.0.1:1", Flavor: Bearer, Users: 3})
	got := f.Users()
	if len(got) != 3 || got[0].Name() != "user-0001" || got[2].Name() != "user-0003" {
		t.Fatalf("user names = %v, want user-0001 to user-0003", got)
	}
	if got[0].LoggedIn() {
		t.Error("a new user is logged in, want not")
	}
}

func TestCookieUserSendsJar(t *testing.T) {
	app, base := newFakeApp(t, Cookie)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Cookie, Users: 2})
	mustLoginAll(t, f)
	u := f.Users()[0]
	rec := newRecorder(time.Now(), time.Second, time.Second, time.Second, nil)
	f.visit(t.Context(), u, rec)

	seen := app.seenHeaders()
	if len(seen) != 1 {
		t.Fatalf("server saw %d /api/me requests, want 1", len(seen))
	}
	if !strings.Contains(seen[0], "sid=") || !strings.Contains(seen[0], "lb_sticky=r1") {
		t.Errorf("Cookie header = %q, want the session and the sticky cookie", seen[0])
	}
	if got := u.Credential(); got != seen[0] {
		t.Errorf("Credential() = %q, want the Cookie header sent %q", got, seen[0])
	}
	total := rec.phase(time.Second, false).Total()
	if total.ByStatus["200"] != 1 || total.Errors != 0 {
		t.Errorf("by status %v, errors %d; want one 200 and no error", total.ByStatus, total.Errors)
	}
	if got := total.MeanCredentialBytes(); got != float64(len(seen[0])) {
		t.Errorf("MeanCredentialBytes() = %v, want %d", got, len(seen[0]))
	}
}

func TestBearerUserSendsHeader(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 1})
	mustLoginAll(t, f)
	u := f.Users()[0]
	f.visit(t.Context(), u, nil)

	seen := app.seenHeaders()
	if len(seen) != 1 || seen[0] != "Bearer "+u.Credential() {
		t.Fatalf("Authorization headers = %q, want one %q", seen, "Bearer "+u.Credential())
	}
	if app.logins.Load() != 1 {
		t.Errorf("logins = %d, want 1: the visit must reuse the token", app.logins.Load())
	}
}

func TestHybridRefreshBeforeExpiry(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	// A 1 s token with the minimum 1 s margin is due for refresh at once.
	app.expiresIn = 1
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 1})
	mustLoginAll(t, f)
	u := f.Users()[0]
	first, firstRefresh := u.Credential(), u.RefreshToken()
	f.visit(t.Context(), u, nil)

	if got := app.refreshes.Load(); got != 1 {
		t.Fatalf("refreshes = %d, want 1", got)
	}
	seen := app.seenHeaders()
	if len(seen) != 1 || seen[0] == "Bearer "+first {
		t.Errorf("/api/me headers = %q, want one with the refreshed token", seen)
	}
	if u.RefreshToken() == firstRefresh {
		t.Error("refresh token did not rotate")
	}
}

func TestHybridNoRefreshWithinMargin(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 1})
	mustLoginAll(t, f)
	f.visit(t.Context(), f.Users()[0], nil)
	if got := app.refreshes.Load(); got != 0 {
		t.Errorf("refreshes = %d, want 0 for a token with an hour left", got)
	}
}

func TestHybridRefreshAfter401(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 1})
	mustLoginAll(t, f)
	u := f.Users()[0]
	app.revoke(u.Credential())
	rec := newRecorder(time.Now(), time.Second, time.Second, time.Second, nil)
	f.visit(t.Context(), u, rec)

	total := rec.phase(time.Second, false).Total()
	if total.ByStatus["401"] != 1 || total.ByStatus["200"] != 2 {
		t.Errorf("by status %v, want one 401 then a 200 refresh and a 200 /api/me", total.ByStatus)
	}
	if total.ByKind[KindRefresh] != 1 {
		t.Errorf("refreshes recorded = %d, want 1", total.ByKind[KindRefresh])
	}
	if total.Errors != 1 {
		t.Errorf("errors = %d, want 1: the 401 the user recovered from", total.Errors)
	}
	if count, _ := u.LoggedOut(); count != 0 || !u.LoggedIn() {
		t.Errorf("logged out %d times, logged in %v; want 0 and true", count, u.LoggedIn())
	}
}

func TestHybridConcurrentSingleRefresh(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	const visits = 10
	// The token stays valid for 10 s, but a 10 s margin makes it due for
	// refresh at once.
	app.expiresIn = 10
	var others sync.WaitGroup
	others.Add(visits - 1)
	othersDone := make(chan struct{})
	go func() { others.Wait(); close(othersDone) }()
	// Hold the refresh until the other visits have sent /api/me, so they
	// all overlap it.
	app.refreshDelay = func() {
		select {
		case <-othersDone:
		case <-time.After(5 * time.Second):
		}
	}
	// The refreshing visit sends /api/me last, so the first visits-1 are
	// the others.
	app.meDelay = func(n int64) {
		if n <= visits-1 {
			others.Done()
		}
	}
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 1, RefreshMargin: 10 * time.Second})
	mustLoginAll(t, f)
	u := f.Users()[0]

	var wg sync.WaitGroup
	for range visits {
		wg.Go(func() { f.visit(t.Context(), u, nil) })
	}
	wg.Wait()

	if got := app.refreshes.Load(); got != 1 {
		t.Errorf("refreshes = %d, want 1 for %d concurrent requests", got, visits)
	}
	if got := app.mes.Load(); got != visits {
		t.Errorf("/api/me requests = %d, want %d", got, visits)
	}
}

func TestRejectedUserLogsOut(t *testing.T) {
	for _, flavor := range []Flavor{Cookie, Bearer, Hybrid} {
		t.Run(string(flavor), func(t *testing.T) {
			app, base := newFakeApp(t, flavor)
			f := mustFleet(t, Config{BaseURL: base, Flavor: flavor, Users: 1})
			mustLoginAll(t, f)
			u := f.Users()[0]
			app.reject.Store(true)
			before := time.Now()
			f.visit(t.Context(), u, nil)

			count, first := u.LoggedOut()
			if count != 1 || first.Before(before) {
				t.Fatalf("LoggedOut() = %d, %v; want 1 at or after %v", count, first, before)
			}
			if u.LoggedIn() {
				t.Error("LoggedIn() = true after the credential was rejected")
			}

			app.reject.Store(false)
			f.visit(t.Context(), u, nil)
			if got := app.logins.Load(); got != 2 {
				t.Errorf("logins = %d, want 2: the next visit logs in again", got)
			}
			if !u.LoggedIn() {
				t.Error("LoggedIn() = false after logging in again")
			}
		})
	}
}

func TestLoginAllRetries429(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	app.login429.Store(3)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 4})
	mustLoginAll(t, f)
	for _, u := range f.Users() {
		if !u.LoggedIn() {
			t.Errorf("%s is not logged in", u.Name())
		}
	}
	if got := app.logins.Load(); got != 4+3 {
		t.Errorf("login requests = %d, want 7 (4 users and 3 retries)", got)
	}
}

func TestLoginAllReportsFailure(t *testing.T) {
	app, base := newFakeApp(t, Cookie)
	app.loginStatus.Store(401)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Cookie, Users: 3})
	err := f.LoginAll(t.Context(), 2)
	if err == nil || !strings.Contains(err.Error(), "login failed for 3 of 3 users") {
		t.Fatalf("LoginAll error = %v, want it to count 3 failed users", err)
	}
	var status *StatusError
	if !errors.As(err, &status) || status.Status != 401 || status.Code != "invalid_credentials" {
		t.Errorf("LoginAll error wraps %#v, want status 401 and code invalid_credentials", status)
	}
	if got := app.logins.Load(); got != 3 {
		t.Errorf("login requests = %d, want 3: a 401 is not retried", got)
	}
}

func TestProbeNeitherRefreshesNorLogsIn(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	app.expiresIn = 1 // due for refresh at once
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 1})
	mustLoginAll(t, f)
	u := f.Users()[0]

	status, err := f.Probe(t.Context(), u)
	if err != nil || status != 200 {
		t.Fatalf("Probe = %d, %v; want 200", status, err)
	}
	app.reject.Store(true)
	status, err = f.Probe(t.Context(), u)
	if err != nil || status != 401 {
		t.Fatalf("Probe after rejection = %d, %v; want 401", status, err)
	}
	if app.refreshes.Load() != 0 || app.logins.Load() != 1 {
		t.Errorf("refreshes %d, logins %d; want 0 and 1", app.refreshes.Load(), app.logins.Load())
	}
	if !u.LoggedIn() {
		t.Error("Probe marked the user logged out")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{name: "seconds", value: "3", want: 3 * time.Second},
		{name: "zero", value: "0", want: 0},
		{name: "http date", value: now.Add(2 * time.Second).Format(http.TimeFormat), want: 2 * time.Second},
		{name: "past date", value: now.Add(-time.Hour).Format(http.TimeFormat), want: 0},
		{name: "missing", value: "", want: defaultRetryAfter},
		{name: "garbage", value: "soon", want: defaultRetryAfter},
		{name: "negative", value: "-4", want: defaultRetryAfter},
		{name: "too long", value: "3600", want: maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.value, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.value, got, tt.want)
			}
		})
	}
}

func TestFleetRefreshMargin(t *testing.T) {
	f := mustFleet(t, Config{BaseURL: "http://127.0.0.1:1", Flavor: Hybrid, Users: 1})
	if got := f.RefreshMargin(10 * time.Minute); got != 2*time.Minute {
		t.Errorf("RefreshMargin(10m) = %v, want 20%% of it, 2m", got)
	}
	if got := f.RefreshMargin(2 * time.Second); got != MinRefreshMargin {
		t.Errorf("RefreshMargin(2s) = %v, want the minimum %v", got, MinRefreshMargin)
	}
	if got := f.Config().LateThreshold; got != DefaultLateThreshold {
		t.Errorf("Config().LateThreshold = %v, want the default %v", got, DefaultLateThreshold)
	}

	fixed := mustFleet(t, Config{BaseURL: "http://127.0.0.1:1", Flavor: Hybrid, Users: 1, RefreshMargin: 30 * time.Second})
	if got := fixed.RefreshMargin(10 * time.Minute); got != 30*time.Second {
		t.Errorf("RefreshMargin(10m) = %v, want the configured 30s", got)
	}
}

func TestHybridStoreOutageKeepsToken(t *testing.T) {
	app, base := newFakeApp(t, Hybrid)
	app.expiresIn = 10
	// A 10 s margin makes the 10 s token due for refresh at once.
	f := mustFleet(t, Config{BaseURL: base, Flavor: Hybrid, Users: 1, RefreshMargin: 10 * time.Second})
	mustLoginAll(t, f)
	u := f.Users()[0]
	token := u.Credential()
	app.storeDown.Store(true)
	rec := newRecorder(time.Now(), time.Second, time.Second, time.Second, nil)
	f.visit(t.Context(), u, rec)

	total := rec.phase(time.Second, false).Total()
	if total.ErrorsByStatus["503"] != 1 || total.ErrorsByKind[KindRefresh] != 1 {
		t.Errorf("errors by status %v, by kind %v; want one failed refresh with 503", total.ErrorsByStatus, total.ErrorsByKind)
	}
	if total.ByStatus["200"] != 1 || total.ByKind[KindMe] != 1 {
		t.Errorf("by status %v, by kind %v; want /api/me sent with the old token and 200", total.ByStatus, total.ByKind)
	}
	if u.Credential() != token || !u.LoggedIn() {
		t.Error("a refresh that failed with 503 replaced or dropped the credential")
	}
	if count, _ := u.LoggedOut(); count != 0 {
		t.Errorf("logged out %d times by a store outage, want 0", count)
	}
}

func TestLoginInvalidResponse(t *testing.T) {
	app, base := newFakeApp(t, Bearer)
	app.emptyLogin.Store(true)
	f := mustFleet(t, Config{BaseURL: base, Flavor: Bearer, Users: 1})
	rec := newRecorder(time.Now(), time.Second, time.Second, time.Second, nil)
	f.visit(t.Context(), f.Users()[0], rec)

	total := rec.phase(time.Second, false).Total()
	if total.ErrorsByStatus[StatusInvalidResponse] != 1 {
		t.Errorf("errors by status %v, want one %s", total.ErrorsByStatus, StatusInvalidResponse)
	}
	if total.ByKind[KindMe] != 0 {
		t.Errorf("/api/me requests = %d, want 0 without a token", total.ByKind[KindMe])
	}
	if f.Users()[0].LoggedIn() {
		t.Error("LoggedIn() = true after a login without a token")
	}
}
