package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
	"github.com/orielhq/oriel/web"
)

// The OAuth popup. A provider's consent page refuses to be framed, so the
// widget opens a popup, synchronously in the click handler, and then:
//
//  1. POST /widget-api/connections/{id}/oauth-start (with the widget's
//     session) begins the authorization with the engine, bound to a fresh
//     browser secret, and seals the provider's URL and that secret into a
//     one-time ticket, valid for ticketTTL;
//  2. the popup opens GET /oauth/start?ticket=…, at the top level and on
//     Oriel's own origin, so first-party: the ticket is used up, the
//     browser secret is set as an HttpOnly, SameSite=Lax cookie (__Host-
//     and Secure on https), and the popup is redirected to the provider;
//  3. the provider redirects to GET /oauth/callback, where the engine
//     accepts the state only from the browser holding the cookie whose
//     SHA-256 is the state's session (so a callback URL sent to, or forged
//     for, another browser fails with 400 before the provider is called);
//     the page posts the outcome to the widget that opened the popup, at
//     Oriel's origin exactly, and closes.
//
// Every response carries Referrer-Policy: no-referrer and Cache-Control:
// no-store (observe), and the callback page strips the code and state from
// its address before anything else runs (widget.js).

// ticketTTL is how long an OAuth start ticket may wait to be used.
const ticketTTL = 2 * time.Minute

// maxTicketLen bounds a ticket before it is decrypted.
const maxTicketLen = 8 << 10

// codeTicketInvalid: an /oauth/start ticket is malformed, expired or used.
const codeTicketInvalid = "oauth_ticket_invalid"

var (
	errTicketInvalid = oriel.Errorf(oriel.EINVALID, codeTicketInvalid,
		"this sign-in window's link is malformed, expired or was already used; close it and click Connect again")
	errNoBrowserBinding = oriel.Errorf(oriel.EINVALID, connect.CodeStateInvalid,
		"this browser did not start the authorization (its sign-in cookie is missing or expired); start again from the widget")
)

// ticketAAD binds sealed tickets to their one use.
var ticketAAD = []byte("oriel/oauth-start-ticket")

// oauthTicket is what a start ticket seals.
type oauthTicket struct {
	VendorID string `json:"v"`
	Nonce    string `json:"n"` // makes the ticket single-use (recorded as a jti)
	Browser  string `json:"b"` // the browser secret, for the cookie
	URL      string `json:"u"` // the provider's authorization URL
	Expires  int64  `json:"e"` // Unix seconds
}

// newOAuthTicket begins authorizing c and returns the sealed ticket that
// lets a popup finish starting it.
func (s *Server) newOAuthTicket(ctx context.Context, c *oriel.Connection) (string, error) {
	if s.keys == nil {
		return "", errSessionsUnavailable
	}
	browser := randomToken()
	authURL, err := s.engine.BeginOAuth(ctx, c.VendorID, c.ID, browserSession(browser), s.origin)
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(oauthTicket{VendorID: c.VendorID, Nonce: randomToken(), Browser: browser, URL: authURL,
		Expires: s.now().Add(ticketTTL).Unix()})
	if err != nil {
		return "", err
	}
	return s.keys.Seal(payload, ticketAAD)
}

// startURL is the popup's first page for a ticket.
func (s *Server) startURL(ticket string) string {
	return s.publicURL + "/oauth/start?" + url.Values{"ticket": {ticket}}.Encode()
}

// oauthStart answers GET /oauth/start: it uses up the ticket, binds the
// browser with the cookie and redirects to the provider.
func (s *Server) oauthStart(w http.ResponseWriter, r *http.Request) error {
	t, err := s.useTicket(r)
	if err != nil {
		return s.refuse(w, r, err, topLevel)
	}
	s.setOAuthCookie(w, t.Browser, int(connect.StateTTL.Seconds()))
	w.Header().Set("Location", t.URL)
	w.WriteHeader(http.StatusFound)
	return nil
}

// useTicket opens the request's ticket and records it used: any ticket
// that is not exactly one, intact, unexpired and unused is errTicketInvalid.
func (s *Server) useTicket(r *http.Request) (*oauthTicket, error) {
	if s.keys == nil {
		return nil, errSessionsUnavailable
	}
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil || len(values["ticket"]) != 1 || len(values["ticket"][0]) > maxTicketLen {
		return nil, errTicketInvalid
	}
	plain, err := s.keys.Open(values["ticket"][0], ticketAAD)
	if err != nil {
		return nil, errTicketInvalid
	}
	var t oauthTicket
	if json.Unmarshal(plain, &t) != nil || t.Nonce == "" || t.Browser == "" || s.now().Unix() > t.Expires {
		return nil, errTicketInvalid
	}
	err = s.store.RecordJTI(r.Context(), t.VendorID, "oauth-ticket:"+t.Nonce, time.Unix(t.Expires, 0))
	if oriel.ErrorKind(err) == oriel.EUNAUTHORIZED { // jti_replayed
		return nil, errTicketInvalid
	}
	return &t, err
}

// oauthCallback answers GET /oauth/callback, the redirect URI. A state the
// engine cannot accept answers a 400 page that posts nothing; otherwise
// the page reports the outcome, success or failure, to the widget.
func (s *Server) oauthCallback(w http.ResponseWriter, r *http.Request) error {
	s.setOAuthCookie(w, "", -1) // one flow per cookie, whatever happens
	c, err := r.Cookie(s.oauthCookie)
	if err != nil || c.Value == "" {
		return s.refuse(w, r, errNoBrowserBinding, topLevel)
	}
	res, err := s.engine.CompleteOAuth(r.Context(), browserSession(c.Value), r.URL.Query())
	if res == nil {
		return s.refuse(w, r, err, topLevel)
	}
	event, _ := json.Marshal(res.Event) // strings and a bool: it cannot fail
	page := web.CallbackPage{Connected: err == nil, Event: string(event), Problem: res.Event.Error}
	status := http.StatusOK
	if e := (*oriel.Error)(nil); errors.As(err, &e) {
		status = statusOf(e)
		stateOf(r).code = e.Code
	} else if err != nil { // the widget still hears of it, without the cause
		status = http.StatusInternalServerError
		s.logger.ErrorContext(r.Context(), "oauth callback failed", "request_id", stateOf(r).id, "err", err)
	}
	if res.Origin == s.origin {
		page.OpenerOrigin = s.origin
	}
	vendorID := ""
	if res.Connection != nil {
		vendorID = res.Connection.VendorID
		page.Name = newWidgetConnection(res.Connection).Name
	}
	page.Frame = web.Frame{Nonce: newNonce(), Theme: s.themeOf(r.Context(), vendorID)}
	return writePage(w, status, page.Frame, page)
}

// setOAuthCookie sets the browser binding of OAuth flows to value for
// maxAge seconds; a negative maxAge deletes it.
func (s *Server) setOAuthCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.oauthCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Secure:   s.secureCookie,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// browserSession is the engine's session id of a flow started in the
// browser that holds secret: the secret's SHA-256, so the database never
// holds the cookie itself.
func browserSession(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
