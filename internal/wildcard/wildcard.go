package wildcard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match reports whether s matches pattern, where '*' matches any run of
// characters (including none) and '?' exactly one. With fold, letters compare
// case-insensitively. With escaped, a backslash makes the next character
// literal.
func Match(pattern, s string, fold, escaped bool) bool {
	px, sx := 0, 0
	nextPx, nextSx := 0, 0
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			c := pattern[px]
			switch {
			case c == '*':
				nextPx = px
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					nextSx = sx + n
				} else {
					nextSx = len(s) + 1
				}
				px++
				continue
			case c == '?':
				if sx < len(s) {
					_, n := utf8.DecodeRuneInString(s[sx:])
					px++
					sx += n
					continue
				}
			default:
				lit := px
				if escaped && c == '\\' && px+1 < len(pattern) {
					lit = px + 1
				}
				if sx < len(s) {
					pr, pn := utf8.DecodeRuneInString(pattern[lit:])
					sr, sn := utf8.DecodeRuneInString(s[sx:])
					if pr == sr || fold && foldEqual(pr, sr) {
						px = lit + pn
						sx += sn
						continue
					}
				}
			}
		}
		// Mismatch: let the most recent '*' swallow one more character.
		if 0 < nextSx && nextSx <= len(s) {
			px = nextPx
			sx = nextSx
			continue
		}
		return false
	}
	return true
}

func foldEqual(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	return unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}

// Escape makes every character of s literal for [Match] with escaped set.
func Escape(s string) string {
	if !strings.ContainsAny(s, `*?\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == '*' || r == '?' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
