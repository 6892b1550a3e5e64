package execution_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

func TestNextDelayWindow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		age       time.Duration
		throttles int
		lo, hi    time.Duration
	}{
		{"fresh", 0, 0, time.Second, 2 * time.Second},
		{"one minute", time.Minute, 0, 3 * time.Second, 6 * time.Second},
		{"one hour at the cap", time.Hour, 0, 120 * time.Second, 120 * time.Second},
		{"fresh throttled once", 0, 1, 1500 * time.Millisecond, 3 * time.Second},
		{"fresh throttled twice", 0, 2, 2250 * time.Millisecond, 4500 * time.Millisecond},
		{"throttled at the cap", time.Hour, 5, 240 * time.Second, 240 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 200 {
				d, err := execution.NextDelay(tc.age, tc.throttles, time.Second, 120*time.Second, 10*time.Hour)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, d, tc.lo)
				assert.LessOrEqual(t, d, tc.hi)
			}
		})
	}
	d, err := execution.NextDelay(time.Hour, 0, time.Second, 120*time.Second, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, 30*time.Second, d, "sleeps out the wait when no poll fits")
}
