package ssmlocal

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkWire checks a wire response: with no wanted error code, a 200 whose
// body holds each of wantBody; else that error code, with wantMsg in its
// message.
func checkWire(t *testing.T, got wireResponse, wantCode, wantMsg string, wantBody []string) {
	t.Helper()
	if wantCode == "" {
		require.Equal(t, http.StatusOK, got.status, got.raw)
		for _, w := range wantBody {
			assert.Contains(t, got.raw, w)
		}
		return
	}
	assert.Equal(t, wantCode, got.code, got.raw)
	assert.Contains(t, got.msg, wantMsg)
}
