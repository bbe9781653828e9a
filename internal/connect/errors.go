package connect

import (
	"crypto/tls"
	"errors"
	"regexp"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
	"github.com/orielhq/oriel/internal/netguard"
)

// Error codes of the connection engine. The catalogue's codes
// (CodeIssuerMismatch, CodeFieldsInvalid, CodeConfigInvalid, …) are used
// where they fit, and the store's "state_invalid" for every state that
// cannot be accepted.
const (
	// CodeStateInvalid: an OAuth callback's state is missing, unknown,
	// already used, expired, or was issued to another widget session.
	CodeStateInvalid = "state_invalid"
	// CodeAuthorizationDenied: the user declined at the provider (error=access_denied).
	CodeAuthorizationDenied = "authorization_denied"
	// CodeAuthorizationFailed: the provider answered the authorization
	// request with another error, or without a code.
	CodeAuthorizationFailed = "authorization_failed"
	// CodeProviderRejected: the provider's token endpoint refused a request
	// (an expired code, a wrong client secret, …).
	CodeProviderRejected = "provider_rejected"
	// CodeProviderUnavailable: the provider could not be reached, timed out
	// or answered 5xx, after bounded retries.
	CodeProviderUnavailable = "provider_unavailable"
	// CodeDestinationNotAllowed: the provider's address is one the
	// engine's netguard policy refuses (private, loopback, link-local,
	// metadata).
	CodeDestinationNotAllowed = "destination_not_allowed"
	// CodeProviderResponseInvalid: the provider's answer was too large or not
	// a token response.
	CodeProviderResponseInvalid = "provider_response_invalid"
	// CodeReauthorizationRequired: the connection's grant is gone (the
	// provider answered invalid_grant, or a token expired that cannot be
	// refreshed); the customer must connect again.
	CodeReauthorizationRequired = "reauthorization_required"
	// CodeNotConnected: the connection has no credentials to use.
	CodeNotConnected = "connection_not_connected"
	// CodeRefreshBusy: another replica held the connection's refresh lease
	// for longer than a caller waits.
	CodeRefreshBusy = "refresh_in_progress"
	// CodeProviderUnknown: the integration names a provider the catalogue lacks.
	CodeProviderUnknown = "provider_unknown"
	// CodeProviderUsesOAuth2: fields were submitted for an OAuth2 provider.
	CodeProviderUsesOAuth2 = "provider_uses_oauth2"
	// CodeCredentialsRejected: the provider's test request refused the
	// submitted credentials.
	CodeCredentialsRejected = "credentials_rejected"
)

// oauthErrorRE is what a provider's OAuth "error" value must look like to be
// quoted in a message or a log line (RFC 6749 error codes are of this form);
// anything else is replaced, since it is provider-controlled text.
var oauthErrorRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// safeOAuthError returns code when it looks like an OAuth error code, else "unrecognised_error".
func safeOAuthError(code string) string {
	if oauthErrorRE.MatchString(code) {
		return code
	}
	return "unrecognised_error"
}

// providerError turns an error from a request to a provider into an
// *oriel.Error that names the failure without repeating anything the
// provider sent beyond its OAuth error code: x/oauth2's own messages quote
// the response body, which may hold tokens. what names the request, such as
// "the token request".
func providerError(err error, what string) error {
	if _, ok := errors.AsType[*oriel.Error](err); ok {
		return err
	}
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		switch {
		case re.Response != nil && retryableStatus(re.Response.StatusCode):
			return oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderUnavailable,
				"the provider answered %s with HTTP %d; try again later", what, re.Response.StatusCode)
		case re.ErrorCode != "":
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeProviderRejected,
				"the provider refused %s: %s", what, safeOAuthError(re.ErrorCode))
		case re.Response != nil:
			return oriel.Errorf(oriel.EUNPROCESSABLE, CodeProviderRejected,
				"the provider refused %s with HTTP %d", what, re.Response.StatusCode)
		}
	}
	if se, ok := errors.AsType[*statusError](err); ok && retryableStatus(se.status) {
		return oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderUnavailable,
			"the provider answered %s with HTTP %d; try again later", what, se.status)
	}
	if errors.Is(err, netguard.ErrDestinationNotAllowed) {
		return oriel.Errorf(oriel.EFORBIDDEN, CodeDestinationNotAllowed,
			"the provider's address for %s is private, loopback, link-local or a metadata service, which Oriel does not call", what)
	}
	if isTooLarge(err) {
		return oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderResponseInvalid,
			"the provider's answer to %s is larger than %d bytes", what, MaxResponseBytes)
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderUnavailable,
			"the provider's TLS certificate for %s is not trusted", what)
	}
	if transient(err) {
		return oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderUnavailable,
			"the provider did not answer %s in time or could not be reached; try again later", what)
	}
	return oriel.Errorf(oriel.EUNAVAILABLE, CodeProviderResponseInvalid,
		"the provider's answer to %s is not a valid response", what)
}

// isInvalidGrant reports whether err is the provider's invalid_grant answer.
func isInvalidGrant(err error) bool {
	re, ok := errors.AsType[*oauth2.RetrieveError](err)
	return ok && re.ErrorCode == "invalid_grant"
}
