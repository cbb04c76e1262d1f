package report

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/authlab/authlab/internal/results"
)

// verdictCell returns the verdict cell of system in the column named
// header.
func verdictCell(t *testing.T, run *results.Run, system, header string) string {
	t.Helper()
	doc := build(run)
	column := -1
	for i, name := range doc.Verdict.Header {
		if name == header {
			column = i
		}
	}
	if column < 0 {
		t.Fatalf("no verdict column %q", header)
	}
	for _, row := range doc.Verdict.Rows {
		if row[0] == system {
			return row[column]
		}
	}
	t.Fatalf("no verdict row for %s", system)
	return ""
}

// findingWith returns the first finding that contains substr, or "".
func findingWith(run *results.Run, substr string) string {
	for _, f := range build(run).Findings {
		if strings.Contains(f, substr) {
			return f
		}
	}
	return ""
}

func TestVerdictFollowsP99(t *testing.T) {
	run := mustRun(t)
	if got := verdictCell(t, run, "sessions-redis", "p99 latency (steady)"); got != "6.1 ms" {
		t.Fatalf("fixture p99 cell = %q, want 6.1 ms", got)
	}
	run.Scenarios.Steady["sessions-redis"].LatencyMS.P99 = 12.5
	if got := verdictCell(t, run, "sessions-redis", "p99 latency (steady)"); got != "12.5 ms" {
		t.Errorf("p99 cell after change = %q, want 12.5 ms", got)
	}
	if f := findingWith(run, "p99 latency ranged"); !strings.Contains(f, "12.5 ms (sessions-redis)") {
		t.Errorf("latency finding does not follow the new highest p99: %q", f)
	}
}

func TestFindingComparisonFollowsNumbers(t *testing.T) {
	run := mustRun(t)
	if f := findingWith(run, "jwt made"); !strings.Contains(f, "lower than sessions-redis's 2.03") {
		t.Fatalf("fixture store-ops finding = %q", f)
	}

	higher := 3.0
	run.Scenarios.Steady["jwt"].StoreOpsPerRequest = &higher
	if f := findingWith(run, "jwt made"); !strings.Contains(f, "3 store operations a request, higher than") {
		t.Errorf("store-ops finding with jwt at 3 = %q, want higher than", f)
	}

	close := 2.1
	run.Scenarios.Steady["jwt"].StoreOpsPerRequest = &close
	if f := findingWith(run, "jwt made"); !strings.Contains(f, "close to sessions-redis's") {
		t.Errorf("store-ops finding with jwt at 2.1 vs 2.03 = %q, want close to", f)
	}
}

func TestFindingLatencyClose(t *testing.T) {
	run := mustRun(t)
	for _, st := range run.Scenarios.Steady {
		st.LatencyMS.P99 = 4.0
	}
	run.Scenarios.Steady["sessions-redis"].LatencyMS.P99 = 4.3
	f := findingWith(run, "In steady")
	if !strings.Contains(f, "within 10%") {
		t.Errorf("latency finding for p99s within 10%% = %q", f)
	}
	if strings.Contains(f, "ranged") {
		t.Errorf("latency finding calls close figures a range: %q", f)
	}
}

func TestVerdictFollowsCrash(t *testing.T) {
	run := mustRun(t)
	sticky := run.Scenarios.ReplicaCrash["sessions-sticky"]
	if f := findingWith(run, "crashed"); !strings.Contains(f, "sessions-sticky logged out 33% of its users (66 of 200)") {
		t.Fatalf("fixture crash finding = %q", f)
	}
	sticky.UsersLoggedOut, sticky.UsersLoggedOutCount = 0, 0
	if got := verdictCell(t, run, "sessions-sticky", "users lost to a replica crash"); got != "0% (0 of 200)" {
		t.Errorf("crash cell after change = %q", got)
	}
	if f := findingWith(run, "crashed"); !strings.Contains(f, "no system logged out any user") {
		t.Errorf("crash finding with no user lost = %q", f)
	}
}

