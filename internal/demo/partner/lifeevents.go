package partner

import (
	"context"
	"net/http"
	"net/url"
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

// pendingLifeEvents lists u's submitted life events through
// GET /v1/life-events.
func (a *app) pendingLifeEvents(ctx context.Context, u *User) *consoleData {
	q := url.Values{"status": {"submitted"}, "customer": {u.CustomerRef()}, "user": {u.Ref()}, "limit": {"100"}}
	var page struct {
		Data []pendingEvent `json:"data"`
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := a.oriel.Call(ctx, http.MethodGet, "/v1/life-events?"+q.Encode(), nil, &page); err != nil {
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
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	if err := a.oriel.Call(ctx, http.MethodPost, path, map[string]any{}, nil); err != nil {
		a.fail(w, r, "cannot approve the life event", err)
		return
	}
	http.Redirect(w, r, "/benefits", http.StatusSeeOther)
}
