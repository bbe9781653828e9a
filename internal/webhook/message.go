package webhook

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/orielhq/oriel"
)

// UserAgent identifies Oriel's webhook requests.
const UserAgent = "Oriel-Webhooks/1.0"

// Payload returns the JSON body sent for e, the thin payload
// {"id", "type", "created_at", "data": {"connection_id", "customer_id",
// "provider"}} (an appointment event's data describe the appointment), with
// created_at in RFC 3339 (UTC). It is the event exactly as
// GET /v1/webhook-events lists it, so a receiver fetches nothing else to act.
func Payload(e *oriel.WebhookEvent) ([]byte, error) {
	p := *e
	p.CreatedAt = p.CreatedAt.UTC()
	return json.Marshal(&p)
}

// message returns the body and headers of delivery d's attempt at time at:
// the event's payload, signed with the endpoint's secret under the event's
// id as webhook-id, so every attempt of the event carries the same id.
func message(d *oriel.WebhookDelivery, at time.Time) (body []byte, header http.Header, err error) {
	body, err = Payload(d.Event)
	if err != nil {
		return nil, nil, err
	}
	signature, err := Sign(d.Secret, d.Event.ID, at, body)
	if err != nil {
		return nil, nil, err
	}
	header = http.Header{}
	header.Set(HeaderID, d.Event.ID)
	header.Set(HeaderTimestamp, formatUnix(at))
	header.Set(HeaderSignature, signature)
	header.Set("Content-Type", "application/json")
	header.Set("User-Agent", UserAgent)
	return body, header, nil
}
