package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// DefaultLimit is how many tokens one entity may get a minute from a
// TokenHandler whose Limit is zero. The browser SDK fetches one on mount, one
// before each expiry and a few on retries, per open page.
const DefaultLimit = 20

// maxIdentifyBody bounds the request body Identify may read.
const maxIdentifyBody = 64 << 10

// TokenHandler is your token endpoint for the browser SDK's fetchToken. For
// a POST from your signed-in user's page it asks Identify whom the caller
// is, gets a token bound to that entity from Oriel with your API key, and
// answers
//
//	200 {"token": "oat_…", "expiresIn": 900}
//
// with Cache-Control: no-store. Failures answer {"code", "message"}:
// 405 method_not_allowed, 403 csrf_rejected, 401 unauthenticated,
// 429 rate_limited (with Retry-After), 502 token_request_failed (Oriel
// refused or failed; the Logger says why), 500 misconfigured.
//
// Cross-site request forgery is refused twice over: the request must be
// JSON (Content-Type: application/json) or carry an X-Requested-With
// header, which a cross-site form cannot send without a CORS preflight; and
// a browser request that comes from another origin (by Sec-Fetch-Site or
// Origin) must come from one of AllowedOrigins. Preflights from
// AllowedOrigins are answered, with credentials allowed, so pages on those
// origins may call the endpoint with fetch(…, {credentials: "include"}).
//
// Neither the token nor the API key is ever logged. A TokenHandler must not
// be copied after its first use.
type TokenHandler struct {
	Client *Client
	// Identify returns the entity the caller may have a token for, from the
	// caller's own authentication (your session cookie, …); never from
	// what the request asks for alone. An error answers 401.
	Identify func(*http.Request) (Entity, error)
	// AllowedOrigins are the origins, besides the endpoint's own, whose
	// pages may call it, as browsers send them: "https://app.example.com".
	// Behind a proxy that rewrites the Host header, list the endpoint's own
	// origin too.
	AllowedOrigins []string
	// Limit is how many tokens one entity may get a minute, all at once at
	// most; 0 means DefaultLimit.
	Limit int
	// Logger, when set, records failures by their codes.
	Logger *slog.Logger

	once    sync.Once
	csrf    *http.CrossOriginProtection
	limiter *limiter
	err     error // the configuration's mistake, if any
}

// setup checks the configuration and builds the checks, once.
func (h *TokenHandler) setup() error {
	h.once.Do(func() {
		switch {
		case h.Client == nil || h.Identify == nil:
			h.err = errors.New("client.TokenHandler needs Client and Identify")
			return
		case h.Limit < 0:
			h.err = errors.New("client.TokenHandler: Limit must not be negative")
			return
		}
		h.csrf = http.NewCrossOriginProtection()
		for _, o := range h.AllowedOrigins {
			if err := h.csrf.AddTrustedOrigin(o); err != nil {
				h.err = fmt.Errorf("client.TokenHandler: AllowedOrigins: %w", err)
				return
			}
		}
		limit := h.Limit
		if limit == 0 {
			limit = DefaultLimit
		}
		h.limiter = newLimiter(limit)
	})
	return h.err
}

// ServeHTTP implements http.Handler.
func (h *TokenHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	if err := h.setup(); err != nil {
		h.log(r, "token endpoint misconfigured", "error", err.Error())
		reply(w, http.StatusInternalServerError, "misconfigured", "the token endpoint is not configured")
		return
	}
	allowed := h.allowCORS(w, r)
	switch {
	case r.Method == http.MethodOptions && allowed:
		w.Header().Set("Access-Control-Allow-Methods", http.MethodPost)
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, X-Requested-With")
		w.Header().Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	case !nonSimple(r):
		reply(w, http.StatusForbidden, "csrf_rejected", "send Content-Type: application/json (or an X-Requested-With header)")
		return
	case h.csrf.Check(r) != nil:
		h.log(r, "cross-origin token request refused", "origin", r.Header.Get("Origin"))
		reply(w, http.StatusForbidden, "csrf_rejected", "this origin may not request tokens")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxIdentifyBody)
	entity, err := h.Identify(r)
	if err != nil {
		h.log(r, "token request not authenticated", "error", err.Error())
		reply(w, http.StatusUnauthorized, "unauthenticated", "sign in first")
		return
	}
	if ok, wait := h.limiter.take(string(entity.Type)+"\x00"+entity.Customer+"\x00"+entity.ID, time.Now()); !ok {
		retryAfter(w, wait)
		reply(w, http.StatusTooManyRequests, "rate_limited", "too many token requests; retry later")
		return
	}
	tok, err := h.Client.AccessToken(r.Context(), entity)
	if err != nil {
		h.fail(w, r, entity, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expiresIn"`
	}{tok.Token, tok.ExpiresIn})
}

// allowCORS sets the CORS headers of a response to one of AllowedOrigins,
// and reports whether r comes from one.
func (h *TokenHandler) allowCORS(w http.ResponseWriter, r *http.Request) bool {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !slices.Contains(h.AllowedOrigins, origin) {
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Credentials", "true")
	return true
}

// nonSimple reports whether r is a request a cross-site form cannot make:
// JSON, or with an X-Requested-With header.
func nonSimple(r *http.Request) bool {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mediaType == "application/json" || r.Header.Get("X-Requested-With") != ""
}

// fail answers Oriel's refusal: its rate limit as 429, anything else as 502,
// since the caller can do nothing about it.
func (h *TokenHandler) fail(w http.ResponseWriter, r *http.Request, entity Entity, err error) {
	var e *Error
	if errors.As(err, &e) {
		h.log(r, "oriel refused a token", "code", e.Code, "status", e.StatusCode, "description", e.Description, "entity_type", string(entity.Type), "entity_id", entity.ID)
		if e.Code == CodeRateLimited {
			retryAfter(w, e.RetryAfter)
			reply(w, http.StatusTooManyRequests, "rate_limited", "too many token requests; retry later")
			return
		}
	} else {
		h.log(r, "oriel token request failed", "error", err.Error())
	}
	reply(w, http.StatusBadGateway, "token_request_failed", "no token could be obtained; retry later")
}

func (h *TokenHandler) log(r *http.Request, msg string, attrs ...any) {
	if h.Logger != nil {
		h.Logger.WarnContext(r.Context(), msg, append([]any{"method", r.Method, "path", r.URL.Path}, attrs...)...)
	}
}

// retryAfter sets Retry-After to wait in whole seconds, at least one.
func retryAfter(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int((wait+time.Second-1)/time.Second))))
}

// reply answers {"code", "message"} with status.
func reply(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
}
