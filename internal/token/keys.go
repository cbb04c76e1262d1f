package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golang-jwt/jwt/v5"
)

// minRSABits is the smallest RSA modulus accepted: RFC 7518, section 3.3,
// requires 2048 bits or more for RS256.
const minRSABits = 2048

// methods maps each accepted algorithm to its golang-jwt signing method.
var methods = map[string]jwt.SigningMethod{
	AlgEdDSA: jwt.SigningMethodEdDSA,
	AlgES256: jwt.SigningMethodES256,
	AlgRS256: jwt.SigningMethodRS256,
	AlgHS256: jwt.SigningMethodHS256,
}

// key is one signing key of a Manager with its kid. For HS256 both sign and
// verify are the secret and jwk is nil.
type key struct {
	kid    string
	sign   any
	verify any
	jwk    *JWK
}

// GenerateKeyFile writes a new private key for alg (EdDSA, ES256 or RS256)
// to path as PKCS#8 PEM with mode 0600. It writes a temporary file in the
// same folder and renames it, so a reader never sees a partial key, and it
// replaces an existing file. HS256 has no key file: it uses JWT_SECRET.
func GenerateKeyFile(alg, path string) error {
	signer, err := generateKey(alg)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return fmt.Errorf("encode %s key: %w", alg, err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return writeFileAtomic(path, data)
}

func generateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case AlgEdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case AlgRS256:
		return rsa.GenerateKey(rand.Reader, minRSABits)
	case AlgHS256:
		return nil, errors.New("HS256 has no key file: set JWT_SECRET instead")
	}
	return nil, fmt.Errorf("invalid algorithm %q: want EdDSA, ES256 or RS256", alg)
}

// writeFileAtomic writes data to a new 0600 file beside path, then renames
// it to path.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".jwtkey-*")
	if err != nil {
		return fmt.Errorf("create key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("set mode of key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write key file %s: %w", path, err)
	}
	return nil
}

// CheckKeyFile returns an error unless path holds a PEM private key that
// the apps can sign with under alg, the check that they make at start.
func CheckKeyFile(alg, path string) error {
	_, err := loadKeyFile(alg, path)
	return err
}

// loadKeyFile reads a PEM private key for alg from path.
func loadKeyFile(alg, path string) (key, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return key{}, fmt.Errorf("read key file: %w", err)
	}
	signer, err := parsePrivateKey(alg, data)
	if err != nil {
		return key{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return newPublicKey(alg, signer)
}

// parsePrivateKey decodes the first PEM block of data and checks that the
// key fits alg: Ed25519 for EdDSA, P-256 for ES256, RSA of at least
// minRSABits for RS256.
func parsePrivateKey(alg string, data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var parsed any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unsupported PEM block %q: want PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", block.Type, err)
	}
	return checkKeyType(alg, parsed)
}

func checkKeyType(alg string, parsed any) (crypto.Signer, error) {
	switch k := parsed.(type) {
	case ed25519.PrivateKey:
		if alg == AlgEdDSA {
			return k, nil
		}
	case *ecdsa.PrivateKey:
		if alg == AlgES256 && k.Curve == elliptic.P256() {
			return k, nil
		}
	case *rsa.PrivateKey:
		if alg == AlgRS256 && k.N.BitLen() >= minRSABits {
			return k, nil
		}
		if alg == AlgRS256 {
			return nil, fmt.Errorf("RSA key of %d bits: want at least %d", k.N.BitLen(), minRSABits)
		}
	}
	return nil, fmt.Errorf("a %T does not fit JWT_ALG=%s: want an Ed25519 key for EdDSA, P-256 for ES256, RSA for RS256", parsed, alg)
}

// newPublicKey builds the key of signer with its JWK and its kid, the
// RFC 7638 thumbprint of the JWK.
func newPublicKey(alg string, signer crypto.Signer) (key, error) {
	jwk, err := publicJWK(signer.Public())
	if err != nil {
		return key{}, err
	}
	jwk.Kid = thumbprint(jwk)
	jwk.Alg = alg
	jwk.Use = "sig"
	return key{kid: jwk.Kid, sign: signer, verify: signer.Public(), jwk: &jwk}, nil
}

// newSecretKey builds the HS256 key of secret. Its kid is an HMAC of a fixed
// label under the secret, so the kid is stable across replicas sharing the
// secret and reveals nothing about it.
func newSecretKey(secret []byte) key {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("authlab token kid"))
	kid := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
	return key{kid: kid, sign: secret, verify: secret}
}
