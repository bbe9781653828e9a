package demo

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/demo/partner"
	"github.com/orielhq/oriel/internal/store"
)

// byStatus returns the vendor's life events by status.
func byStatus(t *testing.T, s *store.SQL, vendorID string) map[benefits.EventStatus][]*benefits.LifeEvent {
	t.Helper()
	events, _, err := s.ListLifeEvents(context.Background(), vendorID, benefits.LifeEventFilter{}, oriel.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[benefits.EventStatus][]*benefits.LifeEvent{}
	for _, e := range events {
		out[e.Status] = append(out[e.Status], e)
	}
	return out
}

// getBenefits returns Northwind's Benefits page.
func getBenefits(t *testing.T, app http.Handler) string {
	t.Helper()
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/benefits", nil))
	b, _ := io.ReadAll(w.Result().Body)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /benefits: %d %s", w.Code, b)
	}
	return string(b)
}

// The seed gives alice one approved marriage and one pending birth, each
// with a PDF, and a second run adds nothing; the vendor console on the
// Benefits page lists the birth, and its Approve button approves it,
// opening a special window.
func TestSeedLifeEventsAndApprove(t *testing.T) {
	ctx := context.Background()
	s, v, api := newTestVendor(t)
	if err := seedBenefits(ctx, api, "acme", []string{"alice"}, demoHireDate, time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := seedLifeEvents(ctx, s, api, v.ID, "acme", "alice", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	events := byStatus(t, s, v.ID)
	approved, pending := events[benefits.EventApproved], events[benefits.EventSubmitted]
	if len(events) != 2 || len(approved) != 1 || len(pending) != 1 ||
		approved[0].Type != benefits.Marriage || approved[0].WindowID == "" || pending[0].Type != benefits.Birth {
		t.Fatalf("events by status %v", events)
	}
	for _, e := range []*benefits.LifeEvent{approved[0], pending[0]} {
		full, err := s.LifeEvent(ctx, v.ID, "", e.ID)
		if err != nil || len(full.Documents) != 1 || full.Documents[0].ContentType != benefits.TypePDF {
			t.Fatalf("%s's documents %+v (%v)", e.Type, full, err)
		}
	}

	key, err := partner.LoadOrCreateSigningKey(filepath.Join(t.TempDir(), "key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := partner.New(partner.Config{OrielURL: api.baseURL, AppURL: "http://127.0.0.1:3000", VendorID: v.ID, SigningKey: key, APIKey: api.apiKey})
	if err != nil {
		t.Fatal(err)
	}
	action := "/benefits/life-events/" + pending[0].ID + "/approve"
	if page := getBenefits(t, app); !strings.Contains(page, `action="`+action+`"`) || strings.Contains(page, approved[0].ID) {
		t.Fatalf("the vendor console does not list only the pending birth:\n%s", page)
	}

	// A cross-site form post is refused, as on the app's other POST routes.
	forged := httptest.NewRequest(http.MethodPost, action, nil)
	forged.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, forged)
	if w.Code != http.StatusForbidden || len(byStatus(t, s, v.ID)[benefits.EventSubmitted]) != 1 {
		t.Fatalf("cross-site approve: %d", w.Code)
	}

	r := httptest.NewRequest(http.MethodPost, action, nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w = httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/benefits" {
		t.Fatalf("approve: %d to %q", w.Code, w.Header().Get("Location"))
	}
	birth, err := s.LifeEvent(ctx, v.ID, "", pending[0].ID)
	if err != nil || birth.Status != benefits.EventApproved || birth.Window == nil || birth.Window.Kind != benefits.Special {
		t.Fatalf("birth after approval %+v (%v)", birth, err)
	}
	if page := getBenefits(t, app); !strings.Contains(page, "No life events are waiting.") {
		t.Fatalf("the vendor console still lists events:\n%s", page)
	}
}
