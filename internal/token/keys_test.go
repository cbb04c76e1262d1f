package token

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authlab/authlab/internal/config"
)

func TestGenerateKeyFile(t *testing.T) {
	for _, alg := range []string{AlgEdDSA, AlgES256, AlgRS256} {
		t.Run(alg, func(t *testing.T) {
			path := mustKeyFile(t, alg)
			info, err := os.Stat(path)
			if err != nil {
				t.Fatalf("stat key file: %v", err)
			}
			if mode := info.Mode().Perm(); mode != 0o600 {
				t.Errorf("mode = %o, want 600", mode)
			}
			first, err := loadKeyFile(alg, path)
			if err != nil {
				t.Fatalf("load generated key: %v", err)
			}

			if err := GenerateKeyFile(alg, path); err != nil {
				t.Fatalf("GenerateKeyFile over an existing file: %v", err)
			}
			second, err := loadKeyFile(alg, path)
			if err != nil {
				t.Fatalf("load regenerated key: %v", err)
			}
			if first.kid == second.kid {
				t.Errorf("regenerated key has the old kid %q", first.kid)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("folder holds %d files after two writes, want 1 (no temporary file left)", len(entries))
			}
		})
	}
}

func TestGenerateKeyFileRejectsHS256(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jwt.pem")
	if err := GenerateKeyFile(AlgHS256, path); err == nil {
		t.Fatal("GenerateKeyFile(HS256) succeeded, want an error naming JWT_SECRET")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("stat after failed GenerateKeyFile: %v, want no file", err)
	}
}

// TestLoadLegacyPEM checks the SEC 1 and PKCS#1 encodings that openssl
// writes by default.
func TestLoadLegacyPEM(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), nil)
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	rsaKey, _ := rsa.GenerateKey(nil, 2048)
	tests := []struct {
		name, alg, blockType string
		der                  []byte
	}{
		{"sec1 ec", AlgES256, "EC PRIVATE KEY", ecDER},
		{"pkcs1 rsa", AlgRS256, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := pem.EncodeToMemory(&pem.Block{Type: tc.blockType, Bytes: tc.der})
			if _, err := parsePrivateKey(tc.alg, data); err != nil {
				t.Errorf("parse %s: %v", tc.blockType, err)
			}
		})
	}
}

func TestParsePrivateKeyRejects(t *testing.T) {
	edPath := mustKeyFile(t, AlgEdDSA)
	edPEM, _ := os.ReadFile(edPath)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), nil)
	p384DER, _ := x509.MarshalPKCS8PrivateKey(p384)
	smallRSA, _ := rsa.GenerateKey(nil, 1024)
	tests := []struct {
		name, alg string
		data      []byte
		want      string
	}{
		{"not PEM", AlgEdDSA, []byte("hello"), "no PEM block"},
		{"public key block", AlgEdDSA, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), "unsupported PEM block"},
		{"corrupt DER", AlgEdDSA, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), "parse PRIVATE KEY"},
		{"Ed25519 key for ES256", AlgES256, edPEM, "does not fit JWT_ALG=ES256"},
		{"P-384 key for ES256", AlgES256, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p384DER}), "does not fit"},
		{"1024-bit RSA", AlgRS256, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(smallRSA)}), "want at least 2048"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePrivateKey(tc.alg, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestNewManagerRejectsMissingKeyFile(t *testing.T) {
	cfg := Config{Alg: AlgEdDSA, KeyFile: filepath.Join(t.TempDir(), "absent.pem"), TTL: time.Minute}
	if _, err := NewManager(cfg, discard()); err == nil || !strings.Contains(err.Error(), "JWT_PRIVATE_KEY_FILE") {
		t.Errorf("error = %v, want one naming JWT_PRIVATE_KEY_FILE", err)
	}
}

func TestLoadConfig(t *testing.T) {
	env := config.New(func(string) string { return "" })
	cfg := LoadConfig(env, 24*time.Hour)
	if err := env.Err(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if cfg.Alg != AlgEdDSA || cfg.Issuer != DefaultIssuer || cfg.Audience != DefaultAudience {
		t.Errorf("defaults = alg %q iss %q aud %q", cfg.Alg, cfg.Issuer, cfg.Audience)
	}
	if cfg.TTL != 24*time.Hour || cfg.Leeway != DefaultLeeway {
		t.Errorf("defaults = TTL %v leeway %v, want 24h and %v", cfg.TTL, cfg.Leeway, DefaultLeeway)
	}
}

func TestLoadConfigRejects(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want string
	}{
		{"unknown alg", map[string]string{"JWT_ALG": "PS256"}, "JWT_ALG"},
		{"HS256 without secret", map[string]string{"JWT_ALG": "HS256"}, "JWT_SECRET"},
		{"HS256 short secret", map[string]string{"JWT_ALG": "hs256", "JWT_SECRET": "short"}, "at least 32 bytes"},
		{"short previous secret", map[string]string{"JWT_ALG": "HS256", "JWT_SECRET": string(testSecret), "JWT_PREVIOUS_SECRET": "x"}, "JWT_PREVIOUS_SECRET"},
		{"zero TTL", map[string]string{"ACCESS_TTL": "0s"}, "ACCESS_TTL"},
		{"TTL under a second", map[string]string{"ACCESS_TTL": "500ms", "JWT_LEEWAY": "0s"}, "want at least 1s"},
		{"leeway not below TTL", map[string]string{"ACCESS_TTL": "1m", "JWT_LEEWAY": "1m"}, "JWT_LEEWAY"},
		{"bad leeway", map[string]string{"JWT_LEEWAY": "soon"}, "JWT_LEEWAY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := config.New(func(k string) string { return tc.vars[k] })
			LoadConfig(env, time.Hour)
			if err := env.Err(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// jwkPublicKey decodes a published JWK back into a Go public key.
func jwkPublicKey(tb testing.TB, k JWK) any {
	tb.Helper()
	decode := func(s string) []byte {
		b, err := b64.DecodeString(s)
		if err != nil {
			tb.Fatalf("decode JWK member: %v", err)
		}
		return b
	}
	switch k.Kty {
	case "OKP":
		return ed25519.PublicKey(decode(k.X))
	case "EC":
		point := append([]byte{4}, append(decode(k.X), decode(k.Y)...)...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			tb.Fatalf("parse EC JWK: %v", err)
		}
		return pub
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(decode(k.N)), E: int(new(big.Int).SetBytes(decode(k.E)).Int64())}
	}
	tb.Fatalf("unknown kty %q", k.Kty)
	return nil
}
