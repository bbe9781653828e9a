//go:build !unix

package store

// lockFile is a no-op where flock is missing: start one process first there.
func lockFile(string) (func(), error) { return func() {}, nil }
