package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// barWidth is the length in characters of the longest bar.
	barWidth = 40
	// sparkWidth is the maximum number of columns of a sparkline.
	sparkWidth = 60
)

// eighths are the partial blocks that end a bar, from 1/8 to 7/8.
var eighths = []rune("▏▎▍▌▋▊▉")

// sparkLevels are the sparkline glyphs for values above zero, from the
// lowest eighth of the scale to the top. Zero is drawn as sparkZero.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

const sparkZero = '·'

// textChart renders a chart as text for a code block, ending in a newline.
func textChart(c chart) string {
	switch {
	case c.Bars != nil:
		return textBars(c.Bars)
	case c.Lines != nil && c.Lines.Timeline:
		return textTimeline(c.Lines)
	case c.Lines != nil:
		return textSteps(c.Lines)
	}
	return ""
}

// bar returns a horizontal bar of v on a scale where top fills width
// characters. Values above top are cut at width and end in "▶".
func bar(v, top float64, width int) string {
	if top <= 0 || v <= 0 {
		return ""
	}
	if v > top {
		return strings.Repeat("█", width-1) + "▶"
	}
	eighthsLong := int(math.Round(v / top * float64(width*8)))
	text := strings.Repeat("█", eighthsLong/8)
	if rest := eighthsLong % 8; rest > 0 {
		text += string(eighths[rest-1])
	}
	return text
}

// pad returns s padded with spaces to width runes.
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

func textBars(b *barChart) string {
	top, labelWidth, seriesWidth := 0.0, 0, 0
	for _, g := range b.Groups {
		labelWidth = max(labelWidth, utf8.RuneCountInString(g.Label))
		for _, v := range g.Values {
			top = math.Max(top, v)
		}
	}
	for _, name := range b.Series {
		seriesWidth = max(seriesWidth, utf8.RuneCountInString(name))
	}
	var out strings.Builder
	for _, g := range b.Groups {
		for i, v := range g.Values {
			label := ""
			if i == 0 {
				label = g.Label
			}
			fmt.Fprintf(&out, "%s  %s %s %s\n", pad(label, labelWidth), pad(b.Series[i], seriesWidth),
				pad(bar(v, top, barWidth), barWidth), b.Format(v))
		}
	}
	return out.String()
}

// textSteps renders a rate-against-latency chart as one bar a step, grouped
// by series. The bar scale stops at twice the reference line, so one step
// far over the objective does not flatten the others.
func textSteps(l *lineChart) string {
	top, xWidth := 0.0, 0
	for _, s := range l.Series {
		for _, p := range s.Points {
			top = math.Max(top, p.Y)
			xWidth = max(xWidth, utf8.RuneCountInString(l.FormatX(p.X)))
		}
	}
	if !hasPoints(l) {
		return "no ramp steps recorded\n"
	}
	var out strings.Builder
	if l.Reference != nil && l.Reference.Y > 0 {
		top = math.Min(top, 2*l.Reference.Y)
		fmt.Fprintf(&out, "%s; ▶ marks a bar cut at twice the objective\n", l.Reference.Label)
	}
	for _, s := range l.Series {
		fmt.Fprintf(&out, "\n%s\n", s.Name)
		for _, p := range s.Points {
			fmt.Fprintf(&out, "  %*s  %s %s  %s\n", xWidth, l.FormatX(p.X),
				pad(bar(p.Y, top, barWidth), barWidth), pad(l.FormatY(p.Y), 9), p.Note)
		}
	}
	return out.String()
}

