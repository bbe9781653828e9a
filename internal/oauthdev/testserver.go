package oauthdev

import (
	"context"
	"testing"
)

// NewTestServer starts a server with opts on loopback for the duration of
// the test and returns it; s.URL() is its base URL.
func NewTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	_, stop, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}
