package server

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/internal/oauthdev"
	"github.com/orielhq/oriel/internal/store"
	"github.com/orielhq/oriel/internal/store/storetest"
)

// The whole OAuth flow through the popup (catalogue H01): a one-time start
// URL, a first-party cookie binding the browser, the provider's consent,
// and a callback page that reports to the widget at Oriel's origin only.
func TestOAuthFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		session := w.session("Eacme")
		start := w.startFlow(session, w.crm.ID)

		auth, err := url.Parse(start.location)
		must(t, err)
		q := auth.Query()
		if !strings.HasPrefix(start.location, w.idp.URL()+oauthdev.PathAuthorize+"?") || q.Get("redirect_uri") != "http://oriel.test/oauth/callback" ||
			q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 43 || q.Get("client_id") != idpClientID || q.Get("scope") != "contacts.read offline_access" {
			t.Fatalf("authorization URL %s", start.location)
		}
		c := start.binding
		if c.Name != "oriel_oauth" || len(c.Value) < 43 || strings.Contains(start.location, c.Value) || !c.HttpOnly || c.Secure ||
			c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge != int(connect.StateTTL.Seconds()) {
			t.Fatalf("browser binding cookie %+v", c)
		}
		value := c.Value

		callback := w.authorize(start.location)
		r := w.doAs("", "GET", callback, nil, "Cookie", start.cookie())
		page := r.page(http.StatusOK, "")
		event := callbackEvent(t, page)
		if event["id"] != w.crm.ID || event["provider"] != "oauth2" || event["connected"] != true || event["error"] != nil {
			t.Fatalf("event %v", event)
		}
		if !strings.Contains(page, `data-opener-origin="http://oriel.test"`) || !strings.Contains(page, "Demo CRM is connected") {
			t.Fatalf("callback page:\n%s", page)
		}
		if c := (&http.Response{Header: r.header}).Cookies(); len(c) != 1 || c[0].Name != "oriel_oauth" || c[0].MaxAge >= 0 {
			t.Fatalf("the callback does not clear the cookie: %v", c)
		}
		if w.status(w.crm) != "connected" || w.idp.TokenCalls(idpClientID) != 1 {
			t.Fatalf("status %s after %d token calls", w.status(w.crm), w.idp.TokenCalls(idpClientID))
		}
		if logs := w.logs.String(); strings.Contains(logs, q.Get("state")) || strings.Contains(logs, value) || strings.Contains(logs, "code=") {
			t.Fatal("the logs hold the state, the cookie or the code")
		}

		// Replaying the callback (H03) fails without contacting the provider.
		w.doAs("", "GET", callback, nil, "Cookie", start.cookie()).errorPage(http.StatusBadRequest, connect.CodeStateInvalid, "")
		if n := w.idp.TokenCalls(idpClientID); n != 1 {
			t.Fatalf("%d token calls after a replay, want 1", n)
		}
	})
}

// A callback whose state cannot be accepted answers 400, posts nothing,
// and never reaches the provider (catalogue H02, H03).
func TestOAuthCallbackRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.SQL) {
		w := newWorld(t, s)
		session := w.session("Eacme")
		cases := []struct {
			name   string
			call   func(callback string, f flow) *result
			status int
			code   string
		}{
			{"no cookie", func(cb string, f flow) *result { return w.doAs("", "GET", cb, nil) }, 400, connect.CodeStateInvalid},
			{"another browser's cookie", func(cb string, f flow) *result {
				other := w.startFlow(session, w.crm.ID)
				return w.doAs("", "GET", cb, nil, "Cookie", other.cookie())
			}, 400, connect.CodeStateInvalid},
			{"wrong state", func(cb string, f flow) *result {
				return w.doAs("", "GET", regexp.MustCompile(`state=[^&]+`).ReplaceAllString(cb, "state=forged"), nil, "Cookie", f.cookie())
			}, 400, connect.CodeStateInvalid},
			{"no state", func(cb string, f flow) *result {
				return w.doAs("", "GET", regexp.MustCompile(`&?state=[^&]+`).ReplaceAllString(cb, ""), nil, "Cookie", f.cookie())
			}, 400, connect.CodeStateInvalid},
			{"state twice", func(cb string, f flow) *result { return w.doAs("", "GET", cb+"&state=x", nil, "Cookie", f.cookie()) }, 400, connect.CodeStateInvalid},
			{"expired state", func(cb string, f flow) *result {
				w.clock.Advance(connect.StateTTL + time.Second)
				return w.doAs("", "GET", cb, nil, "Cookie", f.cookie())
			}, 400, connect.CodeStateInvalid},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := w.startFlow(session, w.crm.ID)
				r := tc.call(w.authorize(f.location), f)
				body := r.errorPage(tc.status, tc.code, "")
				if strings.Contains(body, "data-opener-origin") || strings.Contains(body, "data-status-event") {
					t.Fatal("a refused callback posts to the widget")
				}
			})
		}
		if n := w.idp.TokenCalls(idpClientID); n != 0 {
			t.Fatalf("the provider got %d token requests for refused callbacks", n)
		}
		if w.status(w.crm) != "disconnected" {
			t.Fatal("a refused callback connected")
		}
	})
}

