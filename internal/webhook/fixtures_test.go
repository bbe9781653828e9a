package webhook_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/webhook"
)

var update = flag.Bool("update", false, "rewrite testdata/signed.json")

const fixturesPath = "testdata/signed.json"

// signedFixture is one delivery exactly as the dispatcher sent it. The JS
// tests (test/js/webhooks.test.mjs) check each with the standardwebhooks
// npm package, an implementation independent of ours.
type signedFixture struct {
	Name      string            `json:"name"`
	Secret    string            `json:"secret"`
	Timestamp int64             `json:"timestamp"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
}

// fixtureSecret is a secret whose key is n bytes counting up from first.
func fixtureSecret(first byte, n int) string {
	key := make([]byte, n)
	for i := range key {
		key[i] = first + byte(i)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

// fixtureCases are the deliveries of the fixtures: every event type, keys of
// 32 and 24 bytes, the spec's example secret, and a body with non-ASCII and
// JSON-escaped characters.
func fixtureCases() []*oriel.WebhookDelivery {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	data := oriel.EventData{ConnectionID: "con_01KFIXTURE0000000000000001", CustomerID: "cus_01KFIXTURE0000000000000001", Provider: "salesforce"}
	secrets := []string{fixtureSecret(0, 32), fixtureSecret(100, 24), specSecret}
	var cases []*oriel.WebhookDelivery
	for i, typ := range oriel.EventTypes {
		d := data
		switch typ {
		case oriel.EventConnectionError:
			d.Provider = "zoho-crm <&> ünïcødé ✓"
		case oriel.EventEnrollmentSubmitted, oriel.EventEnrollmentWaived, oriel.EventEnrollmentActivated, oriel.EventEnrollmentTerminated:
			d = oriel.EventData{CustomerID: data.CustomerID, UserID: "usr_01KFIXTURE0000000000000001", ElectionID: "enr_01KFIXTURE0000000000000001",
				PlanKind: "medical", Version: 2, Status: map[string]string{oriel.EventEnrollmentSubmitted: "submitted", oriel.EventEnrollmentWaived: "waived",
					oriel.EventEnrollmentActivated: "active", oriel.EventEnrollmentTerminated: "terminated"}[typ]}
			if typ == oriel.EventEnrollmentActivated || typ == oriel.EventEnrollmentTerminated {
				d.EffectiveDate = "2027-01-01"
			}
			if typ == oriel.EventEnrollmentTerminated {
				d.EndDate = "2027-06-30"
			}
		case oriel.EventDependentAdded, oriel.EventDependentRemoved:
			d = oriel.EventData{CustomerID: data.CustomerID, UserID: "usr_01KFIXTURE0000000000000001", DependentID: "dep_01KFIXTURE0000000000000001", Relationship: "child"}
		case oriel.EventAppointmentBooked, oriel.EventAppointmentRescheduled, oriel.EventAppointmentCancelled:
			start := time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)
			end := start.Add(30 * time.Minute)
			d = oriel.EventData{CustomerID: data.CustomerID, UserID: "usr_01KFIXTURE0000000000000001", AppointmentID: "apm_01KFIXTURE0000000000000001",
				TypeID: "apt_01KFIXTURE0000000000000001", Start: &start, End: &end}
		}
		cases = append(cases, &oriel.WebhookDelivery{
			ID: "dlv_fixture_" + strconv.Itoa(i), EndpointID: "we_fixture", Secret: secrets[i%len(secrets)],
			Event: &oriel.WebhookEvent{ID: "evt_01KFIXTURE000000000000000" + strconv.Itoa(i), Type: typ,
				CreatedAt: created.Add(time.Duration(i) * 1500 * time.Millisecond), Data: d},
		})
	}
	return cases
}

// signedFixtures sends each fixture case through a Dispatcher, at a fixed
// time a few minutes after its event, and returns what the receiver got.
func signedFixtures(t *testing.T) []signedFixture {
	rc := newReceiver(t, nil)
	var out []signedFixture
	for i, d := range fixtureCases() {
		d.URL = rc.URL + "/hooks"
		at := d.Event.CreatedAt.Add(time.Duration(i+1) * time.Minute)
		q := &queue{pending: []*oriel.WebhookDelivery{d}}
		deliverDue(t, &webhook.Dispatcher{Destinations: loopback, Store: q, Now: func() time.Time { return at }})
		reqs := rc.Requests()
		if len(reqs) != i+1 || len(q.finished) != 1 || q.finished[0] != (finished{id: d.ID, delivered: true}) {
			t.Fatalf("fixture %d: %d requests, finished %+v", i, len(reqs), q.finished)
		}
		r := reqs[i]
		headers := map[string]string{}
		for _, name := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature, "content-type", "user-agent"} {
			headers[name] = r.Header.Get(name)
		}
		out = append(out, signedFixture{Name: d.Event.Type, Secret: d.Secret, Timestamp: at.Unix(), Headers: headers, Body: string(r.Body)})
	}
	return out
}

// TestSignedFixtures keeps testdata/signed.json equal to what the
// dispatcher sends for the fixture cases; -update rewrites it.
func TestSignedFixtures(t *testing.T) {
	fixtures := signedFixtures(t)
	for _, f := range fixtures {
		if !strings.HasPrefix(f.Headers[webhook.HeaderSignature], "v1,") || f.Headers["content-type"] != "application/json" ||
			f.Headers[webhook.HeaderTimestamp] != strconv.FormatInt(f.Timestamp, 10) {
			t.Fatalf("fixture %s: headers %v", f.Name, f.Headers)
		}
	}
	got, err := json.MarshalIndent(fixtures, "", "  ")
	must(t, err)
	got = append(got, '\n')
	if *update {
		must(t, os.WriteFile(fixturesPath, got, 0o644))
		return
	}
	want, err := os.ReadFile(fixturesPath)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `go test ./internal/webhook -run TestSignedFixtures -update` and commit it", fixturesPath)
	}
}
