package loadgen

import (
	"math"
	"time"
)

// Schedule is an open-model arrival schedule: the send time of every request
// is fixed in advance by its index, whatever the server's latency.
type Schedule interface {
	// At returns the offset from the start of the phase at which request n
	// (counting from 0) is due, and false when n is past the end.
	At(n int64) (time.Duration, bool)
	// Len is the number of requests the schedule holds.
	Len() int64
	// Duration is the length of the phase.
	Duration() time.Duration
	// PeakRate is the highest arrival rate, in requests a second.
	PeakRate() float64
}

// ConstantSchedule sends Rate requests a second, evenly spaced, for Length.
type ConstantSchedule struct {
	Rate   float64
	Length time.Duration
}

var _ Schedule = ConstantSchedule{}

// Constant returns a schedule of rate requests a second, evenly spaced, for
// duration d: request n is due at n/rate seconds. A rate or duration that is
// not positive gives an empty schedule.
func Constant(rate float64, d time.Duration) ConstantSchedule {
	return ConstantSchedule{Rate: rate, Length: d}
}

func (s ConstantSchedule) offset(n int64) time.Duration {
	return time.Duration(math.Round(float64(n) * float64(time.Second) / s.Rate))
}

// At implements Schedule.
func (s ConstantSchedule) At(n int64) (time.Duration, bool) {
	if n < 0 || n >= s.Len() {
		return 0, false
	}
	return s.offset(n), true
}

// Len returns the number of n with n/Rate < Length, that is ⌈Rate × Length⌉.
func (s ConstantSchedule) Len() int64 {
	if s.Rate <= 0 || s.Length <= 0 {
		return 0
	}
	n := int64(math.Ceil(s.Rate * s.Length.Seconds()))
	// Correct the float estimate by the exact offsets, so Len and At agree.
	for n > 0 && s.offset(n-1) >= s.Length {
		n--
	}
	for s.offset(n) < s.Length {
		n++
	}
	return n
}

// Duration implements Schedule.
func (s ConstantSchedule) Duration() time.Duration { return max(s.Length, 0) }

// PeakRate implements Schedule.
func (s ConstantSchedule) PeakRate() float64 { return max(s.Rate, 0) }

// StepSchedule is a step ramp: Count steps of StepLength each, where step k
// (counting from 0) runs at Start + k × Step requests a second.
type StepSchedule struct {
	Start      float64
	Step       float64
	StepLength time.Duration
	Count      int
}

var _ Schedule = StepSchedule{}

// Steps returns a step ramp of count steps from rate start, adding step
// requests a second every stepLength. Each step is a Constant schedule that
// starts at its own offset, so step k holds exactly ⌈rate(k) × stepLength⌉
// requests. A step whose rate is not positive sends nothing.
func Steps(start, step float64, stepLength time.Duration, count int) StepSchedule {
	return StepSchedule{Start: start, Step: step, StepLength: stepLength, Count: count}
}

// Rate returns the arrival rate of step k, in requests a second.
func (s StepSchedule) Rate(k int) float64 {
	return s.Start + float64(k)*s.Step
}

// Window returns the start and end offsets of step k, for Phase.Window.
func (s StepSchedule) Window(k int) (from, to time.Duration) {
	from = time.Duration(k) * s.StepLength
	return from, from + s.StepLength
}

func (s StepSchedule) step(k int) ConstantSchedule {
	return Constant(s.Rate(k), s.StepLength)
}

// At implements Schedule.
func (s StepSchedule) At(n int64) (time.Duration, bool) {
	if n < 0 {
		return 0, false
	}
	for k := range s.Count {
		c := s.step(k)
		if l := c.Len(); n >= l {
			n -= l
			continue
		}
		from, _ := s.Window(k)
		at, _ := c.At(n)
		return from + at, true
	}
	return 0, false
}

// Len implements Schedule.
func (s StepSchedule) Len() int64 {
	var n int64
	for k := range s.Count {
		n += s.step(k).Len()
	}
	return n
}

// Duration implements Schedule.
func (s StepSchedule) Duration() time.Duration {
	if s.Count < 1 || s.StepLength <= 0 {
		return 0
	}
	return time.Duration(s.Count) * s.StepLength
}

// PeakRate implements Schedule.
func (s StepSchedule) PeakRate() float64 {
	var peak float64
	for k := range s.Count {
		peak = max(peak, s.Rate(k))
	}
	return peak
}
