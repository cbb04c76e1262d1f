package config

import (
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) *Env {
	return New(func(k string) string { return m[k] })
}

func TestEnvDefaults(t *testing.T) {
	e := envOf(nil)
	if got := e.String("A", "x"); got != "x" {
		t.Errorf("String = %q, want x", got)
	}
	if got := e.Int("A", 3); got != 3 {
		t.Errorf("Int = %d, want 3", got)
	}
	if got := e.Duration("A", time.Second); got != time.Second {
		t.Errorf("Duration = %v, want 1s", got)
	}
	if got := e.Bool("A", true); !got {
		t.Errorf("Bool = false, want true")
	}
	if err := e.Err(); err != nil {
		t.Errorf("Err = %v, want nil", err)
	}
}

func TestEnvInvalidValues(t *testing.T) {
	e := envOf(map[string]string{"N": "ten", "D": "5 minutes", "B": "maybe", "O": "rs512"})
	e.Int("N", 1)
	e.Duration("D", 0)
	e.Bool("B", false)
	e.OneOf("O", "EdDSA", "EdDSA", "RS256")
	err := e.Err()
	if err == nil {
		t.Fatal("Err = nil, want every invalid variable")
	}
	for _, key := range []string{"N=", "D=", "B=", "O="} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
}

func TestEnvOneOfFoldsCase(t *testing.T) {
	e := envOf(map[string]string{"ALG": "eddsa"})
	if got := e.OneOf("ALG", "RS256", "EdDSA", "RS256"); got != "EdDSA" {
		t.Errorf("OneOf = %q, want EdDSA", got)
	}
}
