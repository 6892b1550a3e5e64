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
		{"json duplicate key", `{"schemaVersion": "0.3", "schemaVersion": "0.3"}`, "schemaVersion", 0, "duplicate key"},
		{"json duplicate key in a value", `{"mainSteps":[{"name":"a","action":"aws:executeAwsApi","inputs":{"Filters":[{"Name":"x","Name":"y"}]}}]}`, "mainSteps[0].inputs.Filters[0].Name", 0, "duplicate key"},
		{"json type mismatch", `{"schemaVersion": 0.3}`, "schemaVersion", 1, "expected a string, got number"},
		{"json type mismatch line", "{\n  \"schemaVersion\": \"0.3\",\n  \"mainSteps\": [\n    {\"name\": \"a\", \"action\": \"aws:sleep\",\n     \"maxAttempts\": \"many\"}\n  ]\n}", "mainSteps[0].maxAttempts", 5, "expected an integer"},
		{"json unknown field line", "{\n\"schemaVersion\": \"0.3\",\n\"mainSteps\": [{\"name\": \"a\",\n\"retries\": 3}]}", "mainSteps[0].retries", 4, "unknown field"},
		{"json tab indented line", "{\n\t\"schemaVersion\": \"0.3\",\n\t\"mainSteps\": 3\n}", "mainSteps", 3, "expected a list"},
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

func TestStringCommonProperties(t *testing.T) {
	// AWS's own aws:pause example writes "timeoutSeconds": "1209600".
	src := `{"schemaVersion":"0.3","assumeRole":"arn:aws:iam::123456789012:role/R","parameters":{"Timeout":{"type":"Integer","default":60},"End":{"type":"Boolean","default":true}},` +
		`"mainSteps":[{"name":"pauseThis","action":"aws:pause","timeoutSeconds":"1209600","inputs":{}},` +
		`{"name":"wait","action":"aws:sleep","maxAttempts":"2","timeoutSeconds":"{{ Timeout }}","isEnd":"{{ End }}","isCritical":"false","inputs":{"Duration":"PT1M"}}]}`
	doc, err := Parse([]byte(src))
	require.NoError(t, err)
	require.Equal(t, 1209600, *doc.MainSteps[0].TimeoutSeconds)
	require.Nil(t, doc.MainSteps[1].TimeoutSeconds)
	require.Equal(t, 2, *doc.MainSteps[1].MaxAttempts)
	require.False(t, *doc.MainSteps[1].IsCritical)
	require.Equal(t, src, string(doc.CompactJSON()), "kept as written")
	require.Empty(t, doc.Validate().Errors)

	b := doc.MaxDuration()
	require.True(t, b.Unbounded, "a timeout from a parameter is only known at run time")

	// Changing the typed field wins over the kept string.
	doc.MainSteps[0].TimeoutSeconds = new(int)
	*doc.MainSteps[0].TimeoutSeconds = 60
	require.Contains(t, string(doc.CompactJSON()), `"timeoutSeconds":60,`)

	bad := `{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:sleep","timeoutSeconds":"{{ Nope }}","isEnd":"{{ Nope }}","inputs":{"Duration":"PT1S"}}]}`
	doc, err = Parse([]byte(bad))
	require.NoError(t, err)
	r := doc.Validate()
	require.True(t, hasProblem(r.Errors, CodeReference, "mainSteps[0].timeoutSeconds"), "%v", r.Errors)
	require.True(t, hasProblem(r.Errors, CodeReference, "mainSteps[0].isEnd"), "%v", r.Errors)

	_, err = Parse([]byte(`{"mainSteps":[{"name":"a","timeoutSeconds":"soon"}]}`))
	require.ErrorContains(t, err, "expected an integer or a {{ }} reference")
}

func TestTimeoutReferenceCappedByActionMaximum(t *testing.T) {
	doc := mustParse(t, "schemaVersion: '0.3'\nparameters: {T: {type: Integer}}\nmainSteps:\n- {name: a, action: 'aws:invokeLambdaFunction', timeoutSeconds: '{{ T }}', inputs: {FunctionName: f}}\n")
	b := doc.MaxDuration()
	require.False(t, b.Unbounded, "%v", b.Reasons)
	require.Equal(t, "5m0s", b.Bound.String())
}

func TestAppendQuotedMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"b", "back\\slash", "tab\t", "<html> & co", "héllo", "\u2028line", "bad\xf7utf8", "\x00", "emoji 🙂"} {
		require.Equal(t, string(mustMarshalSlow(s)), string(appendQuoted(nil, s)), "%q", s)
	}
}
