package linktoken_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/keys"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// A01, C04: valid tokens of every algorithm, with and without kid and user.
func TestOpenValid(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	for _, key := range []*linktokentest.Key{k.rsa, k.ec, k.ed, k.rsa.WithKID(""), k.ed.WithKID("")} {
		for _, s := range []struct{ sub, customer, user string }{
			{sub, "cus_ZQc", "usr_ZQu"},
			{vendorID + ":Eacme-42", "Eacme-42", ""},
		} {
			t.Run(key.Algorithm+"/"+key.KID+"/"+s.sub, func(t *testing.T) {
				payload := fmt.Sprintf(`{"sub":%q,"iat":%d,"jti":"ZQjti-1","origin":"https://App.Vendor.test:443","custom":{"a":[1,2]}}`, s.sub, now.Unix())
				tok, err := open(key.Sign(t, key.Header(), payload), []linktoken.Key{k.rsaOther.Key, key.Key}, now)
				if err != nil {
					t.Fatal(err)
				}
				got := [...]string{tok.Alg(), tok.KID(), tok.VendorID(), tok.CustomerRef(), tok.UserRef(), tok.JTI(), tok.Origin()}
				want := [...]string{key.Algorithm, key.KID, vendorID, s.customer, s.user, "ZQjti-1", "https://app.vendor.test"}
				if got != want {
					t.Errorf("accessors = %q, want %q", got, want)
				}
				if !tok.IssuedAt().Equal(time.Unix(now.Unix(), 0)) {
					t.Errorf("IssuedAt = %v", tok.IssuedAt())
				}
			})
		}
	}
}

// JSON that spells the same values differently is read the same way.
func TestParseJSONSpellings(t *testing.T) {
	k := keysFor(t)
	now := time.Now()
	header := " {\n\"alg\" : \"RS\\u0032\\u0035\\u0036\" , \"typ\":\"jwt\"} "
	payload := fmt.Sprintf("{ \"s\\u0075b\" : \"vnd_ZQv\\u003acus_ZQc\", \"iat\" : %d , \"jti\":\"a\\/b\" }\t", now.Unix())
	tok, err := open(k.rsa.Sign(t, header, payload), []linktoken.Key{k.rsa.Key}, now)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Alg() != keys.RS256 || tok.CustomerRef() != "cus_ZQc" || tok.JTI() != "a/b" {
		t.Errorf("got alg %s customer %s jti %s", tok.Alg(), tok.CustomerRef(), tok.JTI())
	}
}

