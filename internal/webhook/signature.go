// Package webhook sends Oriel's events to vendors' webhook endpoints, signed
// by the Standard Webhooks scheme (https://www.standardwebhooks.com), so any
// of its libraries verifies them.
//
// Each request carries three headers: webhook-id (the event id, the same on
// every attempt), webhook-timestamp (the attempt's time in Unix seconds) and
// webhook-signature ("v1," followed by the base64 HMAC-SHA256, keyed with the
// endpoint's secret, of "{webhook-id}.{webhook-timestamp}.{body}").
//
// Delivery is at least once: an event may arrive more than once (after a
// crash, a timeout or a manual retry), so receivers dedupe on webhook-id.
// Events are not delivered in order (a retried one arrives after later
// ones); their created_at orders them.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers that identify and sign a message.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// DefaultTolerance is how far a message's timestamp may be from the
// receiver's clock, either way, by the Standard Webhooks recommendation.
const DefaultTolerance = 5 * time.Minute

const (
	secretPrefix     = "whsec_"
	secretBytes      = 32 // an HMAC-SHA256 key as long as its output
	signatureVersion = "v1"
)

// Errors of Sign and Verify.
var (
	ErrInvalidSecret    = errors.New("webhook: the secret is not whsec_ followed by a base64 key")
	ErrMissingHeaders   = errors.New("webhook: the webhook-id, webhook-timestamp or webhook-signature header is missing")
	ErrInvalidTimestamp = errors.New("webhook: webhook-timestamp is not an integer number of seconds")
	ErrTimestampSkew    = errors.New("webhook: webhook-timestamp is too far from now")
	ErrNoValidSignature = errors.New("webhook: no v1 signature in webhook-signature matches")
)

// NewSecret returns a new endpoint secret: "whsec_" and the base64 of 32
// random bytes.
func NewSecret() string {
	key := make([]byte, secretBytes)
	rand.Read(key) // never fails: crypto/rand.Read panics rather than return an error
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the webhook-signature header value of the message msgID sent
// at ts with body: "v1," and the base64 of its HMAC-SHA256 under secret.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	sum := mac(key, msgID, formatUnix(ts), body)
	return signatureVersion + "," + base64.StdEncoding.EncodeToString(sum), nil
}

// Verify checks a received message as a receiver would: the three headers
// are present, webhook-timestamp is within tolerance of now (DefaultTolerance
// when tolerance is not positive), and one of the space-separated signatures
// in webhook-signature is a v1 signature of the message under secret,
// compared in constant time. Signatures of other versions are ignored.
func Verify(secret string, header http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	key, err := decodeSecret(secret)
	if err != nil {
		return err
	}
	id, timestamp, signatures := header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	if id == "" || timestamp == "" || signatures == "" {
		return ErrMissingHeaders
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrInvalidTimestamp
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if sent := time.Unix(seconds, 0); now.Sub(sent) > tolerance || sent.Sub(now) > tolerance {
		return ErrTimestampSkew
	}
	want := mac(key, id, timestamp, body)
	for _, s := range strings.Fields(signatures) {
		version, encoded, _ := strings.Cut(s, ",")
		if version != signatureVersion {
			continue
		}
		if got, err := base64.StdEncoding.DecodeString(encoded); err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoValidSignature
}

// decodeSecret returns the HMAC key of a secret. The whsec_ prefix may be
// left out, as the reference libraries allow.
func decodeSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, secretPrefix))
	if err != nil || len(key) == 0 {
		return nil, ErrInvalidSecret
	}
	return key, nil
}

// mac is the HMAC-SHA256 under key of the signed content
// "{msgID}.{timestamp}.{body}", timestamp as it appears in its header.
func mac(key []byte, msgID, timestamp string, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msgID + "." + timestamp + "."))
	h.Write(body)
	return h.Sum(nil)
}

// formatUnix writes t as the webhook-timestamp header does: Unix seconds.
func formatUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
