package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// StatusError is a failed login or refresh: the server responded with a
// status outside 2xx, or with a 2xx body that broke the contract (then Code
// is StatusInvalidResponse).
type StatusError struct {
	Kind   Kind
	Status int
	// Code is the "error" field of the JSON body, if any.
	Code string
	// RetryAfter is the wait the server asked for with a 429, or
	// defaultRetryAfter when it gave none; at most maxRetryAfter.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("%s: status %d", e.Kind, e.Status)
	}
	return fmt.Sprintf("%s: status %d (%s)", e.Kind, e.Status, e.Code)
}

const (
	defaultRetryAfter = time.Second
	maxRetryAfter     = 10 * time.Second
	// maxBody bounds how much of a response body is read.
	maxBody = 64 << 10
)

// tokenResponse is the OAuth 2.0 token shape (RFC 6749, section 5.1) of the
// login and refresh responses of jwtapp and hybrid.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// reply is a response as read by send, with Status 0 when none came back.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// send sends one request for u and records it. It sends the user's cookies
// with every request and stores the cookies of every response, as a browser
// does. check may mark a 2xx reply as invalid.
func (f *Fleet) send(ctx context.Context, u *User, req *http.Request, o outcome, rec *recorder, check func(reply) bool) (reply, error) {
	if req.Header.Get("Cookie") == "" {
		if header := u.cookieHeader(); header != "" {
			req.Header.Set("Cookie", header)
		}
	}
	o.sentAt = time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			// A request cut short by the caller's context is not a
			// failure of the system under test, so it is not recorded.
			rec.request(o)
		}
		return reply{}, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	drain(resp)
	u.jar.SetCookies(u.base, resp.Cookies())

	r := reply{status: resp.StatusCode, header: resp.Header, body: body}
	o.status = r.status
	o.replica = resp.Header.Get("X-Replica")
	o.invalid = o.status/100 == 2 && (readErr != nil || (check != nil && !check(r)))
	rec.request(o)
	if o.failed() {
		return r, statusError(o.kind, r, o.invalid)
	}
	return r, nil
}

func statusError(kind Kind, r reply, invalid bool) *StatusError {
	e := &StatusError{Kind: kind, Status: r.status}
	if invalid {
		e.Code = StatusInvalidResponse
		return e
	}
	var body struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(r.body, &body) == nil {
		e.Code = body.Error
	}
	if r.status == http.StatusTooManyRequests {
		e.RetryAfter = parseRetryAfter(r.header.Get("Retry-After"), time.Now())
	}
	return e
}

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	wait := defaultRetryAfter
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		wait = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		wait = max(at.Sub(now), 0)
	}
	return min(wait, maxRetryAfter)
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
}

func (f *Fleet) postJSON(ctx context.Context, path string, v any) (*http.Request, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s body: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url(path), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build %s request: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// login sends POST /login for u and returns the credential it got.
func (f *Fleet) login(ctx context.Context, u *User, rec *recorder) (credential, error) {
	req, err := f.postJSON(ctx, "/login", map[string]string{"username": u.name, "password": f.cfg.Password})
	if err != nil {
		return credential{}, err
	}
	sent := time.Now()
	var tokens tokenResponse
	check := func(r reply) bool {
		if f.cfg.Flavor == Cookie {
			return len(r.header.Values("Set-Cookie")) > 0
		}
		return f.decodeTokens(r.body, &tokens)
	}
	if _, err := f.send(ctx, u, req, outcome{kind: KindLogin}, rec, check); err != nil {
		return credential{}, err
	}
	return f.credentialOf(tokens, sent), nil
}

// refresh sends POST /refresh with c's refresh token and returns the new
// pair.
func (f *Fleet) refresh(ctx context.Context, u *User, c credential, rec *recorder) (credential, error) {
	req, err := f.postJSON(ctx, "/refresh", map[string]string{"refresh_token": c.refresh})
	if err != nil {
		return credential{}, err
	}
	sent := time.Now()
	var tokens tokenResponse
	check := func(r reply) bool { return f.decodeTokens(r.body, &tokens) }
	if _, err := f.send(ctx, u, req, outcome{kind: KindRefresh}, rec, check); err != nil {
		return credential{}, err
	}
	return f.credentialOf(tokens, sent), nil
}

// decodeTokens reads a token response into tokens and reports whether it
// has every field the flavor needs.
func (f *Fleet) decodeTokens(body []byte, tokens *tokenResponse) bool {
	if err := json.Unmarshal(body, tokens); err != nil || tokens.AccessToken == "" {
		return false
	}
	if f.cfg.Flavor == Hybrid {
		return tokens.RefreshToken != "" && tokens.ExpiresIn > 0
	}
	return true
}

// credentialOf turns tokens obtained by a request sent at sent into a
// credential. Expiry counts from sent, which is no later than the server's
// issue time, so the user refreshes early rather than late.
func (f *Fleet) credentialOf(tokens tokenResponse, sent time.Time) credential {
	c := credential{valid: true, access: tokens.AccessToken, refresh: tokens.RefreshToken}
	if tokens.ExpiresIn <= 0 {
		return c
	}
	ttl := time.Duration(tokens.ExpiresIn) * time.Second
	c.expiresAt = sent.Add(ttl)
	c.refreshAt = c.expiresAt.Add(-f.RefreshMargin(ttl))
	return c
}

// RefreshMargin returns how long before expiry a Hybrid user refreshes a
// token of lifetime ttl. A margin of ttl or more makes every scheduled
// request refresh first.
func (f *Fleet) RefreshMargin(ttl time.Duration) time.Duration {
	if f.cfg.RefreshMargin > 0 {
		return f.cfg.RefreshMargin
	}
	return max(time.Duration(float64(ttl)*DefaultRefreshShare), MinRefreshMargin)
}

// me sends GET /api/me with c and returns the status, 0 without a
// response.
func (f *Fleet) me(ctx context.Context, u *User, c credential, rec *recorder) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.url("/api/me"), nil)
	if err != nil {
		return 0
	}
	o := outcome{kind: KindMe, credentialBytes: u.authorize(req, c)}
	r, _ := f.send(ctx, u, req, o, rec, nil)
	return r.status
}
