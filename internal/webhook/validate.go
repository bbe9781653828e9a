package webhook

import (
	"net/url"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
)

// Error codes of ValidateEndpoint.
const (
	CodeURLInvalid    = "webhook_url_invalid"
	CodeEventsInvalid = "webhook_events_invalid"
)

// maxURLLen bounds an endpoint URL, as browsers and proxies commonly do.
const maxURLLen = 2048

// AllEvents, as an endpoint's only event type, subscribes it to every type,
// including types added later; so does an empty list.
const AllEvents = "*"

// ValidateEndpoint checks a new endpoint's URL and event types. The URL must
// be an absolute http or https URL with a host and without credentials or a
// fragment; each event type must be one of oriel.EventTypes or AllEvents.
// Failures are EUNPROCESSABLE with code CodeURLInvalid or CodeEventsInvalid.
func ValidateEndpoint(rawURL string, events []string) error {
	u, err := url.Parse(rawURL)
	switch {
	case len(rawURL) > maxURLLen:
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeURLInvalid, "url must be at most %d bytes long", maxURLLen)
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "":
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeURLInvalid, "url must be an absolute https (or http) URL such as https://api.example.com/oriel/webhooks")
	case u.User != nil:
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeURLInvalid, "url must not hold credentials (user:password@); requests are authenticated by their webhook-signature")
	case u.Fragment != "" || u.RawFragment != "":
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeURLInvalid, "url must not have a #fragment")
	}
	for _, e := range events {
		if e != AllEvents && !slices.Contains(oriel.EventTypes, e) {
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeEventsInvalid, "events: %q is not an event type; the types are %s, and %q means all",
				truncate(e, 64), strings.Join(oriel.EventTypes, ", "), AllEvents)
		}
	}
	return nil
}

// truncate shortens s to at most n bytes, for quoting input back.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
