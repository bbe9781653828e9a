package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/seal"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// keyIDs counts the stored sealed values by the id of the key that sealed them.
func keyIDs(t *testing.T, s *store.SQL) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, q := range []string{
		`SELECT client_secret FROM integrations WHERE client_secret IS NOT NULL`,
		`SELECT credentials FROM connections WHERE credentials IS NOT NULL`,
		`SELECT code_verifier FROM oauth_states WHERE code_verifier IS NOT NULL`,
		`SELECT secret FROM webhook_endpoints WHERE secret IS NOT NULL`,
	} {
		rows, err := store.RawDB(s).QueryContext(context.Background(), q)
		must(t, err)
		for rows.Next() {
			var ct string
			must(t, rows.Scan(&ct))
			kid, err := seal.KeyID(ct)
			must(t, err)
			counts[kid]++
		}
		must(t, rows.Err())
		rows.Close()
	}
	return counts
}

// sealEverything stores a secret in every sealed column, under the store's
// current key: 3 client secrets, 4 credentials, 2 webhook secrets and 1 PKCE
// verifier (10 values), plus a connection without credentials.
func sealEverything(t *testing.T, f *fixture) (conns []*oriel.Connection) {
	t.Helper()
	ctx, s, v := context.Background(), f.s, f.vendor
	for _, key := range []string{"crm2", "crm3"} {
		must2(s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: key, Provider: "hubspot", ClientSecret: "secret-" + key}))(t)
	}
	for i := range 4 {
		c := f.connect(t)
		must2(s.SetConnected(ctx, v.ID, c.ID, &oriel.Credentials{AccessToken: "at-" + c.ID, RefreshToken: "rt", Scopes: []string{"s"}}))(t)
		conns = append(conns, c)
		if i == 0 {
			must(t, s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte("h"), VendorID: v.ID, ConnectionID: c.ID,
				CodeVerifier: "verifier", ExpiresAt: time.Now().Add(time.Hour)}))
		}
	}
	f.connect(t)
	endpoint(t, s, v.ID, "https://hooks.test/1")
	endpoint(t, s, v.ID, "https://hooks.test/2")
	return conns
}

// wantAllReadable reads every secret sealEverything stored through the API.
func wantAllReadable(t *testing.T, f *fixture, conns []*oriel.Connection) {
	t.Helper()
	ctx, s, v := context.Background(), f.s, f.vendor
	for _, key := range []string{"crm", "crm2", "crm3"} {
		if i, err := s.Integration(ctx, v.ID, key); err != nil || i.ClientSecret == "" {
			t.Fatalf("integration %s: %v", key, err)
		}
	}
	for _, c := range conns {
		cred, err := s.ConnectionCredentials(ctx, v.ID, c.ID)
		if err != nil || cred.AccessToken != "at-"+c.ID {
			t.Fatalf("credentials of %s: %+v %v", c.ID, cred, err)
		}
	}
}

func TestCheckKeyring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		e := keyEntries(t, "k1", "k2")
		s.UseKeyring(keyring(t, e[0]))
		must(t, s.CheckKeyring(ctx)) // nothing stored yet
		f := newFixtureKeyed(t, s, keyring(t, e[0]))
		sealEverything(t, f)
		must(t, s.CheckKeyring(ctx))

		s.UseKeyring(keyring(t, e[1])) // k1 dropped too early
		err := s.CheckKeyring(ctx)
		if err == nil || !strings.Contains(err.Error(), `key id "k1"`) || !strings.Contains(err.Error(), "connections.credentials: 4 values") {
			t.Fatalf("missing key: %v", err)
		}
		s.UseKeyring(keyring(t, keyEntries(t, "k1")...)) // same id, other key bytes
		err = s.CheckKeyring(ctx)
		if err == nil || !strings.Contains(err.Error(), `key "k1" does not open`) {
			t.Fatalf("changed key: %v", err)
		}
		s.UseKeyring(keyring(t, e[0], e[1]))
		must(t, s.CheckKeyring(ctx))
	})
}

