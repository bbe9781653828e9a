package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// appointmentsOrigin is the partner app that frames the widget.
const appointmentsOrigin = "https://app.acme.test"

// bookAs books start of typeID on server url with an employee's access token
// and returns the status and answer.
func bookAs(url, token, typeID, start string) (int, map[string]any, error) {
	body, _ := json.Marshal(map[string]any{"type_id": typeID, "start": start})
	req, err := http.NewRequest("POST", url+"/widget-api/appointments", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("X-Oriel-Parent-Origin", appointmentsOrigin)
	return send(req, token)
}

// TestAppointmentsOnReplicas runs two servers on one PostgreSQL database.
// 50 employees book one single-capacity slot at once, half through each
// replica: exactly one succeeds. Then the employees keep booking 40 more
// slots through both while replica A is killed with SIGKILL mid-booking:
// after a restart every acknowledged booking is there, and no slot holds two.
func TestAppointmentsOnReplicas(t *testing.T) {
	t.Parallel()
	env, a, b, apiKey := startReplicas(t)
	mustCall := func(s *serveProcess, method, path string, body any, want int) map[string]any {
		t.Helper()
		code, out := s.call(method, path, apiKey, body)
		if code != want {
			t.Fatalf("%s %s = %d %v, want %d", method, path, code, out, want)
		}
		return out
	}
	mustCall(a, "PATCH", "/v1/vendor", map[string]any{"allowed_origins": []string{appointmentsOrigin}}, http.StatusOK)
	mustCall(a, "POST", "/v1/customers", map[string]any{"external_id": "acme", "name": "Acme"}, http.StatusCreated)
	typ := mustCall(b, "POST", "/v1/appointment-types", map[string]any{
		"name": "Telehealth", "duration_minutes": 30, "mode": "video",
		"availability": map[string]any{"time_zone": "UTC", "min_notice_minutes": 0, "weekly": []map[string]string{
			{"day": "monday", "start": "00:00", "end": "24:00"}, {"day": "tuesday", "start": "00:00", "end": "24:00"},
			{"day": "wednesday", "start": "00:00", "end": "24:00"}, {"day": "thursday", "start": "00:00", "end": "24:00"},
			{"day": "friday", "start": "00:00", "end": "24:00"}, {"day": "saturday", "start": "00:00", "end": "24:00"},
			{"day": "sunday", "start": "00:00", "end": "24:00"}}},
	}, http.StatusCreated)
	typeID := typ["id"].(string)
	slots := mustCall(a, "GET", "/v1/appointment-types/"+typeID+"/slots", nil, http.StatusOK)["data"].([]any)
	var starts []string
	for _, s := range slots[2:43] { // a few hours ahead, so none passes during the test
		starts = append(starts, s.(map[string]any)["start"].(string))
	}

	tokens := make([]string, 50)
	for i := range tokens {
		user := fmt.Sprintf("employee-%d", i)
		mustCall(a, "POST", "/v1/customers/Eacme/users", map[string]any{"external_id": user, "name": user}, http.StatusCreated)
		out := mustCall(b, "POST", "/v1/auth/access-tokens", map[string]any{"grant_type": "client_credentials",
			"bound_entity": map[string]any{"type": "user", "id": "E" + user, "customer": "Eacme"}}, http.StatusOK)
		tokens[i] = out["access_token"].(string)
	}

	// 50 at once on one slot, through both replicas.
	var ok atomic.Int32
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i, tok := range tokens {
		wg.Go(func() {
			<-gate
			url := []*serveProcess{a, b}[i%2].url
			code, out, err := bookAs(url, tok, typeID, starts[0])
			switch {
			case err != nil:
				t.Errorf("booking: %v", err)
			case code == http.StatusCreated:
				ok.Add(1)
			case code != http.StatusConflict || out["code"] != "slot_unavailable":
				t.Errorf("booking answered %d %v, want 201 or 409 slot_unavailable", code, out)
			}
		})
	}
	close(gate)
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d of 50 concurrent bookings of one slot succeeded, want 1", ok.Load())
	}

	// Everyone books the other slots, through both replicas; A is killed
	// once it has acknowledged five.
	type ack struct{ id, start string }
	var mu sync.Mutex
	var acked []ack
	var fromA atomic.Int32
	killed := make(chan struct{})
	var killOnce sync.Once
	for i, tok := range tokens {
		wg.Go(func() {
			server := []*serveProcess{a, b}[i%2]
			for j := range starts[1:] {
				start := starts[1+(i+j)%(len(starts)-1)]
				code, out, err := bookAs(server.url, tok, typeID, start)
				if err != nil { // A is gone: the request was not acknowledged
					continue
				}
				if code == http.StatusCreated {
					mu.Lock()
					acked = append(acked, ack{out["id"].(string), out["start"].(string)})
					mu.Unlock()
					if server == a && fromA.Add(1) == 5 {
						killOnce.Do(func() { close(killed) })
					}
				} else if code != http.StatusConflict {
					t.Errorf("booking answered %d %v", code, out)
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-killed:
		a.kill()
		<-done
	case <-done:
		t.Fatalf("replica A acknowledged %d bookings, fewer than 5, before the employees were done", fromA.Load())
	}

	restarted := startServe(t, env)
	stored := map[string]map[string]any{}
	perStart := map[string]int{}
	after := ""
	for {
		path := "/v1/appointments?limit=100&type=" + typeID
		if after != "" {
			path += "&starting_after=" + after
		}
		page := mustCall(restarted, "GET", path, nil, http.StatusOK)
		for _, item := range page["data"].([]any) {
			apt := item.(map[string]any)
			stored[apt["id"].(string)] = apt
			perStart[apt["start"].(string)]++
			after = apt["id"].(string)
		}
		if page["has_more"] != true {
			break
		}
	}
	for _, k := range acked {
		if got := stored[k.id]; got == nil || got["start"] != k.start || got["status"] != "booked" {
			t.Errorf("acknowledged booking %s at %s is %v after kill -9", k.id, k.start, got)
		}
	}
	for start, n := range perStart {
		if n > 1 {
			t.Errorf("slot %s holds %d bookings", start, n)
		}
	}
	t.Logf("%d bookings acknowledged (%d by replica A before its kill), %d stored, over %d slots", len(acked), fromA.Load(), len(stored), len(perStart))
}
