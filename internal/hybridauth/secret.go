package hybridauth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// tokenBytes is the size of a refresh token and of a family id before
// base64url encoding: 256 random bits for the token, so it can't be guessed,
// and the same for the id, which costs nothing.
const tokenBytes = 32

// rawTokenLen is the length of an encoded refresh token.
var rawTokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// successorInfo is the HKDF info string of the key that seals a successor
// token. It keeps that key apart from the token's SHA-256 hash, which Redis
// stores.
const successorInfo = "authlab hybrid refresh successor v1"

// newSecret returns tokenBytes random bytes from crypto/rand, base64url
// encoded without padding.
func newSecret() string {
	b := make([]byte, tokenBytes)
	// crypto/rand.Read never returns an error: it crashes the program when
	// the system's random source fails.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken returns the bytes of a raw refresh token, or ErrInvalidRefresh
// when it is not tokenBytes of base64url.
func decodeToken(raw string) ([]byte, error) {
	if len(raw) != rawTokenLen {
		return nil, ErrInvalidRefresh
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(raw)
	if err != nil || len(b) != tokenBytes {
		return nil, ErrInvalidRefresh
	}
	return b, nil
}

// hashToken returns the SHA-256 hash of the token bytes, base64url encoded.
// Redis stores only this value, so a copy of Redis gives no usable token.
func hashToken(token []byte) string {
	sum := sha256.Sum256(token)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// successorAEAD returns AES-256-GCM keyed by HKDF-SHA256 of the presented
// token, so only a holder of that token can open what it seals.
func successorAEAD(token []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, token, nil, successorInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("derive successor key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("create successor cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// sealSuccessor encrypts the raw successor with a key derived from token.
// The token's hash is the additional data, so a sealed value moved to
// another token's record does not open.
func sealSuccessor(token []byte, successor string) (string, error) {
	aead, err := successorAEAD(token)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(successor), []byte(hashToken(token)))
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// openSuccessor decrypts what sealSuccessor returned for the same token.
func openSuccessor(token []byte, sealed string) (string, error) {
	aead, err := successorAEAD(token)
	if err != nil {
		return "", err
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize() {
		return "", fmt.Errorf("decode sealed successor: malformed value")
	}
	nonce, ciphertext := b[:aead.NonceSize()], b[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, ciphertext, []byte(hashToken(token)))
	if err != nil {
		return "", fmt.Errorf("open sealed successor: %w", err)
	}
	return string(plain), nil
}