// textTimeline renders each series as a sparkline on a shared time axis,
// with a row of "^" under the events.
func textTimeline(l *lineChart) string {
	if !hasPoints(l) {
		return "no samples recorded\n"
	}
	start, end, step := timeAxis(l)
	columns := int(math.Round((end-start)/step)) + 1
	labelWidth := 0
	for _, s := range l.Series {
		labelWidth = max(labelWidth, utf8.RuneCountInString(s.Name))
	}

	var out strings.Builder
	fmt.Fprintf(&out, "one column = %s, %c = 0, █ = %s\n\n", duration(step), sparkZero, l.FormatY(l.YMax))
	for _, s := range l.Series {
		line, peak := sparkline(s.Points, start, step, columns, l.YMax)
		fmt.Fprintf(&out, "%s  %s  max %s\n", pad(s.Name, labelWidth), pad(line, columns), l.FormatY(peak))
	}
	if len(l.Markers) > 0 {
		row := []rune(strings.Repeat(" ", columns))
		var legend []string
		for _, m := range l.Markers {
			i := int(math.Round((m.X - start) / step))
			if i >= 0 && i < columns {
				row[i] = '^'
			}
			legend = append(legend, fmt.Sprintf("%s at %s", m.Label, duration(m.X)))
		}
		fmt.Fprintf(&out, "%s  %s\n", pad("", labelWidth), strings.TrimRight(string(row), " "))
		fmt.Fprintf(&out, "%s  ^ %s\n", pad("", labelWidth), strings.Join(legend, ", "))
	}
	first, last := axisTime(start, end), axisTime(end, end)
	gap := max(columns-utf8.RuneCountInString(last), utf8.RuneCountInString(first)+1)
	axis := pad(first, gap) + last
	fmt.Fprintf(&out, "%s  %s\n", pad("", labelWidth), axis)
	return out.String()
}

func hasPoints(l *lineChart) bool {
	for _, s := range l.Series {
		if len(s.Points) > 0 {
			return true
		}
	}
	return false
}

// timeAxis returns the first and last time of all series and the time a
// column covers: the smallest gap between points, widened until the axis
// fits in sparkWidth columns.
func timeAxis(l *lineChart) (start, end, step float64) {
	start, end, step = math.Inf(1), math.Inf(-1), math.Inf(1)
	for _, s := range l.Series {
		for i, p := range s.Points {
			start, end = math.Min(start, p.X), math.Max(end, p.X)
			if i > 0 && p.X > s.Points[i-1].X {
				step = math.Min(step, p.X-s.Points[i-1].X)
			}
		}
	}
	if math.IsInf(start, 1) {
		return 0, 0, 1
	}
	if math.IsInf(step, 1) {
		step = math.Max(end-start, 1)
	}
	if span := end - start; span/step+1 > sparkWidth {
		step = span / (sparkWidth - 1)
	}
	return start, end, step
}

// sparkline returns the glyphs of points on the time axis, the mean of the
// points that fall in each column, and the largest point value. A column
// with no point between two that have points repeats the previous column,
// because a gap between two samples is not a zero. Columns after the last
// point stay blank, so a series shorter than the axis does not seem to go
// on.
func sparkline(points []point, start, step float64, columns int, top float64) (string, float64) {
	sums := make([]float64, columns)
	counts := make([]int, columns)
	peak := 0.0
	for _, p := range points {
		i := min(columns-1, max(0, int(math.Round((p.X-start)/step))))
		sums[i] += p.Y
		counts[i]++
		peak = math.Max(peak, p.Y)
	}
	if top <= 0 {
		top = peak
	}
	end := 0
	for i := range columns {
		if counts[i] > 0 {
			end = i + 1
		}
	}
	line := make([]rune, 0, columns)
	last := ' '
	for i := range columns {
		if counts[i] > 0 {
			last = sparkGlyph(sums[i]/float64(counts[i]), top)
		}
		if i >= end {
			last = ' '
		}
		line = append(line, last)
	}
	return strings.TrimRight(string(line), " "), peak
}

// sparkGlyph returns the glyph of v on a scale from 0 to top. Any value
// above zero gets at least the lowest block, so it never reads as zero.
func sparkGlyph(v, top float64) rune {
	if v <= 0 || top <= 0 {
		return sparkZero
	}
	level := int(math.Ceil(v/top*float64(len(sparkLevels)))) - 1
	return sparkLevels[min(len(sparkLevels)-1, max(0, level))]
}

// axisTime formats a time on a timeline axis that ends at end, in seconds
// when the axis is at least a second long, so both ends share a unit.
func axisTime(ms, end float64) string {
	if end < 1000 {
		return latency(ms)
	}
	return trimZeros(strconv.FormatFloat(ms/1000, 'f', 1, 64)) + " s"
}
