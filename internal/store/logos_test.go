package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// An integration's logo survives a replace of the integration, is shared by
// name, and is deleted when the vendor's last integration drops it.
func TestIntegrationLogos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v := f.vendor
		must2(s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "keys", Provider: "api-key", DisplayName: "Keys"}))(t)
		one := &oriel.Logo{Name: "aaaa.png", ContentType: "image/png", Data: []byte("png one")}
		two := &oriel.Logo{Name: "bbbb.jpg", ContentType: "image/jpeg", Data: []byte("jpeg two")}

		got, err := s.SetIntegrationLogo(ctx, v.ID, "crm", one)
		must(t, err)
		if got.Logo != one.Name || got.ClientSecret != "client-secret-1" {
			t.Fatalf("after setting: %+v", got)
		}
		must2(s.SetIntegrationLogo(ctx, v.ID, "keys", one))(t)
		stored, err := s.Logo(ctx, one.Name)
		must(t, err)
		if stored.ContentType != "image/png" || !bytes.Equal(stored.Data, one.Data) {
			t.Fatalf("stored logo: %+v", stored)
		}

		// Replacing the integration keeps its logo.
		must2(s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "crm", Provider: "salesforce", DisplayName: "CRM 2", ClientSecret: "s"}))(t)
		got, err = s.Integration(ctx, v.ID, "crm")
		must(t, err)
		if got.Logo != one.Name {
			t.Fatalf("replace lost the logo: %+v", got)
		}
		list, _, err := s.ListIntegrations(ctx, v.ID, oriel.Page{Limit: 10})
		must(t, err)
		if list[0].Logo == "" || list[1].Logo == "" {
			t.Fatalf("list without logos: %+v %+v", list[0], list[1])
		}

		// Moving crm to another logo keeps the first while keys uses it.
		must2(s.SetIntegrationLogo(ctx, v.ID, "crm", two))(t)
		must2(s.Logo(ctx, one.Name))(t)
		must2(s.SetIntegrationLogo(ctx, v.ID, "keys", nil))(t)
		_, err = s.Logo(ctx, one.Name)
		wantCode(t, err, oriel.ENOTFOUND, "logo_not_found")
		got, err = s.Integration(ctx, v.ID, "keys")
		must(t, err)
		if got.Logo != "" {
			t.Fatalf("logo not removed: %+v", got)
		}

		// Another vendor's integrations are not reachable; its copy of the
		// same bytes serves the same name.
		other := newVendor(t, s, "Other")
		_, err = s.SetIntegrationLogo(ctx, other.ID, "crm", one)
		wantCode(t, err, oriel.ENOTFOUND, "integration_not_found")
		must2(s.PutIntegration(ctx, &oriel.Integration{VendorID: other.ID, Key: "crm", Provider: "hubspot", DisplayName: "CRM", ClientSecret: "s"}))(t)
		must2(s.SetIntegrationLogo(ctx, other.ID, "crm", two))(t)
		must2(s.SetIntegrationLogo(ctx, v.ID, "crm", nil))(t)
		if l, err := s.Logo(ctx, two.Name); err != nil || !bytes.Equal(l.Data, two.Data) {
			t.Fatalf("the other vendor's copy: %v %v", l, err)
		}
	})
}
