package connect

import "github.com/orielhq/oriel"

// StatusEvent is the payload of the widget's connectionStatusChange
// message: {id, provider, connected, error?}.
type StatusEvent struct {
	ID        string `json:"id"`
	Provider  string `json:"provider"`
	Connected bool   `json:"connected"`
	Error     string `json:"error,omitempty"`
}

// StatusEventOf returns the connectionStatusChange payload that reports c
// as it stands: after SubmitFields, Disconnect or a refresh that put it in
// error (Error is then its last error).
func StatusEventOf(c *oriel.Connection) StatusEvent {
	return StatusEvent{ID: c.ID, Provider: c.Provider, Connected: c.Status == oriel.StatusConnected, Error: c.LastError}
}
