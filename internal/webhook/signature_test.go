package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/webhook"
)

// The example of the Standard Webhooks reference libraries' tests ("sign
// function works"): their secret, message id, timestamp, body and signature.
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specBody      = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignKnownAnswer(t *testing.T) {
	for _, secret := range []string{specSecret, strings.TrimPrefix(specSecret, "whsec_")} {
		got, err := webhook.Sign(secret, specMsgID, time.Unix(specTimestamp, 0), []byte(specBody))
		if err != nil || got != specSignature {
			t.Fatalf("Sign(%q) = %q, %v; want %q", secret, got, err, specSignature)
		}
	}
	// Sub-second parts of the time are dropped, as the header carries seconds.
	got, _ := webhook.Sign(specSecret, specMsgID, time.Unix(specTimestamp, 999_999_999), []byte(specBody))
	if got != specSignature {
		t.Fatalf("Sign with nanoseconds = %q, want %q", got, specSignature)
	}
	for _, bad := range []string{"", "whsec_", "whsec_not base64!", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS"} {
		if _, err := webhook.Sign(bad, specMsgID, time.Unix(specTimestamp, 0), []byte(specBody)); !errors.Is(err, webhook.ErrInvalidSecret) {
			t.Errorf("Sign with secret %q: err = %v, want ErrInvalidSecret", bad, err)
		}
	}
}

// specHeader returns the headers of the spec's example, sent at sent.
func specHeader(t *testing.T, sent time.Time) http.Header {
	t.Helper()
	sig, err := webhook.Sign(specSecret, specMsgID, sent, []byte(specBody))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set(webhook.HeaderID, specMsgID)
	h.Set(webhook.HeaderTimestamp, strconv.FormatInt(sent.Unix(), 10))
	h.Set(webhook.HeaderSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	now := time.Unix(specTimestamp, 0)
	body := []byte(specBody)
	otherSecret := webhook.NewSecret()
	validSig := specHeader(t, now).Get(webhook.HeaderSignature)

	tests := []struct {
		name   string
		secret string
		edit   func(h http.Header)
		body   string
		now    time.Time
		want   error
	}{
		{name: "valid", want: nil},
		{name: "valid at the edge of the tolerance", now: now.Add(5 * time.Minute), want: nil},
		{name: "valid among other signatures", edit: func(h http.Header) {
			h.Set(webhook.HeaderSignature, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,"+strings.TrimPrefix(validSig, "v1,")+" "+validSig)
		}, want: nil},
		{name: "tampered body", body: `{"test": 2432232315}`, want: webhook.ErrNoValidSignature},
		{name: "empty body", body: "-", want: webhook.ErrNoValidSignature},
		{name: "wrong secret", secret: otherSecret, want: webhook.ErrNoValidSignature},
		{name: "old timestamp", now: now.Add(5*time.Minute + time.Second), want: webhook.ErrTimestampSkew},
		{name: "future timestamp", now: now.Add(-5*time.Minute - time.Second), want: webhook.ErrTimestampSkew},
		{name: "another id", edit: func(h http.Header) { h.Set(webhook.HeaderID, specMsgID+"x") }, want: webhook.ErrNoValidSignature},
		{name: "another timestamp", edit: func(h http.Header) { h.Set(webhook.HeaderTimestamp, "1614265331") }, want: webhook.ErrNoValidSignature},
		{name: "timestamp with a leading zero", edit: func(h http.Header) { h.Set(webhook.HeaderTimestamp, "01614265330") }, want: webhook.ErrNoValidSignature},
		{name: "timestamp not a number", edit: func(h http.Header) { h.Set(webhook.HeaderTimestamp, "1614265330.5") }, want: webhook.ErrInvalidTimestamp},
		{name: "only a v2 signature", edit: func(h http.Header) {
			h.Set(webhook.HeaderSignature, "v2,"+strings.TrimPrefix(validSig, "v1,"))
		}, want: webhook.ErrNoValidSignature},
		{name: "truncated signature", edit: func(h http.Header) { h.Set(webhook.HeaderSignature, validSig[:20]) }, want: webhook.ErrNoValidSignature},
		{name: "bare v1", edit: func(h http.Header) { h.Set(webhook.HeaderSignature, "v1,") }, want: webhook.ErrNoValidSignature},
		{name: "no id", edit: func(h http.Header) { h.Del(webhook.HeaderID) }, want: webhook.ErrMissingHeaders},
		{name: "no timestamp", edit: func(h http.Header) { h.Del(webhook.HeaderTimestamp) }, want: webhook.ErrMissingHeaders},
		{name: "no signature", edit: func(h http.Header) { h.Del(webhook.HeaderSignature) }, want: webhook.ErrMissingHeaders},
		{name: "unusable secret", secret: "whsec_!!", want: webhook.ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := specHeader(t, now)
			if tt.edit != nil {
				tt.edit(h)
			}
			secret, b, at := specSecret, body, now
			if tt.secret != "" {
				secret = tt.secret
			}
			if tt.body == "-" {
				b = nil
			} else if tt.body != "" {
				b = []byte(tt.body)
			}
			if !tt.now.IsZero() {
				at = tt.now
			}
			if err := webhook.Verify(secret, h, b, webhook.DefaultTolerance, at); !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	a, b := webhook.NewSecret(), webhook.NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("secret %q: want whsec_ and the base64 of 32 bytes (%v)", a, err)
	}
	// Deliveries signed with a new secret verify under it only.
	h := http.Header{}
	sig, err := webhook.Sign(a, "evt_1", time.Unix(specTimestamp, 0), []byte("{}"))
	if err != nil {
		t.Fatal(err)
	}
	h.Set(webhook.HeaderID, "evt_1")
	h.Set(webhook.HeaderTimestamp, strconv.Itoa(specTimestamp))
	h.Set(webhook.HeaderSignature, sig)
	now := time.Unix(specTimestamp, 0)
	if err := webhook.Verify(a, h, []byte("{}"), 0, now); err != nil {
		t.Fatalf("Verify under the signing secret: %v", err)
	}
	if err := webhook.Verify(b, h, []byte("{}"), 0, now); !errors.Is(err, webhook.ErrNoValidSignature) {
		t.Fatalf("Verify under another secret: %v", err)
	}
}
