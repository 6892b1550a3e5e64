package runbook

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small scanner over JSON that is already known to be valid (every Value
// holds validated JSON): it finds member and item boundaries without
// decoding, which makes walking a document several times cheaper than
// encoding/json's tokenizer. It still never panics on malformed input.

var errScan = errors.New("malformed JSON")

func skipWS(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\t' || d[i] == '\r') {
		i++
	}
	return i
}

// scanString returns the index past the string starting at d[i] == '"'
// and whether it holds escapes.
func scanString(d []byte, i int) (int, bool, error) {
	esc := false
	for j := i + 1; j < len(d); j++ {
		switch d[j] {
		case '\\':
			esc = true
			j++
		case '"':
			return j + 1, esc, nil
		}
	}
	return 0, false, errScan
}

// skipValue returns the index past the value starting at d[i].
func skipValue(d []byte, i int) (int, error) {
	if i >= len(d) {
		return 0, errScan
	}
	switch d[i] {
	case '"':
		end, _, err := scanString(d, i)
		return end, err
	case '{', '[':
		depth := 0
		for j := i; j < len(d); j++ {
			switch d[j] {
			case '"':
				end, _, err := scanString(d, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errScan
	}
	j := i
	for j < len(d) && d[j] != ',' && d[j] != '}' && d[j] != ']' && d[j] != ' ' && d[j] != '\n' && d[j] != '\t' && d[j] != '\r' {
		j++
	}
	if j == i {
		return 0, errScan
	}
	return j, nil
}

// unquote decodes the JSON string raw (quotes included).
func unquote(raw []byte, esc bool) (string, error) {
	// Invalid UTF-8 takes the slow path, which turns it into U+FFFD as
	// encoding/json does everywhere else.
	if !esc && len(raw) >= 2 && utf8.Valid(raw[1:len(raw)-1]) {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// scanObject calls fn for each member of the object d, in order.
func scanObject(d []byte, fn func(key string, raw []byte) error) error {
	i := skipWS(d, 0)
	if i >= len(d) || d[i] != '{' {
		return errScan
	}
	i = skipWS(d, i+1)
	if i < len(d) && d[i] == '}' {
		return nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return errScan
		}
		kend, esc, err := scanString(d, i)
		if err != nil {
			return err
		}
		key, err := unquote(d[i:kend], esc)
		if err != nil {
			return err
		}
		i = skipWS(d, kend)
		if i >= len(d) || d[i] != ':' {
			return errScan
		}
		i = skipWS(d, i+1)
		vend, err := skipValue(d, i)
		if err != nil {
			return err
		}
		if err := fn(key, d[i:vend]); err != nil {
			return err
		}
		i = skipWS(d, vend)
		if i >= len(d) {
			return errScan
		}
		if d[i] == '}' {
			return nil
		}
		if d[i] != ',' {
			return errScan
		}
		i = skipWS(d, i+1)
	}
}

// scanArray calls fn for each item of the array d, in order.
func scanArray(d []byte, fn func(raw []byte)) error {
	i := skipWS(d, 0)
	if i >= len(d) || d[i] != '[' {
		return errScan
	}
	i = skipWS(d, i+1)
	if i < len(d) && d[i] == ']' {
		return nil
	}
	for {
		end, err := skipValue(d, i)
		if err != nil {
			return err
		}
		fn(d[i:end])
		i = skipWS(d, end)
		if i >= len(d) {
			return errScan
		}
		if d[i] == ']' {
			return nil
		}
		if d[i] != ',' {
			return errScan
		}
		i = skipWS(d, i+1)
	}
}

// appendQuoted appends s as a JSON string without HTML escaping, the way
// encoding/json's encoder with SetEscapeHTML(false) writes it.
func appendQuoted(b []byte, s string) []byte {
	if !quotedAsIs(s) {
		return append(b, mustMarshalSlow(s)...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// quotedAsIs reports whether s needs no escape as a JSON string.
func quotedAsIs(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	// encoding/json also escapes invalid UTF-8, U+2028 and U+2029.
	return ascii || (utf8.ValidString(s) && !strings.ContainsAny(s, "\u2028\u2029"))
}

// quotedLen returns len(appendQuoted(nil, s)), without writing it when s
// needs no escape.
func quotedLen(s string) int {
	if quotedAsIs(s) {
		return len(s) + 2
	}
	return len(mustMarshalSlow(s))
}

// duplicateKey returns the wire path of the first key repeated within one
// object of the JSON value d, so that JSON input is as strict as YAML,
// whose decoder refuses repeated keys. One linear pass.
func duplicateKey(d []byte) (string, bool) {
	type frame struct {
		obj  bool
		keys []string
		set  map[string]bool
		key  string // current key of an object
		idx  int    // current index of an array
	}
	var st []frame
	path := func() string {
		var b strings.Builder
		for _, f := range st {
			if f.obj {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.idx) + "]")
			}
		}
		return b.String()
	}
	for i := 0; i < len(d); i++ {
		switch d[i] {
		case '{':
			st = append(st, frame{obj: true})
		case '[':
			st = append(st, frame{})
		case '}', ']':
			if len(st) > 0 {
				st = st[:len(st)-1]
			}
		case ',':
			if n := len(st); n > 0 && !st[n-1].obj {
				st[n-1].idx++
			}
		case '"':
			end, esc, err := scanString(d, i)
			if err != nil {
				return "", false
			}
			n := len(st)
			if j := skipWS(d, end); n > 0 && st[n-1].obj && j < len(d) && d[j] == ':' {
				key, err := unquote(d[i:end], esc)
				if err != nil {
					return "", false
				}
				f := &st[n-1]
				dup := false
				if f.set != nil {
					dup = f.set[key]
					f.set[key] = true
				} else {
					for _, k := range f.keys {
						dup = dup || k == key
					}
					f.keys = append(f.keys, key)
					if len(f.keys) > 16 {
						f.set = make(map[string]bool, 32)
						for _, k := range f.keys {
							f.set[k] = true
						}
					}
				}
				f.key = key
				if dup {
					return path(), true
				}
			}
			i = end - 1
		}
	}
	return "", false
}
