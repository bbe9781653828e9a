package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/store"
)

// CodeLinkOtherVendor is the refusal of inspecting a token whose sub names
// another vendor than the one asking (documented in docs/errors.md).
const CodeLinkOtherVendor = "link_other_vendor"

var errLinkOtherVendor = oriel.Errorf(oriel.EFORBIDDEN, CodeLinkOtherVendor,
	"the token's sub names another vendor; inspect it with that vendor's API key, or fix the vendor id in sub")

// Check results of an Inspection.
const (
	ResultPass   = "pass"
	ResultFail   = "fail"
	ResultNotRun = "not_run" // an earlier check failed
)

// Inspection is what Inspect found out about a link: the token decoded, the
// vendor's keys and the one that verified it, and every check in order.
type Inspection struct {
	// Header and Claims are the token's decoded header and claims when they
	// are JSON, whether or not the token is valid; nil otherwise.
	Header json.RawMessage `json:"header"`
	Claims json.RawMessage `json:"claims"`
	// Keys are the signing keys of the vendor in sub, newest first, as the
	// signature check saw them; MatchedKey is the one that verified the
	// signature, or nil, and then KeyError says why none did ("" when the
	// signature was not checked).
	Keys       []InspectedKey `json:"keys"`
	MatchedKey *InspectedKey  `json:"matched_key"`
	KeyError   string         `json:"key_error"`
	// Checks are every check of opening the link, in order.
	Checks []CheckResult `json:"checks"`
	// Refusal is the first failed check's rejection: what opening the link
	// now would answer. It is nil when the link would open.
	Refusal *Rejection `json:"-"`

	vendorID string // "" or the only vendor whose tokens may be inspected
}

// InspectedKey is one of a vendor's signing keys, by its public facts.
type InspectedKey struct {
	KID         string `json:"kid"`
	Algorithm   string `json:"algorithm"`
	Fingerprint string `json:"fingerprint"`
}

// CheckResult is the outcome of one check.
type CheckResult struct {
	Name   string `json:"name"`
	Result string `json:"result"` // ResultPass, ResultFail or ResultNotRun
	// Code and Message are the refusal of a failed check: the stable code and
	// what to fix.
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// Inspect runs every check that opening raw as l would, in the same order and
// code, without spending the jti and without opening a session. vendorID,
// when not "", is the vendor asking: a token for another vendor fails the
// signature check with link_other_vendor before any of that vendor's data is
// read. A database failure is an ordinary failed check (503).
func (d *DirectLinks) Inspect(ctx context.Context, vendorID, raw string, l Link) *Inspection {
	in := &Inspection{vendorID: vendorID, Keys: []InspectedKey{}}
	in.Header, in.Claims = decodeUnverified(raw)
	_, err := d.open(ctx, raw, l, in)
	in.Refusal, _ = err.(*Rejection)
	names := []string{CheckToken, CheckSignature, CheckCustomer}
	if l.Embedded {
		names = append(names, CheckOrigin)
	}
	names = append(names, CheckTime, CheckUser)
	if l.Target != nil || l.Connection != "" {
		names = append(names, CheckTarget)
	}
	for _, name := range append(names, CheckSingleUse)[len(in.Checks):] {
		in.Checks = append(in.Checks, CheckResult{Name: name, Result: ResultNotRun})
	}
	return in
}

// record notes the outcome of the check name and returns err; on a nil
// Inspection it only returns err.
func (in *Inspection) record(name string, err error) error {
	if in == nil {
		return err
	}
	c := CheckResult{Name: name, Result: ResultPass}
	if err != nil {
		c.Result = ResultFail
		e := reject(err, nil, "").Err
		c.Code, c.Message = e.Code, e.Message
	}
	in.Checks = append(in.Checks, c)
	return err
}

// allows refuses a token of another vendor than the inspecting one.
func (in *Inspection) allows(tok *linktoken.Token) error {
	if in != nil && in.vendorID != "" && tok.VendorID() != in.vendorID {
		return errLinkOtherVendor
	}
	return nil
}

// noteKeys notes the candidate keys and the outcome of Verify.
func (in *Inspection) noteKeys(candidates []linktoken.Key, matched linktoken.Key, err error) {
	if in == nil {
		return
	}
	for _, k := range candidates {
		if k.PublicKey != nil {
			in.Keys = append(in.Keys, InspectedKey{KID: k.KID, Algorithm: k.Algorithm, Fingerprint: k.Fingerprint})
		}
	}
	if err != nil {
		in.KeyError = reject(err, nil, "").Err.Message
	} else {
		in.MatchedKey = &InspectedKey{KID: matched.KID, Algorithm: matched.Algorithm, Fingerprint: matched.Fingerprint}
	}
}

// singleUse is the last check without its write: the jti must not be
// recorded yet. It returns the rejection opening the link would answer.
func (in *Inspection) singleUse(ctx context.Context, s store.Store, tok *linktoken.Token, parent string) error {
	used, err := s.JTIUsed(ctx, tok.VendorID(), tok.JTI())
	if err == nil && used {
		err = store.ErrJTIReplayed
	}
	if err := in.record(CheckSingleUse, err); err != nil {
		return reject(err, tok, parent)
	}
	return nil
}

// decodeUnverified returns the first two segments of a compact JWS as JSON,
// each nil when it is not base64url-encoded JSON: what the token says, to
// show the vendor who signed it, trusted for nothing.
func decodeUnverified(raw string) (header, claims json.RawMessage) {
	if len(raw) > linktoken.MaxTokenBytes {
		return nil, nil
	}
	parts := strings.Split(raw, ".")
	decode := func(i int) json.RawMessage {
		if i >= len(parts) {
			return nil
		}
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil || !json.Valid(b) {
			return nil
		}
		return b
	}
	return decode(0), decode(1)
}
