package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/authlab/authlab/internal/results"
)

// File names that WriteAll creates in its directory.
const (
	MarkdownFile = "REPORT.md"
	HTMLFile     = "index.html"
	ResultsFile  = "results.json"
)

// systemOrder is the order of the five designed systems in every table.
// Other systems follow, sorted.
var systemOrder = []string{"sessions-sticky", "sessions-redis", "jwt", "jwt-denylist", "hybrid"}

// WriteAll writes results.json, REPORT.md and index.html into dir, creating
// dir if it is missing. results.json comes first, so the figures of a long
// run survive a report that fails to render. Each report is rendered in
// full before its file is written, and every error is returned, joined.
func WriteAll(dir string, run *results.Run) error {
	if run == nil {
		return errors.New("write report: run is nil")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	if err := results.Write(filepath.Join(dir, ResultsFile), run); err != nil {
		return err
	}
	return errors.Join(
		writeRendered(filepath.Join(dir, MarkdownFile), run, Markdown),
		writeRendered(filepath.Join(dir, HTMLFile), run, HTML),
	)
}

// writeRendered renders run with render into memory and then writes it to
// path, so a failed render leaves no half-written file.
func writeRendered(path string, run *results.Run, render func(io.Writer, *results.Run) error) error {
	var buf bytes.Buffer
	if err := render(&buf, run); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// systems returns every system named in the settings or in any scenario, in
// report order.
func systems(run *results.Run) []string {
	seen := map[string]bool{}
	for _, name := range run.Settings.Systems {
		seen[name] = true
	}
	sc := run.Scenarios
	for _, keys := range [][]string{
		keysOf(sc.Steady), keysOf(sc.Ramp), keysOf(sc.Revoke),
		keysOf(sc.ReplicaCrash), keysOf(sc.StoreOutage), keysOf(sc.ScaleOut),
	} {
		for _, name := range keys {
			seen[name] = true
		}
	}

	var ordered, others []string
	for _, name := range systemOrder {
		if seen[name] {
			ordered = append(ordered, name)
			delete(seen, name)
		}
	}
	for name := range seen {
		others = append(others, name)
	}
	slices.Sort(others)
	return append(ordered, others...)
}

// keysOf returns the keys of m, sorted.
func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// present returns the systems, in order, that have an entry in m.
func present[V any](order []string, m map[string]*V) []string {
	var names []string
	for _, name := range order {
		if m[name] != nil {
			names = append(names, name)
		}
	}
	return names
}