func TestVerdictRevoke(t *testing.T) {
	run := mustRun(t)
	if got := verdictCell(t, run, "jwt", "revocation time (revoke)"); got != "never within 10 s; tokens expire in 24 h" {
		t.Errorf("jwt revoke cell = %q", got)
	}
	if got := verdictCell(t, run, "sessions-redis", "revocation time (revoke)"); got != "21 ms" {
		t.Errorf("sessions-redis revoke cell = %q", got)
	}
	run.Scenarios.Revoke["jwt"].TokensExpireInMS = nil
	if got := verdictCell(t, run, "jwt", "revocation time (revoke)"); got != "never within 10 s; expiry not measured" {
		t.Errorf("jwt revoke cell without expiry = %q", got)
	}
	partly := 1500.0
	run.Scenarios.Revoke["jwt"].RejectedAfterMS = &partly
	run.Scenarios.Revoke["jwt"].RejectedShare = 0.5
	if got := verdictCell(t, run, "jwt", "revocation time (revoke)"); got != "1.5 s for 50% of users" {
		t.Errorf("jwt revoke cell with half rejected = %q", got)
	}
}

func TestVerdictRampAtLeast(t *testing.T) {
	run := mustRun(t)
	if got := verdictCell(t, run, "jwt", "highest rate held (ramp)"); got != "≥ 6,400 req/s, 3 replicas †" {
		t.Errorf("jwt ramp cell = %q, want ≥ because every step held", got)
	}
	if got := verdictCell(t, run, "sessions-redis", "highest rate held (ramp)"); got != "1,600 req/s, 3 replicas" {
		t.Errorf("sessions-redis ramp cell = %q", got)
	}
	r := run.Scenarios.Ramp["sessions-redis"]
	r.MaxRateRPS = 0
	for i := range r.Runs[1].Steps {
		r.Runs[1].Steps[i].Held = false
	}
	if got := verdictCell(t, run, "sessions-redis", "highest rate held (ramp)"); got != "none (first step 200 req/s failed)" {
		t.Errorf("sessions-redis ramp cell with no step held = %q", got)
	}
}

func TestPartialRunMarked(t *testing.T) {
	run := mustRun(t)
	if md := mustMarkdown(t, run); strings.Contains(md, "Partial run") {
		t.Fatal("a complete run is marked partial")
	}
	run.Partial = true
	if md := mustMarkdown(t, run); !strings.Contains(md, "**Partial run:**") {
		t.Error("markdown of a partial run does not say so")
	}
	if html := mustHTML(t, run); !strings.Contains(html, `<p class="partial"><strong>Partial run:</strong>`) {
		t.Error("html of a partial run does not say so")
	}
	if summary := mustSummary(t, run); !strings.HasPrefix(summary, "Partial run:") {
		t.Error("summary of a partial run does not start with the mark")
	}
}

func TestOneScenarioRendersNotRun(t *testing.T) {
	full := mustRun(t)
	run := mustRun(t)
	run.Scenarios = results.Scenarios{Steady: full.Scenarios.Steady}
	run.Settings.Scenarios = []string{"steady"}

	doc := build(run)
	steadyColumns := map[int]bool{1: true, 3: true}
	for _, row := range doc.Verdict.Rows {
		for i, cell := range row[1:] {
			column := i + 1
			if steadyColumns[column] && cell == notRun {
				t.Errorf("%s: %s is %q although steady ran", row[0], doc.Verdict.Header[column], cell)
			}
			if !steadyColumns[column] && cell != notRun {
				t.Errorf("%s: %s = %q, want %q", row[0], doc.Verdict.Header[column], cell, notRun)
			}
		}
	}
	md := mustMarkdown(t, run)
	if n := strings.Count(md, "Not run in this run."); n != 5 {
		t.Errorf("markdown has %d sections marked not run, want 5", n)
	}
	for _, scenario := range []string{"ramp", "revoke", "replica-crash", "store-outage", "scale-out"} {
		if !strings.Contains(md, "because "+scenario+" did not run") {
			t.Errorf("findings do not say that %s did not run", scenario)
		}
	}
	if html := mustHTML(t, run); strings.Count(html, "<svg") != 1 {
		t.Errorf("html of a steady-only run has %d charts, want 1", strings.Count(html, "<svg"))
	}
}

func TestSystemMissingFromScenario(t *testing.T) {
	run := mustRun(t)
	delete(run.Scenarios.Revoke, "hybrid")
	if got := verdictCell(t, run, "hybrid", "revocation time (revoke)"); got != notRun {
		t.Errorf("hybrid revoke cell = %q, want %q", got, notRun)
	}
	if md := mustMarkdown(t, run); !strings.Contains(md, "Not run for hybrid.") {
		t.Error("revoke section does not name the system that did not run it")
	}
}

