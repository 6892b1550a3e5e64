package wildcard

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
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
		// Escaped text matches exactly itself.
		if utf8.ValidString(s) {
			if !Match(Escape(s), s, false, true) {
				t.Fatalf("Escape(%q) does not match itself", s)
			}
		}
		if !strings.ContainsAny(pattern, "*?") && !Match(pattern, pattern, false, false) {
			t.Fatalf("%q does not match itself", pattern)
		}
		// '*' matches everything.
		if !Match("*", s, false, false) {
			t.Fatalf("* does not match %q", s)
		}
	})
}
