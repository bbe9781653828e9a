package server

import (
	"encoding/json"
	"testing"
)

// tokenRequestBody is the body a vendor backend sends for each token.
const tokenRequestBody = `{"grant_type":"client_credentials","bound_entity":{"type":"user","id":"Eada","customer":"Eacme"}}`

// BenchmarkDecodeTokenRequest is the strict, one-pass decoding of a token
// request body (names exact, duplicates and invalid UTF-8 refused).
func BenchmarkDecodeTokenRequest(b *testing.B) {
	data := []byte(tokenRequestBody)
	b.ReportAllocs()
	for b.Loop() {
		var in accessTokenRequest
		if err := decodeJSON(data, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeTokenRequestLenient is the reference: encoding/json's
// lenient Decode of the same body, which checks none of that.
func BenchmarkDecodeTokenRequestLenient(b *testing.B) {
	data := []byte(tokenRequestBody)
	b.ReportAllocs()
	for b.Loop() {
		var in accessTokenRequest
		if err := json.Unmarshal(data, &in); err != nil {
			b.Fatal(err)
		}
	}
}
