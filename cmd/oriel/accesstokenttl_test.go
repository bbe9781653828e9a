package main

import (
	"strings"
	"testing"
	"time"
)

func TestServeAccessTokenTTL(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want time.Duration
	}{
		{nil, nil, 15 * time.Minute},
		{map[string]string{"ORIEL_ACCESS_TOKEN_TTL": "5m"}, nil, 5 * time.Minute},
		{map[string]string{"ORIEL_ACCESS_TOKEN_TTL": "5m"}, []string{"--access-token-ttl", "1h"}, time.Hour},
		{nil, []string{"--access-token-ttl", "1m"}, time.Minute},
	} {
		c, err := parseServe(t, tc.env, tc.args...)
		if err != nil || c.accessTokenTTL != tc.want {
			t.Errorf("env %v, args %v: ttl %v (err %v), want %v", tc.env, tc.args, c.accessTokenTTL, err, tc.want)
		}
	}
	for _, bad := range []string{"0s", "59s", "61m", "90.5s", "-5m"} {
		_, err := parseServe(t, nil, "--access-token-ttl", bad)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "--access-token-ttl must be whole seconds from 1m to 60m") {
			t.Errorf("--access-token-ttl %s: error %v, want a usage error", bad, err)
		}
	}
}
