package runbook

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKindString(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{KindAbsent, "absent"},
		{KindNull, "null"},
		{KindString, "string"},
		{KindNumber, "number"},
		{KindBool, "boolean"},
		{KindList, "list"},
		{KindMap, "map"},
		{KindMap + 1, "kind(7)"},
		{99, "kind(99)"},
		// Regression: a negative kind indexed the names and panicked.
		{-1, "kind(-1)"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.kind.String())
		})
	}
}

func TestNumberText(t *testing.T) {
	tests := []struct {
		text string
		ok   bool
	}{
		{"12", true},
		{"-1.5e3", true},
		{"0", true},
		{"", false},
		{"1 2", false},
		{`"1"`, false},
		{"[1]", false},
		{`{"a":1}`, false},
		{"true", false},
		{"false", false},
		{"null", false},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			v, err := Number(tc.text)
			if !tc.ok {
				require.Error(t, err)
				assert.True(t, v.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, KindNumber, v.Kind())
			assert.Equal(t, tc.text, v.String())
		})
	}
}

func TestListSkipsAbsent(t *testing.T) {
	tests := []struct {
		name  string
		items []Value
		want  string
	}{
		{"none", nil, "[]"},
		{"absent only", []Value{{}}, "[]"},
		{"one", []Value{Int(1)}, "[1]"},
		{"two", []Value{Int(1), String("a")}, `[1,"a"]`},
		{"absent between", []Value{Int(1), {}, Bool(true)}, "[1,true]"},
		{"absent first", []Value{{}, Int(1), Int(2)}, "[1,2]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, List(tc.items...).String())
		})
	}
}

