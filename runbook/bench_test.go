package runbook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// bigRunbook returns the JSON of a valid runbook of n steps mixing the
// common actions, references and outputs.
func bigRunbook(tb testing.TB, n int) []byte {
	tb.Helper()
	b := New().
		Description("Benchmark runbook").
		AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(StringParameter("AutomationAssumeRole").AllowedPattern(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`).Default(String(""))).
		Parameter(StringListParameter("InstanceIds").Description("Instances").MinItems(1)).
		Parameter(StringParameter("Mode").AllowedValues(String("fast"), String("safe")).Default(String("safe")))
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("step%d", i)
		var s StepBuilder
		switch i % 5 {
		case 0:
			s = NewStep(name, ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}).TimeoutSeconds(600)
		case 1:
			s = NewStep(name, ExecuteAwsApi{APICall: APICall{Service: String("ec2"), Api: String("DescribeInstances"),
				Params: []Member{{"InstanceIds", Param("InstanceIds")}, {"Filters", List(Map(Member{"Name", String("tag:Mode")}, Member{"Values", List(Param("Mode"))}))}}}}).
				Output("State", "$.Reservations[0].Instances[0].State.Name", OutputString).TimeoutSeconds(60)
		case 2:
			s = NewStep(name, Branch{Choices: []Choice{When(StepOutput(fmt.Sprintf("step%d", i-1), "State"), StringEquals, String("running")).Then(fmt.Sprintf("step%d", i+1))},
				Default: fmt.Sprintf("step%d", i+1)})
		case 3:
			s = NewStep(name, WaitForAwsResourceProperty{APICall: APICall{Service: String("ec2"), Api: String("DescribeInstanceStatus"),
				Params: []Member{{"InstanceIds", Param("InstanceIds")}}}, PropertySelector: String("$.InstanceStatuses[0].InstanceState.Name"), DesiredValues: Strings("running")})
		case 4:
			s = NewStep(name, RunCommand{DocumentName: String("AWS-RunShellScript"), InstanceIds: Param("InstanceIds"),
				Parameters: Map(Member{"commands", Strings("echo {{ automation:EXECUTION_ID }} {{ global:REGION }}")})}).TimeoutSeconds(900).OnFailure(Continue)
		}
		b = b.Step(s)
	}
	doc := b.Document()
	require.Empty(tb, doc.Validate().Errors, "benchmark runbook is invalid")
	out, err := doc.JSON()
	require.NoError(tb, err)
	return out
}

func parseValidateEncode(b *testing.B, data []byte) {
	doc, err := Parse(data)
	require.NoError(b, err)
	if r := doc.Validate(); len(r.Errors) > 0 {
		b.Fatal(r.Err())
	}
	if _, err := doc.JSON(); err != nil {
		b.Fatal(err)
	}
}

func mapRoundTrip(b *testing.B, data []byte) {
	var m map[string]any
	require.NoError(b, json.Unmarshal(data, &m))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(b, enc.Encode(m))
}

// buildChangeInstanceState builds, validates and encodes a runbook of n
// aws:changeInstanceState steps through the [Builder].
func buildChangeInstanceState(b *testing.B, n int) {
	bl := New().
		Description("Stop and start instances").
		AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(StringParameter("AutomationAssumeRole").Default(String(""))).
		Parameter(StringListParameter("InstanceIds"))
	for i := range n {
		state := "stopped"
		if i%2 == 1 {
			state = "running"
		}
		bl = bl.Step(NewStep("step"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String(state)}))
	}
	// Build, keeping the document when it only breaks the content size
	// quota, as 800 steps and more do.
	doc, r := bl.build()
	for _, p := range r.Errors {
		if p.Code != CodeContentSize {
			b.Fatal(p)
		}
	}
	if _, err := doc.JSON(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBuild reports build+validate+encode per step, in wall time and
// process CPU time (cpu-ns/step); both stay flat as n grows because
// building is linear.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{200, 800, 2000} {
		b.Run("steps="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			c0 := cpuTime()
			for b.Loop() {
				buildChangeInstanceState(b, n)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/step")
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N)/float64(n), "cpu-ns/step")
		})
	}
}

// BenchmarkParseValidateEncode reports parse+validate+encode of a
// 200-step runbook and, as x-json-map, its ratio to the encoding/json map
// round trip of the same bytes ([BenchmarkJSONMapRoundTrip]), timed
// interleaved so machine load affects both alike, in wall time and, as
// cpu-x-json-map, in process CPU time (target: at most 2).
func BenchmarkParseValidateEncode(b *testing.B) {
	data := bigRunbook(b, 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var ours, base, oursCPU, baseCPU time.Duration
	for b.Loop() {
		t0, c0 := time.Now(), cpuTime()
		parseValidateEncode(b, data)
		ours += time.Since(t0)
		oursCPU += cpuTime() - c0
		b.StopTimer()
		t1, c1 := time.Now(), cpuTime()
		mapRoundTrip(b, data)
		base += time.Since(t1)
		baseCPU += cpuTime() - c1
		b.StartTimer()
	}
	b.ReportMetric(float64(ours)/float64(base), "x-json-map")
	if baseCPU > 0 {
		b.ReportMetric(float64(oursCPU)/float64(baseCPU), "cpu-x-json-map")
	}
}

// BenchmarkJSONMapRoundTrip is the baseline of
// [BenchmarkParseValidateEncode]: encoding/json unmarshal of the same
// document into map[string]any and indented marshal back.
func BenchmarkJSONMapRoundTrip(b *testing.B) {
	data := bigRunbook(b, 200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		mapRoundTrip(b, data)
	}
}

func BenchmarkParseYAML200(b *testing.B) {
	doc, err := Parse(bigRunbook(b, 200))
	require.NoError(b, err)
	y, err := doc.YAML()
	require.NoError(b, err)
	b.SetBytes(int64(len(y)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(y); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMaxDuration200(b *testing.B) {
	doc, err := Parse(bigRunbook(b, 200))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		_ = doc.MaxDuration()
	}
}
