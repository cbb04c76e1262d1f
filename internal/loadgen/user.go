package loadgen

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"
)

// User is one virtual user with its own credential and cookie jar. It is
// safe for concurrent use: several scheduled requests of one user may be in
// flight at once, and at most one of them logs in or refreshes at a time.
type User struct {
	name   string
	flavor Flavor
	base   *url.URL
	jar    *cookiejar.Jar

	mu   sync.Mutex
	cred credential
	// gens counts the credentials the user was given, so the current one has
	// generation gens.
	gens uint64
	// flight is closed when the login or refresh in progress ends, and nil
	// when none is.
	flight         chan struct{}
	loggedOut      int
	firstLoggedOut time.Time
}

// credential is the state a user authenticates with. For Cookie the
// cookies live in the jar and access is empty.
type credential struct {
	gen   uint64
	valid bool
	// access is the access token of Bearer and Hybrid.
	access  string
	refresh string
	// refreshAt is when a Hybrid user refreshes. expiresAt is when the
	// access token expires, zero when unknown.
	refreshAt time.Time
	expiresAt time.Time
}

func (c credential) expired(now time.Time) bool {
	return !c.expiresAt.IsZero() && !now.Before(c.expiresAt)
}

// Name returns the user name, such as "user-0001".
func (u *User) Name() string { return u.name }

// Credential returns what the user currently sends to authenticate: the
// Cookie header value for Cookie, the access token for Bearer and Hybrid.
// It is empty before the first login.
func (u *User) Credential() string {
	u.mu.Lock()
	c := u.cred
	u.mu.Unlock()
	if u.flavor == Cookie {
		return u.cookieHeader()
	}
	return c.access
}

// RefreshToken returns a Hybrid user's current refresh token, empty for the
// other flavors.
func (u *User) RefreshToken() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.cred.refresh
}

// LoggedIn reports whether the user holds a credential that the server has
// not rejected.
func (u *User) LoggedIn() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.cred.valid
}

// LoggedOut returns how many times the server rejected the user's
// credential, so that the user had to log in again, and when it first did
// (zero when never).
func (u *User) LoggedOut() (count int, first time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.loggedOut, u.firstLoggedOut
}

func (u *User) cookieHeader() string {
	cookies := u.jar.Cookies(u.base)
	parts := make([]string, len(cookies))
	for i, c := range cookies {
		parts[i] = c.Name + "=" + c.Value
	}
	return strings.Join(parts, "; ")
}

// authorize adds the credential c to req and returns the size of the header
// value that carries it.
func (u *User) authorize(req *http.Request, c credential) int {
	if u.flavor == Cookie {
		header := u.cookieHeader()
		if header != "" {
			req.Header.Set("Cookie", header)
		}
		return len(header)
	}
	if c.access == "" {
		return 0
	}
	header := "Bearer " + c.access
	req.Header.Set("Authorization", header)
	return len(header)
}

// logOut marks the credential of generation gen as rejected, unless the
// user has already replaced it. The next scheduled request logs in again.
func (u *User) logOut(gen uint64, rec *recorder) {
	now := time.Now()
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.cred.gen != gen || !u.cred.valid {
		return
	}
	u.cred.valid = false
	u.loggedOut++
	if u.firstLoggedOut.IsZero() {
		u.firstLoggedOut = now
	}
	rec.loggedOut(u.name, now)
}

// renewal is the step a user must take before it sends a request.
type renewal int

const (
	renewNone renewal = iota
	renewLogin
	// renewSoon: a Hybrid access token is within its refresh margin but still
	// valid, so it may be used while another request refreshes it.
	renewSoon
	// renewRejected: the server has just rejected the Hybrid access token.
	renewRejected
)

func (f *Fleet) renewalFor(c credential, rejected uint64, now time.Time) renewal {
	switch {
	case !c.valid:
		return renewLogin
	case f.cfg.Flavor != Hybrid:
		return renewNone
	case rejected != 0 && c.gen == rejected:
		return renewRejected
	case !now.Before(c.refreshAt):
		return renewSoon
	default:
		return renewNone
	}
}

// maxFlightWaits bounds how often one request waits for another request's
// login or refresh before it goes on with what the user holds.
const maxFlightWaits = 2

// credentialFor returns the credential to send for u, logging in or
// refreshing first when needed. rejected is the generation of a credential
// that the server has just rejected, or 0. Only one login or refresh of a
// user runs at a time, and the other requests wait for it. The exception is
// a Hybrid token that is still valid, which they use meanwhile.
func (f *Fleet) credentialFor(ctx context.Context, u *User, rec *recorder, rejected uint64) (credential, error) {
	for range maxFlightWaits + 1 {
		now := time.Now()
		u.mu.Lock()
		c := u.cred
		need := f.renewalFor(c, rejected, now)
		if need == renewNone {
			u.mu.Unlock()
			return c, nil
		}
		if wait := u.flight; wait != nil {
			u.mu.Unlock()
			if need == renewSoon && !c.expired(now) {
				return c, nil
			}
			select {
			case <-wait:
			case <-ctx.Done():
				return c, ctx.Err()
			}
			continue
		}
		done := make(chan struct{})
		u.flight = done
		u.mu.Unlock()
		return f.renew(ctx, u, c, need, rec, done)
	}
	return credential{}, errBusy
}

// errBusy reports a request that gave up waiting for the logins and
// refreshes of other requests of the same user.
var errBusy = errors.New("another request of the user is still logging in or refreshing")

// renew logs u in or refreshes c, stores the result and ends the flight
// done.
func (f *Fleet) renew(ctx context.Context, u *User, c credential, need renewal, rec *recorder, done chan struct{}) (credential, error) {
	var (
		next credential
		err  error
	)
	if need == renewLogin {
		next, err = f.login(ctx, u, rec)
	} else {
		next, err = f.refresh(ctx, u, c, rec)
	}

	u.mu.Lock()
	if err == nil {
		u.gens++
		next.gen = u.gens
		u.cred = next
	}
	u.flight = nil
	close(done)
	u.mu.Unlock()

	var status *StatusError
	switch {
	case err == nil:
		return next, nil
	case need == renewLogin:
		// NOTE: a login rejected with 429 during a phase is retried on the
		// user's next scheduled request, without waiting for Retry-After.
		return c, err
	case errors.As(err, &status) && status.Status == http.StatusUnauthorized:
		u.logOut(c.gen, rec)
		return c, err
	case need == renewSoon && !c.expired(time.Now()):
		// The refresh failed for another reason, such as a store outage, but
		// the access token still works: use it and refresh next time.
		return c, nil
	default:
		return c, err
	}
}

// visit sends one scheduled request of u: GET /api/me, with a login or a
// refresh first when the user needs one. After a 401 a Hybrid user
// refreshes once and retries. Any other 401 logs the user out.
func (f *Fleet) visit(ctx context.Context, u *User, rec *recorder) {
	c, err := f.credentialFor(ctx, u, rec, 0)
	if err != nil {
		return
	}
	if f.me(ctx, u, c, rec) != http.StatusUnauthorized {
		return
	}
	if f.cfg.Flavor == Hybrid {
		if c, err = f.credentialFor(ctx, u, rec, c.gen); err != nil {
			return
		}
		if f.me(ctx, u, c, rec) != http.StatusUnauthorized {
			return
		}
	}
	u.logOut(c.gen, rec)
}
