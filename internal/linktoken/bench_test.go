package linktoken_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/linktoken"
)

// BenchmarkRS256Verify is the floor: the bare crypto/rsa check of one
// RS256 signature, hashing included.
func BenchmarkRS256Verify(b *testing.B) {
	k := keysFor(b)
	raw := k.rsa.Token(b, sub, time.Now())
	h, p, s := segments(raw)
	input := []byte(h + "." + p)
	sig := mustDecode(b, s)
	pub := k.rsa.Key.Key.(*rsa.PublicKey)
	verify := func() {
		digest := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
	runBoth(b, verify)
}

// BenchmarkParseVerify is what the server pays per token in this package:
// Parse, Verify against two keys (kid selects one) and CheckTime.
func BenchmarkParseVerify(b *testing.B) {
	k := keysFor(b)
	now := time.Now()
	raw := k.rsa.Token(b, sub, now)
	candidates := []linktoken.Key{k.rsaOther.Key, k.rsa.Key}
	runBoth(b, func() {
		if _, err := open(raw, candidates, now); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkParse isolates the parsing share of BenchmarkParseVerify.
func BenchmarkParse(b *testing.B) {
	k := keysFor(b)
	raw := k.rsa.Token(b, sub, time.Now())
	runBoth(b, func() {
		if _, err := linktoken.Parse(raw); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkParseDotFlood is the cost of refusing a megabyte of dots
// (catalogue A13), which TestParseDotFloodIsCheap bounds in allocations.
func BenchmarkParseDotFlood(b *testing.B) {
	raw := strings.Repeat(".", 1<<20)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = linktoken.Parse(raw)
	}
}

// runBoth runs op as a sequential and a parallel sub-benchmark.
func runBoth(b *testing.B, op func()) {
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			op()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op()
			}
		})
	})
}

func mustDecode(b *testing.B, seg string) []byte {
	b.Helper()
	sig, err := decodeSegment(seg)
	if err != nil {
		b.Fatal(err)
	}
	return sig
}