// TestRotateKeys is catalogue I07 and I08: after a new key is added, new
// writes use it and old values still open; the rotation moves every value to
// it in small transactions, can be interrupted and resumed, and is idempotent;
// the old key can then go.
func TestRotateKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		e := keyEntries(t, "k1", "k2")
		f := newFixtureKeyed(t, s, keyring(t, e[0]))
		conns := sealEverything(t, f)
		if got := keyIDs(t, s); got["k1"] != 10 || len(got) != 1 {
			t.Fatalf("before: %v", got)
		}

		s.UseKeyring(keyring(t, e[0], e[1]))
		wantAllReadable(t, f, conns)
		fresh := f.connect(t)
		must2(s.SetConnected(ctx, f.vendor.ID, fresh.ID, &oriel.Credentials{AccessToken: "at-" + fresh.ID}))(t)
		conns = append(conns, fresh)
		if got := keyIDs(t, s); got["k1"] != 10 || got["k2"] != 1 {
			t.Fatalf("a new write did not use the new key: %v", got)
		}

		// Interrupted after its first batch of two.
		cancelled, cancel := context.WithCancel(ctx)
		n, err := store.RotateKeysThen(cancelled, s, 2, cancel)
		if !errors.Is(err, context.Canceled) || n != 2 {
			t.Fatalf("interrupted rotation: %d %v", n, err)
		}
		if got := keyIDs(t, s); got["k1"] != 8 || got["k2"] != 3 {
			t.Fatalf("after the interruption: %v", got)
		}
		wantAllReadable(t, f, conns)

		// Resumed, it finishes; run again, it has nothing to do.
		n, err = s.RotateKeys(ctx, 2)
		if err != nil || n != 8 {
			t.Fatalf("resumed rotation: %d %v", n, err)
		}
		n, err = s.RotateKeys(ctx, 2)
		if err != nil || n != 0 {
			t.Fatalf("second rotation: %d %v", n, err)
		}
		if got := keyIDs(t, s); got["k2"] != 11 || len(got) != 1 {
			t.Fatalf("after the rotation: %v", got)
		}

		// k1 can go: everything opens with k2 alone.
		s.UseKeyring(keyring(t, e[1]))
		must(t, s.CheckKeyring(ctx))
		wantAllReadable(t, f, conns)
		st, err := s.ConsumeOAuthState(ctx, []byte("h"), time.Now())
		if err != nil || st.CodeVerifier != "verifier" {
			t.Fatalf("PKCE verifier after rotation: %+v %v", st, err)
		}
		claimed, err := s.ClaimWebhookDeliveries(ctx, time.Now(), time.Now().Add(time.Minute), 100)
		must(t, err)
		if len(claimed) == 0 {
			t.Fatal("no deliveries to check webhook secrets with")
		}
		for _, d := range claimed {
			if !strings.HasPrefix(d.Secret, "whsec_") {
				t.Fatalf("webhook secret after rotation: %q", d.Secret)
			}
		}
	})
}

// TestRotateKeysCompareAndSet: a value written after the rotation read it is
// not overwritten with the stale value the rotation read (catalogue I08).
func TestRotateKeysCompareAndSet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		e := keyEntries(t, "k1", "k2")
		f := newFixtureKeyed(t, s, keyring(t, e[0]))
		c := f.connect(t)
		must2(s.SetConnected(ctx, f.vendor.ID, c.ID, &oriel.Credentials{AccessToken: "old", RefreshToken: "rt-old"}))(t)
		var stale string
		must(t, store.RawDB(s).QueryRowContext(ctx, `SELECT credentials FROM connections WHERE id = $1`, c.ID).Scan(&stale))

		// A refresh lands between the rotation's read and its write.
		current := &oriel.Credentials{AccessToken: "new", RefreshToken: "rt-new"}
		must(t, s.SaveRefreshedCredentials(ctx, f.vendor.ID, c.ID, current))
		s.UseKeyring(keyring(t, e[0], e[1]))
		n, err := store.Rewrap(ctx, s, "connections", "credentials", c.ID, stale)
		if err != nil || n != 0 {
			t.Fatalf("rewrap of a stale value: %d %v", n, err)
		}
		wantCredentials(t, s, f.vendor.ID, c.ID, current)

		n, err = s.RotateKeys(ctx, 10)
		if err != nil || n != 2 { // the credentials and the integration's secret
			t.Fatalf("rotation: %d %v", n, err)
		}
		wantCredentials(t, s, f.vendor.ID, c.ID, current)
	})
}

