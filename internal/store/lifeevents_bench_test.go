package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// BenchmarkDocumentUpload streams a 10 MB document into the store (sealed
// in 64 KiB chunks) and reads it back; MB/s is the upload's throughput.
//
//	go test ./internal/store -run '^$' -bench DocumentUpload -benchtime 5x
func BenchmarkDocumentUpload(b *testing.B) {
	content := make([]byte, 10<<20)
	rand.Read(content)
	for name, open := range map[string]func(testing.TB) *store.SQL{"sqlite": storetest.SQLite, "postgres": storetest.Postgres} {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s := open(b)
			s.UseKeyring(keyring(b, keyEntries(b, "k1")...))
			v := &oriel.Vendor{Name: "V"}
			c := &oriel.Customer{ExternalID: "c", Name: "C"}
			u := &oriel.User{Role: oriel.RoleMember}
			if err := s.CreateVendor(ctx, v); err != nil {
				b.Fatal(err)
			}
			c.VendorID = v.ID
			if err := s.CreateCustomer(ctx, c); err != nil {
				b.Fatal(err)
			}
			u.VendorID, u.CustomerID = v.ID, c.ID
			if err := s.CreateUser(ctx, u); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(content)))
			b.ResetTimer()
			for b.Loop() {
				d := &benefits.Document{VendorID: v.ID, UserID: u.ID, FileName: "scan.pdf", ContentType: benefits.TypePDF}
				if err := s.CreateDocument(ctx, d, bytes.NewReader(content)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
