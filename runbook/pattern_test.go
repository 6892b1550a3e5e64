package runbook

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompilePattern(t *testing.T) {
	tests := []struct {
		name        string
		pattern     string
		match       string
		nomatch     string
		uncheckable bool
	}{
		{name: "empty is no pattern", pattern: ""},
		{name: "role ARN", pattern: `^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`, match: "arn:aws:iam::123456789012:role/R", nomatch: "arn:aws:iam::1:role/R"},
		{name: "lookahead is Java only", pattern: `^(?!default$).*$`, uncheckable: true},
		{name: "backreference is Java only", pattern: `^(a)\1$`, uncheckable: true},
		{name: "possessive quantifier is Java only", pattern: `^a++$`, uncheckable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			re, err := CompilePattern(tt.pattern)
			if tt.uncheckable {
				require.ErrorIs(t, err, ErrUncheckablePattern)
				var pe *PatternError
				require.True(t, errors.As(err, &pe))
				assert.Equal(t, tt.pattern, pe.Pattern)
				assert.Nil(t, re)
				return
			}
			require.NoError(t, err)
			if tt.pattern == "" {
				assert.Nil(t, re)
				return
			}
			assert.True(t, re.MatchString(tt.match))
			assert.False(t, re.MatchString(tt.nomatch))
		})
	}
}

func TestPatternErrorQuotesAShortPrefix(t *testing.T) {
	_, err := CompilePattern("(?!" + strings.Repeat("a", 1<<20))
	require.ErrorIs(t, err, ErrUncheckablePattern)
	assert.Less(t, len(err.Error()), 400)
	assert.Contains(t, err.Error(), "bytes)")
}

func TestUncheckablePatternIsAWarning(t *testing.T) {
	doc := New().
		Parameter(StringParameter("Env").AllowedPattern(`^(?!prod$).*$`).Default(String("dev"))).
		Step(NewStep("wait", Sleep{Duration: String("PT1S")}))
	_, err := doc.Build()
	require.NoError(t, err)
}
