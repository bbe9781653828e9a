package directlink

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
)

// maxRequestBytes bounds a Handler request body.
const maxRequestBytes = 8 << 10

// Identity is who an authenticated caller of Handler is.
type Identity struct {
	// Customer and User are whom the caller's links sign in: an Oriel id or
	// "E" + external id each; User empty for a customer-level session.
	Customer string
	User     string
	// AnyCustomer lets the request itself name the customer and user. Set
	// it only for trusted back-end callers: a browser-facing caller must get
	// links for its own customer and user only.
	AnyCustomer bool
}

// Handler is the direct link URL microservice. It answers
//
//	POST (any path), Content-Type: application/json
//	{"kind": "connection"|"app"|"sso"|"employee-dashboard", "asset": "con_42", "/connections" or "",
//	 "customer": "…", "user": "…", "origin": "https://app.vendor.example"}
//
// with 200 {"url": "…"}, after Authenticate has identified the caller. For
// a caller without AnyCustomer, customer and user may be left out (the
// identity's are used) or must equal the identity's. Errors answer
// {"code": …, "message": …} with 400, 401, 403, 405, 413, 415 or 500.
// Neither the token nor the URL is ever logged. Requiring a JSON body also
// keeps cross-site forms from using a logged-in browser's cookies (CSRF).
type Handler struct {
	Signer  *Signer
	BaseURL string // the Oriel deployment's public URL, for example from Regions.BaseURL
	// Authenticate identifies the caller from the request (a session cookie,
	// a bearer token …); an error answers 401.
	Authenticate func(*http.Request) (Identity, error)
	// Logger, when set, records failures (never tokens or URLs).
	Logger *slog.Logger
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, err := checkBaseURL(h.BaseURL); err != nil || h.Signer == nil || h.Authenticate == nil {
		h.log(r, "directlink handler misconfigured: Signer, Authenticate and a valid BaseURL are required", err)
		writeError(w, http.StatusInternalServerError, "internal_error", "the link service is not configured")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST with a JSON body")
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send Content-Type: application/json")
		return
	}
	id, err := h.Authenticate(r)
	if err != nil {
		h.log(r, "direct link request not authenticated", err)
		writeError(w, http.StatusUnauthorized, "unauthenticated", "authentication required")
		return
	}
	var link Link
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&link); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "request_too_large", "the request body is over 8 KiB")
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must be one JSON object with kind, asset and optionally customer, user and origin")
		return
	}
	if dec.More() {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body must hold exactly one JSON object")
		return
	}
	if !id.AnyCustomer {
		if (link.Customer != "" && link.Customer != id.Customer) || (link.User != "" && link.User != id.User) {
			writeError(w, http.StatusForbidden, "customer_not_allowed", "you may request links only for your own customer and user")
			return
		}
		link.Customer, link.User = id.Customer, id.User
	}
	if link.Customer == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "customer is required")
		return
	}
	u, err := h.Signer.URL(h.BaseURL, link)
	if errors.Is(err, errSigning) {
		h.log(r, "direct link signing failed", err)
		writeError(w, http.StatusInternalServerError, "internal_error", "the link could not be signed")
		return
	}
	if err != nil {
		// The other errors of URL describe the request and hold no secret.
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		URL string `json:"url"`
	}{u})
}

func (h *Handler) log(r *http.Request, msg string, err error) {
	if h.Logger == nil {
		return
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path}
	if err != nil {
		attrs = append(attrs, "error", err.Error())
	}
	h.Logger.WarnContext(r.Context(), msg, attrs...)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}{code, message})
}
