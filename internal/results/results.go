// Package results is the raw outcome of a load-test run, as written to
// results.json. Every report format is rendered from a Run, so a report can
// be rebuilt and tested without running the load again.
//
// Layout: scenarios.<scenario>.<system>.<figure>. Latencies are in
// milliseconds, rates in requests a second, shares are fractions in [0, 1],
// times on a timeline are milliseconds since the phase started. A figure that
// was not observed is null, never zero.
package results

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// LayoutVersion changes whenever a field is renamed or removed.
const LayoutVersion = 1

// Run is everything one run measured, with how it was made.
type Run struct {
	Layout    int       `json:"layout"`
	Partial   bool      `json:"partial"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`
	Mode      string    `json:"mode"`
	Redis     Redis     `json:"redis"`
	Machine   Machine   `json:"machine"`
	Versions  Versions  `json:"versions"`
	Settings  Settings  `json:"settings"`
	Scenarios Scenarios `json:"scenarios"`
	// Warnings lists what makes a figure less trustworthy, such as a client
	// that could not keep its send schedule.
	Warnings []string `json:"warnings"`
}

// Redis describes the Redis that served the run.
type Redis struct {
	// Kind is "redis-server", "miniredis" (embedded, Redis-compatible) or
	// "external".
	Kind    string `json:"kind"`
	Version string `json:"version"`
}

// Machine describes where the run happened.
type Machine struct {
	CPU   string `json:"cpu"`
	Cores int    `json:"cores"`
	OS    string `json:"os"`
	Arch  string `json:"arch"`
}

// Versions of the software under test.
type Versions map[string]string

// Settings are the knobs of the run.
type Settings struct {
	Quick       bool     `json:"quick"`
	Scenarios   []string `json:"scenarios"`
	Systems     []string `json:"systems"`
	RateRPS     float64  `json:"rate_rps"`
	PhaseMS     float64  `json:"phase_ms"`
	Users       int      `json:"users"`
	Replicas    int      `json:"replicas"`
	ObjectiveMS float64  `json:"latency_objective_p99_ms"`
	// ErrorBudget is the largest error share a ramp step may have and still
	// count as held.
	ErrorBudget     float64 `json:"error_budget"`
	HybridAccessTTL float64 `json:"hybrid_access_ttl_ms"`
	JWTAccessTTL    float64 `json:"jwt_access_ttl_ms"`
	RefreshMarginMS float64 `json:"refresh_margin_ms"`
	// JWTLeewayMS is the clock-skew allowance of the JWT apps: a token stays
	// accepted until exp plus this.
	JWTLeewayMS    float64 `json:"jwt_leeway_ms"`
	BcryptCost     int     `json:"bcrypt_cost"`
	RevokeWindowMS float64 `json:"revoke_window_ms"`
	RevokePollMS   float64 `json:"revoke_poll_ms"`
	// FaultPhaseMS is the phase of replica-crash and scale-out, and of
	// store-outage unless hybrid needs a longer one. It is absent from
	// files written before it existed, whose fault phases were PhaseMS.
	FaultPhaseMS float64 `json:"fault_phase_ms,omitempty"`
}

// Scenarios holds one map a scenario, keyed by system name.
type Scenarios struct {
	Steady       map[string]*Steady   `json:"steady,omitempty"`
	Ramp         map[string]*Ramp     `json:"ramp,omitempty"`
	Revoke       map[string]*Revoke   `json:"revoke,omitempty"`
	ReplicaCrash map[string]*Crash    `json:"replica_crash,omitempty"`
	StoreOutage  map[string]*Outage   `json:"store_outage,omitempty"`
	ScaleOut     map[string]*ScaleOut `json:"scale_out,omitempty"`
}

// Latency holds percentiles in milliseconds, measured from the scheduled
// send time of each request.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Client reports whether the load generator kept its schedule.
type Client struct {
	// Scheduled is the number of requests the pacer scheduled.
	Scheduled int64 `json:"scheduled"`
	// Dropped counts requests never sent because every connection slot was
	// busy.
	Dropped int64 `json:"dropped"`
	// Late counts requests sent more than LateMS after their scheduled time.
	Late   int64   `json:"late"`
	LateMS float64 `json:"late_threshold_ms"`
	// Bottleneck is true when Dropped or Late exceed 1% of Scheduled: the
	// client, not the server, limited the run.
	Bottleneck bool `json:"bottleneck"`
}

// Steady is the steady-rate scenario of one system.
type Steady struct {
	TargetRPS      float64          `json:"target_rps"`
	DurationMS     float64          `json:"duration_ms"`
	Requests       int64            `json:"requests"`
	ThroughputRPS  float64          `json:"throughput_rps"`
	LatencyMS      Latency          `json:"latency_ms"`
	Errors         int64            `json:"errors"`
	ErrorsByStatus map[string]int64 `json:"errors_by_status"`
	// StoreOps is the number of Redis commands executed during the phase,
	// from INFO commandstats deltas; StoreOpsPerRequest divides it by
	// Requests (login and refresh included). Both are null when the Redis
	// in use does not report commandstats (miniredis).
	StoreOps           *int64   `json:"store_ops"`
	StoreOpsPerRequest *float64 `json:"store_ops_per_request"`
	// CredentialBytes is the mean size of the credential a request carried
	// (cookie or Authorization header value), in bytes.
	CredentialBytes float64            `json:"credential_bytes"`
	ReplicaShare    map[string]float64 `json:"replica_share"`
	Logins          int64              `json:"logins"`
	Refreshes       int64              `json:"refreshes"`
	Client          Client             `json:"client"`
}

