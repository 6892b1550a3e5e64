package ssmlocal

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
)

// A handler is written against the SDK's own input and output types: typed
// decodes the request's shape into the input struct, so a handler starts
// with its members already read and type-checked, and encodes the output
// struct back into a shape. A member of the wrong type is the
// SerializationException the SDK's deserializers report, named by member.

// handlerFunc is an operation's handler on shapes, as opDef runs it.
type handlerFunc = func(s *Server, ctx context.Context, c *call, in map[string]any) (map[string]any, error)

// typed adapts a handler on SDK types to one on shapes.
func typed[In, Out any](fn func(s *Server, ctx context.Context, c *call, in *In) (*Out, error)) handlerFunc {
	return func(s *Server, ctx context.Context, c *call, shape map[string]any) (map[string]any, error) {
		in := new(In)
		if err := decodeInput(shape, in); err != nil {
			return nil, err
		}
		out, err := fn(s, ctx, c, in)
		if err != nil {
			return nil, err
		}
		return outputShape(out), nil
	}
}

// outputShape encodes an SDK output struct; the SDK's ResultMetadata is
// the client's, never a member on the wire.
func outputShape(out any) map[string]any {
	m := shapeMap(out)
	delete(m, "ResultMetadata")
	return m
}

// shapeMap is the shape of a structure, never nil.
func shapeMap(v any) map[string]any {
	if m, ok := shapeOf(v).(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

// decodeInput fills the struct out points to from a shape: each member by
// its field name, as the accessors in shape.go read them (a number given as
// a string, a single string for a list of strings). Members the struct does
// not have are left unread, as AWS ignores them.
func decodeInput(in map[string]any, out any) error {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return apiErr("InternalFailure", "cannot decode into %T", out)
	}
	return decodeStruct(in, v.Elem())
}

func decodeStruct(in map[string]any, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		raw, ok := in[f.Name]
		if !ok || raw == nil {
			continue
		}
		if err := decodeMember(f.Name, raw, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// decodeMember sets v, a field or element of the member key, from raw.
func decodeMember(key string, raw any, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem() == timeType {
			return decodeTime(key, raw, v)
		}
		elem := reflect.New(v.Type().Elem())
		if err := decodeMember(key, raw, elem.Elem()); err != nil {
			return err
		}
		v.Set(elem)
		return nil
	case reflect.String:
		s, err := str(map[string]any{key: raw}, key)
		v.SetString(s)
		return err
	case reflect.Bool:
		b, err := boolean(map[string]any{key: raw}, key)
		v.SetBool(b)
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := integer(map[string]any{key: raw}, key, 0)
		if err != nil {
			return err
		}
		if v.OverflowInt(n) {
			return apiErr("SerializationException", "member %s: expected an integer, got %d, out of range", key, n)
		}
		v.SetInt(n)
		return nil
	case reflect.Float32, reflect.Float64:
		return decodeFloat(key, raw, v)
	case reflect.Slice:
		return decodeSlice(key, raw, v)
	case reflect.Map:
		return decodeMap(key, raw, v)
	case reflect.Struct:
		if v.Type() == timeType {
			return decodeTime(key, raw, v.Addr())
		}
		m, err := object(map[string]any{key: raw}, key)
		if err != nil {
			return err
		}
		return decodeStruct(m, v)
	}
	return apiErr("SerializationException", "member %s: not a member the local endpoint reads", key)
}

// decodeSlice reads a list: of strings (a lone string is a list of one, as
// the query protocol flattens it) or of structures.
func decodeSlice(key string, raw any, v reflect.Value) error {
	et := v.Type().Elem()
	if et.Kind() == reflect.String {
		list, err := strList(map[string]any{key: raw}, key)
		if err != nil {
			return err
		}
		out := reflect.MakeSlice(v.Type(), len(list), len(list))
		for i, s := range list {
			out.Index(i).SetString(s)
		}
		v.Set(out)
		return nil
	}
	var items []any
	switch x := raw.(type) {
	case []any:
		items = x
	case []map[string]any:
		items = make([]any, len(x))
		for i, m := range x {
			items[i] = m
		}
	default:
		return apiErr("SerializationException", "member %s: expected a list of %s, got %T", key, elemNoun(et), raw)
	}
	out := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, item := range items {
		if item == nil {
			return apiErr("SerializationException", "member %s: expected a list of %s, got a null element", key, elemNoun(et))
		}
		if err := decodeMember(key, item, out.Index(i)); err != nil {
			return err
		}
	}
	v.Set(out)
	return nil
}

// elemNoun names a list's elements in messages.
func elemNoun(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		return "structures"
	}
	return "values"
}

// decodeMap reads a map keyed by strings.
func decodeMap(key string, raw any, v reflect.Value) error {
	m, ok := raw.(map[string]any)
	if !ok || v.Type().Key().Kind() != reflect.String {
		return apiErr("SerializationException", "member %s: expected a map, got %T", key, raw)
	}
	out := reflect.MakeMapWithSize(v.Type(), len(m))
	for k, e := range m {
		if e == nil {
			continue
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if err := decodeMember(key, e, ev); err != nil {
			return err
		}
		out.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), ev)
	}
	v.Set(out)
	return nil
}

func decodeFloat(key string, raw any, v reflect.Value) error {
	var f float64
	var err error
	switch x := raw.(type) {
	case float64:
		f = x
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case json.Number:
		f, err = x.Float64()
	case string:
		f, err = strconv.ParseFloat(x, 64)
	default:
		return apiErr("SerializationException", "member %s: expected a number, got %T", key, raw)
	}
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || v.OverflowFloat(f) {
		return apiErr("SerializationException", "member %s: expected a number, got %v", key, raw)
	}
	v.SetFloat(f)
	return nil
}

// decodeTime reads a timestamp into a *time.Time: a time, epoch seconds
// (the awsJson protocols) or RFC 3339 text (the query protocols).
func decodeTime(key string, raw any, ptr reflect.Value) error {
	var t time.Time
	switch x := raw.(type) {
	case time.Time:
		t = x
	case string:
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			secs, ferr := strconv.ParseFloat(x, 64)
			if ferr != nil {
				return apiErr("SerializationException", "member %s: expected a timestamp, got %q", key, x)
			}
			p = epochTime(secs)
		}
		t = p
	case json.Number:
		secs, err := x.Float64()
		if err != nil {
			return apiErr("SerializationException", "member %s: expected a timestamp, got %s", key, x)
		}
		t = epochTime(secs)
	case float64:
		t = epochTime(x)
	default:
		return apiErr("SerializationException", "member %s: expected a timestamp, got %T", key, raw)
	}
	if ptr.IsNil() {
		ptr.Set(reflect.New(timeType))
	}
	ptr.Elem().Set(reflect.ValueOf(t))
	return nil
}

// epochTime converts epoch seconds, clamped to what time.Time holds
// without overflow.
func epochTime(secs float64) time.Time {
	const limit = 1 << 40
	if math.IsNaN(secs) {
		secs = 0
	}
	secs = math.Max(-limit, math.Min(limit, secs))
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}
