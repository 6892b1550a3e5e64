package runbook

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestISODurationLimit checks the longest duration accepted, 9e9
// seconds, at its edge, and that each unit counts its own length.
func TestISODurationLimit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{in: "PT9000000000S", want: 9e9 * time.Second, ok: true},
		{in: "PT9000000000.5S"},
		{in: "PT9000000001S"},
		{in: "PT150000000M", want: 9e9 * time.Second, ok: true},
		{in: "PT150000001M"},
		{in: "P2W3DT4H5M6S", want: (2*7*24+3*24+4)*time.Hour + 5*time.Minute + 6*time.Second, ok: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, err := ParseISODuration(tc.in)
			if !tc.ok {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "too long")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, d)
		})
	}
}

// TestISOTimestamp covers the instants aws:sleep's Timestamp takes: a UTC
// or offset time, with or without a colon in the offset, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-sleep.html
func TestISOTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{in: "2026-01-02T15:04:05Z", want: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), ok: true},
		{in: "2026-01-02T15:04:05.5+01:00", want: time.Date(2026, 1, 2, 14, 4, 5, 5e8, time.UTC), ok: true},
		{in: "2026-01-02T15:04:05+0100", want: time.Date(2026, 1, 2, 14, 4, 5, 0, time.UTC), ok: true},
		{in: "2026-01-02T15:04:05"},
		{in: "2026-01-02"},
		{in: "tomorrow"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseISOTimestamp(tc.in)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(got), "got %v", got)
		})
	}
}