// A02–A13: the compact serialization.
func TestParseStructure(t *testing.T) {
	k := keysFor(t)
	valid := k.rsa.Token(t, sub, time.Now())
	h, p, s := segments(valid)
	cases := []struct{ name, raw, code string }{
		{"A02 empty", "", linktoken.CodeMissing},
		{"A03 two segments", h + "." + p, linktoken.CodeMalformed},
		{"A03 one segment", h, linktoken.CodeMalformed},
		{"A03 four segments", valid + ".x", linktoken.CodeMalformed},
		{"A03 JWE shape", h + "." + p + ".a.b." + s, linktoken.CodeMalformed},
		{"A04 empty payload", h + ".." + s, linktoken.CodeMalformed},
		{"A04 empty header", "." + p + "." + s, linktoken.CodeMalformed},
		{"A04 empty signature", h + "." + p + ".", linktoken.CodeSignatureInvalid},
		{"A04 only dots", "..", linktoken.CodeMalformed},
		{"A05 Bearer prefix", "Bearer " + valid, linktoken.CodeMalformed},
		{"A05 leading space", " " + valid, linktoken.CodeMalformed},
		{"A05 trailing newline", valid + "\n", linktoken.CodeMalformed},
		{"A05 line break inside", h + "." + p[:10] + "\n" + p[10:] + "." + s, linktoken.CodeMalformed},
		{"A05 percent-encoded space", h + "%20." + p + "." + s, linktoken.CodeMalformed},
		{"A06 padding", h + "==." + p + "." + s, linktoken.CodeMalformed},
		{"A06 plus", h + "." + p + "." + s[:5] + "+" + s[6:], linktoken.CodeMalformed},
		{"A06 slash", h + "." + p + "." + s[:5] + "/" + s[6:], linktoken.CodeMalformed},
		{"A06 standard alphabet header", base64.StdEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"??>"}`)) + "." + p + "." + s, linktoken.CodeMalformed},
		{"A07 signature trailing bits", h + "." + p + "." + flipLastBit(s), linktoken.CodeMalformed},
		{"A07 header trailing bits", flipLastBit(h) + "." + p + "." + s, linktoken.CodeMalformed},
		{"A07 payload trailing bits", h + "." + flipLastBit(p) + "." + s, linktoken.CodeMalformed},
		{"A07 impossible length", h + "." + p + "." + impossibleLength(s), linktoken.CodeMalformed},
		{"A09 JSON serialization", `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","signature":"` + s + `"}]}`, linktoken.CodeMalformed},
		{"A09 polyglot", valid + `{"payload":"x"}`, linktoken.CodeMalformed},
		{"A12 one byte over", strings.Repeat("a", linktoken.MaxTokenBytes+1), linktoken.CodeTooLarge},
		{"A12 at the limit", strings.Repeat("a", linktoken.MaxTokenBytes), linktoken.CodeMalformed},
		{"A13 dot flood", strings.Repeat(".", 1<<20), linktoken.CodeTooLarge},
		{"A13 dots under the limit", strings.Repeat(".", linktoken.MaxTokenBytes), linktoken.CodeMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := linktoken.Parse(c.raw)
			wantCode(t, c.raw, err, c.code)
		})
	}
}

// A13: a flood of dots costs no allocation beyond the error: it is refused
// before any work proportional to its length is kept. (Its time is measured
// by BenchmarkParseDotFlood, never asserted.)
func TestParseDotFloodIsCheap(t *testing.T) {
	for _, n := range []int{linktoken.MaxTokenBytes, 1 << 20} {
		raw := strings.Repeat(".", n)
		allocs := testing.AllocsPerRun(20, func() { _, _ = linktoken.Parse(raw) })
		if allocs > 3 {
			t.Errorf("%d dots: %.0f allocations, want at most 3 (the error)", n, allocs)
		}
	}
}

