package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2"
)

// reloadLocked renders the Caddyfile for the running replicas and loads it
// into the embedded Caddy. Caddy keeps its listeners across a reload, so
// clients see no gap. The caller holds l.mu.
func (l *Lab) reloadLocked() error {
	data := caddyfileData{
		Mode:       ModeEmbedded,
		StorageDir: l.tmpDir,
		LogOutput:  caddyLogModule,
	}
	for _, sys := range Systems() {
		st := l.systems[sys.Name]
		site := caddySite{Name: sys.Name, Port: l.ports[sys.Name], Sticky: sys.Sticky}
		for _, r := range st.runningReplicas() {
			site.Upstreams = append(site.Upstreams, r.addr)
		}
		data.Sites = append(data.Sites, site)
	}
	src, err := renderCaddyfile(data)
	if err != nil {
		return err
	}
	cfg, err := adaptCaddyfile(src)
	if err != nil {
		return err
	}
	if err := caddy.Load(cfg, false); err != nil {
		return fmt.Errorf("load caddy config: %w", err)
	}
	return nil
}

// waitHealthy returns once GET /healthz answers 200 through every system's
// load balancer port, or an error naming the first URL that did not.
func (l *Lab) waitHealthy(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	defer client.CloseIdleConnections()
	for _, sys := range Systems() {
		url := l.URL(sys.Name) + "/healthz"
		if err := waitURL(ctx, client, url); err != nil {
			return err
		}
	}
	return nil
}

// waitURL polls url until it answers 200 or ctx is done.
func waitURL(ctx context.Context, client *http.Client, url string) error {
	var lastErr error
	for {
		lastErr = getOK(ctx, client, url)
		if lastErr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer 200: %w", url, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func getOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return nil
}

// resolvePorts returns the load balancer port of every system. When ports
// is nil it picks free loopback ports and keeps them bound: the caller
// closes the returned listeners just before Caddy binds the ports, so that
// no replica's ephemeral port takes one first. Otherwise it checks that
// ports names every system and that each port is free.
func resolvePorts(ports map[string]int) (map[string]int, []net.Listener, error) {
	out := map[string]int{}
	if ports == nil {
		var held []net.Listener
		for _, sys := range Systems() {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				closeAll(held)
				return nil, nil, fmt.Errorf("find a free port: %w", err)
			}
			held = append(held, ln)
			out[sys.Name] = ln.Addr().(*net.TCPAddr).Port
		}
		return out, held, nil
	}
	for _, sys := range Systems() {
		port, ok := ports[sys.Name]
		if !ok {
			return nil, nil, fmt.Errorf("invalid Options.Ports: no port for %s", sys.Name)
		}
		if err := checkPortFree(port); err != nil {
			return nil, nil, fmt.Errorf("load balancer port of %s: %w", sys.Name, err)
		}
		out[sys.Name] = port
	}
	return out, nil, nil
}

func closeAll(listeners []net.Listener) {
	for _, ln := range listeners {
		ln.Close()
	}
}

// ErrPortInUse is wrapped by Start's error when a load balancer port is
// taken.
var ErrPortInUse = errors.New("port already in use")

func checkPortFree(port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w (stop the program that listens there, "+
			"or a lab already running): %v", addr, ErrPortInUse, err)
	}
	return ln.Close()
}
