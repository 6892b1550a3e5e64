package runbook

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  ParseError
		want string
	}{
		{"message only", ParseError{Msg: "m"}, "runbook: m"},
		{"line one", ParseError{Line: 1, Msg: "m"}, "runbook: line 1: m"},
		{"path only", ParseError{Path: "mainSteps[0]", Msg: "m"}, "runbook: mainSteps[0]: m"},
		{"line and path", ParseError{Line: 7, Path: "a.b", Msg: "m"}, "runbook: line 7: a.b: m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

func TestPrefixErr(t *testing.T) {
	sentinel := errors.New("boom")
	for _, tc := range []struct {
		name     string
		err      error
		prefix   string
		wantPath string
		wantMsg  string
	}{
		{"no path takes the prefix", &ParseError{Msg: "m"}, "inputs", "inputs", "m"},
		{"no prefix keeps the path", &ParseError{Path: "Choices", Msg: "m"}, "", "Choices", "m"},
		{"a field joins with a dot", &ParseError{Path: "Choices", Msg: "m"}, "inputs", "inputs.Choices", "m"},
		{"an index joins without a dot", &ParseError{Path: "[2].Next", Msg: "m"}, "inputs", "inputs[2].Next", "m"},
		{"a plain error is wrapped", sentinel, "inputs", "inputs", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := prefixErr(tc.err, tc.prefix)
			var pe *ParseError
			require.ErrorAs(t, got, &pe)
			assert.Equal(t, tc.wantPath, pe.Path)
			assert.Equal(t, tc.wantMsg, pe.Msg)
		})
	}
	t.Run("the original is not changed and keeps its cause", func(t *testing.T) {
		orig := &ParseError{Path: "Choices", Msg: "m", err: ErrUTF16}
		got := prefixErr(orig, "inputs")
		assert.Equal(t, "Choices", orig.Path)
		assert.ErrorIs(t, got, ErrUTF16)
	})
}

func TestFormatString(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		want string
	}{
		{0, "Format(0)"},
		{1, "JSON"},
		{2, "YAML"},
		{3, "Format(3)"},
		{-1, "Format(-1)"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.f.String())
		})
	}
	// The zero Format is no encoding, so an unset field is not taken for one.
	assert.Equal(t, Format(1), JSON)
	assert.Equal(t, Format(2), YAML)
}

func TestDetectFormatEdges(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Format
	}{
		{"empty", "", YAML},
		{"blank", " \t\r\n", YAML},
		{"brace", "{}", JSON},
		{"spaced brace", " \r\n\t{", JSON},
		{"byte order mark", "\ufeff{}", JSON},
		{"list", "[]", YAML},
		{"mapping", "schemaVersion: '0.3'", YAML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, DetectFormat([]byte(tc.in)))
		})
	}
}

func TestParseByteOrderMarkErrors(t *testing.T) {
	const doc = `{"schemaVersion":"0.3","mainSteps":[]}`
	for _, parse := range []struct {
		name string
		fn   func([]byte) (*Document, error)
	}{{"Parse", Parse}, {"ParseJSON", ParseJSON}} {
		t.Run(parse.name, func(t *testing.T) {
			d, err := parse.fn(append([]byte{0xEF, 0xBB, 0xBF}, doc...))
			require.NoError(t, err)
			assert.Equal(t, "0.3", d.SchemaVersion)
			for _, bom := range [][]byte{{0xFE, 0xFF}, {0xFF, 0xFE}, {0, 0, 0xFE, 0xFF}} {
				d, err := parse.fn(append(bom, doc...))
				require.ErrorIs(t, err, ErrUTF16)
				assert.Nil(t, d)
				var pe *ParseError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, 1, pe.Line)
			}
		})
	}
}

