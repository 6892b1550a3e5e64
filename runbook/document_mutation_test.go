package runbook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParameterTypeKnown checks every documented parameter type, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
func TestParameterTypeKnown(t *testing.T) {
	for _, typ := range ParameterTypes() {
		t.Run(string(typ), func(t *testing.T) {
			assert.True(t, typ.Known())
		})
	}
	for _, typ := range []ParameterType{"", "string", "List<String>", "AWS::EC2::Image::Id"} {
		t.Run("unknown "+string(typ), func(t *testing.T) {
			assert.False(t, typ.Known())
		})
	}
}

func TestGoTo(t *testing.T) {
	assert.Equal(t, "step:restart", GoTo("restart"))
	assert.Equal(t, "step:", GoTo(""))
}

func TestStepVerbatim(t *testing.T) {
	s := Step{Verbatim: []Member{
		{Key: "maxAttempts", Value: String("{{ Attempts }}")},
		{Key: "isEnd", Value: String("true")},
	}}
	v, ok := s.verbatim("isEnd")
	assert.True(t, ok)
	assert.Equal(t, String("true"), v)
	v, ok = s.verbatim("maxAttempts")
	assert.True(t, ok)
	assert.Equal(t, String("{{ Attempts }}"), v)
	v, ok = s.verbatim("timeoutSeconds")
	assert.False(t, ok)
	assert.True(t, v.IsZero())
}

func TestStepAction(t *testing.T) {
	assert.Empty(t, Step{Name: "s"}.Action())
	assert.Equal(t, "aws:sleep", Step{Inputs: Sleep{Duration: String("PT1S")}}.Action())
	assert.Equal(t, "aws:newThing", Step{Inputs: RawInputs{Name: "aws:newThing"}}.Action())
}

// TestPredefinedOutputsCopy checks the outputs an action always has, per
// https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-runinstance.html
func TestPredefinedOutputsCopy(t *testing.T) {
	got := PredefinedOutputs("aws:runInstances")
	require.Equal(t, []PredefinedOutput{{Name: "InstanceIds", Type: OutputStringList}}, got)
	got[0].Name = "changed"
	assert.Equal(t, "InstanceIds", PredefinedOutputs("aws:runInstances")[0].Name, "the result is a copy")
	assert.Equal(t, []PredefinedOutput{{Name: "CurrentIteration", Type: OutputInteger}, {Name: "CurrentIteratorValue", Type: OutputString}},
		PredefinedOutputs("aws:loop"))
	assert.Empty(t, PredefinedOutputs("aws:sleep"))
	assert.Nil(t, PredefinedOutputs("aws:noSuchAction"))
	assert.Nil(t, PredefinedOutputs(""))
}

func TestAPICallParam(t *testing.T) {
	c := APICall{
		Service: String("ec2"),
		Api:     String("DescribeInstances"),
		Params:  []Member{{Key: "Filters", Value: List()}, {Key: "MaxResults", Value: Int(5)}},
	}
	v, ok := c.Param("MaxResults")
	assert.True(t, ok)
	assert.Equal(t, Int(5), v)
	v, ok = c.Param("Filters")
	assert.True(t, ok)
	assert.Equal(t, List(), v)
	v, ok = c.Param("NextToken")
	assert.False(t, ok)
	assert.True(t, v.IsZero())
	assert.Equal(t, "ec2", c.ServiceName())
	assert.Equal(t, "DescribeInstances", c.APIName())
	assert.Empty(t, APICall{Service: Int(1)}.ServiceName())
	assert.Empty(t, APICall{}.APIName())
}

// TestAPICallAssertionMembers checks the members of the polling and
// asserting actions, in wire order, with the API parameters between the
// call and the property checked.
func TestAPICallAssertionMembers(t *testing.T) {
	for _, in := range []settableInputs{new(WaitForAwsResourceProperty), new(AssertAwsResourceProperty), new(ExecuteAwsApi)} {
		t.Run(in.Action(), func(t *testing.T) {
			for _, m := range []Member{
				{Key: "DesiredValues", Value: Strings("running")},
				{Key: "Api", Value: String("DescribeInstances")},
				{Key: "InstanceIds", Value: Strings("i-1")},
				{Key: "PropertySelector", Value: String("$.State")},
				{Key: "Service", Value: String("ec2")},
			} {
				require.NoError(t, in.set(m.Key, m.Value))
			}
			want := []Member{
				{Key: "Service", Value: String("ec2")},
				{Key: "Api", Value: String("DescribeInstances")},
				{Key: "InstanceIds", Value: Strings("i-1")},
			}
			if _, ok := in.(*ExecuteAwsApi); ok {
				// Without an assertion, those keys are API parameters.
				want = []Member{want[0], want[1],
					{Key: "DesiredValues", Value: Strings("running")},
					{Key: "InstanceIds", Value: Strings("i-1")},
					{Key: "PropertySelector", Value: String("$.State")}}
			} else {
				want = append(want, Member{Key: "PropertySelector", Value: String("$.State")}, Member{Key: "DesiredValues", Value: Strings("running")})
			}
			assert.Equal(t, want, deref(in).Members())
		})
	}
}
