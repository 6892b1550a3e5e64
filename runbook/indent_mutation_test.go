package runbook

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAppendIndentedRefusesUnbalanced checks that input json.Indent would
// refuse for an open string or container is reported, not indented, so the
// caller falls back to json.Indent and its error.
func TestAppendIndentedRefusesUnbalanced(t *testing.T) {
	for _, src := range []string{
		`"open`, `{"a":"open}`, `["\"`, `["a\`, `"\\\"`,
		`{`, `[[]`, `{"a":{}`, `}`, `]`, `[]]`, `{"a":1}}`,
	} {
		t.Run(src, func(t *testing.T) {
			require.Error(t, json.Indent(new(bytes.Buffer), []byte(src), "", "  "), "json.Indent takes it")
			_, ok := appendIndented(nil, []byte(src))
			assert.False(t, ok)
		})
	}
}

// TestAppendIndentedExact pins the output for strings with escapes and for
// nesting deep enough that the indentation is written in several runs.
func TestAppendIndentedExact(t *testing.T) {
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	cases := []struct{ name, src, want string }{
		{"empty string", `[""]`, "[\n  \"\"\n]"},
		{"escape first", `["\"a","b"]`, "[\n  \"\\\"a\",\n  \"b\"\n]"},
		{"escaped backslash then quote", `{"k":"\\","l":1}`, "{\n  \"k\": \"\\\\\",\n  \"l\": 1\n}"},
		{"brackets in string", `["}],\"{["]`, "[\n  \"}],\\\"{[\"\n]"},
		{"nested", `{"a":{"b":[1]}}`, "{\n  \"a\": {\n    \"b\": [\n      1\n    ]\n  }\n}"},
		{"empty then more", `{"a":{},"b":[],"c":1}`, "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": 1\n}"},
		{"trailing space kept", "[1] \n", "[\n  1\n] \n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := appendIndented([]byte("x"), []byte(c.src))
			require.True(t, ok)
			assert.Equal(t, "x"+c.want, string(got))
		})
	}
	t.Run("deeper than one run of spaces", func(t *testing.T) {
		got, ok := appendIndented(nil, []byte(deep))
		require.True(t, ok)
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, []byte(deep), "", "  "))
		assert.Equal(t, want.String(), string(got))
		assert.Contains(t, string(got), "\n"+strings.Repeat(" ", 78)+"[]")
	})
}

// TestStringEnd checks the closing quote found for strings with and
// without escapes, and that an open string has none.
func TestStringEnd(t *testing.T) {
	cases := []struct {
		src  string
		i    int
		want int
	}{
		{`""`, 0, 1},
		{`x"ab"`, 1, 4},
		{`"\"b"`, 0, 4},
		{`"a\\"`, 0, 4},
		{`"a\"`, 0, -1},
		{`"ab`, 0, -1},
		{`"a\`, 0, -1},
		{`"\\\""x`, 0, 5},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			assert.Equal(t, c.want, stringEnd([]byte(c.src), c.i))
		})
	}
}
