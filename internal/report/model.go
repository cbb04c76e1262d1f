package report

import (
	"fmt"
	"time"

	"github.com/authlab/authlab/internal/results"
)

// document is the report in a form that every renderer walks: plain text
// cells and sentences, and chart data. Renderers add only layout.
type document struct {
	Title     string
	Partial   bool
	Facts     []fact
	Verdict   table
	Footnotes []string
	Findings  []string
	Sections  []section
	Warnings  []string
	HowMade   table
	Reproduce []command
}

// warningsNote opens the Warnings section: what it covers and what it does
// not, since a fault scenario makes the apps log errors on purpose.
const warningsNote = "Problems with the run itself: a scenario that could not run, a client that fell behind, " +
	"a fault that took longer than planned. The apps' own logs, with the errors that the fault scenarios " +
	"cause on purpose, are in lab.log in the embedded lab and in docker compose logs."

// WarningsNote returns warningsNote for the HTML template.
func (d *document) WarningsNote() string { return warningsNote }

// fact is one labelled line of the report header.
type fact struct {
	Label, Value string
}

// table is a header row and body rows of plain-text cells.
type table struct {
	Header []string
	Rows   [][]string
}

// section is the part of the report for one scenario.
type section struct {
	ID     string
	Title  string
	Intro  string
	NotRun bool
	Tables []table
	Notes  []string
	Charts []chart
}

// command is a shell command line with the sentence that introduces it.
type command struct {
	Intro string
	Lines []string
}

// chart is the data of one chart. Exactly one of Bars and Lines is set.
type chart struct {
	ID    string
	Title string
	Bars  *barChart
	Lines *lineChart
}

// barChart is a grouped bar chart: one group a system, one bar a series.
type barChart struct {
	Series []string
	Groups []barGroup
	Unit   string
	Format func(float64) string
}

// barGroup is the bars of one label, one value a series.
type barGroup struct {
	Label  string
	Values []float64
}

// lineChart is a set of series on a common x axis. Timeline charts have
// time in milliseconds on x. The ramp chart has the request rate on x and
// is drawn as bars of steps in text.
type lineChart struct {
	XLabel, YLabel string
	Timeline       bool
	// YMax fixes the top of the y axis, 0 to fit the data.
	YMax float64
	// LogScale puts both axes of the SVG chart on a log scale, for a ramp
	// whose rate doubles each step and whose latency spans decades.
	LogScale  bool
	FormatY   func(float64) string
	FormatX   func(float64) string
	Series    []series
	Markers   []marker
	Reference *reference
}

// series is one named line.
type series struct {
	Name   string
	Points []point
}

// point is one value of a series. Note is an optional mark of the point,
// such as whether a ramp step was held.
type point struct {
	X, Y float64
	Note string
}

// marker is an event at a time on a timeline, such as a replica kill.
type marker struct {
	X     float64
	Label string
}

// reference is a horizontal line that the series are compared with.
type reference struct {
	Y     float64
	Label string
}

// build turns a run into the document that every format renders.
func build(run *results.Run) *document {
	names := systems(run)
	verdict, footnotes := verdictTable(run, names)
	return &document{
		Title:     "authlab report",
		Partial:   run.Partial,
		Facts:     headerFacts(run),
		Verdict:   verdict,
		Footnotes: footnotes,
		Findings:  findings(run, names),
		Sections:  sections(run, names),
		Warnings:  warnings(run, names),
		HowMade:   howMade(run),
		Reproduce: reproduce(run),
	}
}

// headerFacts returns the lines under the title: mode, Redis, machine and
// start time.
func headerFacts(run *results.Run) []fact {
	return []fact{
		{"Mode", modeText(run.Mode)},
		{"Redis", redisText(run.Redis)},
		{"Machine", machineText(run.Machine)},
		{"Started", timeText(run.Started)},
	}
}

func modeText(mode string) string {
	switch mode {
	case "embedded":
		return "embedded (every replica, Redis and Caddy in one process on loopback)"
	case "compose":
		return "compose (docker compose services)"
	case "":
		return notRecorded
	default:
		return mode
	}
}

func redisText(r results.Redis) string {
	version := ""
	if r.Version != "" {
		version = " " + r.Version
	}
	switch r.Kind {
	case "miniredis":
		return "miniredis" + version + ", an embedded Redis-compatible server: " +
			"its latencies and failure behaviour are not those of Redis"
	case "redis-server":
		return "redis-server" + version + " (a local Redis process)"
	case "external":
		return "external Redis" + version
	case "":
		return notRecorded
	default:
		return r.Kind + version
	}
}

func machineText(m results.Machine) string {
	if m.CPU == "" && m.Cores == 0 && m.OS == "" {
		return notRecorded
	}
	return fmt.Sprintf("%s, %s, %s/%s", m.CPU, plural(m.Cores, "core"), m.OS, m.Arch)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return notRecorded
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}
