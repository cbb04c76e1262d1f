package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/authlab/authlab/internal/results"
)

// Markdown writes the report as Markdown that reads both on a code host and
// in a terminal: tables are padded to aligned columns and charts are text
// inside code blocks.
func Markdown(w io.Writer, run *results.Run) error {
	if run == nil {
		return fmt.Errorf("render markdown: run is nil")
	}
	doc := build(run)
	bw := bufio.NewWriter(w)
	writeMarkdownHeader(bw, doc)
	for _, s := range doc.Sections {
		writeMarkdownSection(bw, s)
	}
	writeMarkdownTail(bw, doc)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write markdown report: %w", err)
	}
	return nil
}

func writeMarkdownHeader(w io.Writer, doc *document) {
	fmt.Fprintf(w, "# %s\n\n", doc.Title)
	if doc.Partial {
		fmt.Fprint(w, "**Partial run:** the run stopped before every scenario finished, "+
			"so some figures are missing.\n\n")
	}
	for _, f := range doc.Facts {
		fmt.Fprintf(w, "- **%s:** %s\n", f.Label, markdownText(f.Value))
	}
	fmt.Fprint(w, "\n## Verdict\n\n")
	writeMarkdownTable(w, doc.Verdict)
	for _, note := range doc.Footnotes {
		fmt.Fprintf(w, "\n%s\n", markdownText(note))
	}
	fmt.Fprint(w, "\n## Findings\n\n")
	for _, f := range doc.Findings {
		fmt.Fprintf(w, "- %s\n", markdownText(f))
	}
}

func writeMarkdownSection(w io.Writer, s section) {
	fmt.Fprintf(w, "\n## %s (`%s`)\n\n%s\n", s.Title, s.ID, markdownText(s.Intro))
	if s.NotRun {
		fmt.Fprintf(w, "\nNot run in this run.\n")
		return
	}
	for _, note := range s.Notes {
		fmt.Fprintf(w, "\n%s\n", markdownText(note))
	}
	for _, t := range s.Tables {
		fmt.Fprintln(w)
		writeMarkdownTable(w, t)
	}
	for _, c := range s.Charts {
		fmt.Fprintf(w, "\n%s:\n\n```text\n%s```\n", c.Title, textChart(c))
	}
}

func writeMarkdownTail(w io.Writer, doc *document) {
	fmt.Fprint(w, "\n## Warnings\n\n")
	fmt.Fprintf(w, "%s\n\n", warningsNote)
	if len(doc.Warnings) == 0 {
		fmt.Fprint(w, "None.\n")
	}
	for _, warning := range doc.Warnings {
		fmt.Fprintf(w, "- %s\n", markdownText(warning))
	}
	fmt.Fprint(w, "\n## How this run was made\n\n")
	writeMarkdownTable(w, doc.HowMade)
	fmt.Fprint(w, "\n## How to reproduce\n")
	for _, c := range doc.Reproduce {
		fmt.Fprintf(w, "\n%s\n\n```sh\n%s\n```\n", c.Intro, strings.Join(c.Lines, "\n"))
	}
}

// writeMarkdownTable writes t as a pipe table whose columns are padded to a
// common width, so it also lines up in a terminal.
func writeMarkdownTable(w io.Writer, t table) {
	rows := make([][]string, 0, len(t.Rows)+1)
	rows = append(rows, t.Header)
	rows = append(rows, t.Rows...)
	widths := make([]int, len(t.Header))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(tableCell(cell)))
		}
	}
	writeRow := func(row []string) {
		for i, cell := range row {
			cell = tableCell(cell)
			fmt.Fprintf(w, "| %s%s ", cell, strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)))
		}
		fmt.Fprintln(w, "|")
	}
	writeRow(t.Header)
	for _, width := range widths {
		fmt.Fprintf(w, "|%s", strings.Repeat("-", width+2))
	}
	fmt.Fprintln(w, "|")
	for _, row := range t.Rows {
		writeRow(row)
	}
}

// tableCell escapes a cell for a pipe table.
func tableCell(s string) string {
	return strings.ReplaceAll(markdownText(s), "|", `\|`)
}

// markdownText keeps free text on one line and stops characters that
// Markdown would read as markup from changing it.
func markdownText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return markdownEscaper.Replace(s)
}

var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", "[", `\[`)
