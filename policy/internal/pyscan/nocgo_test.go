//go:build !cgo

package pyscan

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAnalyzeWithoutCgo(t *testing.T) {
	_, err := Analyze([]byte("def h(e, c):\n    pass\n"), "h")
	require.ErrorIs(t, err, ErrNoParser)
	_, err = Analyze([]byte(strings.Repeat("#", MaxScript+1)), "h")
	require.ErrorIs(t, err, ErrTooLarge)
}
