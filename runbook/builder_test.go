package runbook

import (
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func restartDemo() Builder {
	return New().
		Description("Restart EC2 instances(s)").
		AssumeRole("arn:aws:iam::123456789012:role/AutomationServiceRole").
		Parameter(StringListParameter("InstanceId").Description("(Required) EC2 Instance to restart")).
		Step(NewStep("stopInstances", ChangeInstanceState{InstanceIds: Param("InstanceId"), DesiredState: String("stopped")})).
		Step(NewStep("startInstances", ChangeInstanceState{InstanceIds: Param("InstanceId"), DesiredState: String("running")}))
}

func TestBuilderProducesSeedDocument(t *testing.T) {
	doc, err := restartDemo().Build()
	require.NoError(t, err)
	got, err := doc.JSON()
	require.NoError(t, err)
	want, err := os.ReadFile("testdata/restart-ec2-demo.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}

func TestBuilderIsCopyOnWrite(t *testing.T) {
	base := New().Description("base").Step(NewStep("a", Sleep{Duration: String("PT1S")}))
	b1 := base.Step(NewStep("b1", Sleep{Duration: String("PT2S")}))
	b2 := base.Step(NewStep("b2", Sleep{Duration: String("PT3S")}))
	require.Len(t, base.Document().MainSteps, 1)
	require.Equal(t, "b1", b1.Document().MainSteps[1].Name)
	require.Equal(t, "b2", b2.Document().MainSteps[1].Name)
}

func stepNames(d *Document) []string {
	var names []string
	for _, s := range d.MainSteps {
		names = append(names, s.Name)
	}
	return names
}

func napStep(name string) StepBuilder { return NewStep(name, Sleep{Duration: String("PT1S")}) }

func TestBuilderBranchesDoNotSeeEachOther(t *testing.T) {
	base := New().Step(napStep("a")).Step(napStep("b"))
	left := base.Step(napStep("l1"))
	right := base.Step(napStep("r1")) // finds l1's slot taken and copies
	left2 := left.Step(napStep("l2"))
	right2 := right.Step(napStep("r2"))
	left3 := left.Step(napStep("l3")) // a second branch from left
	deeper := left2.Step(napStep("l4")).Step(napStep("l5"))
	table := []struct {
		name string
		b    Builder
		want []string
	}{
		{"base", base, []string{"a", "b"}},
		{"left", left, []string{"a", "b", "l1"}},
		{"right", right, []string{"a", "b", "r1"}},
		{"left2", left2, []string{"a", "b", "l1", "l2"}},
		{"right2", right2, []string{"a", "b", "r1", "r2"}},
		{"left3", left3, []string{"a", "b", "l1", "l3"}},
		{"deeper", deeper, []string{"a", "b", "l1", "l2", "l4", "l5"}},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, stepNames(tc.b.Document()))
		})
	}
}

func TestBuilderBranchesOutputsFilesParametersAndVariables(t *testing.T) {
	base := New().
		Parameter(StringParameter("P").Default(String("base"))).
		Variable("V", TypeString, String("base")).
		Step(napStep("a")).
		Output("a", "x").
		File("f.zip", "00")
	one := base.Output("a", "one").File("one.zip", "11").
		Parameter(StringParameter("P").Default(String("one"))).
		Parameter(StringParameter("Q")).
		Variable("V", TypeString, String("one"))
	two := base.Output("a", "two").File("two.zip", "22").
		Parameter(StringParameter("R")).
		Variable("W", TypeInteger, Int(2))

	d := base.Document()
	require.Equal(t, []string{"a.x"}, d.Outputs)
	require.Len(t, d.Files, 1)
	require.Len(t, d.Parameters, 1)
	require.Equal(t, `"base"`, d.Parameters[0].Default.String())
	require.Equal(t, `"base"`, d.Variables[0].Default.String())

	d1 := one.Document()
	require.Equal(t, []string{"a.x", "a.one"}, d1.Outputs)
	require.Equal(t, "one.zip", d1.Files[1].Name)
	require.Len(t, d1.Parameters, 2)
	require.Equal(t, `"one"`, d1.Parameters[0].Default.String())
	require.Len(t, d1.Variables, 1)
	require.Equal(t, `"one"`, d1.Variables[0].Default.String())

	d2 := two.Document()
	require.Equal(t, []string{"a.x", "a.two"}, d2.Outputs)
	require.Equal(t, "two.zip", d2.Files[1].Name)
	require.Equal(t, "R", d2.Parameters[1].Name)
	require.Equal(t, `"base"`, d2.Parameters[0].Default.String())
	require.Equal(t, "W", d2.Variables[1].Name)
}

