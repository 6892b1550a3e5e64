package runbook

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scanner runs over JSON that is already compact and valid, but it
// must still handle insignificant whitespace (RFC 8259 section 2) and
// refuse malformed input without panicking.

func TestSkipWS(t *testing.T) {
	tests := []struct {
		name string
		in   string
		at   int
		want int
	}{
		{"empty", "", 0, 0},
		{"no whitespace", "{}", 0, 0},
		{"each whitespace byte", " \n\t\rx", 0, 4},
		{"space alone", " ", 0, 1},
		{"newline alone", "\n", 0, 1},
		{"tab alone", "\t", 0, 1},
		{"carriage return alone", "\r", 0, 1},
		{"from the middle", "a  b", 1, 3},
		{"at the end", "ab", 2, 2},
		{"other control bytes are not whitespace", "\v\f", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, skipWS([]byte(tt.in), tt.at))
		})
	}
}

func TestScanString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		at   int
		end  int
		esc  bool
		err  bool
	}{
		{name: "plain", in: `"abc"`, end: 5},
		{name: "empty", in: `""`, end: 2},
		{name: "followed by more", in: `"a":1`, end: 3},
		{name: "not at the start", in: `x"ab"`, at: 1, end: 5},
		{name: "after another string", in: `"a""bc"`, at: 3, end: 7},
		{name: "escaped quote", in: `"a\"b"`, end: 6, esc: true},
		{name: "escaped backslash", in: `"a\\"`, end: 5, esc: true},
		{name: "escape then more", in: `"\n"x`, end: 4, esc: true},
		{name: "unterminated", in: `"abc`, err: true},
		{name: "only a quote", in: `"`, err: true},
		{name: "escaped closing quote", in: `"\"`, err: true},
		{name: "trailing backslash", in: `"ab\`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, esc, err := scanString([]byte(tt.in), tt.at)
			if tt.err {
				require.ErrorIs(t, err, errScan)
				assert.Zero(t, end)
				assert.False(t, esc)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.end, end)
			assert.Equal(t, tt.esc, esc)
		})
	}
}

func TestSkipValue(t *testing.T) {
	tests := []struct {
		name string
		in   string
		at   int
		end  int
		err  bool
	}{
		{name: "string", in: `"a,b"x`, end: 5},
		{name: "number at the end", in: `123`, end: 3},
		{name: "number before a comma", in: `12,3`, end: 2},
		{name: "number before a brace", in: `1}`, end: 1},
		{name: "number before a bracket", in: `1]`, end: 1},
		{name: "number before a space", in: `1 x`, end: 1},
		{name: "number before a newline", in: "1\nx", end: 1},
		{name: "number before a tab", in: "1\tx", end: 1},
		{name: "number before a carriage return", in: "1\rx", end: 1},
		{name: "literal", in: `true,`, end: 4},
		{name: "from the middle", in: `[null,false]`, at: 6, end: 11},
		{name: "empty object", in: `{}x`, end: 2},
		{name: "empty list", in: `[]x`, end: 2},
		{name: "nested", in: `{"a":[1,{"b":[]}],"c":{}},9`, end: 25},
		{name: "brackets inside strings", in: `["]}",{"{":"["}]x`, end: 16},
		{name: "escaped quote inside", in: `["\"]"]x`, end: 7},
		{name: "list not at the start", in: `1,[2]`, at: 2, end: 5},
		{name: "past the end", in: `1`, at: 1, err: true},
		{name: "empty input", in: ``, err: true},
		{name: "nothing before a comma", in: `,1`, err: true},
		{name: "nothing before a brace", in: `}`, err: true},
		{name: "nothing before a space", in: ` 1`, err: true},
		{name: "unterminated string", in: `"ab`, err: true},
		{name: "unterminated list", in: `[1,2`, err: true},
		{name: "unterminated object", in: `{"a":{}`, err: true},
		{name: "unterminated string in a list", in: `["a]`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end, err := skipValue([]byte(tt.in), tt.at)
			if tt.err {
				require.ErrorIs(t, err, errScan)
				assert.Zero(t, end)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.end, end)
		})
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		esc  bool
		want string
		err  bool
	}{
		{name: "empty", raw: `""`, want: ""},
		{name: "plain", raw: `"abc"`, want: "abc"},
		{name: "one byte", raw: `"a"`, want: "a"},
		{name: "non-ASCII", raw: `"é"`, want: "é"},
		{name: "invalid UTF-8 becomes U+FFFD", raw: "\"a\xffb\"", want: "a\uFFFDb"},
		{name: "escapes", raw: `"a\n\"\u0041"`, esc: true, want: "a\n\"A"},
		{name: "bad escape", raw: `"\q"`, esc: true, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := unquote([]byte(tt.raw), tt.esc)
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, s)
		})
	}
}

