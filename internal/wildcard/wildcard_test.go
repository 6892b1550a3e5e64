package wildcard

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name      string
		p, s      string
		fold, esc bool
		want      bool
	}{
		{"empty", "", "", false, false, true},
		{"empty pattern non-empty input", "", "a", false, false, false},
		{"star matches empty", "*", "", false, false, true},
		{"star matches anything", "*", "abc:def/ghi", false, false, true},
		{"stars in the middle", "a*b*c", "aXbYc", false, false, true},
		{"missing tail", "a*b*c", "aXbY", false, false, false},
		{"question mark", "a?c", "abc", false, false, true},
		{"question mark needs one character", "a?c", "ac", false, false, false},
		{"question mark is one rune", "é?", "éé", false, false, true},
		{"fold ascii", "ABC", "abc", true, false, true},
		{"no fold", "ABC", "abc", false, false, false},
		{"fold unicode", "ÄÖ", "äö", true, false, true},
		{"escaped star is literal", `a\*`, "a*", false, true, true},
		{"escaped star does not glob", `a\*`, "ab", false, true, false},
		{"escaped question mark", `a\?`, "ab", false, true, false},
		{"escaped backslash", `a\\`, `a\`, false, true, true},
		{"backslash literal when not escaped", `a\*`, `a\xyz`, false, false, true},
		{"trailing backslash literal", `a\`, `a\`, false, true, true},
		{"double star", "**a", "xyza", false, false, true},
		{"backtracking", "*ab", "aab", false, false, true},
		{"suffix mismatch", "*ab", "aba", false, false, false},
		{"prefix literal", "abc*", "ab", false, false, false},
		{"EC2 filter escapes", `\*amazon\?\\`, `*amazon?\`, false, true, true},
		{"invalid bytes compare as bytes", "\xff", "\xfe", false, false, false},
		{"invalid bytes compare as bytes folded", "\xff", "\xfe", true, false, false},
		{"invalid byte matches itself", "a\xffb", "a\xffb", true, false, true},
		{"invalid byte is not the replacement character", "\uFFFD", "\xff", false, false, false},
		{"question mark takes an invalid byte", "a?b", "a\xffb", false, false, true},
		{"hostile pattern stays linear", strings.Repeat("*a", 50) + "b", strings.Repeat("a", 5000), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Match(tt.p, tt.s, tt.fold, tt.esc))
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "alice", "alice"},
		{"star", "a*b", `a\*b`},
		{"question", "a?", `a\?`},
		{"backslash", `a\b`, `a\\b`},
		{"unicode", "é*", `é\*`},
		{"invalid UTF-8 kept", "\xff*", "\xff\\*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Escape(tt.in)
			assert.Equal(t, tt.want, got)
			assert.True(t, Match(got, tt.in, false, true), "escaped text matches itself")
		})
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "aXXbYc")
	f.Add(`a\*`, "a*")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		_ = Match(pattern, s, true, true)
		_ = Match(pattern, s, false, false)
		// Escaped text matches itself, and only itself.
		require.True(t, Match(Escape(s), s, false, true), "Escape(%q) does not match itself", s)
		if pattern != s {
			require.False(t, Match(Escape(s), pattern, false, true), "Escape(%q) matches %q", s, pattern)
		}
		if !strings.ContainsAny(pattern, "*?") {
			require.True(t, Match(pattern, pattern, false, false), "%q does not match itself", pattern)
		}
		// '*' matches everything.
		require.True(t, Match("*", s, false, false), "* does not match %q", s)
	})
}
