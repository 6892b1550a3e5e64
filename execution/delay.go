package execution

import (
	"time"

	smithywaiter "github.com/aws/smithy-go/waiter"
)

// Polling follows the execution's age: the window between two polls is
// [age/20, age/10], clamped to [MinDelay, MaxDelay] (and at least
// [MinDelay, 2×MinDelay]). The detection lag is then about 4% of the run
// on average, while a two-hour run costs about a hundred polls instead of
// the 1,440 of a fixed 5-second loop. Each throttled poll in a row moves
// the window up by half (up to twice MaxDelay).
const (
	ageDivisorLow = 20
)

// nextDelay returns the wait before the next poll, from smithy-go's
// waiter.ComputeDelay so jitter spreads many waiters apart.
func nextDelay(age time.Duration, throttles int, minDelay, maxDelay, remaining time.Duration) (time.Duration, error) {
	lo := max(minDelay, age/ageDivisorLow)
	lo = min(lo, maxDelay)
	hi := min(2*lo, maxDelay)
	attempt := int64(2) // ComputeDelay(2, lo, 2lo) draws from [lo, 2lo)
	if hi <= lo {
		attempt = 1 // at the cap: exactly MaxDelay
		hi = lo
	}
	if throttles > 0 {
		// Each throttled poll in a row moves the window up by half,
		// to at most twice MaxDelay.
		for range min(throttles, 16) {
			lo += lo / 2
		}
		lo = min(lo, 2*maxDelay)
		hi = min(2*lo, 2*maxDelay)
		attempt = 2
		if hi <= lo {
			attempt = 1
		}
	}
	if remaining <= lo {
		// No room for another poll: sleep out the wait.
		return max(remaining, 0), nil
	}
	d, err := smithywaiter.ComputeDelay(attempt, lo, hi, remaining)
	if err != nil {
		return 0, err
	}
	return max(d, 0), nil
}
