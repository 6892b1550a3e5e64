package ssmlocal

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The simulated services take and return "shapes": operation inputs and
// outputs by their API member names (InstanceIds, Reservations, …) as
// map[string]any, []any, strings, numbers, booleans and time.Time. The same
// shape serves a wire request, whatever its protocol, and a step's call.

// shapeOf converts an SDK struct (or anything built of structs, pointers,
// slices and maps) to a shape, by member name. Nil and zero-length members
// are left out, as the SDK's serializers leave them out.
func shapeOf(v any) any { return shapeValue(reflect.ValueOf(v)) }

var timeType = reflect.TypeFor[time.Time]()

func shapeValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return shapeValue(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface().(time.Time)
		}
		m := map[string]any{}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map || fv.Kind() == reflect.Interface) && fv.IsNil() {
				continue
			}
			if fv.Kind() == reflect.String && fv.Len() == 0 {
				continue // unset enum
			}
			m[f.Name] = shapeValue(fv)
		}
		return m
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = shapeValue(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		for _, k := range v.MapKeys() {
			out[k.String()] = shapeValue(v.MapIndex(k))
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}

// jsonable prepares a shape for encoding/json: timestamps become epoch
// seconds (the awsJson protocols) or RFC 3339 strings (step outputs).
func jsonable(v any, rfc3339 bool) any {
	switch x := v.(type) {
	case time.Time:
		if rfc3339 {
			return x.UTC().Format(time.RFC3339Nano)
		}
		return json.Number(strconv.FormatFloat(float64(x.UnixMilli())/1000, 'f', -1, 64))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e, rfc3339)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e, rfc3339)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e, rfc3339)
		}
		return out
	}
	return v
}

// encodeJSON writes a shape as the awsJson protocols do: epoch-second
// timestamps, no HTML escaping, sorted keys.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(jsonable(v, false)); err != nil {
		return []byte("{}")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// plainShape returns a shape as encoding/json would decode it, for JSONPath
// selectors in steps: map[string]any, []any, string, float64, bool, nil.
func plainShape(v map[string]any) map[string]any {
	data, err := json.Marshal(jsonable(v, true))
	if err != nil {
		return map[string]any{}
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return map[string]any{}
	}
	return out
}

// Accessors read members of an input shape; a member of the wrong type is a
// SerializationException, as the SDK's deserializers report it.

func str(in map[string]any, key string) (string, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return "", nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return "", apiErr("SerializationException", "member %s: expected a string, got %T", key, v)
}

func strList(in map[string]any, key string) ([]string, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case []string:
		return x, nil
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, apiErr("SerializationException", "member %s: expected a list of strings, got an element of type %T", key, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, apiErr("SerializationException", "member %s: expected a list of strings, got %T", key, v)
}

func boolean(in map[string]any, key string) (bool, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		b, err := strconv.ParseBool(x)
		if err != nil {
			return false, apiErr("SerializationException", "member %s: expected a boolean, got %q", key, x)
		}
		return b, nil
	}
	return false, apiErr("SerializationException", "member %s: expected a boolean, got %T", key, v)
}

// integer returns the member, or def when absent.
func integer(in map[string]any, key string, def int64) (int64, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return def, nil
	}
	var f float64
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		f = x
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return 0, apiErr("SerializationException", "member %s: expected an integer, got %s", key, x)
		}
		return i, nil
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, apiErr("SerializationException", "member %s: expected an integer, got %q", key, x)
		}
		return i, nil
	default:
		return 0, apiErr("SerializationException", "member %s: expected an integer, got %T", key, v)
	}
	if f != math.Trunc(f) {
		return 0, apiErr("SerializationException", "member %s: expected an integer, got %v", key, f)
	}
	return int64(f), nil
}

func object(in map[string]any, key string) (map[string]any, error) {
	v, ok := in[key]
	if !ok || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, apiErr("SerializationException", "member %s: expected a structure, got %T", key, v)
	}
	return m, nil
}

// lowerFirst gives the member name AWS validation messages use.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
