package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/logtest"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// canaryPrefix starts every canary secret; nothing else in the tests holds it.
const canaryPrefix = "CANARY-"

// storeCanaries writes canary secrets through every method that stores one,
// reads each back to prove it was stored, and returns a marker: a plain,
// non-secret value stored next to them, which a scan of the raw storage must
// find (so a scan that finds no canary has really looked).
func storeCanaries(t *testing.T, s *store.SQL) (marker string) {
	t.Helper()
	ctx := context.Background()
	random := make([]byte, 8)
	rand.Read(random)
	suffix := hex.EncodeToString(random)
	marker = "MARKER-" + suffix
	canary := func(kind string) string { return canaryPrefix + kind + "-" + suffix }

	f := newFixture(t, s)
	v := f.vendor
	must(t, s.CreateWebhookEndpoint(ctx, &oriel.WebhookEndpoint{VendorID: v.ID, URL: "https://hooks.test", Secret: "whsec_" + canary("WHSEC")}))
	i := &oriel.Integration{VendorID: v.ID, Key: "canary", Provider: "oauth2", DisplayName: marker, ClientSecret: canary("SECRET")}
	must2(s.PutIntegration(ctx, i))(t)
	oauth, apiKey, dropped := f.connect(t), f.connect(t), f.connect(t)
	tokens := &oriel.Credentials{AccessToken: canary("AT"), RefreshToken: canary("RT"), Expiry: time.Now().Add(time.Hour)}
	must2(s.SetConnected(ctx, v.ID, oauth.ID, &oriel.Credentials{AccessToken: canary("AT-OLD"), RefreshToken: canary("RT-OLD")}))(t)
	must(t, s.SaveRefreshedCredentials(ctx, v.ID, oauth.ID, tokens))
	fields := &oriel.Credentials{Fields: map[string]string{"api_key": canary("APIKEY"), "password": canary("PASSWORD")}}
	must2(s.SetConnected(ctx, v.ID, apiKey.ID, fields))(t)
	must2(s.SetConnected(ctx, v.ID, dropped.ID, &oriel.Credentials{AccessToken: canary("AT-DROPPED")}))(t)
	must2(s.SetDisconnected(ctx, v.ID, dropped.ID))(t)
	must(t, s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte("state-hash"), VendorID: v.ID, ConnectionID: oauth.ID,
		CodeVerifier: canary("PKCE"), ExpiresAt: time.Now().Add(time.Minute)}))

	got, err := s.Integration(ctx, v.ID, "canary")
	must(t, err)
	if got.ClientSecret != canary("SECRET") {
		t.Fatalf("client secret not stored: %q", got.ClientSecret)
	}
	wantCredentials(t, s, v.ID, oauth.ID, tokens)
	wantCredentials(t, s, v.ID, apiKey.ID, fields)
	claimed, err := s.ClaimWebhookDeliveries(ctx, time.Now(), time.Now().Add(time.Minute), 100)
	must(t, err)
	if len(claimed) == 0 || claimed[0].Secret != "whsec_"+canary("WHSEC") {
		t.Fatalf("webhook secret not stored: %+v", claimed)
	}
	return marker
}

// wantNoCanary checks that data, which must hold marker, holds no canary.
func wantNoCanary(t *testing.T, what string, data []byte, marker string) {
	t.Helper()
	if !bytes.Contains(data, []byte(marker)) {
		t.Fatalf("%s does not hold the marker stored beside the canaries: the scan looks at the wrong bytes", what)
	}
	if i := bytes.Index(data, []byte(canaryPrefix)); i >= 0 {
		end := min(len(data), i+40)
		t.Fatalf("%s holds a plaintext secret: %q", what, data[i:end])
	}
}

