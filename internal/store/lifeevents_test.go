package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/benefits"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// failingReader yields its bytes, then fails as a client that went away.
type failingReader struct{ r io.Reader }

var errClientGone = errors.New("client went away")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errClientGone
	}
	return n, err
}

func countRows(t *testing.T, s *store.SQL, table string) int {
	t.Helper()
	var n int
	must(t, store.RawDB(s).QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
	return n
}

// Rules are data with per-customer overrides; documents stream in sealed
// chunks and read back whole; an interrupted upload leaves nothing; events
// move submitted → approved (opening a window) / denied / withdrawn once;
// window closings are recorded exactly once by racing callers.
func TestLifeEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		ctx := context.Background()
		f := newFixture(t, s)
		v, c := f.vendor, f.customer
		newPlan(t, s, v.ID, c.ID, benefits.Medical, "Gold")

		rules, err := s.LifeEventRules(ctx, v.ID, c.ID)
		must(t, err)
		if birth := benefits.RuleOf(rules, benefits.Birth); birth.LookbackDays != 60 || birth.WindowDays != 60 || !birth.DocumentRequired || birth.Custom {
			t.Fatalf("default birth rule %+v", birth)
		}
		must(t, s.SetLifeEventRule(ctx, v.ID, c.ID, benefits.EventRule{Type: benefits.Marriage, LookbackDays: 45, WindowDays: 10, PlanKinds: []benefits.PlanKind{benefits.Medical}}))
		must(t, s.SetLifeEventRule(ctx, v.ID, "Ecust-1", benefits.EventRule{Type: benefits.Marriage, LookbackDays: 40, WindowDays: 10, PlanKinds: []benefits.PlanKind{benefits.Medical}}))
		rules, _ = s.LifeEventRules(ctx, v.ID, c.ID)
		if m := benefits.RuleOf(rules, benefits.Marriage); m.LookbackDays != 40 || m.DocumentRequired || !m.Custom || m.PlanKinds[0] != benefits.Medical {
			t.Fatalf("custom marriage rule %+v", m)
		}
		must(t, s.ResetLifeEventRule(ctx, v.ID, c.ID, benefits.Marriage))
		if rules, _ = s.LifeEventRules(ctx, v.ID, c.ID); benefits.RuleOf(rules, benefits.Marriage).Custom {
			t.Fatal("reset kept the custom rule")
		}

		u := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, u))
		bob := &oriel.User{VendorID: v.ID, CustomerID: c.ID, Role: oriel.RoleMember}
		must(t, s.CreateUser(ctx, bob))

		content := make([]byte, 3*store.DocumentChunkSize+100)
		rand.Read(content)
		doc := &benefits.Document{VendorID: v.ID, UserID: u.ID, FileName: "birth.pdf", ContentType: benefits.TypePDF}
		must(t, s.CreateDocument(ctx, doc, bytes.NewReader(content)))
		if doc.Size != int64(len(content)) || doc.Chunks != 4 {
			t.Fatalf("document %+v", doc)
		}
		var raw string
		must(t, store.RawDB(s).QueryRow(`SELECT data FROM life_event_document_chunks WHERE document_id = $1 AND idx = 0`, doc.ID).Scan(&raw))
		if !strings.HasPrefix(raw, "v1:k1:") || strings.Contains(raw, string(content[:16])) {
			t.Fatal("chunk not sealed")
		}

		before := countRows(t, s, "life_event_document_chunks")
		broken := &benefits.Document{VendorID: v.ID, UserID: u.ID, FileName: "cut.pdf", ContentType: benefits.TypePDF}
		err = s.CreateDocument(ctx, broken, failingReader{bytes.NewReader(content[:2*store.DocumentChunkSize+5])})
		if !errors.Is(err, errClientGone) {
			t.Fatalf("interrupted upload: %v", err)
		}
		if countRows(t, s, "life_event_document_chunks") != before || countRows(t, s, "life_event_documents") != 1 {
			t.Fatal("an interrupted upload left rows behind")
		}
		if n, _ := s.PendingDocuments(ctx, v.ID, u.ID); n != 1 {
			t.Fatalf("pending %d", n)
		}

		_, err = s.Document(ctx, v.ID, bob.ID, doc.ID)
		wantCode(t, err, oriel.ENOTFOUND, "document_not_found")
		_, err = s.Document(ctx, v.ID, "", doc.ID) // not part of an event yet
		wantCode(t, err, oriel.ENOTFOUND, "document_not_found")

		e := &benefits.LifeEvent{VendorID: v.ID, UserID: bob.ID, Type: benefits.Birth, EventDate: "2027-02-01"}
		wantCode(t, s.CreateLifeEvent(ctx, e, []string{doc.ID}), oriel.EUNPROCESSABLE, "document_ids_invalid")
		e = &benefits.LifeEvent{VendorID: v.ID, UserID: u.ID, Type: benefits.Birth, EventDate: "2027-02-01", Note: "Ada"}
		must(t, s.CreateLifeEvent(ctx, e, []string{doc.ID}))
		if e.Status != benefits.EventSubmitted || len(e.Documents) != 1 || e.CustomerID != c.ID {
			t.Fatalf("event %+v", e)
		}
		got, err := s.Document(ctx, v.ID, "", doc.ID)
		must(t, err)
		var out bytes.Buffer
		must(t, s.WriteDocument(ctx, got, &out))
		if !bytes.Equal(out.Bytes(), content) {
			t.Fatal("document does not read back")
		}

		_, err = s.LifeEvent(ctx, v.ID, bob.ID, e.ID)
		wantCode(t, err, oriel.ENOTFOUND, "life_event_not_found")
		win := &benefits.Window{StartsOn: "2027-02-10", EndsOn: "2027-04-10", PlanYear: planYear, PlanKinds: []benefits.PlanKind{benefits.Medical}, Reason: "birth"}
		approved, err := s.ApproveLifeEvent(ctx, v.ID, e.ID, win)
		must(t, err)
		if approved.Status != benefits.EventApproved || approved.Window == nil || approved.Window.UserID != u.ID || approved.DecidedAt.IsZero() {
			t.Fatalf("approved %+v", approved)
		}
		_, err = s.DenyLifeEvent(ctx, v.ID, e.ID, "late")
		wantCode(t, err, oriel.ECONFLICT, benefits.CodeLifeEventNotSubmitted)
		windows, _ := s.EmployeeWindows(ctx, v.ID, c.ID, u.ID)
		if len(windows) != 1 || windows[0].ID != approved.WindowID {
			t.Fatalf("windows %+v", windows)
		}

		e2 := &benefits.LifeEvent{VendorID: v.ID, UserID: u.ID, Type: benefits.OtherLifeEvent, EventDate: "2027-02-02"}
		must(t, s.CreateLifeEvent(ctx, e2, nil))
		denied, err := s.DenyLifeEvent(ctx, v.ID, e2.ID, "not a qualifying event")
		must(t, err)
		if denied.Status != benefits.EventDenied || denied.DenyReason != "not a qualifying event" {
			t.Fatalf("denied %+v", denied)
		}
		e3 := &benefits.LifeEvent{VendorID: v.ID, UserID: u.ID, Type: benefits.Marriage, EventDate: "2027-02-03"}
		must(t, s.CreateLifeEvent(ctx, e3, nil))
		_, err = s.WithdrawLifeEvent(ctx, v.ID, bob.ID, e3.ID)
		wantCode(t, err, oriel.ENOTFOUND, "life_event_not_found")
		w3, err := s.WithdrawLifeEvent(ctx, v.ID, u.ID, e3.ID)
		must(t, err)
		if w3.Status != benefits.EventWithdrawn || !w3.DecidedAt.IsZero() {
			t.Fatalf("withdrawn %+v", w3)
		}

		page, more, err := s.ListLifeEvents(ctx, v.ID, benefits.LifeEventFilter{CustomerID: "Ecust-1", UserID: u.ID}, oriel.Page{Limit: 2})
		must(t, err)
		if len(page) != 2 || !more {
			t.Fatalf("page of %d, more %v", len(page), more)
		}
		for f, want := range map[benefits.LifeEventFilter]int{
			{Status: benefits.EventApproved}: 1, {Type: benefits.Marriage}: 1, {UserID: bob.ID}: 0, {CustomerID: c.ID, Status: benefits.EventSubmitted}: 0,
		} {
			if got, _, err := s.ListLifeEvents(ctx, v.ID, f, oriel.Page{}); err != nil || len(got) != want {
				t.Fatalf("filter %+v: %d events, %v", f, len(got), err)
			}
		}

		// Two replicas race to record the closing of the window that ended.
		var wg sync.WaitGroup
		counts := make([]int, 4)
		for i := range counts {
			wg.Go(func() {
				n, err := s.RecordClosedWindows(ctx, "2027-04-11")
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			})
		}
		wg.Wait()
		types := eventTypes(t, s, v.ID)
		closed := 0
		for _, typ := range types {
			if typ == oriel.EventWindowClosed {
				closed++
			}
		}
		if closed != 1 || counts[0]+counts[1]+counts[2]+counts[3] != 1 {
			t.Fatalf("closed recorded %d times (%v)", closed, counts)
		}
		for _, want := range []string{oriel.EventLifeEventSubmitted, oriel.EventLifeEventApproved, oriel.EventWindowOpened, oriel.EventLifeEventDenied, oriel.EventLifeEventWithdrawn} {
			if !slices.Contains(types, want) {
				t.Fatalf("no %s in %v", want, types)
			}
		}
	})
}
