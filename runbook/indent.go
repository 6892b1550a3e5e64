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
	trailing := src[len(body):]
	src = body
	depth := 0
	open := false // just wrote { or [: indent only if the container is not empty
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
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
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			if j >= len(src) {
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
			if depth < 0 {
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
	return append(dst, trailing...), depth == 0 && !open
}
