package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/webhook"
)

// receiver is a webhook endpoint that hangs on its first request (so the
// server can be killed mid-delivery) and records the ones after.
type receiver struct {
	first     chan string // the webhook-id of the first, hanging request
	delivered chan string // webhook-ids verified and answered 200
	release   chan struct{}
	secret    string
	once      sync.Once
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	hung := false
	rc.once.Do(func() { hung = true })
	if hung {
		rc.first <- r.Header.Get("webhook-id")
		<-rc.release // until the test ends: the server dies meanwhile
		return
	}
	if err := webhook.Verify(rc.secret, r.Header, body, 0, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.delivered <- r.Header.Get("webhook-id")
}

// TestWebhookSurvivesKill: the server is killed with SIGKILL while it is
// delivering an event; after a restart the event is delivered, signed, with
// the same webhook-id (receivers dedupe on it).
func TestWebhookSurvivesKill(t *testing.T) {
	t.Parallel()
	for name, newEnv := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			rc := &receiver{first: make(chan string, 1), delivered: make(chan string, 8), release: make(chan struct{})}
			hook := httptest.NewServer(rc)
			t.Cleanup(hook.Close)
			t.Cleanup(func() { close(rc.release) })

			args := []string{"--dev", "--webhook-lease", "2s"}
			s := startServe(t, env, args...)
			_, apiKey := createVendor(t, env)
			code, endpoint := s.call("POST", "/v1/webhook-endpoints", apiKey, map[string]any{"url": hook.URL, "events": []string{"connection.created"}})
			if code != http.StatusCreated {
				t.Fatalf("POST /v1/webhook-endpoints = %d %v", code, endpoint)
			}
			rc.secret = endpoint["secret"].(string)
			for _, call := range []struct {
				method, path string
				body         map[string]any
			}{
				{"PUT", "/v1/integrations/keys", map[string]any{"provider": "openai", "display_name": "OpenAI"}},
				{"POST", "/v1/customers", map[string]any{"external_id": "acme", "name": "Acme"}},
				{"POST", "/v1/customers/Eacme/connections", map[string]any{"integration": "keys"}},
			} {
				if code, body := s.call(call.method, call.path, apiKey, call.body); code >= 300 {
					t.Fatalf("%s %s = %d %v", call.method, call.path, code, body)
				}
			}

			var id string
			select {
			case id = <-rc.first:
			case <-time.After(startTimeout):
				t.Fatal("the event was never sent")
			}
			s.kill()
			startServe(t, env, args...)
			select {
			case got := <-rc.delivered:
				if got != id {
					t.Fatalf("delivered webhook-id %q after the restart, want %q", got, id)
				}
			case <-time.After(startTimeout):
				t.Fatal("the event was lost: not delivered after the restart")
			}
		})
	}
}
