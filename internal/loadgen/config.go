package loadgen

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"time"
)

// Flavor is the way a virtual user authenticates, one for each app.
type Flavor string

// The three flavors.
const (
	// Cookie sends the cookies it got, as a browser does (the sessions app,
	// with or without a sticky load-balancer cookie).
	Cookie Flavor = "cookie"
	// Bearer sends the access token from its login in an Authorization
	// header until the server rejects it (jwtapp).
	Bearer Flavor = "bearer"
	// Hybrid sends a short-lived access token and rotates it with the refresh
	// token before it expires and after a 401 (the hybrid app).
	Hybrid Flavor = "hybrid"
)

// Defaults used for zero Config fields.
const (
	DefaultMaxInFlight   = 256
	DefaultLateThreshold = 10 * time.Millisecond
	DefaultBucket        = 250 * time.Millisecond
	DefaultTimeout       = 5 * time.Second
	// DefaultRefreshShare is the share of expires_in left when a hybrid user
	// refreshes, unless Config.RefreshMargin is set.
	DefaultRefreshShare = 0.2
	// MinRefreshMargin is the smallest default refresh margin.
	MinRefreshMargin = time.Second
)

// Config sets up a Fleet. Zero fields take the default given.
type Config struct {
	// BaseURL is the system under test, such as "http://127.0.0.1:8085". It
	// must be http and point at a loopback address or "localhost".
	BaseURL string
	Flavor  Flavor
	// Users is the number of virtual users, named users.Name(1..Users).
	Users int
	// Password is the one password every virtual user logs in with.
	Password string
	// RefreshMargin is how long before its access token expires a hybrid user
	// refreshes. Default: DefaultRefreshShare of expires_in, at least
	// MinRefreshMargin.
	RefreshMargin time.Duration
	// MaxInFlight is the number of scheduled requests that may be in flight
	// at once, and a request due while all slots are busy is dropped. The
	// connection pool is sized from it. MaxInFlightFor computes one from the
	// rate. Default: DefaultMaxInFlight, which MaxInFlightFor gives for 1000
	// requests a second at 64 ms.
	MaxInFlight int
	// LateThreshold is how far behind its schedule a request may be sent
	// before it counts as late. Default: DefaultLateThreshold.
	LateThreshold time.Duration
	// Bucket is the width of a timeline bucket. Default: DefaultBucket.
	Bucket time.Duration
	// Timeout bounds each HTTP request. Default: DefaultTimeout.
	Timeout time.Duration
}

// InFlightHeadroom is the factor MaxInFlightFor applies on top of the
// expected concurrency, to absorb latency spikes without dropping requests.
const InFlightHeadroom = 4

// MaxInFlightFor returns a Config.MaxInFlight for a peak rate in requests a
// second and an expected latency: rate × latency × InFlightHeadroom, at
// least 16.
func MaxInFlightFor(peakRate float64, latency time.Duration) int {
	return max(16, int(math.Ceil(peakRate*latency.Seconds()*InFlightHeadroom)))
}

func (c Config) withDefaults() Config {
	if c.MaxInFlight == 0 {
		c.MaxInFlight = DefaultMaxInFlight
	}
	if c.LateThreshold == 0 {
		c.LateThreshold = DefaultLateThreshold
	}
	if c.Bucket == 0 {
		c.Bucket = DefaultBucket
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	return c
}

func (c Config) validate() error {
	switch c.Flavor {
	case Cookie, Bearer, Hybrid:
	default:
		return fmt.Errorf("invalid flavor %q: want %q, %q or %q", c.Flavor, Cookie, Bearer, Hybrid)
	}
	if c.Users < 1 {
		return fmt.Errorf("invalid user count %d: want at least 1", c.Users)
	}
	if c.Password == "" {
		return errors.New("missing password")
	}
	if c.MaxInFlight < 1 || c.LateThreshold < 0 || c.Bucket < 0 || c.Timeout < 0 || c.RefreshMargin < 0 {
		return errors.New("invalid config: MaxInFlight must be positive and durations must not be negative")
	}
	return checkLoopback(c.BaseURL)
}

// checkLoopback rejects a base URL that is not plain http on loopback,
// because the load generator must never be aimed at another host.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid base URL %q: %w", raw, err)
	}
	if u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("invalid base URL %q: want http://host:port", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("invalid base URL %q: the host must be a loopback address or localhost", raw)
	}
	return nil
}
