package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// closeFraction is the relative difference under which two figures are
// called close rather than one lower than the other. Run-to-run noise of a
// short load phase on one machine is of this order.
const closeFraction = 0.10

// notMeasured is the text for a figure that is null or missing.
const notMeasured = "not measured"

// notRecorded is the text for a setting or a fact about the run that the
// results do not contain.
const notRecorded = "not recorded"

// notRun is the text for a scenario, or a system in a scenario, that did
// not run.
const notRun = "not run"

// decimal formats v with a number of decimals that suits its size, without
// trailing zeros, and with thousands separators.
func decimal(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a < 0.01:
		return strconv.FormatFloat(v, 'g', 2, 64)
	case a < 10:
		return trimZeros(strconv.FormatFloat(v, 'f', 2, 64))
	case a < 100:
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64))
	default:
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	}
}

// groupThousands inserts commas into the integer part of a formatted number.
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, fraction, hasFraction := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFraction {
		b.WriteString("." + fraction)
	}
	return sign + b.String()
}

// latency formats a latency in milliseconds, always in milliseconds so that
// a column of latencies compares at a glance.
func latency(ms float64) string {
	return decimal(ms) + " ms"
}

// duration formats a span in milliseconds in the largest unit that keeps
// the number readable: ms, s, min, h or d.
func duration(ms float64) string {
	units := []struct {
		name string
		size float64
	}{{"d", 86_400_000 * 3}, {"h", 3_600_000}, {"min", 60_000}, {"s", 1000}}
	for _, u := range units {
		if math.Abs(ms) >= u.size {
			size := u.size
			if u.name == "d" {
				size = 86_400_000
			}
			return trimZeros(strconv.FormatFloat(ms/size, 'f', 1, 64)) + " " + u.name
		}
	}
	return latency(ms)
}

// trimZeros drops a fraction of zeros, so "24.0" reads as "24".
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// percent formats a share in [0, 1] as a percentage. Shares just short of
// 0 or 100% keep enough decimals never to round to either end.
func percent(share float64) string {
	p := share * 100
	switch {
	case share == 0:
		return "0%"
	case share == 1:
		return "100%"
	case p < 1 || p > 99:
		return trimZeros(strconv.FormatFloat(p, 'f', 2, 64)) + "%"
	case p < 10:
		return trimZeros(strconv.FormatFloat(p, 'f', 1, 64)) + "%"
	default:
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	}
}

// rate formats a request rate.
func rate(rps float64) string {
	return decimal(rps) + " req/s"
}

// count formats an integer count with thousands separators.
func count(n int64) string {
	return groupThousands(strconv.FormatInt(n, 10))
}

// optional formats a nullable figure with format, or notMeasured when it is
// null.
func optional(v *float64, format func(float64) string) string {
	if v == nil {
		return notMeasured
	}
	return format(*v)
}

// relation compares a with b and returns "lower", "higher" or "close to",
// where close means within closeFraction of the larger magnitude.
func relation(a, b float64) string {
	if closeTo(a, b) {
		return "close to"
	}
	if a < b {
		return "lower than"
	}
	return "higher than"
}

// closeTo reports whether a and b differ by at most closeFraction of the
// larger magnitude. Two zeros are close.
func closeTo(a, b float64) bool {
	larger := math.Max(math.Abs(a), math.Abs(b))
	return math.Abs(a-b) <= closeFraction*larger
}

// ratio formats how many times a is b, for a > b > 0.
func ratio(a, b float64) string {
	return trimZeros(strconv.FormatFloat(a/b, 'f', 1, 64)) + " times"
}

// joinList joins items as "a", "a and b" or "a, b and c".
func joinList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	default:
		return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
	}
}

// plural returns singular when n is 1, else singular + "s".
func plural(n int, singular string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, singular)
	}
	return fmt.Sprintf("%d %ss", n, singular)
}