// A08, A10, A11, A15 and the header policy (B01, B03, B04 in part, B05–B09, B11, C25).
func TestParseHeader(t *testing.T) {
	k := keysFor(t)
	payload := linktokentest.Claims(sub, time.Now())
	cases := []struct{ name, header, code string }{
		{"A08 not JSON", `alg=RS256`, linktoken.CodeMalformed},
		{"A08 array", `["RS256"]`, linktoken.CodeMalformed},
		{"A08 string", `"RS256"`, linktoken.CodeMalformed},
		{"A08 BOM", "\ufeff" + `{"alg":"RS256"}`, linktoken.CodeMalformed},
		{"A08 invalid UTF-8", "{\"alg\":\"RS256\",\"kid\":\"k\xff\"}", linktoken.CodeMalformed},
		{"A08 trailing data", `{"alg":"RS256"}{}`, linktoken.CodeMalformed},
		{"A10 duplicate alg", `{"alg":"RS256","alg":"none"}`, linktoken.CodeMalformed},
		{"A10 duplicate alg, other case", `{"alg":"RS256","ALG":"RS256"}`, linktoken.CodeMalformed},
		{"A10 duplicate alg, escaped", `{"alg":"RS256","\u0061lg":"RS256"}`, linktoken.CodeMalformed},
		{"missing alg", `{"typ":"JWT"}`, linktoken.CodeMalformed},
		{"empty object", `{}`, linktoken.CodeMalformed},
		{"alg not a string", `{"alg":256}`, linktoken.CodeMalformed},
		{"alg null", `{"alg":null}`, linktoken.CodeMalformed},
		{"B01 none", `{"alg":"none"}`, linktoken.CodeAlgNotAllowed},
		{"B01 None", `{"alg":"None"}`, linktoken.CodeAlgNotAllowed},
		{"B01 NONE", `{"alg":"NONE"}`, linktoken.CodeAlgNotAllowed},
		{"B01 nOnE", `{"alg":"nOnE"}`, linktoken.CodeAlgNotAllowed},
		{"B03 HS256", `{"alg":"HS256","typ":"JWT"}`, linktoken.CodeAlgNotAllowed},
		{"B05 RS384", `{"alg":"RS384"}`, linktoken.CodeAlgNotAllowed},
		{"B05 PS256", `{"alg":"PS256"}`, linktoken.CodeAlgNotAllowed},
		{"B05 ES384", `{"alg":"ES384"}`, linktoken.CodeAlgNotAllowed},
		{"lower-case rs256", `{"alg":"rs256"}`, linktoken.CodeAlgNotAllowed},
		{"Ed25519 spelled as a curve", `{"alg":"Ed25519"}`, linktoken.CodeAlgNotAllowed},
		{"B06 jwk", `{"alg":"RS256","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}`, linktoken.CodeHeaderNotAllowed},
		{"B07 jku", `{"alg":"RS256","jku":"http://127.0.0.1:1/jwks"}`, linktoken.CodeHeaderNotAllowed},
		{"B07 x5u", `{"alg":"RS256","x5u":"http://127.0.0.1:1/cert"}`, linktoken.CodeHeaderNotAllowed},
		{"B08 x5c", `{"alg":"RS256","x5c":["MIIB"]}`, linktoken.CodeHeaderNotAllowed},
		{"x5t", `{"alg":"RS256","x5t":"abc"}`, linktoken.CodeHeaderNotAllowed},
		{"B09 crit", `{"alg":"RS256","crit":["x-unknown"],"x-unknown":1}`, linktoken.CodeCritUnsupported},
		{"B09 crit b64", `{"alg":"RS256","crit":["b64"],"b64":false}`, linktoken.CodeCritUnsupported},
		{"B09 b64 alone", `{"alg":"RS256","b64":false}`, linktoken.CodeHeaderNotAllowed},
		{"unknown parameter", `{"alg":"RS256","foo":"bar"}`, linktoken.CodeHeaderNotAllowed},
		{"case variant parameter", `{"Alg":"RS256"}`, linktoken.CodeHeaderNotAllowed},
		{"cty", `{"alg":"RS256","cty":"JWT"}`, linktoken.CodeHeaderNotAllowed},
		{"C25 typ at+jwt", `{"alg":"RS256","typ":"at+jwt"}`, linktoken.CodeTypNotAllowed},
		{"typ empty", `{"alg":"RS256","typ":""}`, linktoken.CodeTypNotAllowed},
		{"typ not a string", `{"alg":"RS256","typ":1}`, linktoken.CodeMalformed},
		{"B11 kid empty", `{"alg":"RS256","kid":""}`, linktoken.CodeMalformed},
		{"B11 kid NUL", `{"alg":"RS256","kid":"k\u0000"}`, linktoken.CodeMalformed},
		{"B11 kid SQL", `{"alg":"RS256","kid":"x' UNION SELECT '1';--"}`, linktoken.CodeMalformed},
		{"B11 kid shell", `{"alg":"RS256","kid":"|sleep 10"}`, linktoken.CodeMalformed},
		{"B11 kid long", `{"alg":"RS256","kid":"` + strings.Repeat("k", 129) + `"}`, linktoken.CodeMalformed},
		{"B11 kid number", `{"alg":"RS256","kid":1}`, linktoken.CodeMalformed},
		{"A15 deep", `{"alg":"RS256","x":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}`, linktoken.CodeMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := k.rsa.Sign(t, c.header, payload)
			_, err := linktoken.Parse(raw)
			wantCode(t, raw, err, c.code)
		})
	}
}

