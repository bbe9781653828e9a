package webhook

import (
	"net/url"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/netguard"
)

// Error codes of ValidateEndpoint.
const (
	CodeURLInvalid    = "webhook_url_invalid"
	CodeEventsInvalid = "webhook_events_invalid"
	// CodeDestinationNotAllowed refuses an endpoint whose host is a literal
	// internal address, and is the last_error of a delivery refused at
	// connect time.
	CodeDestinationNotAllowed = "destination_not_allowed"
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
				truncate(e, 64), eventTypeList(), AllEvents)
		}
	}
	return nil
}

// eventTypeList names every event type, grouped by object to stay short:
// "connection.{created,connected,…}, appointment.{booked,…}".
func eventTypeList() string {
	var objects []string
	names := map[string][]string{}
	for _, t := range oriel.EventTypes {
		object, name, _ := strings.Cut(t, ".")
		if names[object] == nil {
			objects = append(objects, object)
		}
		names[object] = append(names[object], name)
	}
	for i, object := range objects {
		objects[i] = object + ".{" + strings.Join(names[object], ",") + "}"
	}
	return strings.Join(objects, ", ")
}

// CheckDestination refuses, at registration, an endpoint URL whose host
// destinations would never connect to: a literal loopback, private,
// link-local or other internal address in any notation ("127.0.0.1",
// "[::1]", "2852039166", "0xA9FEA9FE", "0"), "localhost" or a cloud
// metadata name. A host name that needs resolving passes here; its
// addresses are checked at every delivery. The failure is EUNPROCESSABLE
// with code CodeDestinationNotAllowed.
func CheckDestination(destinations netguard.Policy, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeURLInvalid, "url must be an absolute https URL")
	}
	if destinations.CheckURL(u) != nil {
		return oriel.Errorf(oriel.EUNPROCESSABLE, CodeDestinationNotAllowed,
			"url points to a loopback, private, link-local or metadata address, which Oriel does not send webhooks to; use a public host name (a self-hosted Oriel whose receivers are on its own network can allow them with --webhook-allow-private)")
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