// TestParseJSONErrorLines checks that errors name the source line,
// which for syntax errors comes from json.Unmarshal's offset.
func TestParseJSONErrorLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{
			"syntax error on line 3",
			"{\n\"schemaVersion\": \"0.3\",\n\"mainSteps\": }\n\n\n",
			"runbook: line 3: invalid JSON: invalid character '}' looking for beginning of value",
		},
		{
			"end of input",
			"{\n\"schemaVersion\": \"0.3\"\n",
			"runbook: line 3: invalid JSON: unexpected end of JSON input",
		},
		{
			"wrong type on line 4",
			"{\n\"schemaVersion\": \"0.3\",\n\"mainSteps\": [\n{\"name\": \"a\", \"maxAttempts\": true}\n]\n}\n",
			"runbook: line 4: mainSteps[0].maxAttempts: expected an integer, got boolean true",
		},
		{
			"duplicate key names both lines",
			"{\n\"schemaVersion\": \"0.3\",\n\"mainSteps\": [],\n\"schemaVersion\": \"0.3\"\n}\n",
			`runbook: line 4: schemaVersion: duplicate key "schemaVersion" on lines 2 and 4`,
		},
		{
			"nested duplicate key",
			"{\n\"mainSteps\": [\n{\"name\": \"a\",\n\"name\": \"b\"}\n]\n}\n",
			`runbook: line 4: mainSteps[0].name: duplicate key "name" on lines 3 and 4`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseJSON([]byte(tc.in))
			require.Error(t, err)
			assert.Nil(t, d)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// TestParseJSONDuplicateKeyWithoutYAML covers JSON the YAML reader
// refuses (a key longer than YAML's 1024-character limit on simple keys):
// the duplicate is still named, by path.
func TestParseJSONDuplicateKeyWithoutYAML(t *testing.T) {
	long := strings.Repeat("k", 1100)
	in := "{\"schemaVersion\": \"0.3\",\n\"parameters\": {\"" + long + "\": {}},\n\"schemaVersion\": \"0.3\"}"
	_, err := ParseJSON([]byte(in))
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, ParseError{Path: "schemaVersion", Msg: "duplicate key"}, *pe)
}

// TestMembersManyKeys checks duplicate detection past the 16 keys kept in
// a slice, where a map takes over.
func TestMembersManyKeys(t *testing.T) {
	obj := func(keys ...string) []byte {
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(k) + ":" + strconv.Itoa(i))
		}
		b.WriteByte('}')
		return []byte(b.String())
	}
	var keys []string
	for i := range 20 {
		keys = append(keys, "k"+strconv.Itoa(i))
	}
	for _, tc := range []struct {
		name    string
		keys    []string
		wantErr string
		wantN   int
	}{
		{"twenty distinct", keys, "", 20},
		{"sixteen then a repeat", append(keys[:16:16], "k3"), "runbook: p.k3: duplicate key", 16},
		{"seventeen then a repeat", append(keys[:17:17], "k16"), "runbook: p.k16: duplicate key", 17},
		{"repeat after the switch", append(keys[:19:19], "k0"), "runbook: p.k0: duplicate key", 19},
		{"two keys", []string{"a", "b"}, "", 2},
		{"repeat at once", []string{"a", "a"}, "runbook: p.a: duplicate key", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := members(obj(tc.keys...), "p", func(string, json.RawMessage) error {
				n++
				return nil
			})
			if tc.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.EqualError(t, err, tc.wantErr)
			}
			assert.Equal(t, tc.wantN, n)
		})
	}
	t.Run("not an object", func(t *testing.T) {
		err := members([]byte(`[1]`), "p", func(string, json.RawMessage) error { return nil })
		require.EqualError(t, err, "runbook: p: expected a map, got list")
	})
}