func TestMapRepeatedKeys(t *testing.T) {
	m := func(k string, v Value) Member { return Member{Key: k, Value: v} }
	tests := []struct {
		name    string
		members []Member
		want    string
	}{
		{"none", nil, "{}"},
		{"absent only", []Member{m("a", Value{})}, "{}"},
		{"in order", []Member{m("a", Int(1)), m("b", Int(2))}, `{"a":1,"b":2}`},
		{"last wins in first place", []Member{m("a", Int(1)), m("b", Int(2)), m("a", Int(3))}, `{"a":3,"b":2}`},
		{"absent later kept earlier", []Member{m("a", Int(1)), m("a", Value{})}, `{"a":1}`},
		{"absent earlier", []Member{m("a", Value{}), m("a", Int(1))}, `{"a":1}`},
		{"absent between", []Member{m("a", Int(1)), m("a", Value{}), m("b", Int(2))}, `{"a":1,"b":2}`},
		{"three times", []Member{m("a", Int(1)), m("a", Int(2)), m("a", Int(3))}, `{"a":3}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Map(tc.members...).String())
		})
	}
}

// TestMapManyMembers checks maps past the few members inputs have, which
// keep the same rule for repeated keys and absent values.
func TestMapManyMembers(t *testing.T) {
	var ms []Member
	want := "{"
	for i := range 20 {
		k := string(rune('a' + i))
		ms = append(ms, Member{Key: k, Value: Int(int64(i))})
		if i > 0 {
			want += ","
		}
		want += `"` + k + `":`
		if k == "b" {
			want += "99"
		} else {
			want += string(Int(int64(i)).raw)
		}
	}
	want += "}"
	ms = append(ms, Member{Key: "c", Value: Value{}}, Member{Key: "b", Value: Int(99)}, Member{Key: "zz", Value: Value{}})
	assert.Equal(t, want, Map(ms...).String())
}

func TestRawJSONInput(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{" [1, 2] ", "[1,2]", true},
		{`{ "a" : true }`, `{"a":true}`, true},
		{"", "", false},
		{"   ", "", false},
		{"{", "", false},
		{"1 2", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			v, err := RawJSON([]byte(tc.in))
			if !tc.ok {
				require.Error(t, err)
				assert.True(t, v.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.String())
		})
	}
}

func TestValueStringAbsent(t *testing.T) {
	assert.Equal(t, "<absent>", Value{}.String())
	assert.Equal(t, `"a"`, String("a").String())
	assert.Equal(t, KindAbsent, Value{}.Kind())
	assert.Equal(t, KindNull, Null().Kind())
}

func TestValueAccessors(t *testing.T) {
	num := func(s string) Value {
		v, err := Number(s)
		require.NoError(t, err)
		return v
	}
	t.Run("AsString", func(t *testing.T) {
		s, ok := String(`a"b`).AsString()
		assert.True(t, ok)
		assert.Equal(t, `a"b`, s)
		_, ok = Int(1).AsString()
		assert.False(t, ok)
		_, ok = Value{raw: []byte(`"a"x`)}.AsString()
		assert.False(t, ok, "text after the string")
		_, ok = Value{raw: []byte(`"a`)}.AsString()
		assert.False(t, ok, "unterminated")
	})
	t.Run("plainString", func(t *testing.T) {
		b, ok := String("plain").plainString()
		assert.True(t, ok)
		assert.Equal(t, "plain", string(b))
		b, ok = String("").plainString()
		assert.True(t, ok)
		assert.Empty(t, b)
		for name, v := range map[string]Value{
			"escaped":      String(`a"b`),
			"number":       Int(1),
			"trailing":     {raw: []byte(`"a"x`)},
			"unterminated": {raw: []byte(`"a`)},
			"invalid utf8": {raw: []byte("\"a\xff\"")},
		} {
			_, ok := v.plainString()
			assert.False(t, ok, name)
		}
	})
	t.Run("AsInt", func(t *testing.T) {
		tests := []struct {
			v    Value
			want int64
			ok   bool
		}{
			{Int(-7), -7, true},
			{num("2.0"), 2, true},
			{num("3e2"), 300, true},
			{num("1.5"), 0, false},
			{num("1e400"), 0, false},
			{String("1"), 0, false},
			{Value{}, 0, false},
		}
		for _, tc := range tests {
			n, ok := tc.v.AsInt()
			assert.Equal(t, tc.ok, ok, tc.v.String())
			assert.Equal(t, tc.want, n, tc.v.String())
		}
	})
	t.Run("AsFloat", func(t *testing.T) {
		f, ok := num("1.5").AsFloat()
		assert.True(t, ok)
		assert.InDelta(t, 1.5, f, 0)
		_, ok = num("1e400").AsFloat()
		assert.False(t, ok)
		_, ok = String("1.5").AsFloat()
		assert.False(t, ok)
	})
	t.Run("AsBool", func(t *testing.T) {
		b, ok := Bool(true).AsBool()
		assert.True(t, ok)
		assert.True(t, b)
		b, ok = Bool(false).AsBool()
		assert.True(t, ok)
		assert.False(t, b)
		_, ok = String("true").AsBool()
		assert.False(t, ok)
	})
	t.Run("AsList", func(t *testing.T) {
		items, ok := List(Int(1), String("a")).AsList()
		assert.True(t, ok)
		assert.Equal(t, []Value{Int(1), String("a")}, items)
		items, ok = List().AsList()
		assert.True(t, ok)
		assert.NotNil(t, items)
		assert.Empty(t, items)
		_, ok = Value{raw: []byte("[1,")}.AsList()
		assert.False(t, ok, "malformed")
		_, ok = String("[1]").AsList()
		assert.False(t, ok)
	})
	t.Run("AsStrings", func(t *testing.T) {
		ss, ok := Strings("a", "b").AsStrings()
		assert.True(t, ok)
		assert.Equal(t, []string{"a", "b"}, ss)
		_, ok = List(String("a"), Int(1)).AsStrings()
		assert.False(t, ok)
		_, ok = String("a").AsStrings()
		assert.False(t, ok)
	})
	t.Run("AsMap and Get", func(t *testing.T) {
		v := Map(Member{Key: "a", Value: Int(1)}, Member{Key: "b", Value: Int(2)})
		ms, ok := v.AsMap()
		assert.True(t, ok)
		assert.Equal(t, []Member{{Key: "a", Value: Int(1)}, {Key: "b", Value: Int(2)}}, ms)
		got, ok := v.Get("b")
		assert.True(t, ok)
		assert.Equal(t, Int(2), got)
		got, ok = v.Get("c")
		assert.False(t, ok)
		assert.True(t, got.IsZero())
		_, ok = Value{raw: []byte(`{"a":}`)}.AsMap()
		assert.False(t, ok, "malformed")
		_, ok = Value{raw: []byte(`{"a":}`)}.Get("a")
		assert.False(t, ok, "malformed")
		_, ok = List(Int(1)).Get("a")
		assert.False(t, ok)
	})
}

