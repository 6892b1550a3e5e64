package slowtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEnabled(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"1", true},
		{"", false},
		{"0", false},
		{"true", false},
	} {
		t.Run("value="+tc.value, func(t *testing.T) {
			t.Setenv(EnvVar, tc.value)
			assert.Equal(t, tc.want, Enabled())
		})
	}
}

func TestRequireSkips(t *testing.T) {
	t.Setenv(EnvVar, "")
	ran := false
	t.Run("gated", func(t *testing.T) {
		Require(t, "test")
		ran = true
	})
	assert.False(t, ran, "skipped without the variable")

	t.Setenv(EnvVar, "1")
	t.Run("enabled", func(t *testing.T) {
		Require(t, "test")
		ran = true
	})
	assert.True(t, ran, "runs with the variable")
}
