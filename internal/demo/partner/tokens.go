package partner

import (
	"net/http"

	"github.com/orielhq/oriel/client"
)

// tokenHandler is Northwind's token endpoint for the browser SDK's
// fetchToken, POST /api/oriel-token: the public Go SDK's handler, which asks
// Oriel, with Northwind's API key, for a token bound to the signed-in user
// and answers {"token", "expiresIn"}. The API key stays on the server.
func (a *app) tokenHandler() http.Handler {
	return &client.TokenHandler{
		Client: a.oriel,
		Identify: func(r *http.Request) (client.Entity, error) {
			u := a.sessions.current(r)
			return client.User(u.CustomerRef(), u.Ref()), nil
		},
		AllowedOrigins: []string{a.origin},
		Logger:         a.logger,
	}
}
