package server

import (
	"net/http"
	"net/netip"
	"net/url"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/webhook"
)

// Webhooks: endpoints that receive connection events, signed by the
// Standard Webhooks scheme with a secret shown once, at creation; and the
// events themselves, each with the status of its deliveries, which the
// vendor may have sent again. Package webhook signs and delivers them.

// maxEventTypes bounds the event types one endpoint lists.
const maxEventTypes = 20

// webhookEndpointCreate is the body of POST /v1/webhook-endpoints.
type webhookEndpointCreate struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

func (e *webhookEndpointCreate) validate() error {
	if len(e.Events) > maxEventTypes {
		return oriel.Errorf(oriel.EUNPROCESSABLE, webhook.CodeEventsInvalid, "events may list at most %d types", maxEventTypes)
	}
	return webhook.ValidateEndpoint(e.URL, e.Events)
}

// checkWebhookURL requires https (in development mode, http is allowed on
// a loopback host too) and a host that is not a literal internal address
// unless the server's webhook destinations allow private ones.
func (s *Server) checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !(u.Scheme == "https" || u.Scheme == "http" && s.dev && loopbackHost(u.Hostname())) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, webhook.CodeURLInvalid, "url must use https (http is allowed on 127.0.0.1, [::1] and localhost in development mode only)")
	}
	return webhook.CheckDestination(s.webhookDestinations, raw)
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// createdWebhookEndpoint answers POST /v1/webhook-endpoints: the endpoint
// and, this once, its signing secret.
type createdWebhookEndpoint struct {
	*oriel.WebhookEndpoint
	Secret string `json:"secret,omitempty"`
}

// createWebhookEndpoint adds an endpoint with a new secret. An idempotent
// retry gets the endpoint without its secret, which is stored sealed only.
func (s *Server) createWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	var in webhookEndpointCreate
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.checkWebhookURL(in.URL); err != nil {
		return err
	}
	e := &oriel.WebhookEndpoint{VendorID: vendorOf(r), URL: in.URL, Events: in.Events, Secret: webhook.NewSecret()}
	if err := s.store.CreateWebhookEndpoint(r.Context(), e); err != nil {
		return err
	}
	if err := storeReplay(r, createdWebhookEndpoint{WebhookEndpoint: e}); err != nil {
		return err
	}
	return reply(w, http.StatusCreated, createdWebhookEndpoint{WebhookEndpoint: e, Secret: e.Secret})
}

func (s *Server) listWebhookEndpoints(r *http.Request, p oriel.Page) ([]*oriel.WebhookEndpoint, bool, error) {
	return s.store.ListWebhookEndpoints(r.Context(), vendorOf(r), p)
}

func (s *Server) deleteWebhookEndpoint(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteWebhookEndpoint(r.Context(), vendorOf(r), r.PathValue("id")))
}

// webhookEventView is an event with where it went.
type webhookEventView struct {
	*oriel.WebhookEvent
	Deliveries []*oriel.WebhookDelivery `json:"deliveries"`
}

func (s *Server) listWebhookEvents(r *http.Request, p oriel.Page) ([]webhookEventView, bool, error) {
	vendorID := vendorOf(r)
	events, more, err := s.store.ListWebhookEvents(r.Context(), vendorID, p)
	if err != nil {
		return nil, false, err
	}
	views := make([]webhookEventView, len(events))
	for i, e := range events {
		deliveries, err := s.store.WebhookDeliveries(r.Context(), vendorID, e.ID)
		if err != nil {
			return nil, false, err
		}
		if deliveries == nil {
			deliveries = []*oriel.WebhookDelivery{}
		}
		views[i] = webhookEventView{WebhookEvent: e, Deliveries: deliveries}
	}
	return views, more, nil
}

// retryWebhookEvent makes every delivery of an event due again now, the
// delivered ones included.
func (s *Server) retryWebhookEvent(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.RetryWebhookEvent(r.Context(), vendorOf(r), r.PathValue("id")))
}
