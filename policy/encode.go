package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"
)

// JSON returns the policy as indented JSON (two spaces, trailing newline) in
// a fixed element order, without HTML escaping. Equal policies always give
// equal bytes.
func (p *Policy) JSON() ([]byte, error) {
	var w encoder
	if err := w.policy(p); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, w.buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// Compact returns the policy as JSON without any insignificant whitespace,
// the form whose length IAM's size quotas count.
func (p *Policy) Compact() ([]byte, error) {
	var w encoder
	if err := w.policy(p); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// String returns the compact JSON form, or an error description.
func (p *Policy) String() string {
	b, err := p.Compact()
	if err != nil {
		return "<invalid policy: " + err.Error() + ">"
	}
	return string(b)
}

// MarshalJSON encodes the policy compactly in the same order as JSON.
func (p Policy) MarshalJSON() ([]byte, error) { return p.Compact() }

// MarshalJSON encodes one statement.
func (s Statement) MarshalJSON() ([]byte, error) {
	var w encoder
	if err := w.statement(&s); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// MarshalJSON encodes a bare string or a list.
func (s Strings) MarshalJSON() ([]byte, error) {
	var w encoder
	w.strings(s)
	return w.buf.Bytes(), nil
}

// MarshalJSON encodes "*" or a principal map.
func (p Principal) MarshalJSON() ([]byte, error) {
	var w encoder
	w.principal(&p)
	return w.buf.Bytes(), nil
}

// MarshalJSON encodes a Condition element with sorted operators and keys.
func (c Conditions) MarshalJSON() ([]byte, error) {
	var w encoder
	if err := w.conditions(c); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

type encoder struct {
	buf bytes.Buffer
}

func (w *encoder) policy(p *Policy) error {
	if p == nil {
		w.buf.WriteString("null")
		return nil
	}
	w.buf.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			w.buf.WriteByte(',')
		}
		first = false
		w.str(name)
		w.buf.WriteByte(':')
	}
	if p.Version != "" {
		field("Version")
		w.str(p.Version)
	}
	if p.Id != "" {
		field("Id")
		w.str(p.Id)
	}
	if p.Statement != nil {
		field("Statement")
		if p.SingleStatement() {
			if err := w.statement(&p.Statement[0]); err != nil {
				return fmt.Errorf("policy: Statement: %w", err)
			}
		} else {
			w.buf.WriteByte('[')
			for i := range p.Statement {
				if i > 0 {
					w.buf.WriteByte(',')
				}
				if err := w.statement(&p.Statement[i]); err != nil {
					return fmt.Errorf("policy: Statement[%d]: %w", i, err)
				}
			}
			w.buf.WriteByte(']')
		}
	}
	w.buf.WriteByte('}')
	return nil
}

func (w *encoder) statement(s *Statement) error {
	w.buf.WriteByte('{')
	first := true
	field := func(name string) {
		if !first {
			w.buf.WriteByte(',')
		}
		first = false
		w.str(name)
		w.buf.WriteByte(':')
	}
	if s.Sid != "" {
		field("Sid")
		w.str(s.Sid)
	}
	if s.Effect != "" {
		field("Effect")
		w.str(string(s.Effect))
	}
	if s.Principal != nil {
		field("Principal")
		w.principal(s.Principal)
	}
	if s.NotPrincipal != nil {
		field("NotPrincipal")
		w.principal(s.NotPrincipal)
	}
	for _, e := range []struct {
		name string
		v    Strings
	}{{"Action", s.Action}, {"NotAction", s.NotAction}, {"Resource", s.Resource}, {"NotResource", s.NotResource}} {
		if !e.v.IsZero() {
			field(e.name)
			w.strings(e.v)
		}
	}
	if s.Condition != nil {
		field("Condition")
		if err := w.conditions(s.Condition); err != nil {
			return fmt.Errorf("condition%w", err)
		}
	}
	w.buf.WriteByte('}')
	return nil
}

func (w *encoder) strings(s Strings) {
	if s.Scalar && len(s.Values) == 1 {
		w.str(s.Values[0])
		return
	}
	w.buf.WriteByte('[')
	for i, v := range s.Values {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.str(v)
	}
	w.buf.WriteByte(']')
}

func (w *encoder) principal(p *Principal) {
	if p.Wildcard {
		w.str("*")
		return
	}
	w.buf.WriteByte('{')
	first := true
	for _, e := range []struct {
		name string
		v    Strings
	}{{"AWS", p.AWS}, {"CanonicalUser", p.CanonicalUser}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if e.v.IsZero() {
			continue
		}
		if !first {
			w.buf.WriteByte(',')
		}
		first = false
		w.str(e.name)
		w.buf.WriteByte(':')
		w.strings(e.v)
	}
	w.buf.WriteByte('}')
}

func (w *encoder) conditions(c Conditions) error {
	w.buf.WriteByte('{')
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for i, op := range ops {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		w.str(op)
		w.buf.WriteString(":{")
		keys := make([]string, 0, len(c[op]))
		for k := range c[op] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for j, k := range keys {
			if j > 0 {
				w.buf.WriteByte(',')
			}
			w.str(k)
			w.buf.WriteByte(':')
			cv := c[op][k]
			if cv.Scalar && len(cv.Values) == 1 {
				if err := w.value(cv.Values[0]); err != nil {
					return fmt.Errorf(".%s[%q]: %w", op, k, err)
				}
				continue
			}
			w.buf.WriteByte('[')
			for n, v := range cv.Values {
				if n > 0 {
					w.buf.WriteByte(',')
				}
				if err := w.value(v); err != nil {
					return fmt.Errorf(".%s[%q][%d]: %w", op, k, n, err)
				}
			}
			w.buf.WriteByte(']')
		}
		w.buf.WriteByte('}')
	}
	w.buf.WriteByte('}')
	return nil
}

func (w *encoder) value(v Value) error {
	switch v.Kind {
	case KindString:
		w.str(v.Text)
	case KindBool:
		if v.Text != "true" && v.Text != "false" {
			return fmt.Errorf("boolean value %q is not true or false", v.Text)
		}
		w.buf.WriteString(v.Text)
	case KindNumber:
		if !validNumber(v.Text) {
			return fmt.Errorf("number value %q is not a JSON number", v.Text)
		}
		w.buf.WriteString(v.Text)
	default:
		return fmt.Errorf("unknown value kind %d", v.Kind)
	}
	return nil
}

func validNumber(s string) bool {
	if s == "" {
		return false
	}
	var n json.Number
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		return false
	}
	return string(n) == s
}

const hexDigits = "0123456789abcdef"

// str writes a JSON string without HTML escaping; invalid UTF-8 becomes
// U+FFFD as encoding/json does.
func (w *encoder) str(s string) {
	b := &w.buf
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202` + strconv.Itoa(int(r&0xF)))
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
