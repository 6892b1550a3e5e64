package runbook

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// branchJSON is a document of one aws:branch step with the given inputs.
func branchJSON(inputs string) string {
	return `{"schemaVersion":"0.3","mainSteps":[{"name":"b","action":"aws:branch","inputs":` + inputs + `},{"name":"x","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}`
}

// TestChoiceParseErrors covers the shapes of aws:branch choices and loop
// conditions, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-branch.html
func TestChoiceParseErrors(t *testing.T) {
	loop := func(cond string) string {
		return `{"schemaVersion":"0.3","mainSteps":[{"name":"l","action":"aws:loop","inputs":{"MaxIterations":2,"LoopCondition":` + cond + `,"Steps":[{"name":"x","action":"aws:sleep","inputs":{"Duration":"PT1S"}}]}}]}`
	}
	for _, tc := range []struct {
		name, src, path, msg string
	}{
		{"choices not a list", branchJSON(`{"Choices":"x"}`), "mainSteps[0].inputs.Choices", "expected a list, got string"},
		{"choice not a map", branchJSON(`{"Choices":["x"]}`), "mainSteps[0].inputs.Choices[0]", "expected a map, got string"},
		{"second choice not a map", branchJSON(`{"Choices":[{"NextStep":"x","Variable":"a","StringEquals":"a"},[]]}`), "mainSteps[0].inputs.Choices[1]", "expected a map, got list"},
		{"NextStep not a string", branchJSON(`{"Choices":[{"NextStep":1}]}`), "mainSteps[0].inputs.Choices[0].NextStep", "expected a string, got number"},
		{"And not a list", branchJSON(`{"Choices":[{"NextStep":"x","And":{}}]}`), "mainSteps[0].inputs.Choices[0].And", "expected a list, got map"},
		{"Or not a list", branchJSON(`{"Choices":[{"NextStep":"x","Or":"y"}]}`), "mainSteps[0].inputs.Choices[0].Or", "expected a list, got string"},
		{"bad term of Or", branchJSON(`{"Choices":[{"NextStep":"x","Or":[{"Variable":"a","StringEquals":"a"},{"Bogus":1}]}]}`), "mainSteps[0].inputs.Choices[0].Or[1].Bogus", "unknown choice key"},
		{"bad term of And", branchJSON(`{"Choices":[{"NextStep":"x","And":[{"Bogus":1}]}]}`), "mainSteps[0].inputs.Choices[0].And[0].Bogus", "unknown choice key"},
		{"bad Not", branchJSON(`{"Choices":[{"NextStep":"x","Not":{"Bogus":1}}]}`), "mainSteps[0].inputs.Choices[0].Not.Bogus", "unknown choice key"},
		{"Not not a map", branchJSON(`{"Choices":[{"NextStep":"x","Not":true}]}`), "mainSteps[0].inputs.Choices[0].Not", "expected a map, got boolean"},
		{"two operators", branchJSON(`{"Choices":[{"NextStep":"x","Variable":"a","StringEquals":"a","Contains":"b"}]}`), "mainSteps[0].inputs.Choices[0].Contains", "a choice has one operator, already has StringEquals"},
		{"Default not a string", branchJSON(`{"Choices":[],"Default":["x"]}`), "mainSteps[0].inputs.Default", "expected a step name, got list"},
		{"bad loop condition", loop(`{"Variable":"a","Bogus":1}`), "mainSteps[0].inputs.LoopCondition.Bogus", "unknown choice key"},
		{"loop condition not a map", loop(`"x"`), "mainSteps[0].inputs.LoopCondition", "expected a map, got string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src))
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, tc.path, pe.Path)
			assert.Contains(t, pe.Msg, tc.msg)
		})
	}
}

// TestChoiceParsesEveryTerm checks that nested And, Or and Not terms are
// decoded into their own fields and encoded back as they were.
func TestChoiceParsesEveryTerm(t *testing.T) {
	inputs := `{"Choices":[{"NextStep":"x","And":[{"Variable":"{{ automation:EXECUTION_ID }}","StartsWith":"a"},{"Or":[{"Variable":"b","EndsWith":"c"},{"Not":{"Variable":"d","Contains":"e"}}]}]}],"Default":"x"}`
	src := branchJSON(inputs)
	doc, err := Parse([]byte(src))
	require.NoError(t, err)
	b, ok := doc.MainSteps[0].Inputs.(Branch)
	require.True(t, ok)
	require.Len(t, b.Choices, 1)
	c := b.Choices[0]
	assert.Equal(t, "x", c.NextStep)
	assert.Nil(t, c.Or)
	assert.Nil(t, c.Not)
	require.Len(t, c.And, 2)
	assert.Equal(t, StartsWith, c.And[0].Operator)
	assert.Equal(t, String("a"), c.And[0].Operand)
	assert.Nil(t, c.And[1].And)
	require.Len(t, c.And[1].Or, 2)
	assert.Equal(t, EndsWith, c.And[1].Or[0].Operator)
	require.NotNil(t, c.And[1].Or[1].Not)
	assert.Equal(t, Contains, c.And[1].Or[1].Not.Operator)
	assert.Equal(t, "x", b.Default)
	assert.Equal(t, src, string(doc.CompactJSON()))

	// The builder's form encodes the same.
	built := Branch{Choices: []Choice{AllOf(
		When(Automation(AutomationExecutionID), StartsWith, String("a")),
		AnyOf(When(String("b"), EndsWith, String("c")), NotOf(When(String("d"), Contains, String("e")))),
	).Then("x")}, Default: "x"}
	assert.Equal(t, b.Members(), built.Members())
}

// TestBranchMembersOmitEmpty checks that a branch without choices or
// Default writes neither, and that an operator without operand is null.
func TestBranchMembersOmitEmpty(t *testing.T) {
	assert.Empty(t, Branch{}.Members())
	assert.Equal(t, []Member{{Key: "Default", Value: String("x")}}, Branch{Default: "x"}.Members())
	assert.Equal(t, Map(Member{Key: "StringEquals", Value: Null()}), Choice{Operator: StringEquals}.Value())
	assert.Equal(t, Map(), Choice{}.Value())
}