// TestUnquoteFastPath checks that a string with no escape is cut out of
// its quotes, not decoded: keys are unquoted once per member on every walk.
// The strings are cut from a longer buffer, as the scanner does, whose
// next byte is no valid UTF-8.
func TestUnquoteFastPath(t *testing.T) {
	buf := []byte("\"\"\xff\"InstanceId\"\xff")
	empty, plain := buf[:2], buf[3:15]
	assert.Zero(t, testing.AllocsPerRun(20, func() { _, _ = unquote(empty, false) }))
	assert.Equal(t, 1.0, testing.AllocsPerRun(20, func() { _, _ = unquote(plain, false) }))
	s, err := unquote(plain, false)
	require.NoError(t, err)
	assert.Equal(t, "InstanceId", s)
}

type scannedMember struct{ key, raw string }

func TestScanObject(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []scannedMember
		err  bool
	}{
		{name: "empty", in: `{}`},
		{name: "empty with whitespace", in: " \n{ \t\r} "},
		{name: "one member", in: `{"a":1}`, want: []scannedMember{{"a", "1"}}},
		{name: "kinds in order", in: `{"s":"x,}","n":-1.5e3,"l":[1,{"k":"]"}],"m":{"a":null},"b":true}`,
			want: []scannedMember{{"s", `"x,}"`}, {"n", "-1.5e3"}, {"l", `[1,{"k":"]"}]`}, {"m", `{"a":null}`}, {"b", "true"}}},
		{name: "whitespace everywhere", in: " {\n \"a\" :\t1 ,\r\n\"b\"\t: \"x\" \n} ",
			want: []scannedMember{{"a", "1"}, {"b", `"x"`}}},
		{name: "escaped key", in: `{"a\u0042\"":2}`, want: []scannedMember{{`aB"`, "2"}}},
		{name: "repeated keys are all passed", in: `{"a":1,"a":2}`, want: []scannedMember{{"a", "1"}, {"a", "2"}}},
		{name: "empty input", in: ``, err: true},
		{name: "whitespace only", in: "  ", err: true},
		{name: "a list", in: `[]`, err: true},
		{name: "open brace only", in: `{`, err: true},
		{name: "open brace and space", in: `{ `, err: true},
		{name: "key not a string", in: `{1:2}`, err: true},
		{name: "unterminated key", in: `{"a:1}`, err: true},
		{name: "bad escape in key", in: `{"\q":1}`, err: true},
		{name: "key only", in: `{"a"`, err: true},
		{name: "key and space", in: `{"a" `, err: true},
		{name: "no colon", in: `{"a" 1}`, err: true},
		{name: "no value", in: `{"a":`, err: true},
		{name: "no value before the brace", in: `{"a":}`, err: true},
		{name: "unterminated value", in: `{"a":"x}`, err: true},
		{name: "unterminated after a value", in: `{"a":1`, err: true},
		{name: "unterminated after a value and space", in: `{"a":1 `, err: true},
		{name: "unterminated after a comma", in: `{"a":1,`, err: true},
		{name: "no comma", in: `{"a":1 "b":2}`, err: true},
		{name: "trailing comma", in: `{"a":1,}`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []scannedMember
			err := scanObject([]byte(tt.in), func(key string, raw []byte) error {
				got = append(got, scannedMember{key, string(raw)})
				return nil
			})
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestScanObjectStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	var keys []string
	err := scanObject([]byte(`{"a":1,"b":2,"c":3}`), func(key string, _ []byte) error {
		keys = append(keys, key)
		if key == "b" {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, []string{"a", "b"}, keys)
}

func TestScanArray(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		err  bool
	}{
		{name: "empty", in: `[]`},
		{name: "empty with whitespace", in: " \n[ \t\r] "},
		{name: "one item", in: `[1]`, want: []string{"1"}},
		{name: "numbers", in: `[1,22,-3]`, want: []string{"1", "22", "-3"}},
		{name: "kinds in order", in: `["a,]",{"k":[1]},[2,[]],null,false]`,
			want: []string{`"a,]"`, `{"k":[1]}`, `[2,[]]`, "null", "false"}},
		{name: "whitespace everywhere", in: " [\n1 ,\t\"x\"\r, [ ] \n] ", want: []string{"1", `"x"`, "[ ]"}},
		{name: "empty input", in: ``, err: true},
		{name: "whitespace only", in: "  ", err: true},
		{name: "an object", in: `{}`, err: true},
		{name: "open bracket only", in: `[`, err: true},
		{name: "open bracket and space", in: `[ `, err: true},
		{name: "unterminated after an item", in: `[1`, err: true},
		{name: "unterminated after an item and space", in: `[1 `, err: true},
		{name: "unterminated after a comma", in: `[1,`, err: true},
		{name: "unterminated item", in: `["a]`, err: true},
		{name: "no comma", in: `[1 2]`, err: true},
		{name: "trailing comma", in: `[1,]`, err: true},
		{name: "missing item", in: `[,1]`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := scanArray([]byte(tt.in), func(raw []byte) { got = append(got, string(raw)) })
			if tt.err {
				require.ErrorIs(t, err, errScan)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestQuotedAsIs follows the JSON grammar (RFC 8259 section 7): control
// characters, quote and backslash need an escape; encoding/json also
// escapes invalid UTF-8, U+2028 and U+2029.
func TestQuotedAsIs(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"", true},
		{"abc", true},
		{" ", true},
		{"a b", true},
		{"~\x7f", true},
		{"<&>", true},
		{"é", true},
		{"日本", true},
		{"\x1f", false},
		{"\x00", false},
		{"a\nb", false},
		{`a"b`, false},
		{`a\b`, false},
		{"\x80", false},
		{"a\xffb", false},
		{"\xc3", false},
		{"a\u2028", false},
		{"\u2029b", false},
		{"é\u2029", false},
	}
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.in), func(t *testing.T) {
			assert.Equal(t, tt.want, quotedAsIs(tt.in))
			quoted := appendQuoted([]byte("x"), tt.in)
			assert.Equal(t, "x"+string(mustMarshalSlow(tt.in)), string(quoted))
			assert.Equal(t, len(quoted)-1, quotedLen(tt.in))
			if tt.want {
				assert.Equal(t, `x"`+tt.in+`"`, string(quoted))
			}
		})
	}
}

// manyKeys returns an object of n distinct keys k0, k1, ... followed by
// the extra members.
func manyKeys(n int, extra ...string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	for _, e := range extra {
		b.WriteString("," + e)
	}
	b.WriteString("}")
	return b.String()
}

func TestDuplicateKey(t *testing.T) {
	tests := []struct {
		name string
		in   string
		path string // "" when no key repeats
	}{
		{name: "no keys", in: `{}`},
		{name: "top level", in: `{"a":1,"a":2}`, path: "a"},
		{name: "distinct keys", in: `{"a":1,"b":2}`},
		{name: "nested", in: `{"a":{"b":1,"b":2}}`, path: "a.b"},
		{name: "same key in different objects", in: `{"a":{"b":1},"b":{"a":1,"b":{"a":2}}}`},
		{name: "inner object closed", in: `{"a":{"b":1},"b":2}`},
		{name: "after a closed inner object", in: `{"a":{"x":1},"b":1,"a":2}`, path: "a"},
		{name: "deep after closed objects", in: `{"a":{"b":{"c":1}},"d":{"e":1,"e":2}}`, path: "d.e"},
		{name: "in a list item", in: `{"a":[{"b":1},{"b":1,"b":2}]}`, path: "a[1].b"},
		{name: "top-level list", in: `[{"a":1,"a":2}]`, path: "[0].a"},
		{name: "index past nested lists", in: `[1,[2,3,4],{"a":1,"a":1}]`, path: "[2].a"},
		{name: "index past strings", in: `{"x":["a","b",{"k":1,"k":2}]}`, path: "x[2].k"},
		{name: "index past objects", in: `{"x":[{"a":1,"b":2},{"c":3},{"k":1,"k":2}]}`, path: "x[2].k"},
		{name: "list in a list", in: `[[0,{"k":1,"k":2}]]`, path: "[0][1].k"},
		{name: "commas in objects are not indexes", in: `{"a":1,"b":[1,2],"c":{"d":1,"d":1}}`, path: "c.d"},
		{name: "brackets inside strings", in: `{"a":"}{]","a":1}`, path: "a"},
		{name: "escaped quote in a value", in: `{"a":"\"}","a":1}`, path: "a"},
		{name: "string values are not keys", in: `{"a":"b","c":"b"}`},
		{name: "list strings are not keys", in: `{"a":["a","a"]}`},
		{name: "list strings before a colon are not keys", in: `["a",":"]`},
		{name: "escaped key", in: `{"a":1,"\u0061":2}`, path: "a"},
		{name: "sixteen distinct keys", in: manyKeys(16)},
		{name: "seventeen distinct keys", in: manyKeys(17)},
		{name: "forty distinct keys", in: manyKeys(40)},
		{name: "repeat in the sixteenth key", in: manyKeys(15, `"k3":0`), path: "k3"},
		{name: "repeat in the seventeenth key", in: manyKeys(16, `"k0":0`), path: "k0"},
		{name: "repeat of a key seen in the slice", in: manyKeys(20, `"k5":0`), path: "k5"},
		{name: "repeat of a key seen in the set", in: manyKeys(20, `"k19":0`), path: "k19"},
		{name: "repeat in the set", in: manyKeys(20, `"x":0`, `"x":1`), path: "x"},
		{name: "big object nested", in: `{"a":[` + manyKeys(20, `"k18":0`) + `]}`, path: "a[0].k18"},
		// Malformed input gives no answer and no panic.
		{name: "top-level string", in: `"abc"`},
		{name: "top-level number list", in: `1,2`},
		{name: "closing first", in: `}]{"a":1,"a":1}`, path: "a"},
		{name: "key at the end", in: `{"a"`},
		{name: "unterminated key", in: `{"a":1,"a`},
		{name: "bad escape in key", in: `{"a":1,"\q":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, dup := duplicateKey([]byte(tt.in))
			assert.Equal(t, tt.path, path)
			assert.Equal(t, tt.path != "", dup)
		})
	}
}

// TestDuplicateKeyDeep checks the path of a repeat far down nested lists
// and objects.
func TestDuplicateKeyDeep(t *testing.T) {
	const depth = 500
	in := strings.Repeat(`[0,{"k":`, depth) + `{"a":1,"a":2}` + strings.Repeat(`}]`, depth)
	path, dup := duplicateKey([]byte(in))
	require.True(t, dup)
	assert.Equal(t, strings.Repeat("[1].k", depth)+".a", path)
}

// TestParseJSONScanErrors checks the errors the scanner reports through
// ParseJSON, with the wire path of the repeated key.
func TestParseJSONScanErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		path string
		msg  string
	}{
		{name: "top-level string", in: `"abc"`, msg: "expected a map, got string"},
		{name: "repeat after a list of strings", in: `{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:sleep","inputs":{"Duration":"PT1S"}},{"name":"b","action":"aws:sleep","inputs":{"Duration":"PT1S","Duration":"PT2S"}}],"assumeRole":"x"}`,
			path: "mainSteps[1].inputs.Duration", msg: "duplicate key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tt.in))
			require.Error(t, err)
			var pe *ParseError
			if tt.path != "" {
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tt.path, pe.Path)
			}
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

// TestDuplicateKeySetFromSeventeenKeys checks that the keys of an object
// are compared in a slice up to 16 keys, cheaper than a set for the small
// objects of a runbook, and go into a set from the seventeenth so that a
// big object stays linear.
func TestDuplicateKeySetFromSeventeenKeys(t *testing.T) {
	allocs := func(n int) float64 {
		d := []byte(manyKeys(n))
		return testing.AllocsPerRun(20, func() { duplicateKey(d) })
	}
	a15, a16, a17, a18 := allocs(15), allocs(16), allocs(17), allocs(18)
	assert.Equal(t, 1.0, a16-a15, "a sixteenth key costs its string only")
	assert.Greater(t, a17-a16, 1.0, "the seventeenth key makes the set")
	assert.Equal(t, 1.0, a18-a17, "a key added to the set costs its string only")
}
