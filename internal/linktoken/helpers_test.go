package linktoken_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// Test values carry the marker "ZQ" so a test can prove that no error
// message repeats a claim.
const (
	vendorID = "vnd_ZQv"
	sub      = vendorID + ":cus_ZQc:usr_ZQu"
	marker   = "ZQ"
)

// fixture holds keys that are slow to generate, made once per test binary.
type fixture struct {
	rsa, rsaOther, ec, ed *linktokentest.Key
}

var (
	fixtureOnce sync.Once
	fixtures    fixture
)

func keysFor(t testing.TB) fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtures = fixture{
			rsa:      linktokentest.NewKey(t, keys.RS256, "k1"),
			rsaOther: linktokentest.NewKey(t, keys.RS256, "k2"),
			ec:       linktokentest.NewKey(t, keys.ES256, "e1"),
			ed:       linktokentest.NewKey(t, keys.EdDSA, "d1"),
		}
	})
	if fixtures.rsa == nil {
		t.Fatal("key generation failed in an earlier test")
	}
	return fixtures
}

// open runs the whole pure pipeline at now.
func open(raw string, candidates []linktoken.Key, now time.Time) (*linktoken.Token, error) {
	tok, err := linktoken.Parse(raw)
	if err != nil {
		return nil, err
	}
	if _, err := tok.Verify(candidates); err != nil {
		return nil, err
	}
	return tok, tok.CheckTime(now, 0, 0)
}

// statusKinds maps each code to the kind (and so HTTP status) it must have.
var statusKinds = map[string]string{
	linktoken.CodeMissing:          oriel.EINVALID,
	linktoken.CodeTooLarge:         oriel.EINVALID,
	linktoken.CodeMalformed:        oriel.EINVALID,
	linktoken.CodeSubMalformed:     oriel.EINVALID,
	linktoken.CodeIATMissing:       oriel.EINVALID,
	linktoken.CodeClaimMalformed:   oriel.EINVALID,
	linktoken.CodeJTIMissing:       oriel.EINVALID,
	linktoken.CodeJTIMalformed:     oriel.EINVALID,
	linktoken.CodeOriginMalformed:  oriel.EINVALID,
	linktoken.CodeAlgNotAllowed:    oriel.EUNAUTHORIZED,
	linktoken.CodeHeaderNotAllowed: oriel.EUNAUTHORIZED,
	linktoken.CodeCritUnsupported:  oriel.EUNAUTHORIZED,
	linktoken.CodeTypNotAllowed:    oriel.EUNAUTHORIZED,
	linktoken.CodeAudNotAllowed:    oriel.EUNAUTHORIZED,
	linktoken.CodeUnknownKey:       oriel.EUNAUTHORIZED,
	linktoken.CodeSignatureInvalid: oriel.EUNAUTHORIZED,
	linktoken.CodeExpired:          oriel.EUNAUTHORIZED,
	linktoken.CodeNotYetValid:      oriel.EUNAUTHORIZED,
	linktoken.CodeIATInFuture:      oriel.EUNAUTHORIZED,
	linktoken.CodeTooOld:           oriel.EUNAUTHORIZED,
}

// wantCode fails unless err is an *oriel.Error with code and the code's
// kind, whose message quotes neither the token nor a marked claim.
func wantCode(t *testing.T, raw string, err error, code string) {
	t.Helper()
	var e *oriel.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *oriel.Error with code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%s), want %s", e.Code, e.Message, code)
	}
	if want := statusKinds[code]; e.Kind != want {
		t.Errorf("kind of %s = %s, want %s", code, e.Kind, want)
	}
	if strings.Contains(e.Message, marker) {
		t.Errorf("message quotes a claim: %q", e.Message)
	}
	for seg := range strings.SplitSeq(raw, ".") {
		if len(seg) >= 8 && strings.Contains(e.Message, seg) {
			t.Errorf("message quotes the token: %q", e.Message)
		}
	}
}

// decodeSegment decodes one base64url segment of a token.
func decodeSegment(seg string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(seg) }
