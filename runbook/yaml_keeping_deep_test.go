package runbook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestYAMLKeepingCommentBelowCarryDepth checks that a comment nested
// deeper than comments are carried fails the keep instead of vanishing:
// YAMLKeeping promises an error for every comment it cannot place.
func TestYAMLKeepingCommentBelowCarryDepth(t *testing.T) {
	doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps: []\n")
	for _, depth := range []int{199, 230} {
		src := "a:\n" + nestedBlock(2, depth, "v # deep")
		_, err := doc.YAMLKeeping([]byte(src))
		require.ErrorIs(t, err, ErrYAMLLoss, "depth %d", depth)
		assert.ErrorContains(t, err, `the comment "# deep" has no place`, "depth %d", depth)
	}
}
