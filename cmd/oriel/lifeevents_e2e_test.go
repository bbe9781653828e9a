package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// TestKillDuringUpload reports a life event with a document, then kills
// the server with SIGKILL halfway through a second upload: after a restart
// the acknowledged event and its document are whole, and the cut upload
// left nothing the employee can see.
func TestKillDuringUpload(t *testing.T) {
	t.Parallel()
	for name, newEnv := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			_, apiKey := createVendor(t, env)
			s := startServe(t, env)
			for _, c := range []struct {
				method, path string
				body         any
			}{
				{"PATCH", "/v1/vendor", map[string]any{"allowed_origins": []string{"https://app.acme.test"}}},
				{"POST", "/v1/customers", map[string]any{"external_id": "acme", "name": "Acme"}},
				{"POST", "/v1/customers/Eacme/users", map[string]any{"external_id": "ann", "name": "Ann Lee"}},
			} {
				if code, body := s.call(c.method, c.path, apiKey, c.body); code >= 300 {
					t.Fatalf("%s %s = %d %v", c.method, c.path, code, body)
				}
			}
			code, tok := s.call("POST", "/v1/auth/access-tokens", apiKey, map[string]any{"grant_type": "client_credentials",
				"bound_entity": map[string]any{"type": "employee", "id": "Eann", "customer": "Eacme"}})
			if code != http.StatusOK {
				t.Fatalf("access token: %d %v", code, tok)
			}
			employee := func(s *serveProcess, method, path string, body io.Reader) *http.Request {
				req, err := http.NewRequest(method, s.url+path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("X-Oriel-Parent-Origin", "https://app.acme.test")
				return req
			}
			accessToken := tok["access_token"].(string)

			content := bytes.Repeat([]byte("%PDF-1.7 birth certificate\n"), 20000) // ~540 KB, 9 chunks
			code, doc := do(t, employee(s, "POST", "/widget-api/life-event-documents?file_name=cert.pdf", bytes.NewReader(content)), accessToken)
			if code != http.StatusCreated {
				t.Fatalf("upload: %d %v", code, doc)
			}
			req := employee(s, "POST", "/widget-api/life-events", bytes.NewReader([]byte(`{"type":"other","event_date":"`+time.Now().UTC().Format(time.DateOnly)+`","document_ids":["`+doc["id"].(string)+`"]}`)))
			code, event := do(t, req, accessToken)
			if code != http.StatusCreated {
				t.Fatalf("report: %d %v", code, event)
			}

			// A second upload: half of it is sent, then the server dies.
			pr, pw := io.Pipe()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cut := employee(s, "POST", "/widget-api/life-event-documents?file_name=cut.pdf", pr).WithContext(ctx)
			cut.Header.Set("Authorization", "Bearer "+accessToken)
			cut.ContentLength = int64(len(content) * 2)
			done := make(chan struct{})
			go func() {
				defer close(done)
				if resp, err := http.DefaultClient.Do(cut); err == nil {
					resp.Body.Close()
				}
			}()
			if _, err := pw.Write(content); err != nil {
				t.Fatal(err)
			}
			s.kill()
			pw.CloseWithError(io.ErrUnexpectedEOF)
			<-done

			s = startServe(t, env)
			id := event["id"].(string)
			code, got := s.call("GET", "/v1/life-events/"+id, apiKey, nil)
			if code != http.StatusOK || got["status"] != "submitted" || len(got["documents"].([]any)) != 1 {
				t.Fatalf("after kill -9: GET /v1/life-events/%s = %d %v", id, code, got)
			}
			dl, err := http.NewRequest("GET", s.url+"/v1/life-events/"+id+"/documents/"+doc["id"].(string), nil)
			if err != nil {
				t.Fatal(err)
			}
			dl.Header.Set("Authorization", "Bearer "+apiKey)
			resp, err := http.DefaultClient.Do(dl)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, content) {
				t.Fatalf("after kill -9 the document reads %d, %d bytes of %d", resp.StatusCode, len(body), len(content))
			}
			code, page := do(t, employee(s, "GET", "/widget-api/life-events", nil), accessToken)
			if code != http.StatusOK || len(page["data"].([]any)) != 1 {
				t.Fatalf("the employee's events after kill -9: %d %v", code, page)
			}
		})
	}
}
