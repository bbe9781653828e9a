package linktoken_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/orielhq/oriel/internal/linktoken"
)

// C06–C08: iat, exp and nbf against a fixed clock, at both edges.
func TestCheckTime(t *testing.T) {
	k := keysFor(t)
	now := time.Unix(1_800_000_000, 0)
	const skew, maxAge = 60, 300 // the defaults, in seconds
	at := func(d int64) int64 { return now.Unix() + d }
	cases := []struct {
		name  string
		extra string // members added to the claims
		iat   int64
		code  string // "" for accepted
	}{
		{"iat now", "", at(0), ""},
		{"C06 iat skew-1 ahead", "", at(skew - 1), ""},
		{"C06 iat exactly skew ahead", "", at(skew), ""},
		{"C06 iat skew+1 ahead", "", at(skew + 1), linktoken.CodeIATInFuture},
		{"C07 iat max age-1 old", "", at(-maxAge + 1), ""},
		{"C07 iat exactly max age old", "", at(-maxAge), ""},
		{"C07 iat max age+1 old", "", at(-maxAge - 1), linktoken.CodeTooOld},
		{"C07 iat in 2001", "", 1_000_000_000, linktoken.CodeTooOld},
		{"C07 iat zero", "", 0, linktoken.CodeTooOld},
		{"C08 exp in the future", fmt.Sprintf(`,"exp":%d`, at(30)), at(0), ""},
		{"C08 exp now, inside the leeway", fmt.Sprintf(`,"exp":%d`, at(0)), at(0), ""},
		{"C08 exp skew ago", fmt.Sprintf(`,"exp":%d`, at(-skew)), at(-100), linktoken.CodeExpired},
		{"C08 exp long ago", fmt.Sprintf(`,"exp":%d`, at(-200)), at(-250), linktoken.CodeExpired},
		{"C08 nbf skew ahead", fmt.Sprintf(`,"nbf":%d`, at(skew)), at(0), ""},
		{"C08 nbf skew+1 ahead", fmt.Sprintf(`,"nbf":%d`, at(skew+1)), at(0), linktoken.CodeNotYetValid},
		{"C08 nbf in the past", fmt.Sprintf(`,"nbf":%d`, at(-10)), at(0), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := k.rsa.Sign(t, k.rsa.Header(), fmt.Sprintf(`{"sub":%q,"iat":%d,"jti":"j1"%s}`, sub, c.iat, c.extra))
			tok, err := linktoken.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tok.Verify([]linktoken.Key{k.rsa.Key}); err != nil {
				t.Fatal(err)
			}
			err = tok.CheckTime(now, 0, 0)
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantCode(t, raw, err, c.code)
		})
	}
}

// Explicit limits replace the defaults.
func TestCheckTimeLimits(t *testing.T) {
	k := keysFor(t)
	now := time.Unix(1_800_000_000, 0)
	tok, err := linktoken.Parse(k.rsa.Token(t, sub, now.Add(-10*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	if err := tok.CheckTime(now, 15*time.Minute, time.Second); err != nil {
		t.Errorf("max age 15m: %v", err)
	}
	wantCode(t, "", tok.CheckTime(now, 9*time.Minute, time.Second), linktoken.CodeTooOld)
	wantCode(t, "", tok.CheckTime(now.Add(-11*time.Minute), 0, 30*time.Second), linktoken.CodeIATInFuture)
}

func TestReplayWindow(t *testing.T) {
	for _, c := range []struct{ maxAge, skew, want time.Duration }{
		{0, 0, 10 * time.Minute},
		{linktoken.DefaultMaxAge, linktoken.DefaultSkew, 10 * time.Minute},
		{20 * time.Minute, time.Minute, 22 * time.Minute},
		{9 * time.Minute, time.Minute, 11 * time.Minute},
		{time.Minute, -1, 10 * time.Minute},
	} {
		if got := linktoken.ReplayWindow(c.maxAge, c.skew); got != c.want {
			t.Errorf("ReplayWindow(%v, %v) = %v, want %v", c.maxAge, c.skew, got, c.want)
		}
		// The window covers every instant at which CheckTime accepts a token.
		maxAge, skew := c.maxAge, c.skew
		if maxAge <= 0 {
			maxAge = linktoken.DefaultMaxAge
		}
		if skew <= 0 {
			skew = linktoken.DefaultSkew
		}
		if w := linktoken.ReplayWindow(c.maxAge, c.skew); w < maxAge+skew {
			t.Errorf("window %v shorter than the acceptance span %v", w, maxAge+skew)
		}
	}
}