// TestParseJSONStructuralErrors checks the wire path and message of each
// structural error; the documents are on one line, so each is on line 1.
func TestParseJSONStructuralErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string
	}{
		{"unknown top-level field", `{"schemaVersion":"0.3","foo":1}`,
			`foo: unknown field "foo"; allowed: schemaVersion, description, assumeRole, parameters, variables, mainSteps, outputs, files`},
		{"schemaVersion null", `{"schemaVersion":null}`, "schemaVersion: expected a string, got null"},
		{"mainSteps null", `{"mainSteps":null}`, "mainSteps: expected a list, got null"},
		{"description number", `{"description":1}`, "description: expected a string, got number"},
		{"outputs item", `{"outputs":["a.b",2]}`, "outputs[1]: expected a string, got number"},
		{"outputs not a list", `{"outputs":"a"}`, "outputs: expected a list, got string"},
		{"step not a map", `{"mainSteps":[{"name":"a"},3]}`, "mainSteps[1]: expected a map, got number"},
		{"steps not a list", `{"mainSteps":{}}`, "mainSteps: expected a list, got map"},
		{"second step field", `{"mainSteps":[{"name":"a"},{"name":1}]}`, "mainSteps[1].name: expected a string, got number"},
		{"unknown step field", `{"mainSteps":[{"name":"a","foo":1}]}`,
			`mainSteps[0].foo: unknown field "foo"; allowed: name, action, description, maxAttempts, timeoutSeconds, onFailure, onCancel, isEnd, isCritical, nextStep, inputs, outputs`},
		{"maxAttempts text", `{"mainSteps":[{"name":"a","maxAttempts":"abc"}]}`,
			`mainSteps[0].maxAttempts: expected an integer or a {{ }} reference, got "abc"`},
		{"timeoutSeconds float", `{"mainSteps":[{"name":"a","timeoutSeconds":1.5}]}`,
			`mainSteps[0].timeoutSeconds: expected an integer, got number 1.5`},
		{"isEnd text", `{"mainSteps":[{"name":"a","isEnd":"yes"}]}`,
			`mainSteps[0].isEnd: expected a boolean or a {{ }} reference, got "yes"`},
		{"isCritical number", `{"mainSteps":[{"name":"a","isCritical":1}]}`,
			`mainSteps[0].isCritical: expected a boolean, got number 1`},
		{"step outputs not a list", `{"mainSteps":[{"name":"a","outputs":{}}]}`,
			"mainSteps[0].outputs: expected a list, got map"},
		{"step output not a map", `{"mainSteps":[{"name":"a","outputs":[{"Name":"x"},"y"]}]}`,
			"mainSteps[0].outputs[1]: expected a map, got string"},
		{"step output field", `{"mainSteps":[{"name":"a","outputs":[{"Name":"x","Selector":"$.x","Type":1}]}]}`,
			"mainSteps[0].outputs[0].Type: expected a string, got number"},
		{"step output unknown field", `{"mainSteps":[{"name":"a","outputs":[{"Name":"x","Extra":1}]}]}`,
			`mainSteps[0].outputs[0].Extra: unknown field "Extra"; allowed: Name, Selector, Type`},
		{"inputs not a map", `{"mainSteps":[{"name":"a","action":"aws:sleep","inputs":[]}]}`,
			"mainSteps[0].inputs: expected a map, got list"},
		{"inputs error takes the step path", `{"mainSteps":[{"name":"a","action":"aws:branch","inputs":{"Choices":{}}}]}`,
			"mainSteps[0].inputs.Choices: expected a list, got map"},
		{"parameter not a map", `{"parameters":{"P":"x"}}`, "parameters.P: expected a map, got string"},
		{"parameter unknown field", `{"parameters":{"P":{"kind":"String"}}}`,
			`parameters.P.kind: unknown field "kind"; allowed: type, description, default, allowedValues, allowedPattern, displayType, minItems, maxItems, minChars, maxChars`},
		{"parameter allowedValues", `{"parameters":{"P":{"allowedValues":"a"}}}`,
			"parameters.P.allowedValues: expected a list, got string"},
		{"parameter maxChars", `{"parameters":{"P":{"maxChars":"3"}}}`,
			`parameters.P.maxChars: expected an integer, got string "3"`},
		{"variable unknown field", `{"variables":{"V":{"kind":"String"}}}`,
			`variables.V.kind: unknown field "kind"; allowed: type, description, default`},
		{"variable description", `{"variables":{"V":{"description":1}}}`,
			"variables.V.description: expected a string, got number"},
		{"file unknown field", `{"files":{"f.zip":{"sha256":"x"}}}`,
			`files.f.zip.sha256: unknown field "sha256"; allowed: checksums`},
		{"file checksums", `{"files":{"f.zip":{"checksums":[]}}}`,
			"files.f.zip.checksums: expected a map, got list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tc.in))
			require.EqualError(t, err, "runbook: line 1: "+tc.want)
		})
	}
}