// TestRotateKeysReportsUnreadable is catalogue I09: values under a key that
// was retired too early are left alone and reported, the others are moved.
func TestRotateKeysReportsUnreadable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		e := keyEntries(t, "k0", "k1", "k2")
		f := newFixtureKeyed(t, s, keyring(t, e[0]))
		lost := f.connect(t)
		must2(s.SetConnected(ctx, f.vendor.ID, lost.ID, &oriel.Credentials{AccessToken: "lost"}))(t)
		s.UseKeyring(keyring(t, e[1]))
		kept := f.connect(t)
		must2(s.SetConnected(ctx, f.vendor.ID, kept.ID, &oriel.Credentials{AccessToken: "kept"}))(t)

		s.UseKeyring(keyring(t, e[1], e[2])) // k0 is gone
		n, err := s.RotateKeys(ctx, 10)
		if n != 1 || err == nil || !strings.Contains(err.Error(), lost.ID) || !strings.Contains(err.Error(), f.integration.ID) ||
			!strings.Contains(err.Error(), `"k0"`) || strings.Contains(err.Error(), kept.ID) {
			t.Fatalf("rotation: %d %v", n, err)
		}
		wantCredentials(t, s, f.vendor.ID, kept.ID, &oriel.Credentials{AccessToken: "kept"})
		_, err = s.ConnectionCredentials(ctx, f.vendor.ID, lost.ID)
		wantCode(t, err, oriel.EINTERNAL, "credentials_unreadable")
		if err := s.CheckKeyring(ctx); err == nil || !strings.Contains(err.Error(), `"k0"`) {
			t.Fatalf("check: %v", err)
		}
	})
}

// TestRotateKeysDocumentChunks: a life-event document's chunks move to the
// new key like every other sealed value, each still bound to its document
// and position, so the document reads back whole once the old key is gone.
func TestRotateKeysDocumentChunks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		e := keyEntries(t, "k1", "k2")
		f := newFixtureKeyed(t, s, keyring(t, e[0]))
		u := &oriel.User{VendorID: f.vendor.ID, CustomerID: f.customer.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		content := make([]byte, 11*store.DocumentChunkSize+7) // 12 chunks: ids ":10" and ":11" sort before ":2"
		rand.Read(content)
		doc := &benefits.Document{VendorID: f.vendor.ID, UserID: u.ID, FileName: "birth.pdf", ContentType: benefits.TypePDF}
		must(t, s.CreateDocument(ctx, doc, bytes.NewReader(content)))

		s.UseKeyring(keyring(t, e[0], e[1]))
		n, err := s.RotateKeys(ctx, 5)
		if err != nil || n < doc.Chunks {
			t.Fatalf("rotation: %d values, %v; want at least the document's %d chunks", n, err, doc.Chunks)
		}
		var left int
		must(t, store.RawDB(s).QueryRow(`SELECT COUNT(*) FROM life_event_document_chunks WHERE document_id = $1 AND data NOT LIKE 'v1:k2:%'`, doc.ID).Scan(&left))
		if left != 0 {
			t.Fatalf("%d chunks are not under the new key", left)
		}

		s.UseKeyring(keyring(t, e[1]))
		must(t, s.CheckKeyring(ctx))
		var got bytes.Buffer
		must(t, s.WriteDocument(ctx, doc, &got))
		if !bytes.Equal(got.Bytes(), content) {
			t.Fatalf("the document read back differs after rotation (%d bytes, want %d)", got.Len(), len(content))
		}

		// A chunk moved to another position no longer opens: the
		// rotation kept each chunk bound to its place.
		db := store.RawDB(s)
		var first string
		must(t, db.QueryRow(`SELECT data FROM life_event_document_chunks WHERE id = $1`, doc.ID+":0").Scan(&first))
		must2(db.Exec(`UPDATE life_event_document_chunks SET data = $1 WHERE id = $2`, first, doc.ID+":1"))(t)
		if err := s.WriteDocument(ctx, doc, io.Discard); err == nil {
			t.Fatal("a chunk copied to another position opened")
		}
	})
}