// TestCanariesAbsentAtRest is catalogue I01 and I11: canary tokens, API keys
// and secrets stored through the API appear in plaintext nowhere in the
// database (SQLite file and WAL; every PostgreSQL row, and pg_dump) nor in
// the store's logs.
func TestCanariesAbsentAtRest(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		path := t.TempDir() + "/canary.db"
		var logs logtest.Buffer
		s, err := store.Open(ctx, "sqlite:"+path, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		must(t, err)
		marker := storeCanaries(t, s)
		wal, err := os.ReadFile(path + "-wal")
		must(t, err)
		wantNoCanary(t, "the SQLite WAL", wal, marker) // the writes are still in the WAL
		must(t, s.Close())                             // closing checkpoints the WAL into the file
		db, err := os.ReadFile(path)
		must(t, err)
		wantNoCanary(t, "the SQLite file", db, marker)
		if strings.Contains(logs.String(), canaryPrefix) {
			t.Fatalf("the store logged a secret: %s", logs.String())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		var logs logtest.Buffer
		s, err := store.Open(ctx, url, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
		must(t, err)
		defer s.Close()
		marker := storeCanaries(t, s)

		// Every column of every row, as text.
		raw := store.RawDB(s)
		rows, err := raw.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
		must(t, err)
		var tables []string
		for rows.Next() {
			var name string
			must(t, rows.Scan(&name))
			tables = append(tables, name)
		}
		must(t, rows.Err())
		var dump bytes.Buffer
		for _, table := range tables {
			var text string
			must(t, raw.QueryRowContext(ctx, `SELECT COALESCE(string_agg(r::text, E'\n'), '') FROM `+table+` r`).Scan(&text))
			dump.WriteString(text + "\n")
		}
		wantNoCanary(t, "the PostgreSQL rows", dump.Bytes(), marker)
		if strings.Contains(logs.String(), canaryPrefix) {
			t.Fatalf("the store logged a secret: %s", logs.String())
		}

		if _, err := exec.LookPath("pg_dump"); err != nil {
			t.Log("pg_dump is not installed: checked the rows only")
			return
		}
		out, err := exec.CommandContext(ctx, "pg_dump", "--data-only", url).Output()
		if err != nil {
			t.Logf("pg_dump failed (%v): checked the rows only", err)
			return
		}
		wantNoCanary(t, "pg_dump", out, marker)
	})
}

// TestSealedValuesBoundToTheirPlace is catalogue I04 and I05: a ciphertext
// copied into another row or another column, or altered anywhere, does not
// decrypt; the error (a generic credentials_unreadable) concerns that object
// only, and never yields garbage.
func TestSealedValuesBoundToTheirPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v, raw := f.vendor, store.RawDB(s)
		a, b := f.connect(t), f.connect(t)
		credA, credB := &oriel.Credentials{AccessToken: "at-a"}, &oriel.Credentials{AccessToken: "at-b"}
		must2(s.SetConnected(ctx, v.ID, a.ID, credA))(t)
		must2(s.SetConnected(ctx, v.ID, b.ID, credB))(t)
		sealed := func(query, id string) string {
			t.Helper()
			var ct string
			must(t, raw.QueryRowContext(ctx, query, id).Scan(&ct))
			return ct
		}
		setCredentials := func(id, ct string) {
			t.Helper()
			must2(raw.ExecContext(ctx, `UPDATE connections SET credentials = $1 WHERE id = $2`, ct, id))(t)
		}
		unreadable := func(id string) {
			t.Helper()
			_, err := s.ConnectionCredentials(ctx, v.ID, id)
			wantCode(t, err, oriel.EINTERNAL, "credentials_unreadable")
		}
		ctA := sealed(`SELECT credentials FROM connections WHERE id = $1`, a.ID)
		ctSecret := sealed(`SELECT client_secret FROM integrations WHERE id = $1`, f.integration.ID)
		if !strings.HasPrefix(ctA, "v1:k1:") { // catalogue I02
			t.Fatalf("stored credentials are not a sealed value: %.12q", ctA)
		}

		setCredentials(b.ID, ctA) // another row
		unreadable(b.ID)
		wantCredentials(t, s, v.ID, a.ID, credA) // only that row fails
		setCredentials(b.ID, ctSecret)           // another table and column
		unreadable(b.ID)
		must2(raw.ExecContext(ctx, `UPDATE integrations SET client_secret = $1 WHERE id = $2`, ctA, f.integration.ID))(t)
		_, err := s.Integration(ctx, v.ID, "crm")
		wantCode(t, err, oriel.EINTERNAL, "credentials_unreadable")

		flip := func(s string, i int) string {
			c := byte('A')
			if s[i] == 'A' {
				c = 'B'
			}
			return s[:i] + string(c) + s[i+1:]
		}
		for name, ct := range map[string]string{
			"key id":    strings.Replace(ctA, "v1:k1:", "v1:k9:", 1),
			"version":   strings.Replace(ctA, "v1:", "v2:", 1),
			"nonce":     flip(ctA, len("v1:k1:")+2),
			"body":      flip(ctA, len("v1:k1:")+20),
			"tag":       flip(ctA, len(ctA)-3),
			"truncated": ctA[:len(ctA)-4],
			"empty":     "",
		} {
			setCredentials(a.ID, ct)
			_, err := s.ConnectionCredentials(ctx, v.ID, a.ID)
			if oriel.ErrorCode(err) != "credentials_unreadable" {
				t.Fatalf("altered %s: error %v, want credentials_unreadable", name, err)
			}
		}

		// The connection itself stays usable: it reads, lists, and can be deleted.
		if _, err := s.Connection(ctx, v.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if list, _, err := s.ListConnections(ctx, v.ID, "", oriel.Page{}); err != nil || len(list) != 2 {
			t.Fatalf("list: %d %v", len(list), err)
		}
		held, err := s.DeleteConnection(ctx, v.ID, b.ID)
		if err != nil || held != nil {
			t.Fatalf("deleting a connection with unreadable credentials: %+v %v", held, err)
		}

		// A webhook endpoint whose secret does not open gets no deliveries
		// claimed; its deliveries say why, and the others go out.
		good := endpoint(t, s, v.ID, "https://hooks.test/good")
		bad := endpoint(t, s, v.ID, "https://hooks.test/bad")
		ctGood := sealed(`SELECT secret FROM webhook_endpoints WHERE id = $1`, good.ID)
		must2(raw.ExecContext(ctx, `UPDATE webhook_endpoints SET secret = $1 WHERE id = $2`, ctGood, bad.ID))(t)
		f.connect(t)
		claimed, err := s.ClaimWebhookDeliveries(ctx, time.Now(), time.Now().Add(time.Minute), 10)
		must(t, err)
		if len(claimed) != 1 || claimed[0].EndpointID != good.ID || claimed[0].Secret != good.Secret {
			t.Fatalf("claimed %+v, want the good endpoint's delivery only", claimed)
		}
		ds, err := s.WebhookDeliveries(ctx, v.ID, claimed[0].Event.ID)
		must(t, err)
		for _, d := range ds {
			if d.EndpointID == bad.ID && (d.Status != oriel.DeliveryPending || !strings.Contains(d.LastError, "credentials_unreadable")) {
				t.Fatalf("the bad endpoint's delivery: %+v", d)
			}
		}
	})
}

