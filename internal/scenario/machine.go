package scenario

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/authlab/authlab/internal/results"
)

// describeMachine reads the CPU model from /proc/cpuinfo where there is one.
func describeMachine() results.Machine {
	m := results.Machine{CPU: "unknown", Cores: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			m.CPU = strings.TrimSpace(value)
			break
		}
	}
	return m
}

// versionedModules are the dependencies whose versions the report states.
var versionedModules = map[string]string{
	"github.com/caddyserver/caddy/v2":         "caddy",
	"github.com/labstack/echo/v4":             "echo",
	"github.com/alexedwards/scs/v2":           "scs",
	"github.com/golang-jwt/jwt/v5":            "golang-jwt",
	"github.com/redis/go-redis/v9":            "go-redis",
	"github.com/alicebob/miniredis/v2":        "miniredis",
	"github.com/HdrHistogram/hdrhistogram-go": "hdrhistogram-go",
}

// describeVersions returns the Go version, the lab's own revision when the
// binary was built from a checkout, and the versions of the main modules.
func describeVersions() results.Versions {
	v := results.Versions{"go": runtime.Version()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v["authlab"] = s.Value[:12]
		}
	}
	for _, dep := range info.Deps {
		if name, ok := versionedModules[dep.Path]; ok {
			v[name] = dep.Version
		}
	}
	return v
}
