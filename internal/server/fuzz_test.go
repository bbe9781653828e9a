package server

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/orielhq/oriel"
)

// The fuzz targets feed arbitrary bytes to the decoding and validation of
// each API body. Run as plain tests they replay the committed corpus in
// testdata/fuzz; `go test -fuzz FuzzDecodeX` explores further.

func FuzzDecodeVendorUpdate(f *testing.F)      { fuzzDecode[vendorPatch](f) }
func FuzzDecodeCustomerCreate(f *testing.F)    { fuzzDecode[customerCreate](f) }
func FuzzDecodeCustomerUpdate(f *testing.F)    { fuzzDecode[customerPatch](f) }
func FuzzDecodeUserCreate(f *testing.F)        { fuzzDecode[userCreate](f) }
func FuzzDecodeUserUpdate(f *testing.F)        { fuzzDecode[userPatch](f) }
func FuzzDecodeSigningKeyCreate(f *testing.F)  { fuzzDecode[signingKeyCreate](f) }
func FuzzDecodeSigningKeyReplace(f *testing.F) { fuzzDecode[signingKeyReplace](f) }
func FuzzDecodeAPIKeyCreate(f *testing.F)      { fuzzDecode[apiKeyCreate](f) }

// fuzzDecode checks, for any input, that decoding never panics, that every
// rejection is a client error with a stable code, and that an accepted body
// is a fixed point: encoding what validation produced and decoding it again
// is accepted too.
func fuzzDecode[T any, P interface {
	*T
	body
}](f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var v T
		err := decodeJSON(data, P(&v))
		if err != nil {
			var e *oriel.Error
			if !errors.As(err, &e) || e.Code == "" || e.Message == "" {
				t.Fatalf("rejection %v is not an *oriel.Error with a code and a message", err)
			}
			if status := statusOfKind[e.Kind]; status < 400 || status >= 500 {
				t.Fatalf("rejection %v answers %d, not a client error", err, status)
			}
			return
		}
		again, err := json.Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		var w T
		if err := decodeJSON(again, P(&w)); err != nil {
			t.Fatalf("accepted %q, but its normal form %s is rejected: %v", data, again, err)
		}
	})
}
