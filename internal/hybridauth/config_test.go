package hybridauth

import (
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/config"
)

func TestLoadConfigDefaults(t *testing.T) {
	env := config.New(func(string) string { return "" })
	c := LoadConfig(env, "hybrid")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if c.RedisPrefix != "authlab:hybrid:" {
		t.Errorf("RedisPrefix %q, want authlab:hybrid:", c.RedisPrefix)
	}
	if c.RefreshTTL != 14*24*time.Hour {
		t.Errorf("RefreshTTL %v, want 336h", c.RefreshTTL)
	}
	if c.ReuseInterval != 10*time.Second {
		t.Errorf("ReuseInterval %v, want 10s", c.ReuseInterval)
	}
	if c.RedisURL != "redis://127.0.0.1:6379/0" {
		t.Errorf("RedisURL %q, want redis://127.0.0.1:6379/0", c.RedisURL)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"refresh TTL not a duration", map[string]string{"REFRESH_TTL": "14d"}, "REFRESH_TTL"},
		{"refresh TTL zero", map[string]string{"REFRESH_TTL": "0s"}, "REFRESH_TTL"},
		{"refresh TTL under a millisecond", map[string]string{"REFRESH_TTL": "500us", "REFRESH_REUSE_INTERVAL": "0s"}, "REFRESH_TTL"},
		{"interval negative", map[string]string{"REFRESH_REUSE_INTERVAL": "-1s"}, "REFRESH_REUSE_INTERVAL"},
		{"interval under a millisecond", map[string]string{"REFRESH_REUSE_INTERVAL": "10us"}, "REFRESH_REUSE_INTERVAL"},
		{"interval as long as the TTL", map[string]string{"REFRESH_TTL": "10s", "REFRESH_REUSE_INTERVAL": "10s"}, "REFRESH_REUSE_INTERVAL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := config.New(func(k string) string { return tc.env[k] })
			LoadConfig(env, "hybrid")
			err := env.Err()
			if err == nil {
				t.Fatal("LoadConfig recorded no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name %s", err, tc.want)
			}
		})
	}
}
