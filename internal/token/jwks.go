package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// JWKS is a JSON Web Key Set (RFC 7517, section 5), the body of
// /.well-known/jwks.json.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// JWK is one public key (RFC 7517). Which of Crv, X, Y, N and E are set
// depends on Kty: OKP (Ed25519) has Crv and X, EC has Crv, X and Y, RSA has
// N and E. Binary values are base64url without padding.
type JWK struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

var b64 = base64.RawURLEncoding

// publicJWK returns the JWK of pub without kid, alg and use.
func publicJWK(pub crypto.PublicKey) (JWK, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(k)}, nil
	case *ecdsa.PublicKey:
		ecdhKey, err := k.ECDH()
		if err != nil {
			return JWK{}, fmt.Errorf("encode EC public key: %w", err)
		}
		// Bytes is the uncompressed point 0x04 || X || Y, each 32 bytes
		// for P-256.
		point := ecdhKey.Bytes()
		size := (len(point) - 1) / 2
		return JWK{Kty: "EC", Crv: k.Curve.Params().Name,
			X: b64.EncodeToString(point[1 : 1+size]), Y: b64.EncodeToString(point[1+size:])}, nil
	case *rsa.PublicKey:
		e := big.NewInt(int64(k.E)).Bytes()
		return JWK{Kty: "RSA", N: b64.EncodeToString(k.N.Bytes()), E: b64.EncodeToString(e)}, nil
	}
	return JWK{}, fmt.Errorf("unsupported public key type %T", pub)
}

// thumbprint returns the RFC 7638 thumbprint of jwk: the base64url SHA-256
// of a JSON object of the required members only, in lexicographic order,
// without whitespace.
func thumbprint(jwk JWK) string {
	var members []byte
	switch jwk.Kty {
	case "OKP":
		members, _ = json.Marshal(struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
		}{jwk.Crv, jwk.Kty, jwk.X})
	case "EC":
		members, _ = json.Marshal(struct {
			Crv string `json:"crv"`
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
		}{jwk.Crv, jwk.Kty, jwk.X, jwk.Y})
	case "RSA":
		members, _ = json.Marshal(struct {
			E   string `json:"e"`
			Kty string `json:"kty"`
			N   string `json:"n"`
		}{jwk.E, jwk.Kty, jwk.N})
	}
	sum := sha256.Sum256(members)
	return b64.EncodeToString(sum[:])
}
