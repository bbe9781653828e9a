package server

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/connect"
)

// Integrations: a vendor's configuration of one provider of the catalogue,
// PUT under a key of its choosing. An OAuth2 integration holds the vendor's
// OAuth client (Oriel is always a confidential client, so the secret is
// required); api_key and basic integrations hold nothing but the provider,
// since their credentials are entered by each customer in the widget. The
// client secret is stored encrypted and never returned.

// Error codes of integration bodies.
const (
	codeIntegrationKeyInvalid    = "integration_key_invalid"
	codeDisplayNameInvalid       = "display_name_invalid"
	codeClientIDInvalid          = "client_id_invalid"
	codeClientSecretInvalid      = "client_secret_invalid"
	codeIntegrationConfigInvalid = "integration_config_invalid"
)

// Bounds on integration values.
const (
	maxClientSecretLen = 4096
	maxScopes          = 100
)

// integrationKeyRE is what an integration key looks like.
var integrationKeyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// endpointKeys are the config entries of a generic oauth2 integration:
// the JSON names of connect.Endpoints.
var endpointKeys = []string{"authorization_url", "token_url", "revocation_url", "issuer", "api_base_url"}

// apiBaseKey is the one config entry of a generic api-key or basic
// integration: where the app's API lives, for the proxy.
const apiBaseKey = "api_base_url"

// integrationPut is the body of PUT /v1/integrations/{key}.
type integrationPut struct {
	Provider     string            `json:"provider"`
	DisplayName  string            `json:"display_name"`
	ClientID     string            `json:"client_id"`
	ClientSecret string            `json:"client_secret"`
	Scopes       []string          `json:"scopes"`
	Config       map[string]string `json:"config"`

	provider *connect.Provider // looked up by validate
}

// validate checks the body against its provider's kind. The endpoints of a
// generic oauth2 integration are checked by the handler, which knows
// whether loopback URLs are allowed.
func (in *integrationPut) validate() error {
	p, ok := connect.LookupProvider(in.Provider)
	if !ok {
		return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeProviderUnknown,
			"provider %s is not in the catalogue; use a catalogue key such as \"google\", or \"oauth2\", \"api-key\" or \"basic\"", quoteInput(in.Provider))
	}
	in.provider = p
	if in.DisplayName == "" {
		in.DisplayName = p.DisplayName
	}
	if err := checkText("display_name", codeDisplayNameInvalid, in.DisplayName, true); err != nil {
		return err
	}
	if p.Kind != connect.KindOAuth2 {
		return in.validateKeyed()
	}
	return firstError(
		checkText("client_id", codeClientIDInvalid, in.ClientID, true),
		checkSecret(in.ClientSecret),
		checkScopes(p, in.Scopes),
		checkIntegrationConfig(p, in.Config),
	)
}

// validateKeyed checks an api_key or basic integration: it holds no client,
// scopes or config, but for a generic provider's api_base_url.
func (in *integrationPut) validateKeyed() error {
	what := ""
	switch {
	case in.ClientID != "", in.ClientSecret != "":
		what = "client_id and client_secret"
	case len(in.Scopes) > 0:
		what = "scopes"
	case in.provider.Generic && len(in.Config) == 1 && in.Config[apiBaseKey] != "":
		return nil
	case len(in.Config) > 0:
		what = "config"
		if in.provider.Generic {
			what = "config but " + apiBaseKey
		}
	default:
		return nil
	}
	return oriel.Errorf(oriel.EUNPROCESSABLE, codeIntegrationConfigInvalid,
		"%s connects with credentials each customer enters in the widget, so the integration takes no %s", in.provider.DisplayName, what)
}

// checkSecret accepts a client secret of 1–4096 printable characters.
func checkSecret(secret string) error {
	if secret == "" || len(secret) > maxClientSecretLen || hasControl(secret) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeClientSecretInvalid,
			"client_secret is required: the secret of your OAuth app at the provider, at most %d characters without control characters", maxClientSecretLen)
	}
	return nil
}

