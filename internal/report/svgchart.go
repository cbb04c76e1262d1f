package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"image/color"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Size of every SVG chart.
const (
	svgWidth  = 8 * vg.Inch
	svgHeight = 3.5 * vg.Inch
)

var (
	markerColor    = color.Gray{Y: 110}
	referenceColor = color.RGBA{R: 200, A: 255}
)

// legendWidth is the strip at the right of each chart that holds its
// legend, so the legend never covers a line.
const legendWidth = 2.5 * vg.Inch

// figure is a plot with its legend, which is drawn beside the plot rather
// than inside it.
type figure struct {
	plot   *plot.Plot
	legend plot.Legend
}

// svgChart renders a chart as an inline <svg> element with gonum/plot.
func svgChart(c chart) (template.HTML, error) {
	f, err := newFigure(c)
	if err != nil {
		return "", err
	}
	return renderSVG(f)
}

// newFigure builds the gonum plot and legend of a chart.
func newFigure(c chart) (*figure, error) {
	f := &figure{plot: plot.New(), legend: plot.NewLegend()}
	f.plot.Title.Text = c.Title
	f.legend.Top = true
	f.legend.Left = true
	var err error
	switch {
	case c.Bars != nil:
		err = addBars(f, c.Bars)
	case c.Lines != nil:
		err = addLines(f, c.Lines)
	}
	if err != nil {
		return nil, fmt.Errorf("draw chart %s: %w", c.ID, err)
	}
	return f, nil
}

// draw draws the plot on the left of dc and the legend in the strip at its
// right.
func (f *figure) draw(dc draw.Canvas) {
	f.plot.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legendArea := draw.Crop(dc, dc.Max.X-dc.Min.X-legendWidth+vg.Points(8), 0, 0, -vg.Points(20))
	f.legend.Draw(legendArea)
}

// renderSVG draws f on an SVG canvas and returns the <svg> element without
// the XML prolog and generator comment, which have no place inside HTML.
// gonum/plot panics on some input, such as a log axis over values of zero,
// so a panic while drawing is returned as an error.
func renderSVG(f *figure) (svg template.HTML, err error) {
	defer func() {
		if r := recover(); r != nil {
			svg, err = "", fmt.Errorf("render svg: gonum/plot panicked: %v", r)
		}
	}()
	canvas := vgsvg.New(svgWidth, svgHeight)
	f.draw(draw.New(canvas))
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("render svg: %w", err)
	}
	text := buf.String()
	start := strings.Index(text, "<svg")
	if start < 0 {
		return "", fmt.Errorf("render svg: no <svg> element in the output")
	}
	// gonum/plot v0.17.0 escapes every text it draws (vgsvg FillString
	// calls html.EscapeString), so the element is safe to embed unescaped.
	return template.HTML(text[start:]), nil
}

func addBars(f *figure, b *barChart) error {
	p := f.plot
	p.Y.Label.Text = b.Unit
	p.Y.Min = 0
	width := vg.Points(60 / float64(max(1, len(b.Series))))
	labels := make([]string, len(b.Groups))
	for i, g := range b.Groups {
		labels[i] = g.Label
	}
	for si, name := range b.Series {
		values := make(plotter.Values, len(b.Groups))
		for gi, g := range b.Groups {
			values[gi] = g.Values[si]
		}
		bars, err := plotter.NewBarChart(values, width)
		if err != nil {
			return err
		}
		bars.Color = plotutil.Color(si)
		bars.LineStyle.Width = 0
		bars.Offset = width * vg.Length(float64(si)-float64(len(b.Series)-1)/2)
		p.Add(bars)
		f.legend.Add(name, bars)
	}
	p.NominalX(labels...)
	return nil
}

func addLines(f *figure, l *lineChart) error {
	p := f.plot
	p.X.Label.Text = l.XLabel
	p.Y.Label.Text = l.YLabel
	if l.LogScale && allPositive(l) {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, xTicks(l)
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	} else {
		p.Y.Min = 0
	}
	if l.YMax > 0 {
		p.Y.Max = l.YMax
	}
	scaleX := 1.0
	if l.Timeline {
		scaleX = 1.0 / 1000
	}
	for i, s := range l.Series {
		xys := make(plotter.XYs, len(s.Points))
		for j, pt := range s.Points {
			xys[j] = plotter.XY{X: pt.X * scaleX, Y: pt.Y}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		line.Color = plotutil.Color(i)
		line.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		points.Radius = vg.Points(2)
		p.Add(line, points)
		f.legend.Add(s.Name, line, points)
	}
	return addGuides(f, l, scaleX)
}

// addGuides draws the reference line and the event markers of l.
func addGuides(f *figure, l *lineChart, scaleX float64) error {
	p := f.plot
	xmin, xmax, _, ymax := plotter.XYRange(allPoints(l, scaleX))
	if l.YMax > 0 {
		ymax = l.YMax
	}
	if r := l.Reference; r != nil {
		line, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: r.Y}, {X: xmax, Y: r.Y}})
		if err != nil {
			return err
		}
		line.Color = referenceColor
		line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(line)
		f.legend.Add(r.Label, line)
		ymax = max(ymax, r.Y)
	}
	for _, m := range l.Markers {
		x := m.X * scaleX
		line, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: ymax}})
		if err != nil {
			return err
		}
		line.Color = markerColor
		line.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(line)
		f.legend.Add(fmt.Sprintf("%s at %s", m.Label, duration(m.X)), line)
	}
	return nil
}

// allPoints returns every point of l, for the range of the guides.
func allPoints(l *lineChart, scaleX float64) plotter.XYs {
	var xys plotter.XYs
	for _, s := range l.Series {
		for _, pt := range s.Points {
			xys = append(xys, plotter.XY{X: pt.X * scaleX, Y: pt.Y})
		}
	}
	if len(xys) == 0 {
		xys = plotter.XYs{{}}
	}
	return xys
}

// allPositive reports whether l has points and every one of them can go on
// a log scale.
func allPositive(l *lineChart) bool {
	n := 0
	for _, s := range l.Series {
		for _, pt := range s.Points {
			if pt.X <= 0 || pt.Y <= 0 {
				return false
			}
			n++
		}
	}
	return n > 0
}

// xTicks labels the x values that occur in l, such as the rates of the ramp
// steps, which a decade-only log axis would leave unlabelled.
func xTicks(l *lineChart) plot.ConstantTicks {
	seen := map[float64]bool{}
	var ticks plot.ConstantTicks
	for _, s := range l.Series {
		for _, pt := range s.Points {
			if !seen[pt.X] {
				seen[pt.X] = true
				ticks = append(ticks, plot.Tick{Value: pt.X, Label: decimal(pt.X)})
			}
		}
	}
	slices.SortFunc(ticks, func(a, b plot.Tick) int { return cmp.Compare(a.Value, b.Value) })
	return ticks
}