func TestBuilderDocumentIsACopy(t *testing.T) {
	choices := []Choice{When(String("x"), StringEquals, String("x")).Then("b")}
	b := New().Step(NewStep("a", Branch{Choices: choices, Default: "b"})).
		Step(napStep("b").Output("o", "$.x", OutputString))
	d := b.Document()
	d.MainSteps[0].Name = "changed"
	d.MainSteps[0].Inputs.(Branch).Choices[0].NextStep = "changed"
	d.MainSteps[1].Outputs[0].Name = "changed"
	d.MainSteps = append(d.MainSteps[:1], Step{Name: "added"})

	again := b.Document()
	require.Equal(t, []string{"a", "b"}, stepNames(again))
	require.Equal(t, "b", again.MainSteps[0].Inputs.(Branch).Choices[0].NextStep)
	require.Equal(t, "o", again.MainSteps[1].Outputs[0].Name)
	_, err := b.Build()
	require.NoError(t, err)
}

func TestBuilderStepSharesThePrefix(t *testing.T) {
	b := New()
	for i := range 100 {
		b = b.Step(napStep("s" + strconv.Itoa(i)))
	}
	next := b.Step(napStep("next"))
	// Extending the longest builder appends in place: no copy of the prefix.
	require.Same(t, b.steps.at(99), next.steps.at(99))
	// A second extension of b must copy its last chunk, or it would
	// overwrite "next", and shares the full chunks before it.
	other := b.Step(napStep("other"))
	require.NotSame(t, b.steps.at(99), other.steps.at(99))
	require.Same(t, b.steps.at(0), other.steps.at(0))
	require.Equal(t, "next", next.steps.at(100).Name)
	require.Equal(t, "other", other.steps.at(100).Name)
}

// TestBuilderTemplateAcrossGoroutines extends one template from several
// goroutines at once; run under -race it checks the slot claim.
func TestBuilderTemplateAcrossGoroutines(t *testing.T) {
	base := New().AssumeRole("{{ AutomationAssumeRole }}").
		Parameter(StringParameter("AutomationAssumeRole")).Step(napStep("first"))
	const workers = 8
	var wg sync.WaitGroup
	docs := make([]*Document, workers)
	for w := range workers {
		wg.Go(func() {
			b := base
			for i := range 20 {
				b = b.Step(napStep("w" + strconv.Itoa(w) + "_" + strconv.Itoa(i)))
			}
			docs[w] = b.MustBuild()
		})
	}
	wg.Wait()
	for w, d := range docs {
		require.Len(t, d.MainSteps, 21)
		require.Equal(t, "first", d.MainSteps[0].Name)
		for i, s := range d.MainSteps[1:] {
			require.Equal(t, "w"+strconv.Itoa(w)+"_"+strconv.Itoa(i), s.Name)
		}
	}
	require.Equal(t, []string{"first"}, stepNames(base.Document()))
}

// TestBuilderKnowsTheEncodedSize checks what Build relies on to skip
// encoding again for the content size quota: a copy made through the
// encoding encodes to the bytes it was decoded from.
func TestBuilderKnowsTheEncodedSize(t *testing.T) {
	big := New()
	for i := range 700 {
		big = big.Step(NewStep("s"+strconv.Itoa(i), ChangeInstanceState{InstanceIds: Strings("i-0123456789abcdef0"), DesiredState: String("running")}))
	}
	table := []struct {
		name string
		b    Builder
	}{
		{"restart demo", restartDemo().Output("stopInstances", "x").File("f.zip", "00").Variable("V", TypeStringList, Strings("a", "é"))},
		{"branch and outputs", New().Step(NewStep("a", Branch{Choices: []Choice{AnyOf(When(Param("P"), StringEquals, String(`q"<>`))).Then("b")}, Default: "b"})).
			Step(napStep("b").Output("o", "$.x", OutputString).MaxAttempts(2).IsEnd(true))},
		{"over the quota", big},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			d, size := tc.b.document()
			if size != 0 {
				require.Equal(t, len(d.CompactJSON()), size)
			}
			d, size = tc.b.decoded()
			require.Equal(t, len(d.CompactJSON()), size)
			_, r := tc.b.build()
			_, err := tc.b.Build()
			require.Equal(t, d.Validate().Err(), err)
			require.Equal(t, d.Validate(), r)
		})
	}
	_, err := big.Build()
	ve, ok := AsValidationError(err)
	require.True(t, ok)
	require.Equal(t, CodeContentSize, ve.Problems[0].Code)
}

