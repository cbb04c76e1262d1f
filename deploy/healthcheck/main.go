// Command healthcheck is the Docker HEALTHCHECK of the app images: it exits
// 0 when GET http://127.0.0.1:8080/healthz returns 200 within 2 seconds, and
// 1 otherwise. The runtime image has no shell, curl or wget, so the check is
// a static binary of its own. The first argument, when given, replaces the
// URL.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"
)

const defaultURL = "http://127.0.0.1:8080/healthz"

func main() {
	url := defaultURL
	if len(os.Args) > 1 {
		url = os.Args[1]
	}
	if err := check(url); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		os.Exit(1)
	}
}

func check(url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %s, want 200", url, resp.Status)
	}
	return nil
}
