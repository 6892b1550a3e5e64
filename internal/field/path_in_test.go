package field

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIndexInMatchesIndex(t *testing.T) {
	base := NewPath("mainSteps")
	var node Path
	p := base.IndexIn(&node, 3)
	require.Same(t, &node, p)
	require.Equal(t, base.Index(3).String(), p.String())
	require.Equal(t, "mainSteps[3].inputs", p.Child("inputs").String())
	require.Equal(t, "[0]", (*Path)(nil).IndexIn(&node, 0).String())
}