// TestBuilderDocumentEqualsDecodedCopy checks that copying steps directly
// gives exactly what decoding the encoding gives, for every shape of step.
func TestBuilderDocumentEqualsDecodedCopy(t *testing.T) {
	cis := ChangeInstanceState{InstanceIds: Param("InstanceIds"), DesiredState: String("running")}
	withUnknown := cis
	withUnknown.Unknown = []Member{{"Extra", Int(1)}, {"DesiredState", String("stopped")}, {"Extra", Int(2)}, {"Gone", Value{}}}
	emptyUnknown := cis
	emptyUnknown.Unknown = []Member{}
	loop := Loop{Iterators: Param("InstanceIds"), MaxIterations: Int(3), LoopCondition: &Choice{Variable: Param("P"), Operator: StringEquals, Operand: String("x")},
		Steps: []Step{NewStep("inner", Sleep{Duration: String("PT1S")}).Output("o", "$.o", OutputString).Step()}}
	table := []struct {
		name string
		step StepBuilder
	}{
		{"typed", NewStep("a", cis).TimeoutSeconds(60).MaxAttempts(2).IsEnd(false).IsCritical(true).OnFailure(Continue).OnCancel(GoTo("a")).NextStep("a").Description("d")},
		{"outputs", NewStep("a", ExecuteAwsApi{APICall: APICall{Service: String("ec2"), Api: String("DescribeInstances"), Params: []Member{{"Filters", List(Map(Member{"Name", String("x")}))}}}}).
			Output("O", "$.x", OutputStringList).Output("P", "$.y", OutputMapList)},
		{"pointer inputs", NewStep("a", &cis)},
		{"unknown inputs", NewStep("a", withUnknown)},
		{"empty unknown", NewStep("a", emptyUnknown)},
		{"api params repeating a key", NewStep("a", ExecuteAwsApi{APICall: APICall{Service: String("ec2"), Api: String("X"), Params: []Member{{"Api", String("Y")}}}})},
		{"branch", NewStep("a", Branch{Choices: []Choice{AllOf(When(Param("P"), StringEquals, String("x")), NotOf(When(Param("P"), Contains, String("y")))).Then("a")}, Default: "a"})},
		{"loop", NewStep("a", loop)},
		{"raw action", NewStep("a", RawInputs{Name: "aws:future", Inputs: []Member{{"K", Strings("v")}}})},
		{"raw without name", NewStep("a", RawInputs{Inputs: []Member{{"K", Bool(true)}}})},
		{"no inputs", NewStep("a", nil)},
		{"empty inputs", NewStep("a", Sleep{})},
		{"invalid utf-8 name", NewStep("a\xff", cis)},
		{"invalid utf-8 input key", NewStep("a", RawInputs{Name: "aws:x", Inputs: []Member{{"k\xff", Int(1)}}})},
		{"escapes", NewStep("a\"<>\u2028", cis).Description("line\nbreak\ttab").Output("o", "$['\"']", OutputString)},
	}
	for _, tc := range table {
		t.Run(tc.name, func(t *testing.T) {
			b := restartDemo().Output("stopInstances", "x").Step(tc.step).Step(napStep("after"))
			got, _ := b.document()
			want, _ := b.decoded()
			require.Equal(t, want, got)
			gotJSON, err := got.JSON()
			require.NoError(t, err)
			wantJSON, err := want.JSON()
			require.NoError(t, err)
			require.Equal(t, string(wantJSON), string(gotJSON))
		})
	}
}

// TestBuilderBranchesAfterManySteps branches two documents from a
// 1,000-step template: each sees the template and its own steps only, and
// the template is unchanged.
func TestBuilderBranchesAfterManySteps(t *testing.T) {
	base := New()
	for i := range 1000 {
		base = base.Step(napStep("s" + strconv.Itoa(i)))
	}
	left := base.Step(napStep("left"))
	right := base.Step(napStep("right")).Step(napStep("right2"))
	leftMore := left.Step(napStep("left2"))
	for _, tc := range []struct {
		name string
		b    Builder
		tail []string
	}{
		{"template", base, nil},
		{"left", left, []string{"left"}},
		{"right", right, []string{"right", "right2"}},
		{"left extended", leftMore, []string{"left", "left2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names := stepNames(tc.b.Document())
			require.Len(t, names, 1000+len(tc.tail))
			require.Equal(t, "s0", names[0])
			require.Equal(t, "s999", names[999])
			if tc.tail == nil {
				require.Len(t, names, 1000)
				return
			}
			require.Equal(t, tc.tail, names[1000:])
		})
	}
}
