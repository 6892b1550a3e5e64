package runbook

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireStepSizes checks stepSize against the encoding of each step.
func requireStepSizes(t *testing.T, steps []Step) {
	t.Helper()
	var b, enc encBuf
	for i := range steps {
		enc.Reset()
		enc.step(&steps[i])
		require.Equal(t, enc.Len(), stepSize(&steps[i], &b), "step %d: %s", i, enc.String())
	}
}

func TestStepSizeMatchesEncoding(t *testing.T) {
	many := make([]Member, 20)
	for i := range many {
		many[i] = Member{Key: "K" + strconv.Itoa(i%18), Value: Int(int64(i))}
	}
	many[3].Value = Value{}
	odd := "quote \" tab \t é \u2028 \xff <&>"
	steps := []Step{
		{},
		{Name: "plain", Inputs: Sleep{Duration: String("PT1S")}},
		NewStep(odd, ChangeInstanceState{InstanceIds: Strings(odd), DesiredState: String("running"), Unknown: []Member{{Key: odd, Value: Bool(true)}}}).
			Description(odd).MaxAttempts(-12).TimeoutSeconds(1<<40).OnFailure(GoTo(odd)).OnCancel(Abort).IsEnd(false).IsCritical(true).NextStep(odd).
			Output(odd, "$."+odd, OutputString).Output("", "", "").Output("x", "", OutputMapList).Step(),
		{Name: "emptyOutputs", Outputs: []Output{}},
		{Name: "raw", Inputs: RawInputs{Name: "aws:custom", Inputs: []Member{{"A", Int(1)}, {"B", Value{}}, {"A", Int(22)}, {"", Null()}}}},
		{Name: "rawEmpty", Inputs: RawInputs{Name: "aws:custom"}},
		{Name: "many", Inputs: RawInputs{Name: "aws:custom", Inputs: many}},
		{Name: "verbatim", Description: "", TimeoutSeconds: new(int), Inputs: Sleep{Duration: String("PT1S")},
			Verbatim: []Member{{Key: "description", Value: String("")}, {Key: "timeoutSeconds", Value: String("0")}, {Key: "isEnd", Value: String("{{ P }}")}}},
	}
	requireStepSizes(t, steps)
	requireStepSizes(t, everyAction().Document().MainSteps)
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
			t.Run(e.Name(), func(t *testing.T) { requireStepSizes(t, d.MainSteps) })
		}
	}
}

func TestQuotedLen(t *testing.T) {
	for _, s := range []string{"", "a", "é", "\u2028", "\u2029x", "\xff", "a\"b", "\\", "\x00", "\x7f", "<>&", strings.Repeat("ab", 40)} {
		t.Run(strconv.Quote(s), func(t *testing.T) {
			require.Equal(t, len(mustMarshalSlow(s)), quotedLen(s))
			require.Equal(t, mustMarshalSlow(s), appendQuoted(nil, s))
		})
	}
}

// FuzzStepSize checks stepSize against the encoding of every step of a
// parsed document.
func FuzzStepSize(f *testing.F) {
	f.Add([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"a\u2028","action":"aws:sleep","maxAttempts":"3","isEnd":true,"inputs":{"Duration":"PT1S","X":[1,"\u00e9"]},"outputs":[{"Name":"O","Selector":"$","Type":"String"}]}]}`))
	f.Add([]byte("schemaVersion: '0.3'\nmainSteps:\n- {name: a, description: '', action: 'aws:custom', timeoutSeconds: '{{ T }}', inputs: {k: v}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		d, err := Parse(data)
		if err != nil {
			return
		}
		requireStepSizes(t, d.MainSteps)
	})
}