// TestCompactRoundTrip checks the exact compact encoding of parsed
// documents: empty values and sections as written, common properties in
// the form written, and canonical key order.
func TestCompactRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string // "" when the same as in
	}{
		{"empty sections", `{"description":"","parameters":{},"variables":{},"mainSteps":[],"outputs":[],"files":{}}`, ""},
		{"null sections are absent", `{"description":null,"assumeRole":null,"parameters":null,"variables":null,"outputs":null,"files":null,"mainSteps":[]}`,
			`{"mainSteps":[]}`},
		{"canonical order", `{"mainSteps":[],"assumeRole":"r","schemaVersion":"0.3","description":"d"}`,
			`{"description":"d","schemaVersion":"0.3","assumeRole":"r","mainSteps":[]}`},
		{"empty descriptions", `{"parameters":{"P":{"type":"String","description":""}},"variables":{"V":{"type":"String","description":""}},"mainSteps":[{"name":"a","description":""}]}`, ""},
		{"empty allowed values", `{"parameters":{"P":{"type":"String","allowedValues":[]}}}`, ""},
		{"parameter fields", `{"parameters":{"P":{"type":"StringList","description":"d","default":["a"],"allowedValues":["a","b"],"allowedPattern":"^a$","displayType":"textarea","minItems":1,"maxItems":2,"minChars":3,"maxChars":4}}}`, ""},
		{"variable fields", `{"variables":{"V":{"type":"Integer","description":"d","default":3},"W":{}}}`, ""},
		{"files", `{"files":{"a.zip":{"checksums":{"sha256":"ab"}},"b.zip":{"checksums":{}}}}`, ""},
		{"step with a name only", `{"mainSteps":[{"name":"a"}]}`, ""},
		{"step with inputs and no action", `{"mainSteps":[{"name":"a","inputs":{"X":1}}]}`, ""},
		{"step with an action and no inputs", `{"mainSteps":[{"name":"a","action":"aws:sleep"}]}`, `{"mainSteps":[{"name":"a","action":"aws:sleep","inputs":{}}]}`},
		{"unknown action", `{"mainSteps":[{"name":"a","action":"aws:future","inputs":{"Z":1,"A":[2]}}]}`, ""},
		{"common properties as strings", `{"mainSteps":[{"name":"a","maxAttempts":"3","timeoutSeconds":" 60 ","isEnd":"true","isCritical":"False"}]}`, ""},
		{"common properties as references", `{"mainSteps":[{"name":"a","maxAttempts":"{{ n }}","timeoutSeconds":"{{t}}","isEnd":"{{ e }}","isCritical":"{{ c }}"}]}`, ""},
		{"common properties typed", `{"mainSteps":[{"name":"a","maxAttempts":3,"timeoutSeconds":60,"isEnd":true,"isCritical":false}]}`, ""},
		{"step order", `{"mainSteps":[{"outputs":[{"Type":"String","Selector":"$.a","Name":"o"}],"nextStep":"b","isCritical":true,"isEnd":false,"onCancel":"Abort","onFailure":"Continue","timeoutSeconds":5,"maxAttempts":2,"description":"d","action":"aws:sleep","name":"a","inputs":{"Duration":"PT1S"}}]}`,
			`{"mainSteps":[{"name":"a","action":"aws:sleep","description":"d","maxAttempts":2,"timeoutSeconds":5,"onFailure":"Continue","onCancel":"Abort","isEnd":false,"isCritical":true,"nextStep":"b","inputs":{"Duration":"PT1S"},"outputs":[{"Name":"o","Selector":"$.a","Type":"String"}]}]}`},
		{"empty step outputs", `{"mainSteps":[{"name":"a","outputs":[]}]}`, ""},
		{"no HTML escaping", `{"description":"<a & b>","mainSteps":[]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseJSON([]byte(tc.in))
			require.NoError(t, err)
			want := tc.want
			if want == "" {
				want = tc.in
			}
			assert.Equal(t, want, string(d.CompactJSON()))
			m, err := d.MarshalJSON()
			require.NoError(t, err)
			assert.Equal(t, want, string(m))
		})
	}
}

// TestClearedValuesAreDropped checks that a description or common property
// changed after parsing is encoded from the new value: only an empty
// description the source wrote stays written, and a verbatim string only
// while it still says the typed value.
func TestClearedValuesAreDropped(t *testing.T) {
	const in = `{"description":"d","parameters":{"P":{"description":"p"}},"variables":{"V":{"description":"v"}},` +
		`"mainSteps":[{"name":"a","description":"s","maxAttempts":"3","timeoutSeconds":4,"isEnd":"true","isCritical":false}]}`
	d, err := ParseJSON([]byte(in))
	require.NoError(t, err)
	d.Description = ""
	d.Parameters[0].Description = ""
	d.Variables[0].Description = ""
	s := &d.MainSteps[0]
	s.Description = ""
	five, no := 5, false
	s.MaxAttempts = &five
	s.IsEnd = &no
	assert.Equal(t, `{"parameters":{"P":{}},"variables":{"V":{}},"mainSteps":[{"name":"a","maxAttempts":5,"timeoutSeconds":4,"isEnd":false,"isCritical":false}]}`,
		string(d.CompactJSON()))

	t.Run("references dropped when typed", func(t *testing.T) {
		d, err := ParseJSON([]byte(`{"mainSteps":[{"name":"a","maxAttempts":"{{ n }}","isCritical":"{{ c }}"}]}`))
		require.NoError(t, err)
		s := &d.MainSteps[0]
		assert.Nil(t, s.MaxAttempts)
		assert.Nil(t, s.IsCritical)
		two, yes := 2, true
		s.MaxAttempts, s.IsCritical = &two, &yes
		assert.Equal(t, `{"mainSteps":[{"name":"a","maxAttempts":2,"isCritical":true}]}`, string(d.CompactJSON()))
	})
	t.Run("strings dropped when cleared", func(t *testing.T) {
		d, err := ParseJSON([]byte(`{"mainSteps":[{"name":"a","maxAttempts":"3","isCritical":"true"}]}`))
		require.NoError(t, err)
		s := &d.MainSteps[0]
		require.NotNil(t, s.MaxAttempts)
		require.NotNil(t, s.IsCritical)
		assert.Equal(t, 3, *s.MaxAttempts)
		assert.True(t, *s.IsCritical)
		s.MaxAttempts, s.IsCritical = nil, nil
		assert.Equal(t, `{"mainSteps":[{"name":"a"}]}`, string(d.CompactJSON()))
	})
}

func TestIndentedJSONExact(t *testing.T) {
	const in = `{"description":"","schemaVersion":"0.3","parameters":{"P":{"type":"StringList","default":[],"allowedValues":[["x"]]}},` +
		`"variables":{},"mainSteps":[{"name":"a","action":"aws:sleep","maxAttempts":"2","inputs":{"Duration":"PT1S"},"outputs":[{"Name":"o","Type":"String"}]},` +
		`{"name":"b","action":"aws:future","inputs":{"L":[1,{"k":{}}],"S":"[{"}}],"outputs":[],"files":{"f":{"checksums":{"sha256":"ab"}}}}`
	const want = `{
  "description": "",
  "schemaVersion": "0.3",
  "parameters": {
    "P": {
      "type": "StringList",
      "default": [],
      "allowedValues": [
        [
          "x"
        ]
      ]
    }
  },
  "variables": {},
  "mainSteps": [
    {
      "name": "a",
      "action": "aws:sleep",
      "maxAttempts": "2",
      "inputs": {
        "Duration": "PT1S"
      },
      "outputs": [
        {
          "Name": "o",
          "Type": "String"
        }
      ]
    },
    {
      "name": "b",
      "action": "aws:future",
      "inputs": {
        "L": [
          1,
          {
            "k": {}
          }
        ],
        "S": "[{"
      }
    }
  ],
  "outputs": [],
  "files": {
    "f": {
      "checksums": {
        "sha256": "ab"
      }
    }
  }
}
`
	d, err := ParseJSON([]byte(in))
	require.NoError(t, err)
	for range 2 { // the second call reuses a pooled buffer
		out, err := d.JSON()
		require.NoError(t, err)
		assert.Equal(t, want, string(out))
	}
	out, err := d.Encode(JSON)
	require.NoError(t, err)
	assert.Equal(t, want, string(out))
	y, err := d.Encode(YAML)
	require.NoError(t, err)
	assert.NotEqual(t, want, string(y))
	assert.True(t, strings.HasPrefix(string(y), "description: ''\n"), "%s", y)
	t.Run("empty document", func(t *testing.T) {
		out, err := (&Document{}).JSON()
		require.NoError(t, err)
		assert.Equal(t, "{}\n", string(out))
		assert.Equal(t, "{}", string((&Document{}).CompactJSON()))
	})
}

// TestInputsRepeatedKeys checks that indented inputs follow the compact
// form: a key where it first occurs, with its last value, and members
// without a value left out, below and above the 16 members scanned
// without a map.
func TestInputsRepeatedKeys(t *testing.T) {
	many := func(n int) []Member {
		var ms []Member
		for i := range n {
			ms = append(ms, Member{Key: "K" + strconv.Itoa(i), Value: Int(int64(i))})
		}
		return ms
	}
	for _, tc := range []struct {
		name string
		ms   []Member
	}{
		{"repeated", []Member{{Key: "A", Value: Int(1)}, {Key: "B", Value: Int(2)}, {Key: "A", Value: Int(3)}}},
		{"no value first", []Member{{Key: "A"}, {Key: "B", Value: Int(2)}, {Key: "A", Value: Int(3)}}},
		{"no value last", []Member{{Key: "A", Value: Int(1)}, {Key: "B", Value: Int(2)}, {Key: "A"}}},
		{"no value between", []Member{{Key: "A", Value: Int(1)}, {Key: "A"}, {Key: "A", Value: Int(3)}, {Key: "C"}}},
		{"only no value", []Member{{Key: "A"}}},
		{"sixteen", append(many(15), Member{Key: "K3", Value: String("x")})},
		{"seventeen", append(many(16), Member{Key: "K3", Value: String("x")})},
		{"twenty", append(many(19), Member{Key: "K0"}, Member{Key: "K1", Value: Bool(true)})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &Document{MainSteps: []Step{{Name: "a", Inputs: RawInputs{Name: "aws:x", Inputs: tc.ms}}}}
			compact := `{"mainSteps":[{"name":"a","action":"aws:x","inputs":` + string(appendMap(nil, tc.ms)) + `}]}`
			assert.Equal(t, compact, string(d.CompactJSON()))
			out, err := d.JSON()
			require.NoError(t, err)
			var want bytes.Buffer
			require.NoError(t, json.Indent(&want, []byte(compact), "", "  "))
			assert.Equal(t, want.String()+"\n", string(out))
		})
	}
}

// TestJSONInvalidValue checks that a value whose raw text is not JSON,
// which only code inside the package can make, is refused with
// json.Indent's error rather than written as it is.
func TestJSONInvalidValue(t *testing.T) {
	for _, raw := range []string{`{"b":`, `"abc`, `x"`, `[1`, `"a"}`, `"`} {
		t.Run(raw, func(t *testing.T) {
			d := &Document{MainSteps: []Step{{Name: "a", Inputs: RawInputs{Name: "aws:x",
				Inputs: []Member{{Key: "A", Value: Value{raw: []byte(raw)}}}}}}}
			out, err := d.JSON()
			require.Error(t, err, "%s", out)
			assert.Nil(t, out)
			assert.True(t, strings.HasPrefix(err.Error(), "runbook: encode: "), err.Error())
		})
	}
}

func TestDocumentUnmarshalJSON(t *testing.T) {
	var d Document
	require.NoError(t, json.Unmarshal([]byte(`{"schemaVersion":"0.3","mainSteps":[]}`), &d))
	assert.Equal(t, "0.3", d.SchemaVersion)

	d = Document{SchemaVersion: "keep"}
	err := json.Unmarshal([]byte(`{"schemaVersion":3}`), &d)
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "schemaVersion", pe.Path)
	assert.Equal(t, "keep", d.SchemaVersion)
}

