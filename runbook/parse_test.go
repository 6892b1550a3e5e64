package runbook

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path string
		line int
		msg  string
	}{
		{"yaml type mismatch", "schemaVersion: '0.3'\nmainSteps:\n  - name: a\n    action: aws:sleep\n    maxAttempts: many\n", "mainSteps[0].maxAttempts", 5, "expected an integer"},
		{"yaml unknown field", "schemaVersion: '0.3'\nmainSteps:\n  - name: a\n    action: aws:sleep\n    retries: 3\n", "mainSteps[0].retries", 5, "unknown field"},
		{"yaml duplicate key", "schemaVersion: '0.3'\nschemaVersion: '0.3'\n", "schemaVersion", 2, "duplicate key"},
		{"yaml syntax", "schemaVersion: [\n", "", 0, "invalid YAML"},
		{"json syntax", "{\n\"schemaVersion\": \"0.3\",\n}", "", 3, "invalid JSON"},
		{"json type mismatch", `{"schemaVersion": 0.3}`, "schemaVersion", 0, "expected a string, got number"},
		{"json bad choice", `{"mainSteps":[{"name":"b","action":"aws:branch","inputs":{"Choices":[{"NextStep":"x","Foo":1}]}}]}`, "mainSteps[0].inputs.Choices[0].Foo", 0, "unknown choice key"},
		{"loop steps not a list", "mainSteps:\n- name: l\n  action: aws:loop\n  inputs:\n    Steps: nope\n", "mainSteps[0].inputs.Steps", 5, "expected a list"},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g]\n", "", 0, "expand beyond"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src))
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			if tt.path != "" {
				require.Equal(t, tt.path, pe.Path)
			}
			if tt.line > 0 {
				require.Equal(t, tt.line, pe.Line, err.Error())
			}
			require.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestUnknownActionRoundTrips(t *testing.T) {
	src := `{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:future","inputs":{"B":[1,{"c":true}],"A":"x"}},{"name":"b","action":"aws:sleep","inputs":{"Duration":"PT1S","Extra":null}}]}`
	doc, err := Parse([]byte(src))
	require.NoError(t, err)
	raw, ok := doc.MainSteps[0].Inputs.(RawInputs)
	require.True(t, ok)
	require.Equal(t, "aws:future", raw.Name)
	require.Equal(t, []Member{{"Extra", Null()}}, doc.MainSteps[1].Inputs.(Sleep).Unknown)
	require.Equal(t, src, string(doc.CompactJSON()))
}
