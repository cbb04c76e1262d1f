// Package report renders a results.Run as REPORT.md, index.html and a short
// terminal summary.
//
// Every format is built from one document model (see document), so the
// Markdown and the HTML report state the same findings with the same
// numbers. Rendering is deterministic: systems come in a fixed order
// (sessions-sticky, sessions-redis, jwt, jwt-denylist, hybrid, then any
// other name sorted), maps are read in sorted key order, and no clock or
// random source is used. That keeps the golden files in testdata stable.
//
// The findings are generated from the figures: a comparison word such as
// "lower" appears only when the numbers differ by more than 10%, and a figure
// that is null or missing is reported as not measured, never as zero.
package report
