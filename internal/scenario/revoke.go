package scenario

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/authlab/authlab/internal/loadgen"
	"github.com/authlab/authlab/internal/results"
)

// revoke logs in a fleet of RevokeUsers users, revokes them through the
// admin route and polls GET /api/me with each credential every RevokePoll
// until all are rejected or RevokeWindow has passed.
//
// The revoked users are also the first users of the main fleet, which this
// drops, so the later scenarios start with fresh logins.
func (r *Runner) revoke(ctx context.Context, system string) (*results.Revoke, error) {
	r.dropFleet(system)
	f, err := r.newFleet(ctx, system, r.Plan.RevokeUsers)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	users := f.Users()
	for _, u := range users {
		if status, err := f.Probe(ctx, u); err != nil || status != http.StatusOK {
			return nil, fmt.Errorf("%s not accepted before the revoke: status %d, %v", u.Name(), status, err)
		}
	}

	window := r.revokeWindow(users)
	out := &results.Revoke{Users: len(users), WindowMS: msOf(window)}
	revokedAt := make([]time.Time, len(users))
	start := time.Now()
	for i, u := range users {
		status, msg, err := r.adminRevoke(ctx, system, u.Name())
		if err != nil {
			return nil, err
		}
		revokedAt[i] = time.Now()
		if i == 0 {
			out.RevokeStatus, out.RevokeMessage = status, msg
		}
	}
	rejectedAfter := r.pollRevoked(ctx, f, users, revokedAt, start, window, out)
	summarizeRevoke(out, rejectedAfter, len(users))
	if out.StillAcceptedAtEnd > 0 {
		if in := expiresIn(users, start); in != nil {
			out.TokensExpireInMS = ptr(*in + msOf(r.Plan.Leeway))
		}
	}
	return out, nil
}

// pollRevoked probes every user not yet rejected once a poll interval and
// returns, for each rejected user, the time from its revoke to its first
// 401. It fills out.Accepted with the share still accepted at each poll.
func (r *Runner) pollRevoked(ctx context.Context, f *loadgen.Fleet, users []*loadgen.User, revokedAt []time.Time, start time.Time, window time.Duration, out *results.Revoke) []time.Duration {
	rejected := make([]time.Duration, len(users))
	done := make([]bool, len(users))
	tick := time.NewTicker(r.Plan.RevokePoll)
	defer tick.Stop()
	deadline := start.Add(window)
	for {
		accepted := r.probeAll(ctx, f, users, revokedAt, rejected, done)
		out.Accepted = append(out.Accepted, results.SharePoint{
			TMS: msOf(time.Since(start)), Share: float64(accepted) / float64(len(users)),
		})
		if accepted == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return rejected
		case <-tick.C:
		}
	}
	return rejected
}

// probeAll probes the users not yet rejected in parallel and returns how
// many are still accepted.
func (r *Runner) probeAll(ctx context.Context, f *loadgen.Fleet, users []*loadgen.User, revokedAt []time.Time, rejected []time.Duration, done []bool) int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	accepted := 0
	for i, u := range users {
		if done[i] {
			continue
		}
		wg.Go(func() {
			status, err := f.Probe(ctx, u)
			mu.Lock()
			defer mu.Unlock()
			if err == nil && status == http.StatusUnauthorized {
				done[i] = true
				rejected[i] = time.Since(revokedAt[i])
				return
			}
			accepted++
		})
	}
	wg.Wait()
	return accepted
}

func summarizeRevoke(out *results.Revoke, rejectedAfter []time.Duration, users int) {
	var times []float64
	for _, d := range rejectedAfter {
		if d > 0 {
			times = append(times, msOf(d))
		}
	}
	out.RejectedShare = float64(len(times)) / float64(users)
	out.StillAcceptedAtEnd = 1 - out.RejectedShare
	if len(times) == 0 {
		return
	}
	slices.Sort(times)
	out.RejectedAfterMS = ptr(times[len(times)-1])
	out.RejectedAfterP50MS = ptr(times[(len(times)-1)/2])
}

// adminRevoke calls POST /admin/revoke for user and returns the status and
// the message of the response. A 501 is not an error, because it is how the
// pure JWT system reports that it can't revoke.
func (r *Runner) adminRevoke(ctx context.Context, system, user string) (int, string, error) {
	body, _ := json.Marshal(map[string]string{"username": user})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.Target.URL(system)+"/admin/revoke", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.Target.AdminToken())
	resp, err := adminClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("revoke %s on %s: %w", user, system, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotImplemented {
		return 0, "", fmt.Errorf("revoke %s on %s: status %d: %s", user, system, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	var msg struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &msg)
	if msg.Message == "" {
		msg.Message = strings.TrimSpace(string(raw))
	}
	return resp.StatusCode, msg.Message, nil
}

// maxRevokeWindow bounds how far revokeWindow may stretch the window.
const maxRevokeWindow = 2 * time.Minute

// revokeWindow returns the plan's window, stretched to cover short-lived
// access tokens that outlive it (a compose stack may run hybrid with a
// longer access TTL than the plan assumed). Long-lived tokens, such as the
// pure JWT system's, don't stretch it: they are the finding.
func (r *Runner) revokeWindow(users []*loadgen.User) time.Duration {
	window := r.Plan.RevokeWindow
	for _, u := range users {
		exp, ok := jwtExpiry(u.Credential())
		if !ok {
			continue
		}
		need := time.Until(exp) + r.Plan.Leeway + 2*time.Second
		if need > window && need <= maxRevokeWindow {
			window = need
		}
	}
	return window
}

var adminClient = &http.Client{Timeout: 10 * time.Second}

// expiresIn returns the time from start until the last bearer token of
// users expires, read from the tokens' own exp claim: a JWT payload is only
// base64url, so anyone holding the token can read it. It returns nil for
// credentials that are not JWTs (session cookies).
func expiresIn(users []*loadgen.User, start time.Time) *float64 {
	var last time.Time
	for _, u := range users {
		exp, ok := jwtExpiry(u.Credential())
		if !ok {
			return nil
		}
		if exp.After(last) {
			last = exp
		}
	}
	if last.IsZero() {
		return nil
	}
	return ptr(msOf(last.Sub(start)))
}

func jwtExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == 0 {
		return time.Time{}, false
	}
	return time.Unix(claims.Exp, 0), true
}
