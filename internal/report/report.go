package report

import (
	"bytes"
	"errors"
	"fmt"
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

// systemOrder is the order of the five designed systems in every table,
// from most to least server-side state. Other systems follow, sorted.
var systemOrder = []string{"sessions-sticky", "sessions-redis", "jwt", "jwt-denylist", "hybrid"}

// WriteAll writes REPORT.md, index.html and results.json into dir, creating
// dir if it is missing. Both reports are rendered before any file is
// written, so a rendering error leaves no half-written report behind.
func WriteAll(dir string, run *results.Run) error {
	if run == nil {
		return errors.New("write report: run is nil")
	}
	var markdown, html bytes.Buffer
	if err := Markdown(&markdown, run); err != nil {
		return err
	}
	if err := HTML(&html, run); err != nil {
		return err
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create report directory: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, MarkdownFile), markdown.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, HTMLFile), html.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return results.Write(filepath.Join(dir, ResultsFile), run)
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