func TestNullFiguresRenderNotMeasured(t *testing.T) {
	run := mustRun(t)
	run.Redis.Kind = "miniredis"
	for _, st := range run.Scenarios.Steady {
		st.StoreOps, st.StoreOpsPerRequest = nil, nil
	}
	hybrid := run.Scenarios.StoreOutage["hybrid"]
	hybrid.AccessErrorRateDuring, hybrid.RefreshErrorRateDuring = nil, nil

	for _, name := range systemOrder {
		if got := verdictCell(t, run, name, "store ops a request (steady)"); got != notMeasured {
			t.Errorf("%s store ops cell = %q, want %q", name, got, notMeasured)
		}
	}
	doc := build(run)
	steadyCost := doc.Sections[0].Tables[1]
	for _, row := range steadyCost.Rows {
		if row[1] != notMeasured || row[2] != notMeasured {
			t.Errorf("%s steady cost row = %q, want store ops not measured", row[0], row[:3])
		}
	}
	outage := doc.Sections[4].Tables[0]
	hybridRow := outage.Rows[len(outage.Rows)-1]
	if hybridRow[0] != "hybrid" || hybridRow[6] != notMeasured || hybridRow[7] != notMeasured {
		t.Errorf("hybrid outage row = %q, want split rates not measured", hybridRow)
	}
	if f := findingWith(run, "Store operations (Redis commands"); strings.Contains(f, " 0,") || !strings.Contains(f, "jwt not measured") {
		t.Errorf("store-ops finding with null figures = %q", f)
	}
	if f := findingWith(run, "jwt made"); f != "" {
		t.Errorf("a comparison is drawn from null store ops: %q", f)
	}
	if f := findingWith(run, "hybrid's access"); !strings.Contains(f, "not measured") {
		t.Errorf("hybrid outage finding with null split = %q", f)
	}
	if md := mustMarkdown(t, run); !strings.Contains(md, "miniredis 7.0.15, an embedded Redis-compatible server") {
		t.Error("report does not name miniredis as an embedded Redis-compatible server")
	}
}

func TestNullMedianRevokeTime(t *testing.T) {
	run := mustRun(t)
	f := findingWith(run, "jwt-denylist rejected")
	if !strings.Contains(f, "median not measured") {
		t.Errorf("jwt-denylist revoke finding with a null median = %q", f)
	}
}

// networkReference matches an attribute or CSS rule that would fetch
// something when the page is opened.
var networkReference = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*["']?\s*(https?:)?//|url\(|@import|<script|<link|<iframe|<img`)

func TestHTMLHasNoNetworkReferences(t *testing.T) {
	html := mustHTML(t, mustRun(t))
	if m := networkReference.FindString(html); m != "" {
		t.Errorf("html contains a network reference: %q", m)
	}
	withoutXMLNS := regexp.MustCompile(`xmlns(:xlink)?="http://www\.w3\.org/[0-9]+/(svg|xlink)"`).ReplaceAllString(html, "")
	if strings.Contains(withoutXMLNS, "http://") || strings.Contains(withoutXMLNS, "https://") {
		t.Error("html contains a URL other than the SVG namespaces")
	}
}

func TestHTMLStructure(t *testing.T) {
	html := mustHTML(t, mustRun(t))
	for _, id := range []string{"verdict", "findings", "steady", "ramp", "revoke", "replica-crash",
		"store-outage", "scale-out", "warnings", "how-made", "reproduce"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("html has no element with id %q", id)
		}
	}
	figures := regexp.MustCompile(`(?s)<figure class="chart" id="chart-[a-z0-9-]+">\s*<svg`).FindAllString(html, -1)
	if len(figures) != 6 {
		t.Errorf("html has %d charts as inline <svg>, want 6", len(figures))
	}
	if n := strings.Count(html, "<figure"); n != len(figures) {
		t.Errorf("html has %d figures, of which %d hold an <svg>", n, len(figures))
	}
	// The verdict, two steady tables, one table for each other scenario and
	// the settings.
	if n := strings.Count(html, "<table>"); n != 9 {
		t.Errorf("html has %d tables, want 9", n)
	}
}

