package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/authlab/authlab/internal/results"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlTemplate is parsed once; html/template escapes every field that is
// not a template.HTML, and only the gonum SVG charts are.
var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// htmlPage is the data of the HTML template: the document, and the SVG of
// each chart keyed by chart ID.
type htmlPage struct {
	*document
	SVG map[string]template.HTML
}

// HTML writes the report as one self-contained HTML page: inline CSS and
// inline SVG charts, with no script, font, image or style sheet to fetch.
func HTML(w io.Writer, run *results.Run) error {
	if run == nil {
		return fmt.Errorf("render html: run is nil")
	}
	page := htmlPage{document: build(run), SVG: map[string]template.HTML{}}
	for _, s := range page.Sections {
		for _, c := range s.Charts {
			svg, err := svgChart(c)
			if err != nil {
				return fmt.Errorf("render html: %w", err)
			}
			page.SVG[c.ID] = svg
		}
	}
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, page); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}
