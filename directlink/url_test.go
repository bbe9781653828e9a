package directlink

import (
	"net/url"
	"strings"
	"testing"
)

func TestBuildURL(t *testing.T) {
	for _, c := range []struct {
		base  string
		kind  Kind
		asset string
		want  string
	}{
		{"https://eu.oriel.example", KindConnection, "con_42", "https://eu.oriel.example/direct_link/embedded/connections/con_42?dl_token=T.o-k_en"},
		{"https://oriel.example/", KindApp, "/connections", "https://oriel.example/direct_link/embedded/app?dl_path=%2Fconnections&dl_token=T.o-k_en"},
		{"https://Oriel.example/prefix/", KindSSO, "/connections?tab=all&x=1", "https://Oriel.example/prefix/direct_link/sso?dl_path=%2Fconnections%3Ftab%3Dall%26x%3D1&dl_token=T.o-k_en"},
		{"http://localhost:8080", KindSSO, "/", "http://localhost:8080/direct_link/sso?dl_path=%2F&dl_token=T.o-k_en"},
		{"https://oriel.example/", KindEmployeeDashboard, "", "https://oriel.example/direct_link/embedded/employee-dashboard?dl_token=T.o-k_en"},
	} {
		got, err := BuildURL(c.base, c.kind, c.asset, "T.o-k_en")
		if err != nil || got != c.want {
			t.Errorf("BuildURL(%s, %s, %s) = %s, %v\nwant %s", c.base, c.kind, c.asset, got, err, c.want)
			continue
		}
		q, _ := url.Parse(got)
		if q.Query().Get("dl_token") != "T.o-k_en" || (c.asset != "" && c.kind != KindConnection && q.Query().Get("dl_path") != c.asset) {
			t.Errorf("%s does not round-trip", got)
		}
	}
}

func TestBuildURLRejects(t *testing.T) {
	for _, c := range []struct {
		base  string
		kind  Kind
		asset string
	}{
		{"oriel.example", KindApp, "/x"},
		{"ftp://oriel.example", KindApp, "/x"},
		{"https://oriel.example?x=1", KindApp, "/x"},
		{"https://oriel.example#f", KindApp, "/x"},
		{"https://user@oriel.example", KindApp, "/x"},
		{"https://oriel.example", KindConnection, ""},
		{"https://oriel.example", KindConnection, ".."},
		{"https://oriel.example", KindConnection, "a/b"},
		{"https://oriel.example", KindConnection, strings.Repeat("c", 129)},
		{"https://oriel.example", KindApp, ""},
		{"https://oriel.example", KindApp, "connections"},
		{"https://oriel.example", KindApp, "//evil.example"},
		{"https://oriel.example", KindSSO, "/\\evil.example"},
		{"https://oriel.example", KindSSO, "https://evil.example"},
		{"https://oriel.example", KindSSO, "/a b"},
		{"https://oriel.example", KindSSO, "/a\nb"},
		{"https://oriel.example", "widget", "/x"},
		{"https://oriel.example", KindEmployeeDashboard, "/benefits"},
	} {
		if got, err := BuildURL(c.base, c.kind, c.asset, "t"); err == nil {
			t.Errorf("BuildURL(%q, %q, %q) = %s, want an error", c.base, c.kind, c.asset, got)
		}
	}
}

func TestSignerURL(t *testing.T) {
	s := newTestSigner(t, "EdDSA")
	got, err := s.URL("https://oriel.example", Link{Kind: KindApp, Asset: "/connections", Customer: "Eacme"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	if u.Path != "/direct_link/embedded/app" || u.Query().Get("dl_path") != "/connections" || strings.Count(u.Query().Get("dl_token"), ".") != 2 {
		t.Errorf("URL = %s", got)
	}
	if _, err := s.URL("https://oriel.example", Link{Kind: KindApp, Asset: "//evil", Customer: "Eacme"}); err == nil {
		t.Error("a bad path was signed")
	}
	if _, err := s.URL("https://oriel.example", Link{Kind: KindEmployeeDashboard, Customer: "Eacme"}); err == nil {
		t.Error("an employee-dashboard link without a user was signed")
	}
	got, err = s.URL("https://oriel.example", Link{Kind: KindEmployeeDashboard, Customer: "Eacme", User: "Eada"})
	if u, _ := url.Parse(got); err != nil || u.Path != "/direct_link/embedded/employee-dashboard" || u.Query().Get("dl_path") != "" {
		t.Errorf("employee-dashboard URL = %s, %v", got, err)
	}
}

func TestRegions(t *testing.T) {
	r, err := ParseRegions(" us=https://us.oriel.example , eu=https://eu.oriel.example/,")
	if err != nil {
		t.Fatal(err)
	}
	if base, err := r.BaseURL("eu"); err != nil || base != "https://eu.oriel.example" {
		t.Errorf("BaseURL(eu) = %s, %v", base, err)
	}
	if _, err := r.BaseURL("jp"); err == nil || !strings.Contains(err.Error(), `"jp" is not configured; configured regions: eu, us`) {
		t.Errorf("BaseURL(jp) error = %v", err)
	}
	if _, err := (Regions{}).BaseURL("us"); err == nil || !strings.Contains(err.Error(), "no regions") {
		t.Errorf("empty regions error = %v", err)
	}
	if _, err := (Regions{"au": "not a url"}).BaseURL("au"); err == nil {
		t.Error("a bad configured URL was accepted")
	}
	for _, bad := range []string{"us", "=https://x.example", "us=ftp://x", "us=https://a.example,us=https://b.example"} {
		if _, err := ParseRegions(bad); err == nil {
			t.Errorf("ParseRegions(%q) accepted", bad)
		}
	}
}
