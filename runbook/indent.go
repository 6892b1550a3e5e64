package runbook

import "bytes"

// appendIndented appends src, compact JSON as the encoder writes it, to
// dst indented by two spaces, exactly as json.Indent(dst, src, "", "  ")
// would, in one pass without json.Indent's validating state machine. It
// returns false when src is not balanced, so the caller can fall back to
// json.Indent and its error.
func appendIndented(dst, src []byte) ([]byte, bool) {
	// Like json.Indent, keep trailing white space as it is.
	body := bytes.TrimRight(src, " \t\r\n")
	dst, ok := indentBody(dst, body, 0)
	return append(dst, src[len(body):]...), ok
}

// indentBody appends src indented as appendIndented does, as if written
// inside depth open containers, skipping white space outside strings. It
// returns false when src is not balanced.
func indentBody(dst, src []byte, base int) ([]byte, bool) {
	depth := base
	open := false // just wrote { or [: indent only if the container is not empty
	newline := func() {
		dst = append(dst, '\n')
		for n := 2 * depth; n > 0; n -= len(indentSpaces) {
			dst = append(dst, indentSpaces[:min(n, len(indentSpaces))]...)
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		if open {
			open = false
			if c == '}' || c == ']' {
				depth--
				dst = append(dst, c)
				continue
			}
			newline()
		}
		switch c {
		case '"':
			j := stringEnd(src, i)
			if j < 0 {
				return dst, false
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			depth++
			open = true
		case '}', ']':
			depth--
			if depth < base {
				return dst, false
			}
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, c, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst, depth == base && !open
}

// indentSpaces is written in runs rather than two spaces at a time.
const indentSpaces = "                                                                "

// stringEnd returns the index of the quote that closes the string opening
// at src[i], or -1 if it does not close.
func stringEnd(src []byte, i int) int {
	j := i + 1
	if k := bytes.IndexByte(src[j:], '"'); k >= 0 && bytes.IndexByte(src[j:j+k], '\\') < 0 {
		return j + k // the common case: no escape before the quote
	}
	for ; j < len(src) && src[j] != '"'; j++ {
		if src[j] == '\\' {
			j++
		}
	}
	if j >= len(src) {
		return -1
	}
	return j
}
