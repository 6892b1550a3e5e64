package execution_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// problemFields returns the fields ValidateStartInput reports, in order;
// nil when the input is valid.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ie *execution.InvalidInputError
	require.ErrorAs(t, err, &ie)
	out := make([]string, len(ie.Problems))
	for i, p := range ie.Problems {
		out[i] = p.Field
	}
	return out
}

func keyTarget(key string) types.Target {
	return types.Target{Key: aws.String(key), Values: []string{"v"}}
}

func targetsN(n int) []types.Target {
	out := make([]types.Target, n)
	for i := range out {
		out[i] = keyTarget("tag:Env")
	}
	return out
}

func parametersN(n int) map[string][]string {
	out := make(map[string][]string, n)
	for i := range n {
		out[fmt.Sprintf("P%d", i)] = []string{"v"}
	}
	return out
}

func accountsN(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%012d", i+1)
	}
	return out
}

func tagN(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	return out
}

// TestValidateStartInputLimits holds each limit of StartAutomationExecution
// at both sides of its edge: the largest (or smallest) value accepted and
// the first one refused, and checks that nothing else is reported. The
// limits are those of the API reference
// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html
// and the Target, TargetLocation and Tag data types).
func TestValidateStartInputLimits(t *testing.T) {
	rate := func(in *ssm.StartAutomationExecutionInput) {
		in.TargetParameterName = aws.String("InstanceId")
		in.Targets = []types.Target{keyTarget("tag:Env")}
	}
	loc := func(edit func(*types.TargetLocation)) func(*ssm.StartAutomationExecutionInput) {
		return func(in *ssm.StartAutomationExecutionInput) {
			l := types.TargetLocation{Accounts: []string{"111122223333"}, Regions: []string{"us-east-1"}}
			edit(&l)
			in.TargetLocations = []types.TargetLocation{l}
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*ssm.StartAutomationExecutionInput)
		want []string
	}{
		{"plain", func(*ssm.StartAutomationExecutionInput) {}, nil},
		{"name of 3 characters", func(in *ssm.StartAutomationExecutionInput) { in.DocumentName = aws.String("abc") }, nil},
		{"name of 2 characters", func(in *ssm.StartAutomationExecutionInput) { in.DocumentName = aws.String("ab") }, []string{"DocumentName"}},
		{"no name", func(in *ssm.StartAutomationExecutionInput) { in.DocumentName = nil }, []string{"DocumentName"}},
		{"version $LATEST", func(in *ssm.StartAutomationExecutionInput) { in.DocumentVersion = aws.String("$LATEST") }, nil},
		{"version 12", func(in *ssm.StartAutomationExecutionInput) { in.DocumentVersion = aws.String("12") }, nil},
		{"version 0", func(in *ssm.StartAutomationExecutionInput) { in.DocumentVersion = aws.String("0") }, []string{"DocumentVersion"}},
		{"token", func(in *ssm.StartAutomationExecutionInput) {
			in.ClientToken = aws.String("0f8fad5b-d9cb-469f-a165-70867728950e")
		}, nil},
		{"empty token", func(in *ssm.StartAutomationExecutionInput) { in.ClientToken = aws.String("") }, []string{"ClientToken"}},
		{"mode Auto", func(in *ssm.StartAutomationExecutionInput) { in.Mode = types.ExecutionModeAuto }, nil},
		{"mode Interactive", func(in *ssm.StartAutomationExecutionInput) { in.Mode = types.ExecutionModeInteractive }, nil},
		{"200 parameters", func(in *ssm.StartAutomationExecutionInput) { in.Parameters = parametersN(200) }, nil},
		{"201 parameters", func(in *ssm.StartAutomationExecutionInput) { in.Parameters = parametersN(201) }, []string{"Parameters"}},
		{"parameter name of 50 characters", func(in *ssm.StartAutomationExecutionInput) {
			in.Parameters = map[string][]string{strings.Repeat("é", 50): {"v"}}
		}, nil},
		{"parameter name of 51 characters", func(in *ssm.StartAutomationExecutionInput) {
			in.Parameters = map[string][]string{strings.Repeat("a", 51): {"v"}}
		}, []string{"Parameters"}},
		{"empty parameter name", func(in *ssm.StartAutomationExecutionInput) {
			in.Parameters = map[string][]string{"": {"v"}}
		}, []string{"Parameters"}},
		{"parameter name of 1 character", func(in *ssm.StartAutomationExecutionInput) {
			in.Parameters = map[string][]string{"P": {"v"}}
		}, nil},

		{"targets", rate, nil},
		{"target parameter of 50 characters", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.TargetParameterName = aws.String(strings.Repeat("a", 50))
		}, nil},
		{"target parameter of 51 characters", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.TargetParameterName = aws.String(strings.Repeat("a", 51))
		}, []string{"TargetParameterName"}},
		{"empty target parameter", func(in *ssm.StartAutomationExecutionInput) {
			in.TargetParameterName = aws.String("")
		}, []string{"TargetParameterName"}},
		{"target parameter of 1 character", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.TargetParameterName = aws.String("P")
		}, nil},
		{"5 targets", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = targetsN(5)
		}, nil},
		{"6 targets", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = targetsN(6)
		}, []string{"Targets"}},
		{"target key of 163 characters", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = []types.Target{keyTarget(strings.Repeat("k", 163))}
		}, nil},
		{"target key of 164 characters", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = []types.Target{keyTarget(strings.Repeat("k", 164))}
		}, []string{"Targets[0].Key"}},
		{"empty target key", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = []types.Target{keyTarget("")}
		}, []string{"Targets[0].Key"}},
		{"target key of 1 character", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = []types.Target{keyTarget("k")}
		}, nil},
		{"target with 50 values", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.Targets = []types.Target{{Key: aws.String("InstanceIds"), Values: make([]string, 50)}}
		}, nil},
		{"target maps alone", func(in *ssm.StartAutomationExecutionInput) {
			in.TargetMaps = []map[string][]string{{"InstanceId": {"i-1"}}}
		}, nil},
		{"300 target maps", func(in *ssm.StartAutomationExecutionInput) { in.TargetMaps = targetMaps(300) }, nil},

		{"rate with targets", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.MaxConcurrency, in.MaxErrors = aws.String("1234567"), aws.String("0")
		}, nil},
		{"rate with target maps", func(in *ssm.StartAutomationExecutionInput) {
			in.TargetMaps = targetMaps(1)
			in.MaxConcurrency, in.MaxErrors = aws.String("1"), aws.String("0")
		}, nil},
		{"rate with target locations", func(in *ssm.StartAutomationExecutionInput) {
			in.TargetLocations = locations(1)
			in.MaxConcurrency, in.MaxErrors = aws.String("1"), aws.String("0")
		}, nil},
		{"rate with target locations URL", func(in *ssm.StartAutomationExecutionInput) {
			in.TargetLocationsURL = aws.String("https://bucket.s3.amazonaws.com/l.json")
			in.MaxConcurrency, in.MaxErrors = aws.String("1"), aws.String("0")
		}, nil},
		{"errors alone", func(in *ssm.StartAutomationExecutionInput) { in.MaxErrors = aws.String("0") }, []string{"MaxErrors"}},
		{"empty concurrency", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.MaxConcurrency = aws.String("")
		}, []string{"MaxConcurrency"}},
		{"concurrency of 8 characters", func(in *ssm.StartAutomationExecutionInput) {
			rate(in)
			in.MaxConcurrency = aws.String("12345678")
		}, []string{"MaxConcurrency"}},

		{"http URL", func(in *ssm.StartAutomationExecutionInput) {
			in.TargetLocationsURL = aws.String("http://bucket.s3.amazonaws.com/l.json")
		}, []string{"TargetLocationsURL"}},
		{"100 target locations", func(in *ssm.StartAutomationExecutionInput) { in.TargetLocations = locations(100) }, nil},
		{"location with accounts only", loc(func(l *types.TargetLocation) { l.Regions = nil }), nil},
		{"location with Regions only", loc(func(l *types.TargetLocation) { l.Accounts = nil }), nil},
		{"location with an OU and a root", loc(func(l *types.TargetLocation) {
			l.Accounts = []string{"ou-ab12-abcd1234", "r-ab12"}
		}), nil},
		{"location with 50 accounts", loc(func(l *types.TargetLocation) { l.Accounts = accountsN(50) }), nil},
		{"location with 51 accounts", loc(func(l *types.TargetLocation) { l.Accounts = accountsN(51) }), []string{"TargetLocations[0].Accounts"}},
		{"location with 50 Regions", loc(func(l *types.TargetLocation) { l.Regions = make([]string, 50) }), nil},
		{"location with 51 Regions", loc(func(l *types.TargetLocation) { l.Regions = make([]string, 51) }), []string{"TargetLocations[0].Regions"}},
		{"location excluding 5000 accounts", loc(func(l *types.TargetLocation) { l.ExcludeAccounts = make([]string, 5000) }), nil},
		{"location excluding 5001 accounts", loc(func(l *types.TargetLocation) { l.ExcludeAccounts = make([]string, 5001) }), []string{"TargetLocations[0].ExcludeAccounts"}},
		{"role name of 64 characters", loc(func(l *types.TargetLocation) { l.ExecutionRoleName = aws.String(strings.Repeat("r", 64)) }), nil},
		{"role name of 65 characters", loc(func(l *types.TargetLocation) { l.ExecutionRoleName = aws.String(strings.Repeat("r", 65)) }), []string{"TargetLocations[0].ExecutionRoleName"}},
		{"empty role name", loc(func(l *types.TargetLocation) { l.ExecutionRoleName = aws.String("") }), []string{"TargetLocations[0].ExecutionRoleName"}},
		{"role name of 1 character", loc(func(l *types.TargetLocation) { l.ExecutionRoleName = aws.String("r") }), nil},
		{"role name with a space", loc(func(l *types.TargetLocation) { l.ExecutionRoleName = aws.String("my role") }), []string{"TargetLocations[0].ExecutionRoleName"}},
		{"location rates", loc(func(l *types.TargetLocation) {
			l.TargetLocationMaxConcurrency, l.TargetLocationMaxErrors = aws.String("10%"), aws.String("0")
			l.TargetsMaxConcurrency, l.TargetsMaxErrors = aws.String("2"), aws.String("0%")
		}), nil},
		{"location errors", loc(func(l *types.TargetLocation) { l.TargetLocationMaxErrors = aws.String("x") }), []string{"TargetLocations[0].TargetLocationMaxErrors"}},
		{"location targets concurrency", loc(func(l *types.TargetLocation) { l.TargetsMaxConcurrency = aws.String("0") }), []string{"TargetLocations[0].TargetsMaxConcurrency"}},
		{"location targets errors", loc(func(l *types.TargetLocation) { l.TargetsMaxErrors = aws.String("-1") }), []string{"TargetLocations[0].TargetsMaxErrors"}},
		{"location with one target", loc(func(l *types.TargetLocation) { l.Targets = []types.Target{keyTarget("tag:Env")} }), nil},
		{"location with two targets", loc(func(l *types.TargetLocation) { l.Targets = targetsN(2) }), []string{"TargetLocations[0].Targets"}},
		{"location with a bad target", loc(func(l *types.TargetLocation) { l.Targets = []types.Target{keyTarget("a#b")} }), []string{"TargetLocations[0].Targets[0].Key"}},

		{"5 tags", func(in *ssm.StartAutomationExecutionInput) { in.Tags = tagN(5) }, nil},
		{"tag key of 128 characters", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String(strings.Repeat("é", 128)), Value: aws.String("")}}
		}, nil},
		{"tag key of 129 characters", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}
		}, []string{"Tags[0].Key"}},
		{"empty tag key", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String(""), Value: aws.String("v")}}
		}, []string{"Tags[0].Key"}},
		{"tag key of 1 character", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}
		}, nil},
		{"tag key with a comma", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String("a,b"), Value: aws.String("v")}}
		}, []string{"Tags[0].Key"}},
		{"tag value of 256 characters", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("é", 256))}}
		}, nil},
		{"tag value of 257 characters", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}
		}, []string{"Tags[0].Value"}},
		{"tag value with a comma", func(in *ssm.StartAutomationExecutionInput) {
			in.Tags = []types.Tag{{Key: aws.String("k"), Value: aws.String("a,b")}}
		}, []string{"Tags[0].Value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance")}
			tc.edit(in)
			assert.Equal(t, tc.want, problemFields(t, execution.ValidateStartInput(in, nil)))
		})
	}
}

