package origin_test

import (
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/origin"
)

func TestNormalizeAccepts(t *testing.T) {
	for in, want := range map[string]string{
		"https://vendor.test":           "https://vendor.test",
		"HTTPS://Vendor.TEST":           "https://vendor.test",
		"https://vendor.test:443":       "https://vendor.test",
		"http://vendor.test:80":         "http://vendor.test",
		"http://vendor.test:443":        "http://vendor.test:443",
		"https://vendor.test:8443":      "https://vendor.test:8443",
		"http://localhost:08080":        "http://localhost:8080",
		"http://127.0.0.1:3000":         "http://127.0.0.1:3000",
		"http://[0:0::1]:8080":          "http://[::1]:8080",
		"https://[2001:DB8::1]:443":     "https://[2001:db8::1]",
		"https://xn--bcher-kva.example": "https://xn--bcher-kva.example",
		"https://my_host.internal":      "https://my_host.internal",
	} {
		got, err := origin.Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"vendor.test",
		"//vendor.test",
		"ftp://vendor.test",
		"javascript:alert(1)",
		"https:vendor.test",
		"null",
		"*",
		"https://*.vendor.test",
		"https://vendor.test/",
		"https://vendor.test/path",
		"https://vendor.test?x=1",
		"https://vendor.test?",
		"https://vendor.test#top",
		"https://vendor.test#",
		"https://user:pw@vendor.test",
		"https://user@vendor.test",
		"https://vendor.test; script-src *",
		"https://vendor.test;",
		"https://vendor.test,https://other.test",
		" https://vendor.test",
		"https://vendor.test ",
		"https://vendor.test\r\nX: y",
		"https://vendor.test\t",
		"https://vendör.test",
		"https://vendor.test.",
		"https://vendor..test",
		"https://vendor.test:",
		"https://vendor.test:0",
		"https://vendor.test:65536",
		"https://vendor.test:-1",
		"https://vendor.test:http",
		"https://[::1",
		"https://[fe80::1%25eth0]",
		"https://[1.2.3.4]",
		"https://",
		"https://:443",
		"https://vendor\\test",
		"https://" + string(make([]byte, 400)),
	} {
		got, err := origin.Normalize(in)
		if err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", in, got)
			continue
		}
		if oriel.ErrorCode(err) != origin.Code || oriel.ErrorKind(err) != oriel.EUNPROCESSABLE {
			t.Errorf("Normalize(%q): error %v, want kind %s code %s", in, err, oriel.EUNPROCESSABLE, origin.Code)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("https://vendor.test:443")
	f.Add("http://[::1]:8080")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := origin.Normalize(s)
		if err != nil {
			return
		}
		again, err := origin.Normalize(got)
		if err != nil || again != got {
			t.Fatalf("Normalize(%q) = %q, which normalises to %q, %v", s, got, again, err)
		}
	})
}
