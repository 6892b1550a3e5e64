package ssmlocal_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pollInterval is how often pollUntil asks again. The endpoint offers no
// notification over the wire, so tests that drive it as a client ask.
const pollInterval = 2 * time.Millisecond

// pollUntil calls check until it reports done and says whether it did
// before timeout passed: callers fail with what they saw, so a stuck
// execution fails clearly instead of hanging the run. An error from check
// fails the test at once.
func pollUntil(tb testing.TB, timeout time.Duration, check func() (bool, error)) bool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		done, err := check()
		require.NoError(tb, err)
		if done {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
