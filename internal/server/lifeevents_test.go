package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// pdfOf returns a PDF-looking document of n bytes.
func pdfOf(n int) []byte {
	b := bytes.Repeat([]byte("x"), n)
	copy(b, "%PDF-1.7\n")
	return b
}

// lifeEvents calls the life-events widget API with token.
func (w *benefitsWorld) lifeEvents(token, method, path string, body any) *result {
	w.t.Helper()
	return w.doAs(token, method, "/widget-api/life-events"+path, body, parentOriginHeader, appOrigin)
}

// upload sends content as a document named name.
func (w *benefitsWorld) upload(token, name string, content []byte) *result {
	w.t.Helper()
	return w.doAs(token, "POST", documentUploadPath+"?file_name="+url.QueryEscape(name), content, parentOriginHeader, appOrigin)
}

// cutShort is a request body that fails after its bytes, as a client that
// went away mid-upload.
type cutShort struct{ r io.Reader }

func (c cutShort) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		return n, errors.New("connection reset by peer")
	}
	return n, err
}

// pendingDocuments counts the user's documents no event uses, complete or not.
func pendingDocuments(t *testing.T, s *store.SQL, vendorID, userID string) int {
	t.Helper()
	n, err := s.PendingDocuments(context.Background(), vendorID, userID)
	must(t, err)
	return n
}

