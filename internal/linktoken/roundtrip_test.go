package linktoken_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/orielhq/oriel/directlink"
	"github.com/orielhq/oriel/internal/linktoken"
	"github.com/orielhq/oriel/internal/linktoken/linktokentest"
)

// Tokens and URLs from the public SDK pass the server's verifier.
func TestDirectlinkRoundTrip(t *testing.T) {
	k := keysFor(t)
	for _, key := range []*linktokentest.Key{k.rsa, k.ec, k.ed} {
		t.Run(key.Algorithm, func(t *testing.T) {
			signer, err := directlink.NewSigner(key.PrivatePEM(t), vendorID, directlink.WithKeyID(key.KID))
			if err != nil {
				t.Fatal(err)
			}
			link, err := signer.URL("https://oriel.example", directlink.Link{
				Kind: directlink.KindApp, Asset: "/connections", Customer: "Eacme", User: "usr_1", Origin: "https://App.vendor.example:443",
			})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(link)
			tok, err := open(u.Query().Get("dl_token"), []linktoken.Key{k.rsaOther.Key, key.Key}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if tok.KID() != key.KID || tok.VendorID() != vendorID || tok.CustomerRef() != "Eacme" || tok.UserRef() != "usr_1" || tok.Origin() != "https://app.vendor.example" {
				t.Errorf("kid %s sub %s:%s:%s origin %s", tok.KID(), tok.VendorID(), tok.CustomerRef(), tok.UserRef(), tok.Origin())
			}
		})
	}
}
