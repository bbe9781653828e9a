package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
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
			s, apiKey, accessToken := startWithEmployee(t, env)
			employee := func(s *serveProcess, method, path string, body io.Reader) *http.Request {
				return employeeRequest(t, s, method, path, body)
			}

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

// startWithEmployee starts a server, makes a vendor (allowing
// https://app.acme.test) with the customer acme and its employee ann, and
// returns the server, the API key and an access token bound to ann.
func startWithEmployee(t *testing.T, env []string) (s *serveProcess, apiKey, accessToken string) {
	t.Helper()
	_, apiKey = createVendor(t, env)
	s = startServe(t, env)
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
	return s, apiKey, tok["access_token"].(string)
}

// employeeRequest is a widget API request as the SDK-mode dashboard sends it.
func employeeRequest(t *testing.T, s *serveProcess, method, path string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Oriel-Parent-Origin", "https://app.acme.test")
	return req
}

// peakRSS is a process's peak resident memory (VmHWM), in KiB.
func peakRSS(t *testing.T, pid int) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	t.Skip("no VmHWM")
	return 0
}

// TestConcurrentUploadsMemory uploads four 10 MB documents at once and
// reports the server's peak memory before and after (a measurement, not a
// budget: the test asserts only that all four are stored whole).
func TestConcurrentUploadsMemory(t *testing.T) {
	t.Parallel()
	for name, newEnv := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, _, accessToken := startWithEmployee(t, newEnv(t))
			content := bytes.Repeat([]byte("%PDF-1.7 scan\n"), (10<<20)/14)
			before := peakRSS(t, s.cmd.Process.Pid)
			var wg sync.WaitGroup
			codes := make([]int, 4)
			for i := range codes {
				req := employeeRequest(t, s, "POST", "/widget-api/life-event-documents?file_name=scan.pdf", bytes.NewReader(content))
				wg.Go(func() {
					code, _, err := send(req, accessToken)
					if err != nil {
						t.Error(err)
					}
					codes[i] = code
				})
			}
			wg.Wait()
			after := peakRSS(t, s.cmd.Process.Pid)
			t.Logf("%s: 4 concurrent uploads of %d bytes: server peak RSS %d KiB before, %d KiB after (+%d KiB)", name, len(content), before, after, after-before)
			for _, code := range codes {
				if code != http.StatusCreated {
					t.Fatalf("upload answered %v", codes)
				}
			}
		})
	}
}