// TestValidateStartInputRunbookOptional checks the runbook's declarations
// only when one is given.
func TestValidateStartInputRunbookOptional(t *testing.T) {
	in := &ssm.StartAutomationExecutionInput{
		DocumentName: aws.String("AWS-RestartEC2Instance"),
		Parameters:   map[string][]string{"Undeclared": {"v"}},
	}
	assert.NoError(t, execution.ValidateStartInput(in, nil))
	assert.Equal(t, []string{"Parameters.InstanceId", "Parameters.Undeclared"},
		problemFields(t, execution.ValidateStartInput(in, restartRunbook())))
}

// TestStartOptionsAccumulate checks that WithParameters adds to the values
// set before, copies them, and that a given client token is kept.
func TestStartOptionsAccumulate(t *testing.T) {
	values := []string{"i-1"}
	in, err := execution.NewStartInput("Doc",
		execution.WithParameters(map[string][]string{"InstanceId": values}),
		execution.WithParameters(map[string][]string{"Mode": {"force"}}),
		execution.WithClientToken("0f8fad5b-d9cb-469f-a165-70867728950e"))
	require.NoError(t, err)
	values[0] = "changed"
	assert.Equal(t, map[string][]string{"InstanceId": {"i-1"}, "Mode": {"force"}}, in.Parameters)
	assert.Equal(t, "0f8fad5b-d9cb-469f-a165-70867728950e", aws.ToString(in.ClientToken))

	in, err = execution.NewStartInput("Doc", execution.WithParameters(map[string][]string{"Mode": {"force"}}))
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"Mode": {"force"}}, in.Parameters)
}

// TestStartInputKeepsClientToken checks that a request's own token is sent
// as is and that a request without one gets the option's token.
func TestStartInputKeepsClientToken(t *testing.T) {
	const own, opt = "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"
	f := newFake()
	out, err := execution.StartInput(t.Context(), f, &ssm.StartAutomationExecutionInput{
		DocumentName: aws.String("Doc"), ClientToken: aws.String(own),
	}, execution.WithClientToken(opt))
	require.NoError(t, err)
	assert.Equal(t, own, aws.ToString(out.Input.ClientToken))

	out, err = execution.StartInput(t.Context(), f, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Other")}, execution.WithClientToken(opt))
	require.NoError(t, err)
	assert.Equal(t, opt, aws.ToString(out.Input.ClientToken))

	_, err = execution.StartInput(t.Context(), f, nil)
	var ie *execution.InvalidInputError
	require.True(t, errors.As(err, &ie))
	assert.Equal(t, "input", ie.Problems[0].Field)

	_, err = execution.StartInput(t.Context(), f, &ssm.StartAutomationExecutionInput{})
	assert.Equal(t, []string{"DocumentName"}, problemFields(t, err))
	assert.Len(t, f.started, 2, "an invalid request is not sent")
}
