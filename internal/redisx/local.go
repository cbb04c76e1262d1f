package redisx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// Kinds of local Redis reported by Local.Kind.
const (
	KindExternal = "external"
	KindServer   = "redis-server"
	KindEmbedded = "miniredis"
)

// Local is a Redis run by this process: redis-server as a child process or
// an embedded miniredis. Stop and Start keep the same address, so clients
// reconnect on their own after an outage. It is safe for concurrent use.
type Local struct {
	kind    string
	version string
	addr    string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	mini *miniredis.Miniredis
}

// StartLocal starts redis-server from PATH on a free loopback port, or
// miniredis when redis-server is not installed or preferEmbedded is true.
func StartLocal(preferEmbedded bool) (*Local, error) {
	path, err := exec.LookPath("redis-server")
	if preferEmbedded || err != nil {
		l := &Local{kind: KindEmbedded, version: "miniredis v2"}
		return l, l.startMini()
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	l := &Local{kind: KindServer, addr: addr, version: serverVersion(path)}
	return l, l.Start()
}

// Kind returns KindServer or KindEmbedded.
func (l *Local) Kind() string { return l.kind }

// Version returns the server's version as reported by redis-server -v.
func (l *Local) Version() string { return l.version }

// Addr returns host:port.
func (l *Local) Addr() string { return l.addr }

// URL returns the redis:// URL of database 0.
func (l *Local) URL() string { return "redis://" + l.addr + "/0" }

// Start starts the server again after Stop, on the same address. It returns
// once the server accepts connections.
func (l *Local) Start() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kind == KindEmbedded {
		return l.startMiniLocked()
	}
	if l.cmd != nil {
		return nil
	}
	_, port, _ := net.SplitHostPort(l.addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no",
		"--loglevel", "warning", "--dir", os.TempDir())
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	if err := waitListening(l.addr, done, 5*time.Second); err != nil {
		_ = cmd.Process.Kill()
		<-done
		return err
	}
	l.cmd, l.done = cmd, done
	return nil
}

// Stop stops the server abruptly (SIGKILL for redis-server), as an outage
// would. Data is lost; Start brings up an empty server.
func (l *Local) Stop() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kind == KindEmbedded {
		if l.mini != nil {
			l.mini.Close()
			l.mini = nil
		}
		return nil
	}
	if l.cmd == nil {
		return nil
	}
	err := l.cmd.Process.Kill()
	<-l.done
	l.cmd, l.done = nil, nil
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop redis-server: %w", err)
	}
	return nil
}

func (l *Local) startMini() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.startMiniLocked()
}

func (l *Local) startMiniLocked() error {
	if l.mini != nil {
		return nil
	}
	m := miniredis.NewMiniRedis()
	// Without ClockTTL, miniredis expires keys only when a test moves its
	// clock, and the apps rely on key TTLs for session timeouts.
	m.ClockTTL(true)
	addr := l.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := m.StartAddr(addr); err != nil {
		return fmt.Errorf("start miniredis on %s: %w", addr, err)
	}
	l.mini, l.addr = m, m.Addr()
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited before listening on %s", addr)
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			conn.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("redis-server did not listen on %s within %v", addr, timeout)
}

func serverVersion(path string) string {
	out, err := exec.CommandContext(context.Background(), path, "--version").Output()
	if err != nil {
		return "unknown"
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		for _, f := range strings.Fields(sc.Text()) {
			if v, ok := strings.CutPrefix(f, "v="); ok {
				return v
			}
		}
	}
	return "unknown"
}