func TestValueEqual(t *testing.T) {
	num := func(s string) Value {
		v, err := Number(s)
		require.NoError(t, err)
		return v
	}
	ab := Map(Member{Key: "a", Value: String("x")}, Member{Key: "b", Value: Int(1)})
	ba := Map(Member{Key: "b", Value: Int(1)}, Member{Key: "a", Value: String("x")})
	tests := []struct {
		name string
		v, w Value
		want bool
	}{
		{"absent both", Value{}, Value{}, true},
		{"absent one", Value{}, String("a"), false},
		{"absent other", String("a"), Value{}, false},
		{"absent and null", Value{}, Null(), false},
		{"map order", ab, ba, true},
		{"map value differs", ab, Map(Member{Key: "b", Value: Int(1)}, Member{Key: "a", Value: String("y")}), false},
		{"map more keys", ab, Map(Member{Key: "a", Value: String("x")}, Member{Key: "b", Value: Int(1)}, Member{Key: "c", Value: Null()}), false},
		{"map key differs", ab, Map(Member{Key: "a", Value: String("x")}, Member{Key: "c", Value: Int(1)}), false},
		{"map and list", Map(Member{Key: "a", Value: Int(1)}), List(Int(1)), false},
		{"list and map", List(Int(1)), Map(Member{Key: "a", Value: Int(1)}), false},
		{"number spelling", num("1"), num("1.0"), true},
		{"number spelling nested", List(num("1"), num("2")), List(num("1.0"), num("2e0")), true},
		{"numbers differ", List(num("1")), List(num("2")), false},
		{"number out of range", num("1e400"), num("1e401"), false},
		{"number and string", List(num("1")), List(String("1")), false},
		{"list order", List(Int(1), Int(2)), List(Int(2), Int(1)), false},
		{"list length", List(Int(1)), List(Int(1), Int(1)), false},
		{"list of maps", List(ab), List(ba), true},
		{"strings in maps differ", Map(Member{Key: "a", Value: String("x")}, Member{Key: "b", Value: Bool(true)}), Map(Member{Key: "b", Value: Bool(true)}, Member{Key: "a", Value: String("z")}), false},
		{"booleans in maps", Map(Member{Key: "a", Value: Bool(true)}, Member{Key: "b", Value: Null()}), Map(Member{Key: "b", Value: Null()}, Member{Key: "a", Value: Bool(true)}), true},
		{"malformed", Value{raw: []byte("{")}, Value{raw: []byte("{ ")}, false},
		{"malformed second", Value{raw: []byte("[1]")}, Value{raw: []byte("[1")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.v.Equal(tc.w))
			assert.Equal(t, tc.want, tc.w.Equal(tc.v))
		})
	}
}

func TestValueJSONMethods(t *testing.T) {
	b, err := Value{}.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
	b, err = json.Marshal([]Value{String("a"), Int(2)})
	require.NoError(t, err)
	assert.Equal(t, `["a",2]`, string(b))

	var v Value
	require.NoError(t, v.UnmarshalJSON([]byte(` { "a" : [ 1 ] } `)))
	assert.Equal(t, `{"a":[1]}`, v.String())
	require.Error(t, v.UnmarshalJSON([]byte("{")))
	assert.Equal(t, `{"a":[1]}`, v.String(), "an error leaves the value as it was")
}

func TestWalkPaths(t *testing.T) {
	v := Map(
		Member{Key: "a", Value: List(String("x"), Int(1), String("y"))},
		Member{Key: "b", Value: Map(Member{Key: "c", Value: String("z")})},
		Member{Key: "d", Value: Bool(true)},
	)
	var got [][2]string
	v.Walk(func(path, s string) { got = append(got, [2]string{path, s}) })
	assert.Equal(t, [][2]string{{".a[0]", "x"}, {".a[2]", "y"}, {".b.c", "z"}}, got)
}

// TestAppendMapFewMembersAllocateNothing checks that maps of up to 16
// members, as step inputs are, are written by scanning, without a map.
func TestAppendMapFewMembersAllocateNothing(t *testing.T) {
	for _, n := range []int{0, 1, 16} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			ms := make([]Member, n)
			for i := range ms {
				ms[i] = Member{Key: "k" + strconv.Itoa(i), Value: Int(int64(i))}
			}
			buf := make([]byte, 0, 1024)
			assert.Zero(t, testing.AllocsPerRun(20, func() { _ = appendMap(buf[:0], ms) }))
			assert.Equal(t, Map(ms...).raw, appendMap(nil, ms))
		})
	}
}

// TestReferenceNonASCIIBytes checks reference constructors on names
// holding the lowest non-ASCII byte, which the one-allocation path must
// leave to String: it is not valid UTF-8 on its own.
func TestReferenceNonASCIIBytes(t *testing.T) {
	for _, name := range []string{"\x80", "a\x80b", "\x7f", "\x1f", " "} {
		t.Run(strconv.Quote(name), func(t *testing.T) {
			assert.Equal(t, String("{{ "+name+" }}"), Param(name))
			assert.Equal(t, String("{{ variable:"+name+" }}"), Var(name))
		})
	}
}
