package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/store"
)

// demoPDF is a minimal PDF document, the demo employee's proof of an event.
const demoPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" +
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n"

// seedLifeEvents gives the employee two life events, each with a PDF: a
// marriage the vendor approved (through the vendor API, which opens its
// special window) and a birth still waiting for the vendor, which the
// partner app's vendor console approves. An employee reports events in
// the widget; the demo, which owns Oriel's store, writes them there as the
// widget API would. It converges: an event of a type the employee has
// already reported, whatever its status, is not reported again.
func seedLifeEvents(ctx context.Context, st store.Store, api *vendorAPI, vendorID, customer, employee string, today time.Time) error {
	u, err := st.User(ctx, vendorID, "E"+customer, "E"+employee)
	if err != nil {
		return err
	}
	have, _, err := st.ListLifeEvents(ctx, vendorID, benefits.LifeEventFilter{UserID: u.ID}, oriel.Page{Limit: 100})
	if err != nil {
		return err
	}
	reported := map[benefits.EventType]bool{}
	for _, e := range have {
		reported[e.Type] = true
	}
	day := oriel.DateOf(today)
	events := []struct {
		typ     benefits.EventType
		ago     int
		note    string
		approve bool
	}{
		{benefits.Marriage, 20, "Married at the town hall.", true},
		{benefits.Birth, 5, "Our daughter was born.", false},
	}
	for _, ev := range events {
		if reported[ev.typ] {
			continue
		}
		doc := &benefits.Document{VendorID: vendorID, UserID: u.ID, FileName: string(ev.typ) + "-certificate.pdf", ContentType: benefits.TypePDF}
		if err := st.CreateDocument(ctx, doc, bytes.NewReader([]byte(demoPDF))); err != nil {
			return err
		}
		e := &benefits.LifeEvent{VendorID: vendorID, UserID: u.ID, Type: ev.typ, EventDate: day.AddDays(-ev.ago), Note: ev.note}
		if err := st.CreateLifeEvent(ctx, e, []string{doc.ID}); err != nil {
			return fmt.Errorf("report a %s: %w", ev.typ, err)
		}
		if ev.approve {
			if err := api.call(ctx, http.MethodPost, "/v1/life-events/"+url.PathEscape(e.ID)+"/approve", map[string]any{}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
