package scenario

import (
	"testing"
	"time"

	"github.com/authlab/authlab/internal/loadgen"
)

// phaseOf builds a phase of 250 ms buckets with the given errors out of 10
// requests each.
func phaseOf(errors ...int64) *loadgen.Phase {
	const width = 250 * time.Millisecond
	ph := &loadgen.Phase{BucketWidth: width, Elapsed: time.Duration(len(errors)) * width, Marks: map[string]time.Duration{}}
	for i, e := range errors {
		var b loadgen.Bucket
		b.Start = time.Duration(i) * width
		b.Requests, b.Errors = 10, e
		ph.Buckets = append(ph.Buckets, b)
	}
	return ph
}

func TestOutageFiguresBucketBoundaries(t *testing.T) {
	r := &Runner{Plan: Plan{ErrorBudget: 0.01}}
	// Redis stops at 510 ms, inside the third bucket, and is back at 1010 ms.
	ph := phaseOf(0, 0, 10, 10, 10, 5, 0, 0)
	ph.Marks["stop"], ph.Marks["start"] = 510*time.Millisecond, 1010*time.Millisecond
	out := r.outageFigures("sessions-redis", &loadgen.Fleet{}, ph)
	if out.ErrorRateBefore != 0 {
		t.Errorf("ErrorRateBefore = %v, want 0: the bucket holding the stop belongs to the outage", out.ErrorRateBefore)
	}
	if out.ErrorRateDuring != 1 {
		t.Errorf("ErrorRateDuring = %v, want 1 over the three buckets that overlap the outage", out.ErrorRateDuring)
	}
	if out.ErrorRateAfter != 5.0/30 {
		t.Errorf("ErrorRateAfter = %v, want %v from the bucket at 1250 ms", out.ErrorRateAfter, 5.0/30)
	}
	if out.RecoveryMS == nil || *out.RecoveryMS != 490 {
		t.Errorf("RecoveryMS = %s, want 490 (end of the last bucket over budget, 1500 ms, minus the restart at 1010 ms)", show(out.RecoveryMS))
	}
}

func TestRecovery(t *testing.T) {
	r := &Runner{Plan: Plan{ErrorBudget: 0.01}}
	start := 500 * time.Millisecond
	tests := []struct {
		name   string
		errors []int64
		want   *float64
	}{
		{name: "never over budget", errors: []int64{0, 0, 0, 0, 0}, want: ptr(0.0)},
		{name: "errors before only", errors: []int64{0, 5, 0, 0, 0}, want: ptr(0.0)},
		{name: "late effects count", errors: []int64{0, 0, 0, 3, 0, 0}, want: ptr(500.0)},
		{name: "never recovered", errors: []int64{0, 0, 5, 5, 5}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.recovery(phaseOf(tt.errors...), start)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("recovery = %s, want %s", show(got), show(tt.want))
			}
		})
	}
}
