package oriel

import "time"

// Integration is a vendor's configuration of one provider: the OAuth client
// its customers' connections use, or the fields an API-key provider needs.
type Integration struct {
	ID       string `json:"id"`
	VendorID string `json:"vendor_id"`
	// Key is the vendor's name for the integration, unique per vendor, e.g. "crm".
	Key         string `json:"key"`
	Provider    string `json:"provider"` // a catalogue key, e.g. "google", or a generic kind: "oauth2", "api-key", "basic"
	DisplayName string `json:"display_name"`
	ClientID    string `json:"client_id,omitempty"`
	// ClientSecret is stored encrypted and never returned by the API.
	ClientSecret string   `json:"-"`
	Scopes       []string `json:"scopes"`
	// Config holds provider settings, e.g. the URLs of a generic oauth2 provider.
	Config map[string]string `json:"config,omitempty"`
	// Logo names the logo the vendor set (see Logo), or is "" for the
	// provider's monogram. The API shows it as a path under /logos/.
	Logo      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Logo is an image a vendor set on an integration, stored once per content.
type Logo struct {
	// Name is the lower-case hex SHA-256 of Data, a dot and the extension of
	// ContentType ("….png"); it is the logo's file name under /logos/.
	Name        string
	ContentType string // "image/png" or "image/jpeg"
	Data        []byte
}

// ConnectionStatus is where a connection stands.
type ConnectionStatus string

// The connection statuses.
const (
	StatusDisconnected ConnectionStatus = "disconnected"
	StatusConnected    ConnectionStatus = "connected"
	StatusError        ConnectionStatus = "error"
)

// Connection is one customer's authenticated link to a third-party app.
type Connection struct {
	ID            string `json:"id"`
	VendorID      string `json:"vendor_id"`
	CustomerID    string `json:"customer_id"`
	IntegrationID string `json:"-"`
	Integration   string `json:"integration"` // the integration's key
	// IntegrationName is the integration's display name, which the widgets
	// show; the store reads it with the connection.
	IntegrationName string `json:"-"`
	// IntegrationLogo is the integration's logo (see Integration.Logo),
	// read with the connection too.
	IntegrationLogo string           `json:"-"`
	Provider        string           `json:"provider"`
	Status          ConnectionStatus `json:"status"`
	LastError       string           `json:"last_error,omitempty"`
	// Config holds per-connection settings such as a Zendesk subdomain.
	Config map[string]string `json:"config,omitempty"`
	// TokenExpiresAt is when the stored access token expires, if it does.
	TokenExpiresAt *time.Time `json:"token_expires_at,omitempty"`
	ConnectedAt    *time.Time `json:"connected_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Credentials are what a connection authenticates with. They are stored
// encrypted, bound to their connection, and only ever returned to the vendor
// that owns the connection.
type Credentials struct {
	AccessToken  string    `json:"access_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	Scopes       []string  `json:"scopes,omitempty"`
	// Fields hold API-key or basic-auth values, by field name.
	Fields map[string]string `json:"fields,omitempty"`
}

// OAuthState is one pending OAuth authorization: created when the widget
// opens the provider's consent page, consumed once by the callback.
type OAuthState struct {
	// StateHash is the SHA-256 of the state parameter; the state itself is never stored.
	StateHash    []byte
	VendorID     string
	ConnectionID string
	// SessionID is the widget session that started the flow; the callback
	// must come from the same session.
	SessionID    string
	CodeVerifier string // PKCE verifier, stored encrypted
	RedirectURI  string
	// Origin is the widget page's origin the callback reports to.
	Origin    string
	ExpiresAt time.Time
}

// Event types sent to webhook endpoints.
const (
	EventConnectionCreated      = "connection.created"
	EventConnectionConnected    = "connection.connected"
	EventConnectionDisconnected = "connection.disconnected"
	EventConnectionError        = "connection.error"
	EventConnectionDeleted      = "connection.deleted"

	EventEnrollmentSubmitted  = "enrollment.submitted"
	EventEnrollmentWaived     = "enrollment.waived"
	EventEnrollmentActivated  = "enrollment.activated"
	EventEnrollmentTerminated = "enrollment.terminated"
	EventDependentAdded       = "dependent.added"
	EventDependentRemoved     = "dependent.removed"

	EventAppointmentBooked      = "appointment.booked"
	EventAppointmentRescheduled = "appointment.rescheduled"
	EventAppointmentCancelled   = "appointment.cancelled"
)

// EventTypes lists every webhook event type.
var EventTypes = []string{EventConnectionCreated, EventConnectionConnected, EventConnectionDisconnected, EventConnectionError, EventConnectionDeleted,
	EventEnrollmentSubmitted, EventEnrollmentWaived, EventEnrollmentActivated, EventEnrollmentTerminated, EventDependentAdded, EventDependentRemoved,
	EventAppointmentBooked, EventAppointmentRescheduled, EventAppointmentCancelled}

// WebhookEndpoint is a vendor URL that receives events.
type WebhookEndpoint struct {
	ID       string   `json:"id"`
	VendorID string   `json:"vendor_id"`
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	// Secret signs deliveries ("whsec_…"); returned once, at creation.
	Secret    string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// EventData is the thin payload of an event: ids to fetch the object by,
// and the few facts a receiver routes on. A connection event carries
// connection_id, customer_id and provider; an enrollment event customer_id,
// user_id, election_id, plan_kind, version and status (and effective_date
// or end_date when the vendor set one); a dependent event customer_id,
// user_id, dependent_id and relationship; an appointment event customer_id,
// user_id, appointment_id, type_id, start and end (dependent_id when for a
// dependent, previous_start on a reschedule, cancelled_by on a
// cancellation). No personal data (names, birth dates) is ever in an event.
type EventData struct {
	ConnectionID  string     `json:"connection_id,omitempty"`
	CustomerID    string     `json:"customer_id"`
	Provider      string     `json:"provider,omitempty"`
	UserID        string     `json:"user_id,omitempty"`
	ElectionID    string     `json:"election_id,omitempty"`
	PlanKind      string     `json:"plan_kind,omitempty"`
	Version       int        `json:"version,omitempty"`
	Status        string     `json:"status,omitempty"`
	EffectiveDate Date       `json:"effective_date,omitempty"`
	EndDate       Date       `json:"end_date,omitempty"`
	DependentID   string     `json:"dependent_id,omitempty"`
	Relationship  string     `json:"relationship,omitempty"`
	AppointmentID string     `json:"appointment_id,omitempty"`
	TypeID        string     `json:"type_id,omitempty"`
	Start         *time.Time `json:"start,omitempty"`
	End           *time.Time `json:"end,omitempty"`
	PreviousStart *time.Time `json:"previous_start,omitempty"`
	CancelledBy   string     `json:"cancelled_by,omitempty"` // employee or vendor
}

// WebhookEvent is one event, written in the same transaction as the change it reports.
type WebhookEvent struct {
	ID        string    `json:"id"`
	VendorID  string    `json:"-"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      EventData `json:"data"`
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // gave up after the retry period
)

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID            string        `json:"id"`
	Event         *WebhookEvent `json:"-"`
	EndpointID    string        `json:"endpoint_id"`
	URL           string        `json:"url"`
	Secret        string        `json:"-"`
	Status        string        `json:"status"`
	Attempts      int           `json:"attempts"`
	NextAttemptAt time.Time     `json:"next_attempt_at"`
	LastError     string        `json:"last_error,omitempty"`
}

// Appearance is a vendor's styling of every widget page.
type Appearance struct {
	Mode         string            `json:"mode"` // light, dark or auto
	Colors       map[string]string `json:"colors"`
	FontFamily   string            `json:"font_family,omitempty"`
	BorderRadius string            `json:"border_radius,omitempty"`
}