// A provider's refusal reaches the widget with its error (H09), at
// Oriel's origin, and leaves the connection as it was.
func TestOAuthDenied(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	w.idp.SetConsent(oauthdev.ConsentDeny)
	r := w.connect(w.session("Eacme"))
	page := r.page(http.StatusBadRequest, "")
	event := callbackEvent(t, page)
	if event["connected"] != false || !strings.Contains(event["error"].(string), "not granted") || !strings.Contains(page, "Demo CRM was not connected") {
		t.Fatalf("event %v in\n%s", event, page)
	}
	if w.status(w.crm) != "disconnected" || w.idp.TokenCalls(idpClientID) != 0 {
		t.Fatal("a denied authorization changed the connection or redeemed a code")
	}
}

// A start ticket works once, for two minutes, and only as issued.
func TestOAuthStartTicket(t *testing.T) {
	w := newWorld(t, storetest.SQLite(t))
	session := w.session("Eacme")
	ticket := func() string {
		var start oauthStart
		w.widget(session, "POST", "/widget-api/connections/"+w.crm.ID+"/oauth-start", nil).want(http.StatusOK).into(&start)
		u, err := url.Parse(start.URL)
		must(t, err)
		return u.Query().Get("ticket")
	}
	open := func(query string) *result { return w.doAs("", "GET", "/oauth/start?"+query, nil) }

	used := ticket()
	open("ticket=" + url.QueryEscape(used)).want(http.StatusFound)
	r := open("ticket=" + url.QueryEscape(used))
	r.errorPage(http.StatusBadRequest, codeTicketInvalid, "")
	if r.header.Get("Location") != "" || len(r.header.Values("Set-Cookie")) != 0 {
		t.Fatal("a used ticket redirected or set a cookie")
	}
	late := ticket()
	w.clock.Advance(ticketTTL + time.Second)
	open("ticket="+url.QueryEscape(late)).errorPage(http.StatusBadRequest, codeTicketInvalid, "")

	fresh := ticket()
	tampered := fresh[:len(fresh)-2] + "AA"
	for _, q := range []string{"", "ticket=", "ticket=" + url.QueryEscape(tampered), "ticket=v1:k1:abc", "ticket=" + url.QueryEscape(fresh) + "&ticket=x",
		"ticket=" + strings.Repeat("a", maxTicketLen+1)} {
		open(q).errorPage(http.StatusBadRequest, codeTicketInvalid, "")
	}
	if r := w.doAs("", "HEAD", "/oauth/start?ticket="+url.QueryEscape(fresh), nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("HEAD: %d", r.status)
	}
	r = open("ticket=" + url.QueryEscape(fresh)).want(http.StatusFound)
	if r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("headers %v", r.header)
	}
}

// On https the browser binding is a __Host- cookie: Secure, HttpOnly,
// SameSite=Lax, Path=/, no Domain.
func TestOAuthCookieOnHTTPS(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), withKeys(t), func(c *Config) { c.PublicURL = "https://oriel.example" })
	rec := httptest.NewRecorder()
	e.srv.setOAuthCookie(rec, "v", int(connect.StateTTL.Seconds()))
	c := rec.Result().Cookies()[0]
	if c.Name != "__Host-oriel_oauth" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" || c.MaxAge != 600 {
		t.Fatalf("cookie %+v", c)
	}
}

// callbackEvent returns the connectionStatusChange payload a callback page
// posts to its opener.
func callbackEvent(t *testing.T, page string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`data-status-event="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the callback page posts no event:\n%s", page)
	}
	var event map[string]any
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &event); err != nil {
		t.Fatal(err)
	}
	return event
}
