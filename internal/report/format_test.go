package report

import "testing"

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"decimal zero", decimal(0), "0"},
		{"decimal tiny", decimal(0.0042), "0.0042"},
		{"decimal small", decimal(2.034), "2.03"},
		{"decimal trims zeros", decimal(1.0), "1"},
		{"decimal tens", decimal(18.04), "18"},
		{"decimal thousands", decimal(16240), "16,240"},
		{"decimal millions", decimal(-1234567), "-1,234,567"},
		{"latency", latency(4.25), "4.25 ms"},
		{"duration ms", duration(850), "850 ms"},
		{"duration s", duration(1500), "1.5 s"},
		{"duration min", duration(290000), "4.8 min"},
		{"duration h", duration(86_390_000), "24 h"},
		{"duration d", duration(7 * 86_400_000), "7 d"},
		{"percent zero", percent(0), "0%"},
		{"percent one", percent(1), "100%"},
		{"percent near zero", percent(0.0004), "0.04%"},
		{"percent near one", percent(0.9996), "99.96%"},
		{"percent small", percent(0.044), "4.4%"},
		{"percent", percent(0.333), "33%"},
		{"rate", rate(6400), "6,400 req/s"},
		{"relation lower", relation(0, 2.03), "lower than"},
		{"relation higher", relation(3, 2.03), "higher than"},
		{"relation close", relation(2.1, 2.03), "close to"},
		{"relation zeros", relation(0, 0), "close to"},
		{"ratio", ratio(412, 71), "5.8 times"},
		{"join one", joinList([]string{"a"}), "a"},
		{"join three", joinList([]string{"a", "b", "c"}), "a, b and c"},
		{"optional null", optional(nil, latency), notMeasured},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestSparkGlyph(t *testing.T) {
	tests := []struct {
		name  string
		value float64
		want  rune
	}{
		{"zero", 0, sparkZero},
		{"tiny stays visible", 0.001, '▁'},
		{"half", 0.5, '▄'},
		{"full", 1, '█'},
		{"over the top", 2, '█'},
	}
	for _, tt := range tests {
		if got := sparkGlyph(tt.value, 1); got != tt.want {
			t.Errorf("%s: sparkGlyph(%v) = %q, want %q", tt.name, tt.value, got, tt.want)
		}
	}
}

func TestSparklineShortSeries(t *testing.T) {
	// Points at columns 0 and 2 of 6: column 1 repeats column 0, and the
	// columns after the last point stay blank.
	points := []point{{X: 0, Y: 1}, {X: 200, Y: 0}}
	line, peak := sparkline(points, 0, 100, 6, 1)
	if want := "██" + string(sparkZero); line != want {
		t.Errorf("sparkline = %q, want %q", line, want)
	}
	if peak != 1 {
		t.Errorf("peak = %v, want 1", peak)
	}
}

func TestSystemOrder(t *testing.T) {
	run := mustRun(t)
	run.Settings.Systems = []string{"zeta", "hybrid", "alpha", "jwt"}
	got := systems(run)
	want := []string{"sessions-sticky", "sessions-redis", "jwt", "jwt-denylist", "hybrid", "alpha", "zeta"}
	if len(got) != len(want) {
		t.Fatalf("systems = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("systems[%d] = %q, want %q", i, got[i], want[i])
		}
	}
}
