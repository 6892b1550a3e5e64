package runbook

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// parseErrorOf parses src as YAML and returns its *ParseError.
func parseErrorOf(t *testing.T, src string) *ParseError {
	t.Helper()
	_, err := ParseYAML([]byte(src))
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "want a *ParseError, got %v", err)
	return pe
}

// TestYAMLStructuralErrorLines checks that an error found in the decoded
// document names the source line of its wire path.
func TestYAMLStructuralErrorLines(t *testing.T) {
	cases := []struct {
		name, src, path string
		line            int
	}{
		{name: "first step", src: "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  bogus: 1\n",
			path: "mainSteps[0].bogus", line: 5},
		{name: "value on its own line", src: "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs:\n    Duration: PT1S\n- name: b\n  action: aws:sleep\n  maxAttempts:\n    - 1\n",
			path: "mainSteps[1].maxAttempts", line: 10},
		{name: "through an alias", src: "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:sleep\n  inputs: &i\n    Duration: PT1S\n- *i\n",
			path: "mainSteps[1].Duration", line: 6},
		{name: "empty parameter name", src: "schemaVersion: '0.3'\nparameters:\n  \"\":\n    type: String\n    bogus: 1\nmainSteps: []\n",
			path: "parameters..bogus", line: 5},
		{name: "wrong kind", src: "schemaVersion: '0.3'\nmainSteps:\n  {}\n", path: "mainSteps", line: 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pe := parseErrorOf(t, c.src)
			assert.Equal(t, c.path, pe.Path)
			assert.Equal(t, c.line, pe.Line, "%v", pe)
		})
	}
}

// TestYAMLBracketInKeyDoesNotPanic checks a key whose name reads as an
// index past the end of a sibling list: the path walk must stop there.
func TestYAMLBracketInKeyDoesNotPanic(t *testing.T) {
	src := "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  x[1]: 1\n  x: [0]\n"
	var pe *ParseError
	require.NotPanics(t, func() { pe = parseErrorOf(t, src) })
	assert.Equal(t, "mainSteps[0].x[1]", pe.Path)
	assert.Positive(t, pe.Line)
}

// TestLineOfPath checks each step of the wire path walk: keys, indexes,
// aliases, empty keys, and the nearest existing ancestor when the path
// leaves the tree.
func TestLineOfPath(t *testing.T) {
	src := strings.Join([]string{
		"schemaVersion: '0.3'", // 1
		"mainSteps:",           // 2
		"- name: a",            // 3
		"  inputs: &i",         // 4
		"    Duration: PT1S",   // 5
		"    List:",            // 6
		"      - x",            // 7
		"      - y",            // 8
		"- *i",                 // 9
		"m:",                   // 10
		"  a: 1",               // 11
		"  \"\":",              // 12
		"    deep: 1",          // 13
	}, "\n") + "\n"
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(src), &root))
	cases := []struct {
		path string
		line int
	}{
		{path: "", line: 1},
		{path: "schemaVersion", line: 1},
		{path: "mainSteps", line: 3},
		{path: "mainSteps[0]", line: 3},
		{path: "mainSteps[0].inputs.Duration", line: 5},
		{path: "mainSteps[0].inputs.List[1]", line: 8},
		{path: "mainSteps[1].Duration", line: 5},
		{path: "mainSteps[1].List[0]", line: 7},
		{path: "mainSteps[2]", line: 3},         // past the end: the list
		{path: "mainSteps[0].missing", line: 3}, // no such key: the step
		{path: "mainSteps[x]", line: 3},         // not a number
		{path: "mainSteps[0", line: 3},          // no closing bracket
		{path: "m..deep", line: 13},             // an empty key between dots
		{path: "m[0]", line: 11},                // an index into a mapping
		{path: "schemaVersion.x", line: 1},      // below a scalar
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			assert.Equal(t, c.line, lineOfPath(&root, c.path))
		})
	}
}

// nestedInput returns a runbook whose step input X holds depth nested
// flow lists: the outermost list is the sixth level of the YAML tree
// (document, root, mainSteps, step, inputs, X).
func nestedInput(depth int) string {
	return "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:x\n  inputs:\n    X: " +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
}

