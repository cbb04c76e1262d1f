package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func newLoopbackServer(t *testing.T, status int) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckHealthy(t *testing.T) {
	srv := newLoopbackServer(t, http.StatusOK)
	if err := check(srv.URL + "/healthz"); err != nil {
		t.Errorf("check of a 200 server: %v", err)
	}
}

func TestCheckUnhealthy(t *testing.T) {
	srv := newLoopbackServer(t, http.StatusServiceUnavailable)
	if err := check(srv.URL + "/healthz"); err == nil {
		t.Error("check of a 503 server: no error")
	}
	srv.Close()
	if err := check(srv.URL + "/healthz"); err == nil {
		t.Error("check of a closed server: no error")
	}
}
