package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync"
	"time"

	"github.com/authlab/authlab/internal/users"
)

// Fleet is a set of virtual users of one system and the HTTP client they
// share. It is safe for concurrent use, but Run phases of one Fleet must not
// overlap.
type Fleet struct {
	cfg       Config
	base      *url.URL
	transport *http.Transport
	client    *http.Client
	users     []*User
}

// NewFleet returns a fleet of cfg.Users virtual users, none logged in yet.
// It returns an error for an invalid Config, such as a base URL that is not
// on loopback.
func NewFleet(cfg Config) (*Fleet, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid base URL %q: %w", cfg.BaseURL, err)
	}

	f := &Fleet{cfg: cfg, base: base, transport: newTransport(cfg)}
	f.client = &http.Client{
		Transport: f.transport,
		Timeout:   cfg.Timeout,
		// A redirect is a contract violation here; return it as it is.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for i := 1; i <= cfg.Users; i++ {
		// cookiejar.New always returns a nil error (Go 1.26 source).
		jar, _ := cookiejar.New(nil)
		f.users = append(f.users, &User{name: users.Name(i), flavor: cfg.Flavor, base: base, jar: jar})
	}
	return f, nil
}

// newTransport returns a keep-alive HTTP/1.1 transport with a connection
// pool sized for MaxInFlight. It ignores proxy settings in the environment,
// because every target is on loopback.
func newTransport(cfg Config) *http.Transport {
	// Probes and LoginAll may run beside a phase, so leave room for them.
	conns := cfg.MaxInFlight + 16
	dialer := &net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          conns,
		MaxIdleConnsPerHost:   conns,
		MaxConnsPerHost:       conns,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		Protocols:             &protocols,
	}
}

// Config returns the fleet's configuration with the defaults filled in.
func (f *Fleet) Config() Config { return f.cfg }

// Users returns the virtual users in order, user-0001 first.
func (f *Fleet) Users() []*User { return f.users }

// Close closes the idle connections of the fleet.
func (f *Fleet) Close() { f.transport.CloseIdleConnections() }

// LoginAll logs in every user that holds no valid credential, with at most
// concurrency logins at once. A login rejected with 429 is retried after its
// Retry-After, at most maxLoginAttempts times in all. It returns an error
// that counts the users left without a credential and wraps the first
// failure.
func (f *Fleet) LoginAll(ctx context.Context, concurrency int) error {
	concurrency = max(concurrency, 1)
	next := make(chan *User)
	var (
		mu     sync.Mutex
		failed int
		first  error
		wg     sync.WaitGroup
	)
	for range concurrency {
		wg.Go(func() {
			for u := range next {
				if err := f.loginWithRetry(ctx, u); err != nil {
					mu.Lock()
					failed++
					first = cmpOr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for _, u := range f.users {
		select {
		case next <- u:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()

	if failed > 0 {
		return fmt.Errorf("login failed for %d of %d users: %w", failed, len(f.users), first)
	}
	return ctx.Err()
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// maxLoginAttempts bounds the tries of one user in LoginAll.
const maxLoginAttempts = 5

func (f *Fleet) loginWithRetry(ctx context.Context, u *User) error {
	var err error
	for range maxLoginAttempts {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		_, err = f.credentialFor(ctx, u, nil, 0)
		var status *StatusError
		if err == nil || !errors.As(err, &status) || status.Status != http.StatusTooManyRequests {
			return err
		}
		select {
		case <-time.After(status.RetryAfter):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

// Probe sends GET /api/me with u's current credential and returns the
// status. Unlike a scheduled request, it never logs in or refreshes, records
// nothing and leaves the cookie jar as it is. The error is for a request
// that got no response.
func (f *Fleet) Probe(ctx context.Context, u *User) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url("/api/me"), nil)
	if err != nil {
		return 0, fmt.Errorf("probe %s: %w", u.name, err)
	}
	u.mu.Lock()
	c := u.cred
	u.mu.Unlock()
	u.authorize(req, c)

	resp, err := f.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("probe %s: %w", u.name, err)
	}
	drain(resp)
	return resp.StatusCode, nil
}

func (f *Fleet) url(path string) string {
	return f.base.JoinPath(path).String()
}
