package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/results"
)

func noEnv(string) string { return "" }

func runWith(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"loadtest"}, args...), noEnv, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "unknown flag", args: []string{"-turbo"}, want: "flag provided but not defined"},
		{name: "unknown target", args: []string{"-target", "k8s"}, want: `invalid -target "k8s"`},
		{name: "unknown scenario", args: []string{"-scenarios", "steady,soak"}, want: `unknown scenario "soak"`},
		{name: "unknown system", args: []string{"-systems", "oauth"}, want: `unknown system "oauth"`},
		{name: "zero rate", args: []string{"-rate", "0"}, want: "invalid rate"},
		{name: "NaN rate", args: []string{"-rate", "NaN"}, want: "invalid rate NaN"},
		{name: "rate below 1", args: []string{"-rate", "0.5"}, want: "invalid rate"},
		{name: "NaN error budget", args: []string{"-error-budget", "NaN"}, want: "invalid error budget"},
		{name: "huge duration", args: []string{"-duration", "100000h"}, want: "want 1s to 1h"},
		{name: "serve compose", args: []string{"-serve", "-target", "compose"}, want: "-serve starts the embedded lab"},
		{name: "check and rebuild", args: []string{"-check", "a.json", "-rebuild", "b.json"}, want: "exclude each other"},
		{name: "negative users", args: []string{"-users", "-3"}, want: "invalid users"},
		{name: "bad duration", args: []string{"-duration", "ten"}, want: "invalid value"},
		{name: "stray argument", args: []string{"now"}, want: `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runWith(t, tt.args...)
			if !errors.Is(err, errUsage) {
				t.Fatalf("run error = %v, want errUsage (exit status 2)", err)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not contain %q:\n%s", tt.want, stderr)
			}
		})
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	_, stderr, err := runWith(t, "-h")
	if err != nil {
		t.Fatalf("-h: %v, want success", err)
	}
	for _, flag := range []string{"-quick", "-scenarios", "-systems", "-rate", "-duration", "-users",
		"-replicas", "-out", "-target", "-serve", "-check", "-rebuild", "-objective", "-error-budget"} {
		if !strings.Contains(stderr, flag) {
			t.Errorf("-h output does not mention %s", flag)
		}
	}
	for _, unit := range []string{"requests a second", "a system"} {
		if !strings.Contains(stderr, unit) {
			t.Errorf("-h output does not state %q", unit)
		}
	}
}

func TestQuickPresetAndOverrides(t *testing.T) {
	o, err := parseFlags([]string{"loadtest", "-quick", "-rate", "90", "-systems", "jwt"}, noEnv, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !o.plan.Quick || o.plan.Phase != 2*time.Second {
		t.Errorf("quick plan phase = %v, quick = %v; want the 2s quick preset", o.plan.Phase, o.plan.Quick)
	}
	if o.plan.Rate != 90 {
		t.Errorf("rate = %v, want the -rate override 90", o.plan.Rate)
	}
	if len(o.plan.Systems) != 1 || o.plan.Systems[0] != "jwt" {
		t.Errorf("systems = %v, want [jwt]", o.plan.Systems)
	}
}

func writeRun(t *testing.T, run *results.Run) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "results.json")
	if err := results.Write(path, run); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckFlag(t *testing.T) {
	zero, one := 0.0, 1.0
	good := &results.Run{Layout: results.LayoutVersion,
		Settings: results.Settings{Scenarios: []string{"steady"}, Systems: []string{"jwt", "sessions-redis"}},
		Scenarios: results.Scenarios{
			Steady: map[string]*results.Steady{"jwt": {StoreOpsPerRequest: &zero}, "sessions-redis": {StoreOpsPerRequest: &one}},
		}}
	stdout, _, err := runWith(t, "-check", writeRun(t, good))
	if err != nil || !strings.Contains(stdout, "ok:") {
		t.Errorf("-check on an honest run: err = %v, stdout = %q", err, stdout)
	}

	bad := &results.Run{Layout: results.LayoutVersion, Scenarios: results.Scenarios{
		Steady: map[string]*results.Steady{"jwt": {StoreOpsPerRequest: &one}},
	}}
	stdout, _, err = runWith(t, "-check", writeRun(t, bad))
	if err == nil || !strings.Contains(stdout, "FAIL settings list 0 scenarios") {
		t.Errorf("-check on a run with no settings: err = %v, stdout = %q", err, stdout)
	}
	if err == nil || !strings.Contains(stdout, "FAIL steady: jwt store_ops_per_request") {
		t.Errorf("-check on a contradicting run: err = %v, stdout = %q", err, stdout)
	}

	partial := &results.Run{Layout: results.LayoutVersion, Partial: true}
	if _, _, err := runWith(t, "-check", writeRun(t, partial)); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("-check on a partial run: err = %v, want one saying it was interrupted", err)
	}
}

func TestRebuildWritesReports(t *testing.T) {
	src, err := os.ReadFile("../internal/report/testdata/results.json")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "results.json")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, _, err := runWith(t, "-rebuild", in, "-out", out); err != nil {
		t.Fatalf("-rebuild: %v", err)
	}
	for _, name := range []string{"REPORT.md", "index.html", "results.json"} {
		if fi, err := os.Stat(filepath.Join(out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s missing or empty after -rebuild: %v", name, err)
		}
	}
}
