package partner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// consoleData is what the Benefits page's vendor console shows: the
// signed-in employee's life events waiting for Northwind's decision, or
// why they could not be read.
type consoleData struct {
	Pending []pendingEvent
	Problem string
}

// pendingEvent is one submitted life event of GET /v1/life-events.
type pendingEvent struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	EventDate string `json:"event_date"`
	Note      string `json:"note"`
}

// vendorCall calls Oriel's vendor API with Northwind's API key: a plain
// HTTP request, as any backend can send, decoding a 2xx answer into out
// when out is not nil.
func (a *app) vendorCall(ctx context.Context, method, path string, body io.Reader, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.cfg.OrielURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.APIKey)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out)
}

// pendingLifeEvents lists u's submitted life events through
// GET /v1/life-events.
func (a *app) pendingLifeEvents(ctx context.Context, u *User) *consoleData {
	q := url.Values{"status": {"submitted"}, "customer": {u.CustomerRef()}, "user": {u.Ref()}, "limit": {"100"}}
	var page struct {
		Data []pendingEvent `json:"data"`
	}
	if err := a.vendorCall(ctx, http.MethodGet, "/v1/life-events?"+q.Encode(), nil, &page); err != nil {
		a.logger.Warn("listing life events through Oriel failed", "err", err)
		return &consoleData{Problem: "Oriel could not list the life events; try again in a moment."}
	}
	return &consoleData{Pending: page.Data}
}

// approveLifeEvent answers the vendor console's Approve button
// (POST /benefits/life-events/{id}/approve): Northwind's backend approves
// the event with POST /v1/life-events/{id}/approve, which opens the
// employee's special enrollment window, and goes back to the Benefits page.
func (a *app) approveLifeEvent(w http.ResponseWriter, r *http.Request) {
	path := "/v1/life-events/" + url.PathEscape(r.PathValue("id")) + "/approve"
	if err := a.vendorCall(r.Context(), http.MethodPost, path, strings.NewReader("{}"), nil); err != nil {
		a.fail(w, r, "cannot approve the life event", err)
		return
	}
	http.Redirect(w, r, "/benefits", http.StatusSeeOther)
}
