package runbook

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPatternErrorQuotesUpTo128Bytes checks the edge where the message
// stops quoting the whole pattern.
func TestPatternErrorQuotesUpTo128Bytes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		size  int
		whole bool
	}{
		{name: "127 bytes", size: 127, whole: true},
		{name: "128 bytes", size: 128, whole: true},
		{name: "129 bytes", size: 129},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := "(?!" + strings.Repeat("a", tc.size-3)
			_, err := CompilePattern(p)
			require.Error(t, err)
			if tc.whole {
				assert.Contains(t, err.Error(), "allowedPattern "+quote(p)+" cannot be checked here")
				assert.NotContains(t, err.Error(), "bytes)")
				return
			}
			assert.Contains(t, err.Error(), "allowedPattern "+quote(p[:128])+"… (129 bytes) cannot be checked here")
		})
	}
}

// TestPatternErrorMatchesOnlyItsSentinel checks that a pattern error is
// no other error.
func TestPatternErrorMatchesOnlyItsSentinel(t *testing.T) {
	_, err := CompilePattern(`^(a)\1$`)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUncheckablePattern)
	assert.NotErrorIs(t, err, errors.New("allowedPattern cannot be checked with RE2"))
	assert.NotErrorIs(t, err, ErrUTF16)
}
