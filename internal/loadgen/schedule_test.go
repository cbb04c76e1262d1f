package loadgen

import (
	"testing"
	"time"
)

func TestConstantLen(t *testing.T) {
	tests := []struct {
		name   string
		rate   float64
		length time.Duration
		want   int64
	}{
		{name: "whole seconds", rate: 100, length: time.Second, want: 100},
		{name: "rate with inexact interval", rate: 3, length: time.Second, want: 3},
		{name: "fractional product rounds up", rate: 7, length: 1500 * time.Millisecond, want: 11},
		{name: "rate below one", rate: 0.5, length: 3 * time.Second, want: 2},
		{name: "short phase", rate: 1000, length: 250 * time.Millisecond, want: 250},
		{name: "zero rate", rate: 0, length: time.Second, want: 0},
		{name: "negative rate", rate: -5, length: time.Second, want: 0},
		{name: "zero length", rate: 10, length: 0, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Constant(tt.rate, tt.length)
			if got := s.Len(); got != tt.want {
				t.Fatalf("Len() = %d, want %d", got, tt.want)
			}
			if _, ok := s.At(tt.want); ok {
				t.Errorf("At(%d) is inside the schedule, want past the end", tt.want)
			}
			if tt.want > 0 {
				last, ok := s.At(tt.want - 1)
				if !ok || last >= tt.length {
					t.Errorf("At(%d) = %v, %v; want inside [0, %v)", tt.want-1, last, ok, tt.length)
				}
			}
		})
	}
}

func TestConstantEvenSpacing(t *testing.T) {
	s := Constant(7, 10*time.Second)
	interval := float64(time.Second) / 7
	first, _ := s.At(0)
	if first != 0 {
		t.Fatalf("At(0) = %v, want 0", first)
	}
	prev := first
	for n := int64(1); n < s.Len(); n++ {
		at, ok := s.At(n)
		if !ok {
			t.Fatalf("At(%d) is past the end, want inside", n)
		}
		gap := float64(at - prev)
		if gap < interval-1 || gap > interval+1 {
			t.Fatalf("gap before request %d is %v ns, want %.1f ± 1 ns", n, gap, interval)
		}
		prev = at
	}
}

func TestStepsArithmetic(t *testing.T) {
	s := Steps(10, 10, time.Second, 3)
	if got, want := s.Len(), int64(10+20+30); got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	if got, want := s.Duration(), 3*time.Second; got != want {
		t.Errorf("Duration() = %v, want %v", got, want)
	}
	if got := s.PeakRate(); got != 30 {
		t.Errorf("PeakRate() = %v, want 30", got)
	}

	// Request 10 opens step 1 and request 30 opens step 2.
	for n, want := range map[int64]time.Duration{
		0:  0,
		9:  900 * time.Millisecond,
		10: time.Second,
		11: time.Second + 50*time.Millisecond,
		30: 2 * time.Second,
		59: 2*time.Second + 966_666_667, // 29/30 s, rounded to the nearest ns
	} {
		got, ok := s.At(n)
		if !ok || got != want {
			t.Errorf("At(%d) = %v, %v; want %v, true", n, got, ok, want)
		}
	}
	if _, ok := s.At(60); ok {
		t.Error("At(60) is inside the schedule, want past the end")
	}

	from, to := s.Window(2)
	if from != 2*time.Second || to != 3*time.Second {
		t.Errorf("Window(2) = %v, %v; want 2s, 3s", from, to)
	}
}

func TestStepsSkipEmptyStep(t *testing.T) {
	s := Steps(0, 5, time.Second, 3)
	if got, want := s.Len(), int64(0+5+10); got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	at, _ := s.At(0)
	if at != time.Second {
		t.Errorf("At(0) = %v, want 1s, the start of the first step with a rate", at)
	}
}

func TestStepsOrdered(t *testing.T) {
	s := Steps(50, 25, 400*time.Millisecond, 4)
	prev := time.Duration(-1)
	for n := range s.Len() {
		at, ok := s.At(n)
		if !ok {
			t.Fatalf("At(%d) is past the end, want inside", n)
		}
		if at <= prev {
			t.Fatalf("At(%d) = %v, not after At(%d) = %v", n, at, n-1, prev)
		}
		if at >= s.Duration() {
			t.Fatalf("At(%d) = %v, want before %v", n, at, s.Duration())
		}
		prev = at
	}
}
