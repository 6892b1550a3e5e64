package runbook

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// validateWithNameMaps validates d through the per-list name maps that
// documents with repeated or missing step names use.
func validateWithNameMaps(d *Document) Report {
	v := &validator{doc: d, namesRepeat: true}
	v.run()
	return v.report()
}

// TestStepLookupsMatchNameMaps checks that finding siblings, earlier steps
// and successors through the one map of every step reports what the maps
// of each list report.
func TestStepLookupsMatchNameMaps(t *testing.T) {
	sleep := func(name string) StepBuilder { return NewStep(name, Sleep{Duration: String("PT1S")}) }
	inner := []Step{
		NewStep("pick", Branch{Choices: []Choice{When(CurrentIteratorValue("each"), StringEquals, String("x")).Then("done")}, Default: "inLoop"}).Step(),
		sleep("inLoop").NextStep("outer").OnFailure(GoTo("pick")).Step(),
		NewStep("useLater", ChangeInstanceState{InstanceIds: StepOutput("later", "Ids"), DesiredState: String("running")}).Step(),
	}
	docs := map[string]*Document{
		"every action": everyAction().Document(),
		"flow": New().Parameter(StringListParameter("InstanceIds")).
			Step(sleep("first").NextStep("third").OnCancel(GoTo("second"))).
			Step(sleep("second").NextStep("missing").OnFailure(GoTo("inLoop"))).
			Step(NewStep("third", Branch{Choices: []Choice{When(Param("InstanceIds"), StringEquals, String("x")).Then("first")}, Default: "nowhere"})).
			Step(NewStep("each", Loop{Iterators: Param("InstanceIds"), Steps: inner})).
			Step(NewStep("later", ChangeInstanceState{InstanceIds: StepOutput("each", "CurrentIteration"), DesiredState: String("running")}).
				Output("Ids", "$.Ids", OutputStringList)).
			Step(sleep("unreached").IsEnd(true)).
			Step(sleep("done").OnCancel(GoTo("unreached"))).
			Output("later", "Ids").Output("inLoop", "Nope").
			Document(),
	}
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
		t.Run(name, func(t *testing.T) {
			r := d.Validate()
			require.Equal(t, validateWithNameMaps(d), r)
			if name == "flow" {
				require.NotEmpty(t, r.Errors)
				require.NotEmpty(t, r.Warnings)
			}
		})
	}
}

// TestRepeatedStepNamesKeepTheirTargets checks flow targets when a name is
// repeated or missing, which the lookups through every step cannot tell.
func TestRepeatedStepNamesKeepTheirTargets(t *testing.T) {
	sleep := func(name string) Step { return NewStep(name, Sleep{Duration: String("PT1S")}).Step() }
	d := New().
		Step(NewStep("a", Loop{Iterators: Strings("x"), Steps: []Step{sleep("b"), sleep("")}})).
		Step(NewStep("b", Sleep{Duration: String("PT1S")})).
		Step(NewStep("c", Sleep{Duration: String("PT1S")}).OnFailure(GoTo("b"))).
		Step(NewStep("", Sleep{Duration: String("PT1S")})).
		Step(NewStep("d", Sleep{Duration: String("PT1S")}).OnCancel(GoTo(""))).
		Document()
	var codes []string
	for _, p := range d.Validate().Errors {
		codes = append(codes, p.Code+" "+p.Path)
	}
	require.Equal(t, []string{
		CodeStepName + " mainSteps[0].inputs.Steps[1].name",
		CodeDuplicateName + " mainSteps[1].name",
		CodeStepName + " mainSteps[3].name",
		// "step:" names no step, not the step without a name.
		CodeUnknownStep + " mainSteps[4].onCancel",
	}, codes)
}
