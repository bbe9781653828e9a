package connect

import (
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/orielhq/oriel"
)

// Warnings of a connection made with less than was asked (catalogue H10).
const (
	// WarningNoRefreshToken: the provider issues refresh tokens but sent
	// none; the connection lasts as long as its access token.
	WarningNoRefreshToken = "no_refresh_token"
	// WarningScopeReduced: the user or provider granted fewer scopes than
	// requested (Result.MissingScopes lists them).
	WarningScopeReduced = "scope_reduced"
	// WarningTokenType: the token type is not Bearer; it is stored as sent.
	WarningTokenType = "unusual_token_type"
)

// credentialsFrom converts a token response into credentials and returns
// the scopes granted: the response's "scope" when present, else, as RFC
// 6749 §5.1 says, those requested. The expiry is reckoned from the engine's
// clock.
func (e *Engine) credentialsFrom(tok *oauth2.Token, p *Provider, requested []string) (*oriel.Credentials, []string) {
	granted := requested
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		granted = strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || string(r) == p.ScopeSeparator })
	}
	expiry := tok.Expiry
	if tok.ExpiresIn > 0 {
		expiry = e.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	return &oriel.Credentials{
		AccessToken:  tok.AccessToken,
		RefreshToken: tok.RefreshToken,
		TokenType:    tok.Type(),
		Expiry:       expiry,
		Scopes:       slices.Clone(granted),
	}, granted
}

// missing returns the requested scopes not among granted.
func missing(requested, granted []string) []string {
	var out []string
	for _, s := range requested {
		if !slices.Contains(granted, s) {
			out = append(out, s)
		}
	}
	return out
}

// warnings lists how a fresh connection's token differs from what was asked.
func warnings(tok *oauth2.Token, p *Provider, missingScopes []string) []string {
	var w []string
	if tok.RefreshToken == "" && p.RefreshTokens != RefreshNone {
		w = append(w, WarningNoRefreshToken)
	}
	if len(missingScopes) > 0 {
		w = append(w, WarningScopeReduced)
	}
	if tok.Type() != "Bearer" {
		w = append(w, WarningTokenType)
	}
	return w
}

// expiresWithin reports whether cred holds an access token that expires
// before now+d. Tokens without an expiry, and API-key fields, never do.
func expiresWithin(cred *oriel.Credentials, now time.Time, d time.Duration) bool {
	return cred.AccessToken != "" && !cred.Expiry.IsZero() && cred.Expiry.Before(now.Add(d))
}

// clone returns a deep copy of cred, so that callers sharing one refresh
// result cannot affect each other.
func clone(cred *oriel.Credentials) *oriel.Credentials {
	c := *cred
	c.Scopes = slices.Clone(cred.Scopes)
	c.Fields = maps.Clone(cred.Fields)
	return &c
}
