package runbook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// Kind is the JSON kind of a [Value].
type Kind int

// The kinds of a [Value]. KindAbsent is the zero Value: the field is not set.
const (
	KindAbsent Kind = iota
	KindNull
	KindString
	KindNumber
	KindBool
	KindList
	KindMap
)

var kindNames = [...]string{"absent", "null", "string", "number", "boolean", "list", "map"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one input value of an Automation step: a string (possibly holding
// {{ }} references), number, boolean, list or map. It keeps the exact JSON it
// was parsed from, so a document round-trips without loss. The zero Value is
// absent and is not encoded.
type Value struct {
	raw []byte // compact JSON; nil when absent
}

// Member is one key of a map [Value], in document order.
type Member struct {
	Key   string
	Value Value
}

// String returns a string value. It may embed references such as
// "{{ InstanceId }}".
func String(s string) Value { return Value{raw: mustMarshal(s)} }

// Int returns an integer value.
func Int(n int64) Value { return Value{raw: strconv.AppendInt(nil, n, 10)} }

// Bool returns a boolean value.
func Bool(b bool) Value { return Value{raw: strconv.AppendBool(nil, b)} }

// Null returns the JSON null value.
func Null() Value { return Value{raw: []byte("null")} }

// Number returns a numeric value from its decimal text, or an error when the
// text is not a JSON number.
func Number(text string) (Value, error) {
	if !json.Valid([]byte(text)) || (len(text) > 0 && (text[0] == '"' || text[0] == '[' || text[0] == '{' || text[0] == 't' || text[0] == 'f' || text[0] == 'n')) {
		return Value{}, fmt.Errorf("runbook: %q is not a number", text)
	}
	return Value{raw: []byte(text)}, nil
}

// List returns a list of values.
func List(items ...Value) Value {
	var b bytes.Buffer
	b.WriteByte('[')
	n := 0
	for _, it := range items {
		if it.raw == nil {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		b.Write(it.raw)
		n++
	}
	b.WriteByte(']')
	return Value{raw: b.Bytes()}
}

// Strings returns a list of string values.
func Strings(items ...string) Value {
	vs := make([]Value, len(items))
	for i, s := range items {
		vs[i] = String(s)
	}
	return List(vs...)
}

// Map returns a map value with the members in the given order. A later
// member with the same key replaces an earlier one.
func Map(members ...Member) Value { return Value{raw: appendMap(nil, members)} }

// eachLastValue calls fn with each key of members that has a value, in the
// order keys first occur, with the key's last value: Map's rule for
// repeated keys, scanning pairwise, which beats a map for a few members.
func eachLastValue(members []Member, fn func(Member)) {
outer:
	for i, m := range members {
		if m.Value.raw == nil {
			continue
		}
		for _, e := range members[:i] {
			if e.Key == m.Key && e.Value.raw != nil {
				continue outer
			}
		}
		for _, l := range members[i+1:] {
			if l.Key == m.Key && l.Value.raw != nil {
				m = l
			}
		}
		fn(m)
	}
}

// appendMap appends Map's encoding of members to dst.
func appendMap(dst []byte, members []Member) []byte {
	dst = append(dst, '{')
	n := 0
	emit := func(m Member) {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = appendQuoted(dst, m.Key)
		dst = append(dst, ':')
		dst = append(dst, m.Value.raw...)
		n++
	}
	if len(members) <= 16 {
		// Few members, as inputs have: scan rather than allocate a map.
		eachLastValue(members, emit)
		return append(dst, '}')
	}
	seen := make(map[string]int, len(members))
	kept := make([]Member, 0, len(members))
	for _, m := range members {
		if m.Value.raw == nil {
			continue
		}
		if i, ok := seen[m.Key]; ok {
			kept[i] = m
			continue
		}
		seen[m.Key] = len(kept)
		kept = append(kept, m)
	}
	for _, m := range kept {
		emit(m)
	}
	return append(dst, '}')
}

// StringMap returns a map of strings with keys in sorted order.
func StringMap(m map[string]string) Value {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ms := make([]Member, len(keys))
	for i, k := range keys {
		ms[i] = Member{Key: k, Value: String(m[k])}
	}
	return Map(ms...)
}

// RawJSON returns the value encoded by data, which must be one valid JSON
// value.
func RawJSON(data []byte) (Value, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || !json.Valid(data) {
		return Value{}, fmt.Errorf("runbook: invalid JSON value %q", field.Truncate(string(data), 60))
	}
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return Value{}, fmt.Errorf("runbook: invalid JSON value: %w", err)
	}
	return Value{raw: b.Bytes()}, nil
}

// IsZero reports whether the value is absent.
func (v Value) IsZero() bool { return v.raw == nil }

// Kind returns the JSON kind of the value.
func (v Value) Kind() Kind {
	if len(v.raw) == 0 {
		return KindAbsent
	}
	switch v.raw[0] {
	case 'n':
		return KindNull
	case '"':
		return KindString
	case 't', 'f':
		return KindBool
	case '[':
		return KindList
	case '{':
		return KindMap
	default:
		return KindNumber
	}
}

// JSON returns the compact JSON encoding of the value; nil when absent.
func (v Value) JSON() []byte { return bytes.Clone(v.raw) }

// String returns the JSON text of the value, for messages.
func (v Value) String() string {
	if v.raw == nil {
		return "<absent>"
	}
	return string(v.raw)
}

// AsString returns the string when the value is a string.
func (v Value) AsString() (string, bool) {
	if v.Kind() != KindString {
		return "", false
	}
	end, esc, err := scanString(v.raw, 0)
	if err != nil || end != len(v.raw) {
		return "", false
	}
	s, err := unquote(v.raw, esc)
	return s, err == nil
}

// plainString returns the text of a string value that holds no escapes
// and is valid UTF-8, which is its decoded string, without allocating.
func (v Value) plainString() ([]byte, bool) {
	if v.Kind() != KindString {
		return nil, false
	}
	end, esc, err := scanString(v.raw, 0)
	if err != nil || esc || end != len(v.raw) || !utf8.Valid(v.raw[1:end-1]) {
		return nil, false
	}
	return v.raw[1 : end-1], true
}

// AsInt returns the integer when the value is an integral number.
func (v Value) AsInt() (int64, bool) {
	if v.Kind() != KindNumber {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v.raw), 10, 64)
	if err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(v.raw), 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

// AsFloat returns the number when the value is a number.
func (v Value) AsFloat() (float64, bool) {
	if v.Kind() != KindNumber {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v.raw), 64)
	return f, err == nil
}

// AsBool returns the boolean when the value is a boolean.
func (v Value) AsBool() (bool, bool) {
	switch v.Kind() {
	case KindBool:
		return v.raw[0] == 't', true
	}
	return false, false
}

// AsList returns the items when the value is a list.
func (v Value) AsList() ([]Value, bool) {
	if v.Kind() != KindList {
		return nil, false
	}
	out := []Value{}
	if scanArray(v.raw, func(raw []byte) { out = append(out, Value{raw: raw}) }) != nil {
		return nil, false
	}
	return out, true
}

// AsStrings returns the items when the value is a list of strings.
func (v Value) AsStrings() ([]string, bool) {
	items, ok := v.AsList()
	if !ok {
		return nil, false
	}
	out := make([]string, len(items))
	for i, it := range items {
		s, ok := it.AsString()
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// AsMap returns the members, in document order, when the value is a map.
func (v Value) AsMap() ([]Member, bool) {
	if v.Kind() != KindMap {
		return nil, false
	}
	var out []Member
	err := eachMember(v.raw, func(key string, raw json.RawMessage) error {
		out = append(out, Member{Key: key, Value: Value{raw: raw}})
		return nil
	})
	if err != nil {
		return nil, false
	}
	return out, true
}

// Get returns the member named key of a map value.
func (v Value) Get(key string) (Value, bool) {
	ms, ok := v.AsMap()
	if !ok {
		return Value{}, false
	}
	for _, m := range ms {
		if m.Key == key {
			return m.Value, true
		}
	}
	return Value{}, false
}

// Equal reports whether two values encode the same JSON, ignoring the order
// of map keys.
func (v Value) Equal(w Value) bool {
	if bytes.Equal(v.raw, w.raw) {
		return true
	}
	if v.raw == nil || w.raw == nil {
		return false
	}
	return jsonEqual(v.raw, w.raw)
}

// MarshalJSON implements json.Marshaler. An absent value encodes as null;
// containers omit absent values themselves.
func (v Value) MarshalJSON() ([]byte, error) {
	if v.raw == nil {
		return []byte("null"), nil
	}
	return v.raw, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *Value) UnmarshalJSON(data []byte) error {
	nv, err := RawJSON(data)
	if err != nil {
		return err
	}
	*v = nv
	return nil
}

// Walk calls fn for every string inside the value (map keys excluded), with
// the path suffix of that string relative to the value (".Key", "[2]").
func (v Value) Walk(fn func(path, s string)) {
	walkStrings(v, field.NewPath(""), func(p *field.Path, s string) { fn(p.String(), s) })
}

// walkStrings calls fn for every string inside v with its path below path.
func walkStrings(v Value, path *field.Path, fn func(path *field.Path, s string)) {
	switch v.Kind() {
	case KindString:
		s, _ := v.AsString()
		fn(path, s)
	case KindList:
		items, _ := v.AsList()
		for i, it := range items {
			walkStrings(it, path.Index(i), fn)
		}
	case KindMap:
		ms, _ := v.AsMap()
		for _, m := range ms {
			walkStrings(m.Value, path.Child(m.Key), fn)
		}
	}
}

// mustMarshal returns s as a JSON string, sized once: appending to nil
// would reallocate as the string grows.
func mustMarshal(s string) []byte { return appendQuoted(make([]byte, 0, len(s)+2), s) }

// plainASCII reports whether s is printable ASCII that JSON writes as is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// concatString is String of the parts joined, in one allocation when the
// parts are plain ASCII, as reference names are.
func concatString(parts ...string) Value {
	n := 2
	for _, p := range parts {
		if !plainASCII(p) {
			return String(strings.Join(parts, ""))
		}
		n += len(p)
	}
	raw := append(make([]byte, 0, n), '"')
	for _, p := range parts {
		raw = append(raw, p...)
	}
	return Value{raw: append(raw, '"')}
}

func mustMarshalSlow(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimRight(b.Bytes(), "\n")
}

// eachMember calls fn for every key of the JSON object data, in order.
func eachMember(data []byte, fn func(key string, raw json.RawMessage) error) error {
	return scanObject(data, func(key string, raw []byte) error { return fn(key, raw) })
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	da := json.NewDecoder(bytes.NewReader(a))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(b))
	db.UseNumber()
	if da.Decode(&x) != nil || db.Decode(&y) != nil {
		return false
	}
	return deepEqualJSON(x, y)
}

func deepEqualJSON(x, y any) bool {
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k, a := range xv {
			b, ok := yv[k]
			if !ok || !deepEqualJSON(a, b) {
				return false
			}
		}
		return true
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !deepEqualJSON(xv[i], yv[i]) {
				return false
			}
		}
		return true
	case json.Number:
		yv, ok := y.(json.Number)
		if !ok {
			return false
		}
		if xv == yv {
			return true
		}
		a, e1 := xv.Float64()
		b, e2 := yv.Float64()
		return e1 == nil && e2 == nil && a == b
	default:
		return x == y
	}
}
