package redisx

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
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

// freeAddr returns a free loopback address whose port lies below the
// kernel's ephemeral range. Redis is stopped and started again on the same
// port, and clients keep dialing that port while it is down. With a port in
// the ephemeral range, one of those dials can get the same port as its own
// source port and connect to itself, and redis-server then can't bind it.
func freeAddr() (string, error) {
	low := ephemeralLow()
	for range 200 {
		port := 10000 + rand.IntN(max(low-10000, 1))
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr, nil
	}
	return "", fmt.Errorf("find a free port from 10000 to %d on 127.0.0.1: all tried were in use", low)
}

// ephemeralLow returns the first port of the kernel's ephemeral range, or
// 32768 (Linux's default) when it can't be read.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 32768
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= 10001 {
		return 32768
	}
	return low
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
