// Package config reads the apps' settings from environment variables.
//
// Every setting has a default, so an app starts with no variables set. A
// value that is present but invalid is an error: the apps refuse to start
// rather than run with a setting the operator did not mean.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Env reads typed values from an environment and collects every invalid one,
// so that a start-up error lists all of them at once. It is not safe for
// concurrent use.
type Env struct {
	getenv func(string) string
	errs   []error
}

// New returns an Env that reads variables through getenv (os.Getenv in the
// mains, a map in tests).
func New(getenv func(string) string) *Env {
	return &Env{getenv: getenv}
}

// Lookup returns the trimmed value of key, or "" when it is unset.
func (e *Env) Lookup(key string) string {
	return strings.TrimSpace(e.getenv(key))
}

// String returns the value of key, or def when it is unset or empty.
func (e *Env) String(key, def string) string {
	if v := e.Lookup(key); v != "" {
		return v
	}
	return def
}

// Int returns the integer value of key, or def when it is unset.
func (e *Env) Int(key string, def int) int {
	v := e.Lookup(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.fail(key, v, "an integer")
		return def
	}
	return n
}

// Duration returns the value of key as a Go duration ("10m", "30s"), or def
// when it is unset.
func (e *Env) Duration(key string, def time.Duration) time.Duration {
	v := e.Lookup(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		e.fail(key, v, `a non-negative duration such as "30s" or "10m"`)
		return def
	}
	return d
}

// Bool returns the value of key as a boolean ("true", "false", "on", "off",
// "1", "0"), or def when it is unset.
func (e *Env) Bool(key string, def bool) bool {
	v := strings.ToLower(e.Lookup(key))
	switch v {
	case "":
		return def
	case "1", "true", "on", "yes":
		return true
	case "0", "false", "off", "no":
		return false
	}
	e.fail(key, v, "true or false")
	return def
}

// OneOf returns the value of key when it is one of allowed, def when it is
// unset, and records an error otherwise.
func (e *Env) OneOf(key, def string, allowed ...string) string {
	v := e.Lookup(key)
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	e.fail(key, v, "one of "+strings.Join(allowed, ", "))
	return def
}

// Errorf records an error about a setting that the caller validated itself.
func (e *Env) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Errorf(format, args...))
}

// Err returns every invalid setting seen so far, joined, or nil.
func (e *Env) Err() error {
	return errors.Join(e.errs...)
}

func (e *Env) fail(key, value, want string) {
	e.Errorf("invalid %s=%q: want %s", key, value, want)
}
