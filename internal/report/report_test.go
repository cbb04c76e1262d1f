package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/authlab/authlab/internal/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// mustRun returns a fresh copy of the fixed run in testdata/results.json.
func mustRun(tb testing.TB) *results.Run {
	tb.Helper()
	run, err := results.Read(filepath.Join("testdata", "results.json"))
	if err != nil {
		tb.Fatal(err)
	}
	return run
}

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update if the change is intended\n%s",
			name, firstDifference(got, want))
	}
}

// firstDifference returns the first line where got and want differ.
func firstDifference(got, want []byte) string {
	gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gotLines), len(wantLines)) {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if g != w {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g + "\nwant: " + w
		}
	}
	return "same lines, different bytes"
}

func mustMarkdown(tb testing.TB, run *results.Run) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := Markdown(&buf, run); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

func mustHTML(tb testing.TB, run *results.Run) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := HTML(&buf, run); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

func mustSummary(tb testing.TB, run *results.Run) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := Summary(&buf, run, "report"); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

func TestMarkdownGolden(t *testing.T) {
	checkGolden(t, "REPORT.md.golden", []byte(mustMarkdown(t, mustRun(t))))
}

func TestSummaryGolden(t *testing.T) {
	checkGolden(t, "summary.txt.golden", []byte(mustSummary(t, mustRun(t))))
}

// svgElement matches an inline chart, for comparing HTML without chart
// coordinates.
var svgElement = regexp.MustCompile(`(?s)<svg.*?</svg>`)

// TestHTMLGolden compares index.html byte for byte on amd64, where the
// golden file is written. The SVG coordinates come from float arithmetic in
// gonum/plot, which other architectures may round differently in the last
// printed digit (arm64 fuses multiply-adds), so elsewhere the charts are
// replaced by a placeholder on both sides before comparing.
func TestHTMLGolden(t *testing.T) {
	got := mustHTML(t, mustRun(t))
	if runtime.GOARCH == "amd64" || *update {
		checkGolden(t, "index.html.golden", []byte(got))
		return
	}
	want, err := os.ReadFile(filepath.Join("testdata", "index.html.golden"))
	if err != nil {
		t.Fatal(err)
	}
	stripped := func(s string) string { return svgElement.ReplaceAllString(s, "<svg/>") }
	if stripped(got) != stripped(string(want)) {
		t.Errorf("index.html differs from the golden file outside its charts\n%s",
			firstDifference([]byte(stripped(got)), []byte(stripped(string(want)))))
	}
}

func TestSVGDeterministic(t *testing.T) {
	run := mustRun(t)
	first, second := mustHTML(t, run), mustHTML(t, run)
	if first != second {
		t.Errorf("two renderings of the same run differ\n%s", firstDifference([]byte(first), []byte(second)))
	}
}
