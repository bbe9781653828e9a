// Package oriel holds Oriel's domain types: vendors, their API keys, customers,
// users and signing keys, and the error type every layer speaks. It imports
// nothing from the rest of the module; every other package is named after what
// it wraps (store → a database, server → HTTP, …) and depends on this one.
package oriel

import (
	"strings"
	"time"
)

// Vendor is a SaaS company that embeds Oriel widgets in its own product.
type Vendor struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// AllowedOrigins are the default origins that may frame this vendor's
	// widgets, used for customers that have none of their own.
	AllowedOrigins []string  `json:"allowed_origins"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// VendorUpdate lists the fields PATCH /v1/vendor may change; nil means unchanged.
type VendorUpdate struct {
	Name           *string   `json:"name,omitempty"`
	AllowedOrigins *[]string `json:"allowed_origins,omitempty"`
}

// APIKey authenticates a vendor's backend. The secret is shown once at
// creation; only its SHA-256 hash is stored.
type APIKey struct {
	ID       string `json:"id"`
	VendorID string `json:"vendor_id"`
	Name     string `json:"name"`
	// Hint is the last four characters of the secret, for recognising a key in a list.
	Hint       string     `json:"hint"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Customer is one of a vendor's accounts (a team or company).
type Customer struct {
	ID         string `json:"id"`
	VendorID   string `json:"vendor_id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	// AllowedOrigins, when not empty, replace the vendor's default origins.
	AllowedOrigins []string `json:"allowed_origins"`
	// PayFrequency is how often the customer, as an employer, pays its
	// employees: weekly, biweekly (the default), semimonthly or monthly.
	PayFrequency string `json:"pay_frequency"`
	// NewHireWindowDays is how many days from a hire date a new employee
	// may enroll in benefits (default 30).
	NewHireWindowDays int       `json:"new_hire_window_days"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// CustomerUpdate lists the fields PATCH may change; nil means unchanged.
type CustomerUpdate struct {
	ExternalID        *string   `json:"external_id,omitempty"`
	Name              *string   `json:"name,omitempty"`
	AllowedOrigins    *[]string `json:"allowed_origins,omitempty"`
	PayFrequency      *string   `json:"pay_frequency,omitempty"`
	NewHireWindowDays *int      `json:"new_hire_window_days,omitempty"`
}

// Role is what a user may do inside the widgets.
type Role string

// The roles, from most to least powerful.
const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleMember || r == RoleViewer }

// User is a member of a customer.
type User struct {
	ID         string `json:"id"`
	VendorID   string `json:"vendor_id"`
	CustomerID string `json:"customer_id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
	Role       Role   `json:"role"`
	// Employment data, for the benefits widgets (a user is an employee of
	// its customer): the hire date, "active" (the default) or "terminated",
	// the optional date of birth, and the US state (or other region code)
	// the employee works in.
	HireDate         Date      `json:"hire_date"`
	EmploymentStatus string    `json:"employment_status"`
	DateOfBirth      Date      `json:"date_of_birth"`
	WorkState        string    `json:"work_state"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// UserUpdate lists the fields PATCH may change; nil means unchanged.
type UserUpdate struct {
	ExternalID *string `json:"external_id,omitempty"`
	Name       *string `json:"name,omitempty"`
	Email      *string `json:"email,omitempty"`
	Role       *Role   `json:"role,omitempty"`
	// An empty date clears it.
	HireDate         *Date   `json:"hire_date,omitempty"`
	EmploymentStatus *string `json:"employment_status,omitempty"`
	DateOfBirth      *Date   `json:"date_of_birth,omitempty"`
	WorkState        *string `json:"work_state,omitempty"`
}

// SigningKey is a vendor's public key, used to verify the JWTs it signs.
type SigningKey struct {
	ID       string `json:"id"`
	VendorID string `json:"vendor_id"`
	// KID is the optional key id a token's header names to select this key.
	KID string `json:"kid"`
	// Algorithm is the one JWS algorithm this key verifies: RS256, ES256 or EdDSA.
	Algorithm string `json:"algorithm"`
	// Fingerprint is the base64url SHA-256 of the key's DER SubjectPublicKeyInfo.
	Fingerprint string `json:"fingerprint"`
	// PublicKeyPEM is the key as PEM "PUBLIC KEY" (SPKI), normalised on import.
	PublicKeyPEM string    `json:"public_key"`
	CreatedAt    time.Time `json:"created_at"`
}

// Page selects one page of a list ordered by id: at most Limit items whose id
// comes after StartingAfter.
type Page struct {
	Limit         int
	StartingAfter string
}

// ExternalPrefix marks a customer or user reference as an external id:
// "Eacme-42" means "the one whose external_id is acme-42".
const ExternalPrefix = "E"

// SplitRef tells whether ref names an external id, and returns the id itself.
func SplitRef(ref string) (id string, external bool) {
	if s, ok := strings.CutPrefix(ref, ExternalPrefix); ok {
		return s, true
	}
	return ref, false
}