func TestHTMLEscapesText(t *testing.T) {
	run := mustRun(t)
	run.Scenarios.Revoke["jwt"].RevokeMessage = `<script>alert("x")</script>`
	html := mustHTML(t, run)
	if strings.Contains(html, "<script>") {
		t.Error("html does not escape a revoke message")
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Error("escaped revoke message missing from html")
	}
}

func TestMarkdownEscapesTableCells(t *testing.T) {
	run := mustRun(t)
	run.Scenarios.Revoke["jwt"].RevokeMessage = "a | b *c*"
	md := mustMarkdown(t, run)
	var row string
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| jwt ") && strings.Contains(line, "none rejected") {
			row = line
		}
	}
	if row == "" {
		t.Fatal("no jwt row in the revoke table")
	}
	if !strings.Contains(row, `a \| b \*c\*`) {
		t.Errorf("revoke message not escaped in %q", row)
	}
	unescaped := regexp.MustCompile(`(^|[^\\])\|`).FindAllString(row, -1)
	if len(unescaped) != 11 {
		t.Errorf("jwt revoke row has %d column separators, want 11: %q", len(unescaped), row)
	}
}

func TestReproduceCommands(t *testing.T) {
	run := mustRun(t)
	md := mustMarkdown(t, run)
	want := "go run ./loadtest -rate 400 -duration 20s -users 200 -replicas 3 -objective 50ms -error-budget 0.01 -scenarios steady,"
	if !strings.Contains(md, want) {
		t.Errorf("embedded reproduce command missing %q", want)
	}
	run.Mode = "compose"
	run.Settings.Quick = true
	md = mustMarkdown(t, run)
	want = "export ADMIN_TOKEN=$(openssl rand -hex 24)\n" +
		fmt.Sprintf("export BCRYPT_COST=%d HYBRID_ACCESS_TTL=%s\n", run.Settings.BcryptCost, durationFlag(run.Settings.HybridAccessTTL)) +
		"docker compose up -d --build\ngo run ./loadtest -target compose -quick -rate 400"
	if !strings.Contains(md, want) {
		t.Errorf("compose reproduce commands missing %q", want)
	}
	if strings.Contains(md, "-target compose -quick -rate 400 -duration 20s -users 200 -replicas") {
		t.Error("compose reproduce command passes -replicas, which only the embedded lab reads")
	}
}

func TestWriteAll(t *testing.T) {
	run := mustRun(t)
	dir := filepath.Join(t.TempDir(), "nested", "report")
	if err := WriteAll(dir, run); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(md) != mustMarkdown(t, run) {
		t.Error("REPORT.md differs from Markdown output")
	}
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(html) != mustHTML(t, run) {
		t.Error("index.html differs from HTML output")
	}
	back, err := results.Read(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, run) {
		t.Error("results.json does not read back as the run")
	}
}

func TestWriteAllNilRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	if err := WriteAll(dir, nil); err == nil {
		t.Fatal("WriteAll(nil): want error")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Error("WriteAll(nil) created the directory")
	}
}

func TestEmptyRun(t *testing.T) {
	run := &results.Run{Layout: results.LayoutVersion}
	md := mustMarkdown(t, run)
	if n := strings.Count(md, "Not run in this run."); n != 6 {
		t.Errorf("empty run has %d sections marked not run, want 6", n)
	}
	mustHTML(t, run)
	mustSummary(t, run)
}

func TestZeroValueScenarios(t *testing.T) {
	run := &results.Run{
		Layout: results.LayoutVersion,
		Scenarios: results.Scenarios{
			Steady:       map[string]*results.Steady{"jwt": {}},
			Ramp:         map[string]*results.Ramp{"jwt": {Runs: []results.RampRun{{Replicas: 3}}}},
			Revoke:       map[string]*results.Revoke{"jwt": {}},
			ReplicaCrash: map[string]*results.Crash{"jwt": {}},
			StoreOutage:  map[string]*results.Outage{"jwt": {}},
			ScaleOut:     map[string]*results.ScaleOut{"jwt": {}},
		},
	}
	md := mustMarkdown(t, run)
	if strings.Contains(md, "Not run in this run.") {
		t.Error("a scenario with an empty result is marked not run")
	}
	if html := mustHTML(t, run); strings.Count(html, "<svg") != 6 {
		t.Errorf("html of empty results has %d charts, want 6", strings.Count(html, "<svg"))
	}
	mustSummary(t, run)
}
