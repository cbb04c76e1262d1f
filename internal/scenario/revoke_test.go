package scenario

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/results"
)

func TestJWTExpiry(t *testing.T) {
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"user-0001","exp":1800000000}`))
	tests := []struct {
		name  string
		token string
		want  time.Time
		ok    bool
	}{
		{name: "jwt", token: "e30." + payload + ".sig", want: time.Unix(1800000000, 0), ok: true},
		{name: "cookie", token: "authlab_session=abc", ok: false},
		{name: "bad base64", token: "a.!!!.c", ok: false},
		{name: "no exp", token: "a." + base64.RawURLEncoding.EncodeToString([]byte(`{}`)) + ".c", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := jwtExpiry(tt.token)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("jwtExpiry = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSummarizeRevoke(t *testing.T) {
	out := &results.Revoke{}
	rejected := []time.Duration{0, 300 * time.Millisecond, 100 * time.Millisecond, 0}
	summarizeRevoke(out, rejected, len(rejected))
	if out.RejectedShare != 0.5 || out.StillAcceptedAtEnd != 0.5 {
		t.Errorf("shares = %v rejected, %v accepted; want 0.5 and 0.5", out.RejectedShare, out.StillAcceptedAtEnd)
	}
	if out.RejectedAfterMS == nil || *out.RejectedAfterMS != 300 {
		t.Errorf("RejectedAfterMS = %v, want 300 (the last rejected user)", out.RejectedAfterMS)
	}
	if out.RejectedAfterP50MS == nil || *out.RejectedAfterP50MS != 100 {
		t.Errorf("RejectedAfterP50MS = %v, want 100", out.RejectedAfterP50MS)
	}
}

func TestSummarizeRevokeNoneRejected(t *testing.T) {
	out := &results.Revoke{}
	summarizeRevoke(out, make([]time.Duration, 3), 3)
	if out.RejectedAfterMS != nil {
		t.Errorf("RejectedAfterMS = %v, want null when no user was rejected", *out.RejectedAfterMS)
	}
	if out.StillAcceptedAtEnd != 1 {
		t.Errorf("StillAcceptedAtEnd = %v, want 1", out.StillAcceptedAtEnd)
	}
}
