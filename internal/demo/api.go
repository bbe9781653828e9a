package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/orielhq/oriel/client"
)

// vendorAPI calls Oriel's vendor API with Northwind's API key, as a
// vendor's setup script would, through the client package.
type vendorAPI struct {
	oriel           *client.Client
	baseURL, apiKey string // what oriel was made with
}

func newVendorAPI(baseURL, apiKey string) *vendorAPI {
	c := client.New(baseURL, apiKey, client.WithHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	return &vendorAPI{oriel: c, baseURL: baseURL, apiKey: apiKey}
}

// isNotFound reports whether err is a 404 answer.
func isNotFound(err error) bool {
	var e *client.Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// call sends in (when not nil) as JSON and decodes the answer into out
// (when not nil). An answer other than 2xx is a *client.Error, wrapped
// with the request it answered.
func (a *vendorAPI) call(ctx context.Context, method, path string, in, out any) error {
	if err := a.oriel.Call(ctx, method, path, in, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// listPage is the body of a list answer.
type listPage[T any] struct {
	Data []T `json:"data"`
}