// B01, B02: unsigned tokens.
func TestParseUnsigned(t *testing.T) {
	payload := linktokentest.Encode(linktokentest.Claims(sub, time.Now()))
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		raw := linktokentest.Encode(`{"alg":"`+alg+`","typ":"JWT"}`) + "." + payload + "."
		_, err := linktoken.Parse(raw)
		wantCode(t, raw, err, linktoken.CodeAlgNotAllowed)
	}
	raw := linktokentest.Encode(`{"alg":"RS256","typ":"JWT"}`) + "." + payload + "."
	_, err := linktoken.Parse(raw)
	wantCode(t, raw, err, linktoken.CodeSignatureInvalid)
}

// A11, A15, C01–C03, C05, C10, C20–C22, C25: claims.
func TestParseClaims(t *testing.T) {
	k := keysFor(t)
	iat := time.Now().Unix()
	claims := func(members string) string { return "{" + members + "}" }
	withSub := func(s string) string { return claims(fmt.Sprintf(`"sub":%s,"iat":%d,"jti":"j1"`, s, iat)) }
	withIAT := func(v string) string { return claims(fmt.Sprintf(`"sub":%q,"iat":%s,"jti":"j1"`, sub, v)) }
	withJTI := func(v string) string { return claims(fmt.Sprintf(`"sub":%q,"iat":%d,"jti":%s`, sub, iat, v)) }
	withExtra := func(extra string) string {
		return claims(fmt.Sprintf(`"sub":%q,"iat":%d,"jti":"j1",%s`, sub, iat, extra))
	}
	cases := []struct{ name, payload, code string }{
		{"A08 payload not JSON", `sub=x`, linktoken.CodeMalformed},
		{"A08 payload array", `[]`, linktoken.CodeMalformed},
		{"A08 payload invalid UTF-8", withExtra("\"x\":\"\xc3\x28\""), linktoken.CodeMalformed},
		{"A11 sub SUB sub", claims(fmt.Sprintf(`"sub":"vnd_ZQv:c1","iat":%d,"jti":"j1","SUB":"vnd_ZQv:c2","sub":"vnd_ZQv:c3"`, iat)), linktoken.CodeMalformed},
		{"A11 sub Sub", claims(fmt.Sprintf(`"sub":"vnd_ZQv:c1","iat":%d,"jti":"j1","Sub":"vnd_ZQv:c2"`, iat)), linktoken.CodeMalformed},
		{"A11 sub escaped twin", claims(fmt.Sprintf(`"sub":"vnd_ZQv:c1","iat":%d,"jti":"j1","s\u0075b":"vnd_ZQv:c2"`, iat)), linktoken.CodeMalformed},
		{"A11 sub with long s", claims(fmt.Sprintf(`"sub":"vnd_ZQv:c1","iat":%d,"jti":"j1","ſub":"vnd_ZQv:c2"`, iat)), linktoken.CodeMalformed},
		{"A11 duplicate custom claim", withExtra(`"x":1,"X":2`), linktoken.CodeMalformed},
		{"A15 nesting 9 deep", withExtra(`"x":` + strings.Repeat("[", 9) + strings.Repeat("]", 9)), linktoken.CodeMalformed},
		{"A15 2600 brackets", withExtra(`"x":` + strings.Repeat("[", 2600) + strings.Repeat("]", 2600)), linktoken.CodeMalformed},
		{"too many members", withExtra(manyMembers(30)), linktoken.CodeMalformed},
		{"C01 sub missing", claims(fmt.Sprintf(`"iat":%d,"jti":"j1"`, iat)), linktoken.CodeSubMalformed},
		{"C01 sub number", withSub(`42`), linktoken.CodeSubMalformed},
		{"C01 sub null", withSub(`null`), linktoken.CodeSubMalformed},
		{"C01 sub array", withSub(`["vnd_ZQv:c1"]`), linktoken.CodeSubMalformed},
		{"C01 sub empty", withSub(`""`), linktoken.CodeSubMalformed},
		{"C02 vendor only", withSub(`"vnd_ZQv"`), linktoken.CodeSubMalformed},
		{"C02 empty customer", withSub(`"vnd_ZQv:"`), linktoken.CodeSubMalformed},
		{"C02 empty vendor", withSub(`":cus_ZQc"`), linktoken.CodeSubMalformed},
		{"C02 empty customer with user", withSub(`"vnd_ZQv::usr_ZQu"`), linktoken.CodeSubMalformed},
		{"C02 four parts", withSub(`"vnd_ZQv:cus_ZQc:usr_ZQu:x"`), linktoken.CodeSubMalformed},
		{"C02 empty user", withSub(`"vnd_ZQv:cus_ZQc:"`), linktoken.CodeSubMalformed},
		{"C03 space", withSub(`"vnd_ZQv:cus ZQc"`), linktoken.CodeSubMalformed},
		{"C03 tab", withSub(`"vnd_ZQv:cus_ZQc\t"`), linktoken.CodeSubMalformed},
		{"C03 percent-encoded colon", withSub(`"vnd_ZQv%3Acus_ZQc"`), linktoken.CodeSubMalformed},
		{"C03 percent inside part", withSub(`"vnd_ZQv:cus%3AZQc"`), linktoken.CodeSubMalformed},
		{"C03 modifier colon", withSub(`"vnd_ZQv꞉cus_ZQc"`), linktoken.CodeSubMalformed},
		{"C03 fullwidth colon", withSub(`"vnd_ZQv：cus_ZQc"`), linktoken.CodeSubMalformed},
		{"C03 NUL", withSub(`"vnd_ZQv:cus_ZQc\u0000"`), linktoken.CodeSubMalformed},
		{"C03 too long", withSub(`"vnd_ZQv:` + strings.Repeat("c", 250) + `"`), linktoken.CodeSubMalformed},
		{"C05 iat missing", claims(fmt.Sprintf(`"sub":%q,"jti":"j1"`, sub)), linktoken.CodeIATMissing},
		{"C05 iat string", withIAT(`"1700000000"`), linktoken.CodeClaimMalformed},
		{"C05 iat fraction", withIAT(`1700000000.5`), linktoken.CodeClaimMalformed},
		{"C05 iat with .0", withIAT(`1700000000.0`), linktoken.CodeClaimMalformed},
		{"C05 iat exponent", withIAT(`1.7e9`), linktoken.CodeClaimMalformed},
		{"C05 iat negative", withIAT(`-1`), linktoken.CodeClaimMalformed},
		{"C05 iat 1e20", withIAT(`1e20`), linktoken.CodeClaimMalformed},
		{"C05 iat huge", withIAT(`100000000000000000000`), linktoken.CodeClaimMalformed},
		{"C05 iat after year 9999", withIAT(`253402300800`), linktoken.CodeClaimMalformed},
		{"C05 iat null", withIAT(`null`), linktoken.CodeClaimMalformed},
		{"C05 iat true", withIAT(`true`), linktoken.CodeClaimMalformed},
		{"exp string", withExtra(`"exp":"1"`), linktoken.CodeClaimMalformed},
		{"nbf float", withExtra(`"nbf":1.5`), linktoken.CodeClaimMalformed},
		{"C10 jti missing", claims(fmt.Sprintf(`"sub":%q,"iat":%d`, sub, iat)), linktoken.CodeJTIMissing},
		{"C10 jti empty", withJTI(`""`), linktoken.CodeJTIMissing},
		{"C10 jti number", withJTI(`12345`), linktoken.CodeJTIMalformed},
		{"C10 jti null", withJTI(`null`), linktoken.CodeJTIMalformed},
		{"C10 jti 129 characters", withJTI(`"` + strings.Repeat("j", 129) + `"`), linktoken.CodeJTIMalformed},
		{"C10 jti 5000 characters", withJTI(`"` + strings.Repeat("j", 5000) + `"`), linktoken.CodeJTIMalformed},
		{"C10 jti space", withJTI(`"a b"`), linktoken.CodeJTIMalformed},
		{"C20 origin star", withExtra(`"origin":"*"`), linktoken.CodeOriginMalformed},
		{"C20 origin null", withExtra(`"origin":"null"`), linktoken.CodeOriginMalformed},
		{"C20 origin JSON null", withExtra(`"origin":null`), linktoken.CodeOriginMalformed},
		{"C20 origin with path", withExtra(`"origin":"https://vendor.test/path"`), linktoken.CodeOriginMalformed},
		{"C20 origin trailing slash", withExtra(`"origin":"https://vendor.test/"`), linktoken.CodeOriginMalformed},
		{"C20 origin javascript", withExtra(`"origin":"javascript:alert(1)"`), linktoken.CodeOriginMalformed},
		{"C20 origin without scheme", withExtra(`"origin":"vendor.test"`), linktoken.CodeOriginMalformed},
		{"C20 origin wildcard", withExtra(`"origin":"https://*.vendor.test"`), linktoken.CodeOriginMalformed},
		{"C21 origin with CSP", withExtra(`"origin":"https://vendor.test; script-src *"`), linktoken.CodeOriginMalformed},
		{"C21 origin with CRLF", withExtra(`"origin":"https://vendor.test\r\nSet-Cookie: a=b"`), linktoken.CodeOriginMalformed},
		{"C25 aud", withExtra(`"aud":"oriel"`), linktoken.CodeAudNotAllowed},
		{"C25 aud list", withExtra(`"aud":["oriel"]`), linktoken.CodeAudNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := k.rsa.Sign(t, k.rsa.Header(), c.payload)
			_, err := linktoken.Parse(raw)
			wantCode(t, raw, err, c.code)
		})
	}
}