// TestParseJSONInvalidUTF8 checks that each byte of an invalid sequence
// becomes U+FFFD, as encoding/json reads strings, in short and long
// documents alike.
func TestParseJSONInvalidUTF8(t *testing.T) {
	for _, tc := range []struct {
		name string
		desc string
		want string
	}{
		{"lone byte", "\xff", "\ufffd"},
		{"two bytes", "a\xc3\x28b", "a\ufffd(b"},
		{"kept runes", "é\xffü", "é\ufffdü"},
		{"truncated rune at the end", "x\xe2\x82", "x\ufffd\ufffd"},
		{"long", strings.Repeat("é", 40) + "\xff" + strings.Repeat("z", 40), strings.Repeat("é", 40) + "\ufffd" + strings.Repeat("z", 40)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseJSON([]byte(`{"description":"` + tc.desc + `"}`))
			require.NoError(t, err)
			assert.Equal(t, tc.want, d.Description)
		})
	}
	t.Run("short document", func(t *testing.T) {
		_, err := ParseJSON([]byte("{\"\xff\":1}"))
		require.EqualError(t, err, "runbook: line 1: \ufffd: unknown field \"\ufffd\"; allowed: schemaVersion, description, assumeRole, parameters, variables, mainSteps, outputs, files")
	})
	assert.Equal(t, []byte("\ufffd"), validUTF8([]byte{0xff}))
	assert.Empty(t, validUTF8(nil))
}
