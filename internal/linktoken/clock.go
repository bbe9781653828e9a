package linktoken

import "time"

// Time limits for tokens; CheckTime and ReplayWindow use them for zero or
// negative arguments.
const (
	DefaultSkew     = 60 * time.Second // tolerated clock difference with the vendor
	DefaultMaxAge   = 5 * time.Minute  // how long after iat a token may be used
	MinReplayWindow = 10 * time.Minute // the shortest time a used jti is remembered
)

// CheckTime checks the token's times against now: iat at most skew ahead
// (iat_in_future), nbf at most skew ahead (token_not_yet_valid), exp at
// least skew behind (token_expired), iat at most maxAge behind
// (token_too_old), in that order. Zero or negative durations select
// DefaultMaxAge and DefaultSkew. Call it after Verify.
func (t *Token) CheckTime(now time.Time, maxAge, skew time.Duration) error {
	maxAge, skew = withDefaults(maxAge, skew)
	switch {
	case time.Unix(t.iat, 0).After(now.Add(skew)):
		return refused(CodeIATInFuture, "iat is more than %s in the future; check the clock of the server that signs tokens", skew)
	case t.hasNbf && time.Unix(t.nbf, 0).After(now.Add(skew)):
		return refused(CodeNotYetValid, "nbf is more than %s in the future", skew)
	case t.hasExp && !now.Before(time.Unix(t.exp, 0).Add(skew)):
		return refused(CodeExpired, "the token has expired (exp); sign a new one for every link")
	case time.Unix(t.iat, 0).Before(now.Add(-maxAge)):
		return refused(CodeTooOld, "iat is more than %s in the past; sign a new token right before opening the link", maxAge)
	}
	return nil
}

// ReplayWindow is how long the server must remember a used (vendor, jti):
// at least every moment at which CheckTime could still accept the token,
// maxAge + skew, with another skew of margin between replicas' clocks, and
// never less than MinReplayWindow.
func ReplayWindow(maxAge, skew time.Duration) time.Duration {
	maxAge, skew = withDefaults(maxAge, skew)
	return max(MinReplayWindow, maxAge+2*skew)
}

func withDefaults(maxAge, skew time.Duration) (time.Duration, time.Duration) {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if skew <= 0 {
		skew = DefaultSkew
	}
	return maxAge, skew
}
