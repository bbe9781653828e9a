package claims

import (
	"strings"
	"testing"
)

func TestSubjectRoundTrip(t *testing.T) {
	for _, c := range []struct{ vendor, customer, user, sub string }{
		{"vnd_1", "cus_1", "", "vnd_1:cus_1"},
		{"vnd_1", "Eacme-42", "Ealice@acme.example", "vnd_1:Eacme-42:Ealice@acme.example"},
		{"911672h4203fae7ffbe2eca1bbcaa79cc8c47af5377a6c6240", "303363", "313646", "911672h4203fae7ffbe2eca1bbcaa79cc8c47af5377a6c6240:303363:313646"},
	} {
		sub, err := Subject(c.vendor, c.customer, c.user)
		if err != nil || sub != c.sub {
			t.Errorf("Subject(%q, %q, %q) = %q, %v", c.vendor, c.customer, c.user, sub, err)
		}
		v, cu, u, err := ParseSubject(c.sub)
		if err != nil || v != c.vendor || cu != c.customer || u != c.user {
			t.Errorf("ParseSubject(%q) = %q %q %q %v", c.sub, v, cu, u, err)
		}
	}
}

func TestParseSubjectRejects(t *testing.T) {
	for _, sub := range []string{
		"", "v1", "v1:", ":c1", "v1::u1", "v1:c1:", "v1:c1:u1:x", "v1:c1::",
		"v1:c 1", " v1:c1", "v1:c1\n", "v1:c1\x00", "v1%3Ac1", "v1:c%3A1", "v1꞉c1", "v1：c1", "v1:cé",
		"v1:" + strings.Repeat("c", MaxSubjectLen),
	} {
		if _, _, _, err := ParseSubject(sub); err == nil {
			t.Errorf("ParseSubject(%q) accepted", sub)
		} else if strings.Contains(err.Error(), "v1") || strings.Contains(err.Error(), "c1") {
			t.Errorf("error quotes the value: %v", err)
		}
	}
	if _, err := Subject("v1", "c1", "u:1"); err == nil {
		t.Error("Subject accepted a user with ':'")
	}
	if err := CheckVendorID("vnd 1"); err == nil {
		t.Error("CheckVendorID accepted a space")
	}
	for _, id := range []string{"", "acme corp", "org:42", "50%", "müller", "a\tb"} {
		if CheckExternalID(id) == nil {
			t.Errorf("CheckExternalID(%q) accepted", id)
		}
	}
	if err := CheckExternalID("acme-42@example.com"); err != nil {
		t.Errorf("CheckExternalID: %v", err)
	}
}

func TestCheckJTIAndKeyID(t *testing.T) {
	for _, ok := range []string{"a", "3oay2t2kntGbxr1yhSINn", "123e4567-e89b-12d3-a456-426614174000", strings.Repeat("j", MaxJTILen)} {
		if err := CheckJTI(ok); err != nil {
			t.Errorf("CheckJTI(%q): %v", ok, err)
		}
		if err := CheckKeyID(ok); err != nil {
			t.Errorf("CheckKeyID(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", " ", "a b", "a\x00", "é", strings.Repeat("j", MaxJTILen+1)} {
		if CheckJTI(bad) == nil || CheckKeyID(bad) == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