// RampStep is one step of the ramp.
type RampStep struct {
	RateRPS       float64 `json:"rate_rps"`
	ThroughputRPS float64 `json:"throughput_rps"`
	P99MS         float64 `json:"p99_ms"`
	ErrorRate     float64 `json:"error_rate"`
	Held          bool    `json:"held"`
	ClientLimited bool    `json:"client_limited"`
}

// RampRun is the ramp with a given number of replicas.
type RampRun struct {
	Replicas int `json:"replicas"`
	// MaxRateRPS is the highest step held; 0 when even the first step failed.
	MaxRateRPS float64    `json:"max_rate_rps"`
	Steps      []RampStep `json:"steps"`
}

// Ramp is the ramp scenario of one system.
type Ramp struct {
	// MaxRateRPS is the highest rate held with the run's replica count.
	MaxRateRPS float64   `json:"max_rate_rps"`
	Runs       []RampRun `json:"runs"`
}

// SharePoint is a share at a time.
type SharePoint struct {
	TMS   float64 `json:"t_ms"`
	Share float64 `json:"share"`
}

// Revoke is the revocation scenario of one system.
type Revoke struct {
	Users int `json:"users"`
	// RevokeStatus and RevokeMessage are the admin route's response. The
	// message states what this design could not revoke.
	RevokeStatus  int    `json:"revoke_status"`
	RevokeMessage string `json:"revoke_message"`
	// RejectedAfterMS is the time from the revoke call until the last user
	// that was rejected within the window got its first 401; null when no
	// user was rejected. RejectedAfterP50MS is the median over rejected users.
	RejectedAfterMS    *float64 `json:"rejected_after_ms"`
	RejectedAfterP50MS *float64 `json:"rejected_after_p50_ms"`
	RejectedShare      float64  `json:"rejected_share"`
	StillAcceptedAtEnd float64  `json:"still_accepted_at_end"`
	WindowMS           float64  `json:"window_ms"`
	// TokensExpireInMS is, for credentials that stay valid, the time from
	// the revoke until the last of them expires by itself; null otherwise.
	TokensExpireInMS *float64     `json:"tokens_expire_in_ms"`
	Accepted         []SharePoint `json:"accepted_over_time"`
}

// Bucket is one interval of a timeline.
type Bucket struct {
	TMS       float64 `json:"t_ms"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
}

// Crash is the replica-crash scenario of one system.
type Crash struct {
	KilledReplica  string           `json:"killed_replica"`
	KillAtMS       float64          `json:"kill_at_ms"`
	RestartAtMS    float64          `json:"restart_at_ms"`
	Requests       int64            `json:"requests"`
	FailedRequests int64            `json:"failed_requests"`
	FailedByStatus map[string]int64 `json:"failed_by_status"`
	// UsersLoggedOut is the share of virtual users whose credential stopped
	// working and who had to log in again.
	UsersLoggedOut      float64  `json:"users_logged_out"`
	UsersLoggedOutCount int      `json:"users_logged_out_count"`
	Users               int      `json:"users"`
	Timeline            []Bucket `json:"timeline"`
}

// Outage is the store-outage scenario of one system.
type Outage struct {
	StopAtMS        float64 `json:"stop_at_ms"`
	StartAtMS       float64 `json:"start_at_ms"`
	ErrorRateBefore float64 `json:"error_rate_before"`
	ErrorRateDuring float64 `json:"error_rate_during"`
	ErrorRateAfter  float64 `json:"error_rate_after"`
	// RecoveryMS is the time from Redis being back until the error rate
	// stays within the error budget for the rest of the phase. It is 0 when
	// no bucket from the restart on was over the budget, and null when the
	// last bucket still was.
	RecoveryMS *float64 `json:"recovery_ms"`
	// AccessErrorRateDuring and RefreshErrorRateDuring split hybrid's
	// traffic during the outage; null for the other systems.
	AccessErrorRateDuring  *float64 `json:"access_error_rate_during"`
	RefreshErrorRateDuring *float64 `json:"refresh_error_rate_during"`
	UsersLoggedOut         float64  `json:"users_logged_out"`
	Timeline               []Bucket `json:"timeline"`
}

// ScaleOut is the scale-out scenario of one system.
type ScaleOut struct {
	NewReplica string  `json:"new_replica"`
	AddedAtMS  float64 `json:"added_at_ms"`
	// NewReplicaShare is the share of requests the new replica served in the
	// second half of the time after it was added.
	NewReplicaShare float64 `json:"new_replica_share"`
	// FairShare is 1/(replicas after the add), for comparison.
	FairShare float64      `json:"fair_share"`
	Timeline  []SharePoint `json:"timeline"`
}

// Write stores run as indented JSON at path.
func Write(path string, run *Run) error {
	b, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// Read loads a run written by Write.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var run Run
	if err := json.Unmarshal(b, &run); err != nil {
		return nil, fmt.Errorf("decode results %s: %w", path, err)
	}
	if run.Layout != LayoutVersion {
		return nil, fmt.Errorf("results %s have layout %d, want %d: rerun the load test", path, run.Layout, LayoutVersion)
	}
	return &run, nil
}
