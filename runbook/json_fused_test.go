package runbook

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireJSONIndentsCompact checks that JSON, which indents as it
// encodes, writes the indented form of the compact encoding.
func requireJSONIndentsCompact(t *testing.T, d *Document) {
	t.Helper()
	want, ok := appendIndented(nil, d.CompactJSON())
	require.True(t, ok)
	got, err := d.JSON()
	require.NoError(t, err)
	require.Equal(t, string(append(want, '\n')), string(got))
}

func TestJSONIndentsTheCompactEncoding(t *testing.T) {
	spaced, err := Number(" 12 ")
	require.NoError(t, err)
	nested, err := RawJSON([]byte(`{"a":[],"b":{},"c":[{"d":[1,"x\"]"]}]}`))
	require.NoError(t, err)
	many := make([]Member, 20)
	for i := range many {
		many[i] = Member{Key: "K" + strconv.Itoa(i%17), Value: List(Int(int64(i)), Map())}
	}
	docs := map[string]*Document{
		"every action": everyAction().Document(),
		"empty":        {},
		"empty lists": {SchemaVersion: SchemaVersion, Parameters: []Parameter{}, Variables: []Variable{}, MainSteps: []Step{}, Outputs: []string{}, Files: []File{},
			emptyDescription: true},
		"odd values": New().Parameter(IntegerParameter("N").Default(spaced).AllowedValues(spaced, Int(1))).
			Parameter(NewParameter("M", TypeStringMap).Default(nested)).
			Variable("V", TypeStringList, List()).
			File("f", "00").
			Step(NewStep("raw", RawInputs{Name: "aws:custom", Inputs: []Member{{"A", spaced}, {"B", nested}, {"A", Map()}, {"C", Value{}}}}).
				Output("o", "$", OutputString)).
			Step(NewStep("many", RawInputs{Name: "aws:custom", Inputs: many})).
			Step(NewStep("noInputs", RawInputs{Name: "aws:custom"}).MaxAttempts(3).IsCritical(false)).
			Output("raw", "o").
			Document(),
	}
	docs["no outputs"] = &Document{SchemaVersion: SchemaVersion, MainSteps: []Step{{Name: "a", Outputs: []Output{}}}}
	for _, dir := range []string{"testdata", filepath.Join("testdata", "accepted"), filepath.Join("testdata", "roundtrip")} {
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); e.IsDir() || (ext != ".json" && ext != ".yaml") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			d, err := Parse(data)
			require.NoError(t, err, e.Name())
			docs[e.Name()] = d
		}
	}
	for name, d := range docs {
		t.Run(name, func(t *testing.T) { requireJSONIndentsCompact(t, d) })
	}
}

// TestJSONReportsAValueThatIsNotJSON checks the fallback for a value
// that does not indent, which only code inside the package can make.
func TestJSONReportsAValueThatIsNotJSON(t *testing.T) {
	d := New().Step(NewStep("a", RawInputs{Name: "aws:custom", Inputs: []Member{{"A", Value{raw: []byte(`[1,`)}}}})).Document()
	_, err := d.JSON()
	require.ErrorContains(t, err, "runbook: encode:")
}

func FuzzJSONIndentsCompact(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":"0.3","parameters":{"P":{"type":"Integer","default": 1 ,"allowedValues":[ 1 , [ ] ]}},"mainSteps":[{"name":"a","action":"aws:x","inputs":{"k":{ },"l":[{"m":"\"]"}]},"outputs":[]}],"outputs":[],"files":{}}`))
	f.Add([]byte("schemaVersion: '0.3'\nmainSteps:\n- {name: a, description: '', action: 'aws:sleep', timeoutSeconds: '{{ T }}', inputs: {Duration: PT1S}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		d, err := Parse(data)
		if err != nil {
			return
		}
		requireJSONIndentsCompact(t, d)
	})
}
