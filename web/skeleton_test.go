package web

import (
	"bytes"
	"testing"

	"github.com/orielhq/oriel"
)

// A connection page rendered from its skeleton is byte for byte what its
// template renders, in every shape (themes, roles, empty values); a value
// with a character outside the safe set renders through the template.
func TestSkeletonMatchesTemplate(t *testing.T) {
	frame := Frame{Nonce: "bm9uY2U-_x", ParentOrigin: "https://app.vendor.test:8443", Session: "ors_abc.DEF-123_x"}
	dark := NewTheme(&oriel.Appearance{Mode: "dark", Colors: map[string]string{"primary": "#123456"}, FontFamily: "Inter, sans-serif", BorderRadius: "4px"})
	viewer := NewViewer(&oriel.Customer{ID: "cus_1", Name: "Acme Corp"}, &oriel.User{ID: "usr_1", Name: "Ada Lovelace"}, oriel.RoleViewer)
	admin := NewViewer(&oriel.Customer{ID: "cus_1", ExternalID: "acme"}, nil, oriel.RoleAdmin)
	cases := map[string]ConnectionPage{
		"viewer":         {Frame: frame, Viewer: viewer, ConnectionID: "conn_1"},
		"admin, themed":  {Frame: Frame{Nonce: frame.Nonce, ParentOrigin: frame.ParentOrigin, Session: frame.Session, Theme: dark}, Viewer: admin, ConnectionID: "conn_2"},
		"no session":     {Frame: Frame{Nonce: frame.Nonce}, Viewer: viewer, ConnectionID: "conn_3"},
		"markup in name": {Frame: frame, Viewer: NewViewer(&oriel.Customer{ID: "cus_1", Name: `Acme <b>"&'</b>`}, nil, oriel.RoleMember), ConnectionID: "conn_4"},
		"quote in id":    {Frame: frame, Viewer: viewer, ConnectionID: `conn_"x`},
	}
	for name, p := range cases {
		for range 2 { // the second time from the cached skeleton
			var fast bytes.Buffer
			used := writeSkeletal(&fast, asSkeletal(p))
			var slow bytes.Buffer
			if err := pages["connection"].ExecuteTemplate(&slow, "shell", p); err != nil {
				t.Fatal(err)
			}
			safe := name != "markup in name" && name != "quote in id"
			if used != safe {
				t.Fatalf("%s: rendered from a skeleton: %v, want %v", name, used, safe)
			}
			if used && fast.String() != slow.String() {
				t.Fatalf("%s: the skeleton renders\n%s\nthe template\n%s", name, fast.String(), slow.String())
			}
		}
	}
}

// slotSafe allows only what slotProbe checks, and a skeleton has a part
// around every slot.
func TestSkeletonCheck(t *testing.T) {
	if !slotSafe("https://a.test:1/x y_z-0.9") || slotSafe("a<b") || slotSafe("é") || slotSafe(`"`) {
		t.Fatal("slotSafe")
	}
	sk := buildSkeleton(&ConnectionPage{Frame: Frame{Nonce: "n", ParentOrigin: "https://a.test", Session: "s"}, Viewer: Viewer{Name: "A", Initials: "A", Customer: "C", CustomerInitials: "C", Role: oriel.RoleAdmin}, ConnectionID: "c"})
	if sk == nil || len(sk.parts) != len(sk.order)+1 {
		t.Fatalf("skeleton %+v", sk)
	}
}
