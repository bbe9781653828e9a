package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orielhq/oriel/client"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// Call sends vendor API requests with the API key and decodes the answer;
// Oriel's refusals are *Error values with the documented code.
func TestCall(t *testing.T) {
	o := startOriel(t, storetest.SQLite(t))
	c, ctx := o.client(), context.Background()

	var created struct {
		ID         string `json:"id"`
		ExternalID string `json:"external_id"`
	}
	must(t, c.Call(ctx, "POST", "/v1/customers", map[string]string{"external_id": "globex", "name": "Globex"}, &created))
	if !strings.HasPrefix(created.ID, "cus_") || created.ExternalID != "globex" {
		t.Fatalf("created %+v", created)
	}
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	must(t, c.Call(ctx, "GET", "v1/customers?limit=10", nil, &page))
	if len(page.Data) != 2 {
		t.Fatalf("listed %d customers, want acme and globex", len(page.Data))
	}
	must(t, c.Call(ctx, "DELETE", "/v1/customers/Eglobex", nil, nil))

	err := c.Call(ctx, "GET", "/v1/customers/Eglobex", nil, nil)
	var e *client.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusNotFound || e.Code != "customer_not_found" || e.Description == "" {
		t.Fatalf("a deleted customer: %v", err)
	}
	if !errors.Is(err, &client.Error{Code: "customer_not_found"}) {
		t.Fatal("errors.Is does not match the code")
	}
	err = c.Call(ctx, "POST", "/v1/customers", map[string]any{"name": 42}, nil)
	if !errors.As(err, &e) || e.StatusCode/100 != 4 || e.Code == "" || e.Code == client.CodeUnexpectedResponse {
		t.Fatalf("a bad body: %v", err)
	}
	err = client.New(o.url, "ork_wrong").Call(ctx, "GET", "/v1/customers", nil, nil)
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized || strings.Contains(err.Error(), "ork_wrong") {
		t.Fatalf("a wrong key: %v", err)
	}
}

// An answer that is not Oriel's (a proxy's error page, say) is
// unexpected_response, and so is a 2xx whose body is not the JSON expected.
func TestCallUnexpectedAnswers(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/bad-gateway" {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
			return
		}
		w.Write([]byte("not json"))
	}))
	t.Cleanup(ts.Close)
	c := client.New(ts.URL, "key")
	for _, path := range []string{"/v1/bad-gateway", "/v1/ok"} {
		var out map[string]any
		if err := c.Call(context.Background(), "GET", path, nil, &out); !errors.Is(err, client.ErrUnexpectedResponse) {
			t.Errorf("%s: %v, want unexpected_response", path, err)
		}
	}
}