// TestYAMLNestingLimit checks the depth limit of 200 levels below the
// document exactly, through lists, mappings and aliases.
func TestYAMLNestingLimit(t *testing.T) {
	maps := func(depth int) string {
		return "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:x\n  inputs:\n    X: " +
			strings.Repeat("{a: ", depth) + "1" + strings.Repeat("}", depth) + "\n"
	}
	aliased := func(depth int) string {
		return "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:x\n  inputs:\n    Y: &y " +
			strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n    X: *y\n"
	}
	cases := []struct {
		name string
		src  string
		deep bool
	}{
		// The innermost list is level 4+depth; 200 is the last allowed.
		{name: "lists at the limit", src: nestedInput(196)},
		{name: "lists past the limit", src: nestedInput(197), deep: true},
		// The scalar inside the innermost mapping is level 5+depth.
		{name: "mappings at the limit", src: maps(195)},
		{name: "mappings past the limit", src: maps(196), deep: true},
		// Through the alias X the copy sits one level below Y.
		{name: "alias at the limit", src: aliased(195)},
		{name: "alias past the limit", src: aliased(196), deep: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseYAML([]byte(c.src))
			if !c.deep {
				require.NoError(t, err)
				return
			}
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%v", err)
			assert.Equal(t, "nesting too deep", pe.Msg)
			assert.Equal(t, 6, pe.Line)
			assert.True(t, strings.HasPrefix(pe.Path, "mainSteps[0].inputs."), pe.Path)
		})
	}
}

// TestYAMLAliasExpansionLimit checks that aliases may expand the JSON to
// exactly 4 MiB and no further.
func TestYAMLAliasExpansionLimit(t *testing.T) {
	// Written JSON: {"p":"<pad>","a":"<s>","b":[ is 20+pad+s bytes; each
	// alias of a adds the comma and the quoted string, s+3 bytes. With
	// s = 4093 and pad = 4079 the prefix is 8192 bytes, and alias number
	// 1022 (from 0) is checked with exactly 8192 + 1022*4096 = 4 MiB written.
	const pad, s = 4079, 4093
	src := func(aliases int) string {
		return "p: " + strings.Repeat("p", pad) + "\na: &x " + strings.Repeat("s", s) +
			"\nb: [" + strings.Repeat("*x, ", aliases-1) + "*x]\n"
	}
	require.Equal(t, maxYAMLExpansion, 20+pad+s+1022*(s+3))

	_, err := ParseYAML([]byte(src(1023)))
	var pe *ParseError
	require.True(t, errors.As(err, &pe), "%v", err)
	assert.Equal(t, "p", pe.Path, "the expansion passes; the unknown field stops the parse")

	_, err = ParseYAML([]byte(src(1024)))
	require.True(t, errors.As(err, &pe), "%v", err)
	assert.Equal(t, "YAML aliases expand beyond 4 MiB", pe.Msg)
	assert.Equal(t, "b[1023]", pe.Path)
	assert.Equal(t, 3, pe.Line)
}

// TestYAMLMappingKeyErrors checks the keys JSON cannot hold.
func TestYAMLMappingKeyErrors(t *testing.T) {
	cases := []struct {
		name, src, path, msg string
		line                 int
	}{
		{name: "list key", src: "schemaVersion: '0.3'\n? [a]\n: b\n", msg: "mapping keys must be scalars", line: 2},
		{name: "merge key", src: "schemaVersion: '0.3'\nmainSteps:\n- &s {name: a, action: aws:sleep}\n- name: b\n  <<: *s\n",
			path: "mainSteps[1]", msg: "merge keys (<<) are not supported in runbooks", line: 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pe := parseErrorOf(t, c.src)
			assert.Equal(t, c.path, pe.Path)
			assert.Equal(t, c.msg, pe.Msg)
			assert.Equal(t, c.line, pe.Line)
		})
	}
}

