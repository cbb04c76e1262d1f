package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
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

func TestHTMLGolden(t *testing.T) {
	checkGolden(t, "index.html.golden", []byte(mustHTML(t, mustRun(t))))
}