// TestWithoutKeyring: a store without keys refuses, with a clear error, every
// write or read of a secret, and changes nothing then; the rest works.
func TestWithoutKeyring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		v := newVendor(t, s, "A")
		c := newCustomer(t, s, v.ID, "c")
		noKeys := func(err error) { t.Helper(); wantCode(t, err, oriel.EINTERNAL, "encryption_keys_missing") }

		_, err := s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "crm", Provider: "hubspot", ClientSecret: "secret"})
		noKeys(err)
		_, err = s.Integration(ctx, v.ID, "crm")
		wantCode(t, err, oriel.ENOTFOUND, "integration_not_found")
		must2(s.PutIntegration(ctx, &oriel.Integration{VendorID: v.ID, Key: "keys", Provider: "api_key"}))(t)
		conn := &oriel.Connection{VendorID: v.ID, CustomerID: c.ID, Integration: "keys"}
		must(t, s.CreateConnection(ctx, conn))
		_, err = s.SetConnected(ctx, v.ID, conn.ID, &oriel.Credentials{Fields: map[string]string{"api_key": "k"}})
		noKeys(err)
		if got, _ := s.Connection(ctx, v.ID, conn.ID); got.Status != oriel.StatusDisconnected {
			t.Fatalf("a refused change was stored: %+v", got)
		}
		if got := eventTypes(t, s, v.ID); len(got) != 1 {
			t.Fatalf("a refused change recorded an event: %v", got)
		}
		noKeys(s.CreateWebhookEndpoint(ctx, &oriel.WebhookEndpoint{VendorID: v.ID, URL: "https://hooks.test", Secret: "whsec_x"}))
		noKeys(s.CreateOAuthState(ctx, &oriel.OAuthState{StateHash: []byte("h"), VendorID: v.ID, ConnectionID: conn.ID, CodeVerifier: "x", ExpiresAt: time.Now().Add(time.Minute)}))
		noKeys(s.CheckKeyring(ctx))
		_, err = s.RotateKeys(ctx, 10)
		noKeys(err)
	})
}