// TestYAMLScalars checks how each YAML scalar becomes JSON: numbers keep
// their text when JSON can hold it, other floats are written again, and
// values JSON cannot hold fail with their line and path.
func TestYAMLScalars(t *testing.T) {
	cases := []struct {
		value, want, err string
	}{
		{value: "1.50", want: `1.50`},
		{value: "1e3", want: `1e3`},
		{value: "+1.25", want: `1.25`},
		{value: ".5", want: `0.5`},
		{value: "-.25", want: `-0.25`},
		{value: "!!float 1", want: `1`},
		{value: "!!float 0x10", want: `16`},
		{value: "0x1F", want: `31`},
		{value: "-7", want: `-7`},
		{value: "~", want: `null`},
		{value: "yes", want: `"yes"`},
		{value: "true", want: `true`},
		{value: "2001-12-14", want: `"2001-12-14"`},
		{value: ".inf", err: `number ".inf" has no JSON form`},
		{value: "-.inf", err: `number "-.inf" has no JSON form`},
		{value: ".nan", err: `number ".nan" has no JSON form`},
		{value: "!!int 99999999999999999999", err: "integer out of range: 99999999999999999999"},
		{value: "!!bool maybe", err: "cannot decode !!str `maybe` as a !!bool"},
	}
	for _, c := range cases {
		t.Run(c.value, func(t *testing.T) {
			src := "schemaVersion: '0.3'\nmainSteps:\n- name: a\n  action: aws:x\n  inputs:\n    V: " + c.value + "\n"
			doc, err := ParseYAML([]byte(src))
			if c.err != "" {
				var pe *ParseError
				require.True(t, errors.As(err, &pe), "%v", err)
				assert.Equal(t, "mainSteps[0].inputs.V", pe.Path)
				assert.Equal(t, 6, pe.Line)
				assert.Contains(t, pe.Msg, c.err)
				return
			}
			require.NoError(t, err)
			want := `{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:x","inputs":{"V":` + c.want + `}}]}`
			assert.Equal(t, want, string(doc.CompactJSON()))
		})
	}
}

// TestYAMLStringStyles checks the exact YAML of strings: those that would
// read back as another type are single-quoted, multi-line text is a
// literal block when one holds it exactly, and everything reads back.
func TestYAMLStringStyles(t *testing.T) {
	cases := []struct{ value, want string }{
		{value: "-1", want: "'-1'"},
		{value: "+1", want: "'+1'"},
		{value: ".5", want: "'.5'"},
		{value: "0", want: "'0'"},
		{value: "9", want: "'9'"},
		{value: "1.5", want: "'1.5'"},
		{value: "0x1F", want: "'0x1F'"},
		{value: "1_000", want: "'1_000'"},
		{value: "yes", want: "'yes'"},
		{value: "Off", want: "'Off'"},
		{value: "", want: "''"},
		{value: "abc", want: "abc"},
		{value: "-abc", want: "-abc"},
		{value: ".x", want: ".x"},
		{value: "9a", want: "9a"},
		{value: "a b\nc", want: "|-\n        a b\n        c"},
		{value: "a\tb\nc", want: "|-\n        a\tb\n        c"},
		{value: "a\x01\nb", want: `"a\x01\nb"`},
		{value: "tail \nx", want: `"tail \nx"`},
	}
	for _, c := range cases {
		t.Run(strconv.Quote(c.value), func(t *testing.T) {
			doc := &Document{SchemaVersion: "0.3", MainSteps: []Step{{Name: "a",
				Inputs: RawInputs{Name: "aws:x", Inputs: []Member{{Key: "V", Value: String(c.value)}}}}}}
			out, err := doc.YAML()
			require.NoError(t, err)
			want := "schemaVersion: '0.3'\nmainSteps:\n  - name: a\n    action: aws:x\n    inputs:\n      V: " + c.want + "\n"
			assert.Equal(t, want, string(out))
			again, err := ParseYAML(out)
			require.NoError(t, err)
			assert.Equal(t, string(doc.CompactJSON()), string(again.CompactJSON()))
		})
	}
}
