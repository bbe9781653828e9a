package partner

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// signingKeyBits is the size of Northwind's RSA key (RS256).
const signingKeyBits = 2048

// LoadOrCreateSigningKey returns the PEM (PKCS#8) RSA private key in path,
// first creating it, readable by its owner only, when the file does not
// exist. The public key goes to Oriel (PublicKeyPEM); the private key
// never leaves Northwind's backend.
func LoadOrCreateSigningKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	priv, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	key = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return key, f.Close()
}

// PublicKeyPEM returns the public key (SPKI PEM) of a PEM private key from
// LoadOrCreateSigningKey, as POST /v1/signing-keys takes it.
func PublicKeyPEM(privateKeyPEM []byte) (string, error) {
	block, _ := pem.Decode(privateKeyPEM)
	if block == nil || block.Type != "PRIVATE KEY" {
		return "", errors.New("partner: the signing key is not a PEM PRIVATE KEY")
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", fmt.Errorf("partner: the signing key: %w", err)
	}
	signer, ok := priv.(*rsa.PrivateKey)
	if !ok {
		return "", errors.New("partner: the signing key is not an RSA key")
	}
	der, err := x509.MarshalPKIXPublicKey(&signer.PublicKey)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
