package lab

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"text/template"

	"github.com/authlab/authlab/deploy"
	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	// Only the Caddy modules the lab's Caddyfile uses, to keep the build
	// small: the Caddyfile adapter, the HTTP app with the reverse proxy, file
	// storage and the JSON log encoder.
	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	_ "github.com/caddyserver/caddy/v2/modules/filestorage"
	_ "github.com/caddyserver/caddy/v2/modules/logging"
)

// Modes of a lab, returned by Target.Mode.
const (
	ModeEmbedded = "embedded"
	ModeCompose  = "compose"
)

// caddyfileData is the data of deploy/Caddyfile.tmpl.
type caddyfileData struct {
	// Mode is ModeEmbedded or ModeCompose.
	Mode string
	// Embedded is Mode == ModeEmbedded, for the template's conditions.
	Embedded bool
	// StorageDir is Caddy's storage root; empty keeps Caddy's default (the
	// container's data directory in compose).
	StorageDir string
	// LogOutput is the Caddyfile log output module and its arguments.
	LogOutput string
	Sites     []caddySite
}

// caddySite is one system's site: its port and, in embedded mode, the
// host:port of each running replica.
type caddySite struct {
	Name      string
	Port      int
	Sticky    bool
	Upstreams []string
}

var caddyfileTemplate = template.Must(template.New("Caddyfile").Parse(deploy.CaddyfileTemplate))

func renderCaddyfile(data caddyfileData) ([]byte, error) {
	data.Embedded = data.Mode == ModeEmbedded
	var buf bytes.Buffer
	if err := caddyfileTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("render Caddyfile: %w", err)
	}
	return buf.Bytes(), nil
}

// ComposeCaddyfile returns the Caddyfile that docker compose mounts into the
// lb service: every system on its port, with the replicas found through
// Docker DNS by service name.
func ComposeCaddyfile() ([]byte, error) {
	data := caddyfileData{Mode: ModeCompose, LogOutput: "stderr"}
	for _, s := range Systems() {
		data.Sites = append(data.Sites, caddySite{Name: s.Name, Port: s.Port, Sticky: s.Sticky})
	}
	return renderCaddyfile(data)
}

// adaptCaddyfile turns a Caddyfile into Caddy's JSON config. Warnings are
// returned as an error, so a template change that Caddy only half accepts
// fails the tests.
func adaptCaddyfile(src []byte) ([]byte, error) {
	adapter := caddyconfig.GetAdapter("caddyfile")
	if adapter == nil {
		return nil, fmt.Errorf("caddyfile adapter is not registered")
	}
	cfg, warnings, err := adapter.Adapt(src, map[string]any{"filename": "Caddyfile"})
	if err != nil {
		return nil, fmt.Errorf("adapt Caddyfile: %w", err)
	}
	if len(warnings) > 0 {
		w := warnings[0]
		return nil, fmt.Errorf("adapt Caddyfile: %d warnings, first at line %d: %s", len(warnings), w.Line, w.Message)
	}
	return cfg, nil
}

// caddyLogModule is the name of the Caddyfile log output that writes to the
// embedded lab's AppLog.
const caddyLogModule = "authlab"

func init() {
	caddy.RegisterModule(logWriter{})
}

// logSink is the destination of Caddy's own logs in this process. Caddy's
// logging is global, and only one embedded lab runs at a time, so one sink
// is enough.
var logSink struct {
	mu sync.Mutex
	w  io.Writer
}

func setLogSink(w io.Writer) {
	logSink.mu.Lock()
	defer logSink.mu.Unlock()
	logSink.w = w
}

// logWriter is the Caddy log writer module "authlab": it sends Caddy's log
// lines (JSON) to the running lab's AppLog, and drops them when no lab runs.
type logWriter struct{}

// CaddyModule returns the module's Caddy registration.
func (logWriter) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "caddy.logging.writers." + caddyLogModule,
		New: func() caddy.Module { return new(logWriter) },
	}
}

func (logWriter) String() string    { return "authlab lab log" }
func (logWriter) WriterKey() string { return "authlab_lab_log" }

// OpenWriter returns the writer that Caddy's loggers write to.
func (logWriter) OpenWriter() (io.WriteCloser, error) { return sinkWriter{}, nil }

// UnmarshalCaddyfile accepts "output authlab" with no arguments.
func (*logWriter) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next()
	if d.NextArg() {
		return d.ArgErr()
	}
	return nil
}

type sinkWriter struct{}

// droppedCaddyLogs are Caddy log messages that the lab's config causes on
// every reload and that carry no information about the run.
var droppedCaddyLogs = [][]byte{[]byte(`"msg":"admin endpoint disabled"`)}

func (sinkWriter) Write(p []byte) (int, error) {
	for _, msg := range droppedCaddyLogs {
		if bytes.Contains(p, msg) {
			return len(p), nil
		}
	}
	logSink.mu.Lock()
	defer logSink.mu.Unlock()
	if logSink.w == nil {
		return len(p), nil
	}
	return logSink.w.Write(p)
}

func (sinkWriter) Close() error { return nil }

var (
	_ caddy.WriterOpener    = (*logWriter)(nil)
	_ caddyfile.Unmarshaler = (*logWriter)(nil)
)
