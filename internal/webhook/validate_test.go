package webhook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/webhook"
)

func TestPayload(t *testing.T) {
	e := &oriel.WebhookEvent{
		ID: "evt_01", VendorID: "vnd_secretive", Type: oriel.EventConnectionConnected,
		CreatedAt: time.Date(2026, 1, 2, 4, 4, 5, 123456000, time.FixedZone("CET", 3600)),
		Data:      oriel.EventData{ConnectionID: "con_1", CustomerID: "cus_1", Provider: "salesforce"},
	}
	got, err := webhook.Payload(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"evt_01","type":"connection.connected","created_at":"2026-01-02T03:04:05.123456Z",` +
		`"data":{"connection_id":"con_1","customer_id":"cus_1","provider":"salesforce"}}`
	if string(got) != want {
		t.Fatalf("payload\n got %s\nwant %s", got, want)
	}
	if e.CreatedAt.Location().String() != "CET" {
		t.Fatal("Payload changed its argument")
	}
}

func TestValidateEndpoint(t *testing.T) {
	tests := []struct {
		url    string
		events []string
		code   string
	}{
		{url: "https://api.example.com/oriel/webhooks?tenant=1"},
		{url: "http://localhost:9000/hook", events: []string{"*"}},
		{url: "https://a.test/h", events: oriel.EventTypes},
		{url: "https://a.test/h", events: []string{}},
		{url: "", code: webhook.CodeURLInvalid},
		{url: "/relative", code: webhook.CodeURLInvalid},
		{url: "ftp://a.test/h", code: webhook.CodeURLInvalid},
		{url: "javascript:alert(1)", code: webhook.CodeURLInvalid},
		{url: "https://:443/h", code: webhook.CodeURLInvalid},
		{url: "https://user:pass@a.test/h", code: webhook.CodeURLInvalid},
		{url: "https://a.test/h#frag", code: webhook.CodeURLInvalid},
		{url: "https://a.test/h\nx", code: webhook.CodeURLInvalid},
		{url: "https://a.test/" + strings.Repeat("a", 2048), code: webhook.CodeURLInvalid},
		{url: "https://a.test/h", events: []string{"connection.created", "connection.updated"}, code: webhook.CodeEventsInvalid},
		{url: "https://a.test/h", events: []string{""}, code: webhook.CodeEventsInvalid},
		{url: "https://a.test/h", events: []string{strings.Repeat("x", 10000)}, code: webhook.CodeEventsInvalid},
	}
	for _, tt := range tests {
		err := webhook.ValidateEndpoint(tt.url, tt.events)
		if tt.code == "" {
			if err != nil {
				t.Errorf("ValidateEndpoint(%.40q, %v) = %v, want nil", tt.url, tt.events, err)
			}
			continue
		}
		if oriel.ErrorKind(err) != oriel.EUNPROCESSABLE || oriel.ErrorCode(err) != tt.code || len(err.Error()) > 400 {
			t.Errorf("ValidateEndpoint(%.40q, %.40q) = %v, want %s", tt.url, tt.events, err, tt.code)
		}
	}
}