// checkScopes applies the provider's scope rules.
func checkScopes(p *connect.Provider, scopes []string) error {
	if len(scopes) > maxScopes {
		return oriel.Errorf(oriel.EUNPROCESSABLE, connect.CodeScopeInvalid, "scopes may list at most %d scopes", maxScopes)
	}
	return p.ValidateScopes(scopes)
}

// checkIntegrationConfig accepts config only for the generic oauth2
// provider, and there only its endpoints.
func checkIntegrationConfig(p *connect.Provider, config map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(config)) {
		if !p.Generic || !slices.Contains(endpointKeys, k) {
			return oriel.Errorf(oriel.EUNPROCESSABLE, codeIntegrationConfigInvalid,
				"config.%s is not a setting of %s; only the generic oauth2 provider takes config, namely %s",
				quoteInput(k), p.DisplayName, strings.Join(endpointKeys, ", "))
		}
	}
	return nil
}

// quoteInput quotes a short piece of a request for a message.
func quoteInput(s string) string { return `"` + truncate(s, 64) + `"` }

// integrationView is an integration as the API shows it: never its secret.
type integrationView struct {
	*oriel.Integration
	// HasClientSecret is true for every OAuth2 integration: the API
	// requires a secret for them, and never shows it.
	HasClientSecret bool `json:"has_client_secret"`
	// Logo is the path of the logo shown for it: the one the vendor set, or
	// a monogram (integrationLogo).
	Logo string `json:"logo"`
}

func viewIntegration(i *oriel.Integration) integrationView {
	p, ok := connect.LookupProvider(i.Provider)
	return integrationView{Integration: i, HasClientSecret: ok && p.Kind == connect.KindOAuth2, Logo: integrationLogo(i, p)}
}

func (s *Server) putIntegration(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if !integrationKeyRE.MatchString(key) {
		return oriel.Errorf(oriel.EUNPROCESSABLE, codeIntegrationKeyInvalid,
			"an integration key is 1–63 characters of a–z 0–9 _ -, starting with a letter or digit, such as crm")
	}
	var in integrationPut
	if err := decode(r, &in); err != nil {
		return err
	}
	switch {
	case in.provider.Generic && in.provider.Kind == connect.KindOAuth2:
		if _, err := in.provider.WithEndpoints(endpointsOf(in.Config), s.dev); err != nil {
			return err
		}
	case in.provider.Generic:
		if _, err := in.provider.WithAPIBase(in.Config[apiBaseKey], s.dev); err != nil {
			return err
		}
	}
	i := &oriel.Integration{VendorID: vendorOf(r), Key: key, Provider: in.Provider, DisplayName: in.DisplayName,
		ClientID: in.ClientID, ClientSecret: in.ClientSecret, Scopes: in.Scopes, Config: in.Config}
	created, err := s.store.PutIntegration(r.Context(), i)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return respond(w, status, viewIntegration(i), err)
}

// endpointsOf reads a generic oauth2 integration's endpoints from its config.
func endpointsOf(config map[string]string) connect.Endpoints {
	return connect.Endpoints{AuthorizationURL: config["authorization_url"], TokenURL: config["token_url"],
		RevocationURL: config["revocation_url"], Issuer: config["issuer"], APIBaseURL: config[apiBaseKey]}
}

func (s *Server) getIntegration(w http.ResponseWriter, r *http.Request) error {
	i, err := s.store.Integration(r.Context(), vendorOf(r), r.PathValue("key"))
	if err != nil {
		return err
	}
	return reply(w, http.StatusOK, viewIntegration(i))
}

func (s *Server) listIntegrations(r *http.Request, p oriel.Page) ([]integrationView, bool, error) {
	list, more, err := s.store.ListIntegrations(r.Context(), vendorOf(r), p)
	views := make([]integrationView, len(list))
	for i, in := range list {
		views[i] = viewIntegration(in)
	}
	return views, more, err
}

// deleteIntegration deletes an integration no connection uses.
func (s *Server) deleteIntegration(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, s.store.DeleteIntegration(r.Context(), vendorOf(r), r.PathValue("key")))
}