// An employee reports a birth with a document; the type comes from the
// content; limits hold; the vendor reads, downloads, approves (opening a
// special window) and denies; the employee withdraws; webhooks follow.
func TestLifeEventsEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newBenefitsWorld(t, s)
		must(t, s.CreateWebhookEndpoint(context.Background(), &oriel.WebhookEndpoint{VendorID: w.vendor.ID, URL: "https://hooks.example/x", Secret: "whsec_x"}))
		ann, ben := w.employeeToken(w.annID), w.employeeToken(w.benID)

		// Rules: defaults, a customer's own, refused nonsense, reset.
		var rules struct{ Data []map[string]any }
		w.do("GET", "/v1/customers/Eacme/life-event-rules", nil).want(http.StatusOK).into(&rules)
		if len(rules.Data) != len(benefits.EventTypes) || rules.Data[2]["type"] != "birth" || rules.Data[2]["lookback_days"] != 60.0 {
			t.Fatalf("rules %v", rules.Data)
		}
		matchSchema(t, "LifeEventRule", rules.Data[0])
		w.do("PUT", "/v1/customers/Eacme/life-event-rules", map[string]any{"type": "marriage", "lookback_days": 45, "document_required": false, "window_days": 20,
			"plan_kinds": []string{"medical"}}).want(http.StatusOK)
		w.do("PUT", "/v1/customers/Eacme/life-event-rules", map[string]any{"type": "marriage", "lookback_days": 0, "window_days": 20}).
			problem(http.StatusUnprocessableEntity, benefits.CodeLifeEventRuleInvalid)
		w.do("PUT", "/v1/customers/Eacme/life-event-rules", map[string]any{"type": "lottery", "lookback_days": 1, "window_days": 20}).
			problem(http.StatusUnprocessableEntity, benefits.CodeLifeEventTypeInvalid)

		// Documents: sniffed from content, not name.
		w.upload(ann, "page.pdf", []byte("<!doctype html><script>alert(1)</script>")).problem(http.StatusUnprocessableEntity, benefits.CodeDocumentTypeUnsupported)
		w.upload(ann, "empty.pdf", nil).problem(http.StatusUnprocessableEntity, benefits.CodeDocumentTypeUnsupported)
		renamed := w.upload(ann, "scan.png", pdfOf(100)).want(http.StatusCreated).object()
		if renamed["content_type"] != benefits.TypePDF {
			t.Fatalf("a PDF named .png: %v", renamed)
		}
		w.upload(ann, "huge.pdf", pdfOf(DefaultMaxDocumentBytes+1)).problem(http.StatusRequestEntityTooLarge, benefits.CodeDocumentTooLarge)
		if n := pendingDocuments(t, s, w.vendor.ID, w.annID); n != 1 {
			t.Fatalf("after refused uploads: %d documents", n)
		}

		// An upload cut off halfway leaves nothing behind.
		req := httptest.NewRequest("POST", documentUploadPath+"?file_name=cut.pdf", cutShort{bytes.NewReader(pdfOf(3 * store.DocumentChunkSize))})
		req.Header.Set("Authorization", "Bearer "+ann)
		req.Header.Set(parentOriginHeader, appOrigin)
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), benefits.CodeDocumentUploadIncomplete) {
			t.Fatalf("cut upload: %d %s", rec.Code, rec.Body)
		}
		if n := pendingDocuments(t, s, w.vendor.ID, w.annID); n != 1 {
			t.Fatalf("a cut upload left a document behind (%d)", n)
		}

		content := pdfOf(2*store.DocumentChunkSize + 7)
		doc := w.upload(ann, "birth certificate.pdf", content).want(http.StatusCreated).object()
		matchSchemaSubset(t, "LifeEventDocument", doc)

		// Reporting: the rule's look-back, its document, the limit.
		w.lifeEvents(ann, "POST", "", map[string]any{"type": "birth", "event_date": "2025-12-20"}).problem(http.StatusUnprocessableEntity, benefits.CodeDocumentRequired)
		detail := w.lifeEvents(ann, "POST", "", map[string]any{"type": "birth", "event_date": "2025-10-01", "document_ids": []string{field(doc, "id")}}).
			problem(http.StatusUnprocessableEntity, benefits.CodeLifeEventTooLate)
		if !strings.Contains(detail, "2025-11-30") {
			t.Fatalf("the too-late error does not name the deadline: %s", detail)
		}
		w.lifeEvents(ann, "POST", "", map[string]any{"type": "birth", "event_date": "2026-02-01"}).problem(http.StatusUnprocessableEntity, benefits.CodeLifeEventDateInvalid)
		w.lifeEvents(ben, "POST", "", map[string]any{"type": "birth", "event_date": "2025-12-20", "document_ids": []string{field(doc, "id")}}).
			problem(http.StatusUnprocessableEntity, "document_ids_invalid")
		birth := w.lifeEvents(ann, "POST", "", map[string]any{"type": "birth", "event_date": "2025-12-20", "note": "Ada was born",
			"document_ids": []string{field(doc, "id"), field(renamed, "id")}}).want(http.StatusCreated).object()
		matchSchemaSubset(t, "LifeEvent", birth)
		if birth["status"] != "submitted" || len(birth["documents"].([]any)) != 2 {
			t.Fatalf("birth %v", birth)
		}
		birthID := field(birth, "id")

		// Downloads: only the employee's own, as an inert attachment.
		w.doAs(ben, "GET", documentUploadPath+"/"+field(doc, "id"), nil, parentOriginHeader, appOrigin).problem(http.StatusNotFound, "document_not_found")
		dl := w.doAs(ann, "GET", documentUploadPath+"/"+field(doc, "id"), nil, parentOriginHeader, appOrigin).want(http.StatusOK)
		if !bytes.Equal(dl.body, content) || dl.header.Get("Content-Type") != benefits.TypePDF || dl.header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") || dl.header.Get("Content-Security-Policy") != documentCSP {
			t.Fatalf("download headers %v", dl.header)
		}
		vdl := w.do("GET", "/v1/life-events/"+birthID+"/documents/"+field(doc, "id"), nil).want(http.StatusOK)
		if !bytes.Equal(vdl.body, content) {
			t.Fatal("the vendor's download differs")
		}
		w.do("GET", "/v1/life-events/"+birthID+"/documents/nope", nil).problem(http.StatusNotFound, "document_not_found")

		// Withdraw, deny, approve.
		other := w.lifeEvents(ann, "POST", "", map[string]any{"type": "other", "event_date": "2025-12-30"}).want(http.StatusCreated).object()
		marriage := w.lifeEvents(ann, "POST", "", map[string]any{"type": "marriage", "event_date": "2025-12-01"}).want(http.StatusCreated).object()
		w.lifeEvents(ben, "POST", "/"+field(other, "id")+"/withdraw", nil).problem(http.StatusNotFound, "life_event_not_found")
		if got := w.lifeEvents(ann, "POST", "/"+field(other, "id")+"/withdraw", nil).want(http.StatusOK).object(); got["status"] != "withdrawn" {
			t.Fatalf("withdrawn %v", got)
		}
		w.do("POST", "/v1/life-events/"+field(marriage, "id")+"/deny", map[string]any{}).problem(http.StatusUnprocessableEntity, "life_event_invalid")
		denied := w.do("POST", "/v1/life-events/"+field(marriage, "id")+"/deny", map[string]any{"reason": "no certificate"}).want(http.StatusOK).object()
		if denied["deny_reason"] != "no certificate" {
			t.Fatalf("denied %v", denied)
		}
		approved := w.do("POST", "/v1/life-events/"+birthID+"/approve", map[string]any{}).want(http.StatusOK).object()
		window := approved["window"].(map[string]any)
		if approved["status"] != "approved" || window["kind"] != "special" || window["starts_on"] != "2026-01-02" || window["ends_on"] != "2026-03-02" ||
			window["user_id"] != w.annID || !slices.Contains(window["plan_kinds"].([]any), any("medical")) {
			t.Fatalf("approved %v", approved)
		}
		w.do("POST", "/v1/life-events/"+birthID+"/approve", map[string]any{"ends_on": "2026-05-01"}).problem(http.StatusConflict, benefits.CodeLifeEventNotSubmitted)
		w.lifeEvents(ann, "POST", "/"+birthID+"/withdraw", nil).problem(http.StatusConflict, benefits.CodeLifeEventNotSubmitted)

		var mine lifeEventsPage
		w.lifeEvents(ann, "GET", "", nil).want(http.StatusOK).into(&mine)
		if len(mine.Data) != 3 || len(mine.Rules) != len(benefits.EventTypes) || mine.MaxDocumentsPerEvent != 5 || mine.Today != "2026-01-02" {
			t.Fatalf("the employee's page %+v", mine)
		}
		w.lifeEvents(ben, "GET", "", nil).want(http.StatusOK).into(&mine)
		if len(mine.Data) != 0 {
			t.Fatalf("ben sees %v", mine.Data)
		}

		// The vendor's list and its filters.
		for query, want := range map[string]int{"": 3, "?status=approved": 1, "?type=marriage": 1, "?customer=Eacme&user=Eann": 3, "?user=" + w.benID: 0, "?customer=Eglobex": 0} {
			var page listPage[map[string]any]
			w.do("GET", "/v1/life-events"+query, nil).want(http.StatusOK).into(&page)
			if len(page.Data) != want {
				t.Fatalf("GET /v1/life-events%s: %d events, want %d", query, len(page.Data), want)
			}
		}
		w.do("GET", "/v1/life-events?status=lost", nil).problem(http.StatusBadRequest, codeLifeEventFilter)

		// The window closes: recorded once.
		n, err := s.RecordClosedWindows(context.Background(), "2026-03-03")
		must(t, err)
		again, _ := s.RecordClosedWindows(context.Background(), "2026-03-03")
		if n != 2 || again != 0 { // the open-enrollment window and the special one
			t.Fatalf("closed windows recorded %d, then %d", n, again)
		}
		events, _, err := s.ListWebhookEvents(context.Background(), w.vendor.ID, oriel.Page{Limit: store.MaxPageLimit})
		must(t, err)
		var types []string
		for _, e := range events {
			types = append(types, e.Type)
			if e.Type == oriel.EventLifeEventApproved && (e.Data.LifeEventID != birthID || e.Data.WindowID == "" || e.Data.LifeEventType != "birth") {
				t.Fatalf("approved event %+v", e)
			}
		}
		for _, want := range []string{oriel.EventLifeEventSubmitted, oriel.EventLifeEventWithdrawn, oriel.EventLifeEventDenied, oriel.EventLifeEventApproved,
			oriel.EventWindowOpened, oriel.EventWindowClosed} {
			if !slices.Contains(types, want) {
				t.Fatalf("no %s among %v", want, types)
			}
		}
	})
}