// C22: origins are normalised the way browsers report them.
func TestParseOriginNormalised(t *testing.T) {
	k := keysFor(t)
	for in, want := range map[string]string{
		"https://VENDOR.test:443":    "https://vendor.test",
		"HTTP://vendor.test:80":      "http://vendor.test",
		"https://vendor.test:8443":   "https://vendor.test:8443",
		"http://vendor.test:443":     "http://vendor.test:443",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"http://[0:0::1]:3000":       "http://[::1]:3000",
		"https://xn--bcher-kva.test": "https://xn--bcher-kva.test",
	} {
		payload := fmt.Sprintf(`{"sub":%q,"iat":%d,"jti":"j1","origin":%q}`, sub, time.Now().Unix(), in)
		tok, err := linktoken.Parse(k.rsa.Sign(t, k.rsa.Header(), payload))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if tok.Origin() != want {
			t.Errorf("Origin() of %s = %s, want %s", in, tok.Origin(), want)
		}
	}
}

// segments splits a well-formed token.
func segments(raw string) (header, payload, signature string) {
	parts := strings.Split(raw, ".")
	return parts[0], parts[1], parts[2]
}

// flipLastBit changes the lowest (unused) bit of the last base64url
// character, which lax decoders map to the same bytes.
func flipLastBit(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[i^1])
}

// impossibleLength pads seg to a length no base64 encoding has (1 mod 4).
func impossibleLength(seg string) string {
	for len(seg)%4 != 1 {
		seg += "A"
	}
	return seg
}

// manyMembers returns n extra members "m0":0,…
func manyMembers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"m%d":%d`, i, i)
	}
	return strings.Join(parts, ",")
}
