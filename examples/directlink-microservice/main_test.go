package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServiceIssuesLinks(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	keyFile := filepath.Join(t.TempDir(), "private.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := strings.Repeat("s", 32)
	env := map[string]string{
		"ORIEL_SIGNING_KEY_FILE": keyFile,
		"ORIEL_VENDOR_ID":        "vnd_1",
		"ORIEL_REGIONS":          "us=https://us.oriel.example,eu=https://eu.oriel.example",
		"ORIEL_REGION":           "eu",
		"LINK_SERVICE_TOKEN":     secret,
	}
	h, err := newHandler(func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for auth, want := range map[string]int{"Bearer " + secret: http.StatusOK, "Bearer wrong": http.StatusUnauthorized, "": http.StatusUnauthorized} {
		req := httptest.NewRequest(http.MethodPost, "/direct-link", strings.NewReader(`{"kind":"app","asset":"/connections","customer":"Eacme"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: status %d, want %d", auth, rec.Code, want)
		}
		var body struct{ URL string }
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if want == http.StatusOK && !strings.HasPrefix(body.URL, "https://eu.oriel.example/direct_link/embedded/app?dl_path=%2Fconnections&dl_token=") {
			t.Errorf("url = %q", body.URL)
		}
	}
	env["LINK_SERVICE_TOKEN"] = "short"
	if _, err := newHandler(func(k string) string { return env[k] }, nil); err == nil {
		t.Error("a short service token was accepted")
	}
}
