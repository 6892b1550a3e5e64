package execution_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func restartRunbook() *runbook.Document {
	return &runbook.Document{
		SchemaVersion: "0.3",
		Parameters: []runbook.Parameter{
			{Name: "InstanceId", Type: runbook.TypeStringList, MinItems: ptr(1), MaxItems: ptr(3)},
			{Name: "AutomationAssumeRole", Type: runbook.TypeString, Default: runbook.String(""), AllowedPattern: `^$|^arn:aws[a-z0-9-]*:iam::\d{12}:role/[\w+=,.@/-]+$`},
			{Name: "Mode", Type: runbook.TypeString, Default: runbook.String("graceful"), AllowedValues: []runbook.Value{runbook.String("graceful"), runbook.String("force")}},
			{Name: "Retries", Type: runbook.TypeInteger, Default: runbook.Int(3), AllowedValues: []runbook.Value{runbook.Int(1), runbook.Int(3)}},
			{Name: "DryRun", Type: runbook.TypeBoolean, Default: runbook.Bool(false)},
			{Name: "Labels", Type: runbook.TypeStringMap, Default: runbook.StringMap(map[string]string{})},
			{Name: "Comment", Type: runbook.TypeString, Default: runbook.String(""), MaxChars: ptr(10), MinChars: ptr(0)},
		},
	}
}

func ptr[T any](v T) *T { return &v }

func TestStartSimple(t *testing.T) {
	f := newFake()
	out, err := execution.Start(t.Context(), f, "Restart-EC2InstanceDemo",
		execution.WithParameters(map[string][]string{"InstanceId": {"i-0123456789abcdef0"}}),
		func(o *execution.StartOptions) { o.Runbook = restartRunbook() })
	require.NoError(t, err)
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", out.ExecutionID)
	require.Len(t, f.started, 1)
	in := f.started[0]
	_, err = uuid.Parse(aws.ToString(in.ClientToken))
	assert.NoError(t, err, "client token is a UUID")
	assert.Equal(t, in, out.Input)
	assert.Equal(t, "Restart-EC2InstanceDemo", aws.ToString(in.DocumentName))

	// Sending the same input again (a retry) does not launch twice.
	again, err := execution.StartInput(t.Context(), f, out.Input)
	require.NoError(t, err)
	assert.Equal(t, out.ExecutionID, again.ExecutionID)
	assert.Len(t, f.started, 1)

	// A new Start is a new token.
	third, err := execution.Start(t.Context(), f, "Restart-EC2InstanceDemo")
	require.NoError(t, err)
	assert.NotEqual(t, aws.ToString(out.Input.ClientToken), aws.ToString(third.Input.ClientToken))
}

func TestStartModes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []func(*execution.StartOptions)
		check func(t *testing.T, in *ssm.StartAutomationExecutionInput)
	}{
		{"rate control", []func(*execution.StartOptions){
			execution.WithRateControl("InstanceId", []types.Target{{Key: aws.String("tag:Env"), Values: []string{"prod"}}}, "10%", "1"),
		}, func(t *testing.T, in *ssm.StartAutomationExecutionInput) {
			assert.Equal(t, "InstanceId", aws.ToString(in.TargetParameterName))
			assert.Equal(t, "10%", aws.ToString(in.MaxConcurrency))
			assert.Equal(t, "1", aws.ToString(in.MaxErrors))
		}},
		{"target maps", []func(*execution.StartOptions){
			execution.WithTargetMaps([]map[string][]string{{"InstanceId": {"i-1"}}, {"InstanceId": {"i-2"}}}, "1", "0"),
		}, func(t *testing.T, in *ssm.StartAutomationExecutionInput) {
			assert.Len(t, in.TargetMaps, 2)
		}},
		{"interactive", []func(*execution.StartOptions){execution.WithInteractive(), execution.WithParameters(map[string][]string{"InstanceId": {"i-1"}})},
			func(t *testing.T, in *ssm.StartAutomationExecutionInput) {
				assert.Equal(t, types.ExecutionModeInteractive, in.Mode)
			}},
		{"target locations", []func(*execution.StartOptions){
			execution.WithParameters(map[string][]string{"InstanceId": {"i-1"}}),
			execution.WithTargetLocations(types.TargetLocation{Accounts: []string{"111122223333", "ou-ab12-cdef5678"}, Regions: []string{"us-east-1", "eu-west-1"},
				ExecutionRoleName: aws.String("AWS-SystemsManager-AutomationExecutionRole"), TargetLocationMaxConcurrency: aws.String("2"), TargetLocationMaxErrors: aws.String("0")}),
		}, func(t *testing.T, in *ssm.StartAutomationExecutionInput) {
			assert.Len(t, in.TargetLocations, 1)
		}},
		{"tags and version", []func(*execution.StartOptions){
			execution.WithParameters(map[string][]string{"InstanceId": {"i-1"}}),
			execution.WithDocumentVersion("$DEFAULT"),
			execution.WithTags(types.Tag{Key: aws.String("team"), Value: aws.String("ops")}, types.Tag{Key: aws.String("ticket"), Value: aws.String("OPS-12")}),
		}, func(t *testing.T, in *ssm.StartAutomationExecutionInput) {
			assert.Len(t, in.Tags, 2)
			assert.Equal(t, "$DEFAULT", aws.ToString(in.DocumentVersion))
		}},
		{"client token", []func(*execution.StartOptions){
			execution.WithParameters(map[string][]string{"InstanceId": {"i-1"}}),
			execution.WithClientToken("0f8fad5b-d9cb-469f-a165-70867728950e"),
		}, func(t *testing.T, in *ssm.StartAutomationExecutionInput) {
			assert.Equal(t, "0f8fad5b-d9cb-469f-a165-70867728950e", aws.ToString(in.ClientToken))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append(tc.opts, func(o *execution.StartOptions) { o.Runbook = restartRunbook() })
			in, err := execution.NewStartInput("Restart-EC2InstanceDemo", opts...)
			require.NoError(t, err)
			tc.check(t, in)
			f := newFake()
			_, err = execution.Start(t.Context(), f, "Restart-EC2InstanceDemo", opts...)
			require.NoError(t, err)
		})
	}
}

func TestStartInvalidInput(t *testing.T) {
	target := types.Target{Key: aws.String("tag:Env"), Values: []string{"prod"}}
	for _, tc := range []struct {
		name  string
		doc   string
		opts  []func(*execution.StartOptions)
		field string
		msg   string
	}{
		{"no document", "", nil, "DocumentName", "is required"},
		{"bad document name", "my doc!", nil, "DocumentName", "must match"},
		{"bad version", "Doc", []func(*execution.StartOptions){execution.WithDocumentVersion("latest")}, "DocumentVersion", "version number"},
		{"bad token", "Doc", []func(*execution.StartOptions){execution.WithClientToken("retry-1")}, "ClientToken", "UUID"},
		{"bad mode", "Doc", []func(*execution.StartOptions){func(o *execution.StartOptions) { o.Mode = "Manual" }}, "Mode", "Auto, Interactive"},
		{"six targets", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{target, target, target, target, target, target}, "1", "0")}, "Targets", "at most 5"},
		{"targets without parameter", "Doc", []func(*execution.StartOptions){execution.WithRateControl("", []types.Target{target}, "1", "0")}, "TargetParameterName", "is required with Targets"},
		{"parameter without targets", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", nil, "", "")}, "Targets", "required with TargetParameterName"},
		{"targets and maps", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{target}, "1", "0"), func(o *execution.StartOptions) {
			o.TargetMaps = []map[string][]string{{"InstanceId": {"i-1"}}}
		}}, "TargetMaps", "together with Targets"},
		{"bad target key", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{{Key: aws.String("tag!x")}}, "1", "0")}, "Targets[0].Key", "1 to 163"},
		{"concurrency zero", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{target}, "0", "0")}, "MaxConcurrency", "from 1"},
		{"concurrency 101%", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{target}, "101%", "0")}, "MaxConcurrency", "from 1"},
		{"errors leading zero", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{target}, "5", "05")}, "MaxErrors", "from 0"},
		{"errors too long", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{target}, "5", "12345678")}, "MaxErrors", "from 0"},
		{"rate without targets", "Doc", []func(*execution.StartOptions){func(o *execution.StartOptions) { o.MaxConcurrency = "5" }}, "MaxConcurrency", "rate-controlled"},
		{"empty target map", "Doc", []func(*execution.StartOptions){execution.WithTargetMaps([]map[string][]string{{}}, "1", "0")}, "TargetMaps[0]", "is empty"},
		{"six tags", "Doc", []func(*execution.StartOptions){execution.WithTags(tags(6)...)}, "Tags", "at most 5"},
		{"reserved tag", "Doc", []func(*execution.StartOptions){execution.WithTags(types.Tag{Key: aws.String("AWS:owner"), Value: aws.String("x")})}, "Tags[0].Key", "reserved prefix"},
		{"tag without value", "Doc", []func(*execution.StartOptions){execution.WithTags(types.Tag{Key: aws.String("owner")})}, "Tags[0].Value", "is required"},
		{"repeated tag", "Doc", []func(*execution.StartOptions){execution.WithTags(types.Tag{Key: aws.String("a"), Value: aws.String("1")}, types.Tag{Key: aws.String("a"), Value: aws.String("2")})}, "Tags[1].Key", "repeated"},
		{"bad account", "Doc", []func(*execution.StartOptions){execution.WithTargetLocations(types.TargetLocation{Accounts: []string{"1234"}, Regions: []string{"us-east-1"}})}, "TargetLocations[0].Accounts[0]", "12-digit"},
		{"empty location", "Doc", []func(*execution.StartOptions){execution.WithTargetLocations(types.TargetLocation{})}, "TargetLocations[0]", "no account and no Region"},
		{"bad location rate", "Doc", []func(*execution.StartOptions){execution.WithTargetLocations(types.TargetLocation{Regions: []string{"us-east-1"}, TargetLocationMaxConcurrency: aws.String("0%")})}, "TargetLocations[0].TargetLocationMaxConcurrency", "from 1"},
		{"locations and url", "Doc", []func(*execution.StartOptions){execution.WithTargetLocations(types.TargetLocation{Regions: []string{"us-east-1"}}), func(o *execution.StartOptions) {
			o.TargetLocationsURL = "https://bucket.s3.amazonaws.com/locations.json"
		}}, "TargetLocationsURL", "together with TargetLocations"},
		{"unknown parameter", "Doc", []func(*execution.StartOptions){withDoc, execution.WithParameters(map[string][]string{"InstanceId": {"i-1"}, "Instance": {"i-1"}})}, "Parameters.Instance", "not a parameter of the runbook (declared: AutomationAssumeRole, Comment, DryRun, InstanceId, Labels, Mode, Retries)"},
		{"missing required", "Doc", []func(*execution.StartOptions){withDoc}, "Parameters.InstanceId", "is required (the parameter has no default)"},
		{"string with two values", "Doc", []func(*execution.StartOptions){withDoc, withParams("Mode", "force", "graceful")}, "Parameters.Mode", "exactly one value"},
		{"not allowed", "Doc", []func(*execution.StartOptions){withDoc, withParams("Mode", "brutal")}, "Parameters.Mode", "must be one of graceful, force"},
		{"integer", "Doc", []func(*execution.StartOptions){withDoc, withParams("Retries", "three")}, "Parameters.Retries", "whole number"},
		{"integer not allowed", "Doc", []func(*execution.StartOptions){withDoc, withParams("Retries", "2")}, "Parameters.Retries", "must be one of 1, 3"},
		{"boolean", "Doc", []func(*execution.StartOptions){withDoc, withParams("DryRun", "yes")}, "Parameters.DryRun", "true or false"},
		{"string map", "Doc", []func(*execution.StartOptions){withDoc, withParams("Labels", "a=b")}, "Parameters.Labels", "JSON object"},
		{"pattern", "Doc", []func(*execution.StartOptions){withDoc, withParams("AutomationAssumeRole", "admin")}, "Parameters.AutomationAssumeRole", "allowedPattern"},
		{"max chars", "Doc", []func(*execution.StartOptions){withDoc, withParams("Comment", "far too long a comment")}, "Parameters.Comment", "maxChars"},
		{"max items", "Doc", []func(*execution.StartOptions){withDoc, withParams("InstanceId", "i-1", "i-2", "i-3", "i-4")}, "Parameters.InstanceId", "maxItems"},
		{"min items", "Doc", []func(*execution.StartOptions){withDoc, func(o *execution.StartOptions) { o.Parameters = map[string][]string{"InstanceId": {}} }}, "Parameters.InstanceId", "minItems"},
		{"target parameter undeclared", "Doc", []func(*execution.StartOptions){withDoc, execution.WithRateControl("Instances", []types.Target{target}, "1", "0")}, "TargetParameterName", "not a parameter"},
		{"required missing from the first target map", "Doc", []func(*execution.StartOptions){withDoc, execution.WithTargetMaps([]map[string][]string{{"Mode": {"force"}}, {"InstanceId": {"i-1"}}}, "1", "0")}, "TargetMaps[0].InstanceId", "is required"},
		{"required missing from a target map", "Doc", []func(*execution.StartOptions){withDoc, execution.WithTargetMaps([]map[string][]string{{"InstanceId": {"i-1"}}, {"Mode": {"force"}}}, "1", "0")}, "TargetMaps[1].InstanceId", "is required"},
		{"301 target maps", "Doc", []func(*execution.StartOptions){execution.WithTargetMaps(targetMaps(301), "10", "0")}, "TargetMaps", "301 maps, at most 300"},
		{"101 target locations", "Doc", []func(*execution.StartOptions){execution.WithTargetLocations(locations(101)...)}, "TargetLocations", "101 locations, at most 100"},
		{"target with 51 values", "Doc", []func(*execution.StartOptions){execution.WithRateControl("InstanceId", []types.Target{{Key: aws.String("InstanceIds"), Values: make([]string, 51)}}, "1", "0")}, "Targets[0].Values", "at most 50"},
		{"target map value checked", "Doc", []func(*execution.StartOptions){withDoc, execution.WithTargetMaps([]map[string][]string{{"InstanceId": {"i-1"}, "DryRun": {"maybe"}}}, "1", "0")}, "TargetMaps[0].DryRun", "true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			_, err := execution.Start(t.Context(), f, tc.doc, tc.opts...)
			var ie *execution.InvalidInputError
			require.ErrorAs(t, err, &ie)
			var found bool
			for _, p := range ie.Problems {
				if p.Field == tc.field && strings.Contains(p.Message, tc.msg) {
					found = true
				}
			}
			assert.True(t, found, "want %s: %s in %v", tc.field, tc.msg, err)
			var p *execution.InputProblem
			assert.ErrorAs(t, err, &p)
			assert.Empty(t, f.started, "nothing is sent")
		})
	}
}

func withDoc(o *execution.StartOptions) { o.Runbook = restartRunbook() }

func withParams(name string, values ...string) func(*execution.StartOptions) {
	return execution.WithParameters(map[string][]string{"InstanceId": {"i-1"}, name: values})
}

func tags(n int) []types.Tag {
	out := make([]types.Tag, n)
	for i := range out {
		out[i] = types.Tag{Key: aws.String(string(rune('a' + i))), Value: aws.String("v")}
	}
	return out
}

func TestStartReportsEveryProblemAtOnce(t *testing.T) {
	_, err := execution.NewStartInput("x", execution.WithTags(tags(6)...), execution.WithDocumentVersion("0"), withDoc,
		execution.WithParameters(map[string][]string{"Mode": {"brutal"}}))
	var ie *execution.InvalidInputError
	require.ErrorAs(t, err, &ie)
	var fields []string
	for _, p := range ie.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"DocumentName", "DocumentVersion", "Parameters.InstanceId", "Parameters.Mode", "Tags"}, fields)
	assert.True(t, strings.HasPrefix(err.Error(), "invalid start input: DocumentName: \"x\": must match"))
}

func TestStartParameterStoreReferencesLeftToService(t *testing.T) {
	_, err := execution.NewStartInput("Doc", withDoc, withParams("Retries", "{{ssm:/ops/retries}}"))
	assert.NoError(t, err)
}

func TestStartInputDoesNotChangeCaller(t *testing.T) {
	f := newFake()
	in := &ssm.StartAutomationExecutionInput{DocumentName: aws.String("AWS-RestartEC2Instance"), Parameters: map[string][]string{"InstanceId": {"i-1"}}}
	out, err := execution.StartInput(t.Context(), f, in)
	require.NoError(t, err)
	assert.Nil(t, in.ClientToken)
	assert.NotNil(t, out.Input.ClientToken)

	_, err = execution.StartInput(t.Context(), f, nil)
	var ie *execution.InvalidInputError
	assert.ErrorAs(t, err, &ie)
}

func TestStartServiceError(t *testing.T) {
	f := newFake()
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: iam:PassRole", Fault: smithy.FaultClient}
	f.failNext("StartAutomationExecution", denied)
	_, err := execution.Start(t.Context(), f, "Doc")
	require.ErrorIs(t, err, denied)
	assert.Contains(t, err.Error(), "execution: start Doc: ")

	f2 := &noIDStarter{}
	_, err = execution.Start(t.Context(), f2, "Doc")
	assert.ErrorContains(t, err, "no execution id")
	assert.False(t, errors.Is(err, denied))
}

type noIDStarter struct{}

func (noIDStarter) StartAutomationExecution(_ context.Context, _ *ssm.StartAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.StartAutomationExecutionOutput, error) {
	return &ssm.StartAutomationExecutionOutput{}, nil
}

func targetMaps(n int) []map[string][]string {
	out := make([]map[string][]string, n)
	for i := range out {
		out[i] = map[string][]string{"InstanceId": {fmt.Sprintf("i-%017x", i)}}
	}
	return out
}

func locations(n int) []types.TargetLocation {
	out := make([]types.TargetLocation, n)
	for i := range out {
		out[i] = types.TargetLocation{Accounts: []string{fmt.Sprintf("%012d", i+1)}, Regions: []string{"us-east-1"}}
	}
	return out
}

// TestStartRatePatterns holds MaxConcurrency and MaxErrors to the service's
// patterns: a count, or a percentage (MaxErrors also takes zero).
func TestStartRatePatterns(t *testing.T) {
	target := []types.Target{{Key: aws.String("tag:Env"), Values: []string{"prod"}}}
	for _, tc := range []struct {
		concurrency, errs string
		ok                bool
	}{
		{"1", "0", true},
		{"10", "3", true},
		{"1%", "0%", true},
		{"99%", "99%", true},
		{"100%", "100%", true},
		{"1234567", "1234567", true},
		{"0", "0", false},
		{"0%", "0", false},
		{"101%", "0", false},
		{"10", "101%", false},
		{"05", "0", false},
		{"10", "00", false},
		{"12345678", "0", false},
		{"ten", "0", false},
		{"10", "-1", false},
	} {
		t.Run(tc.concurrency+"/"+tc.errs, func(t *testing.T) {
			_, err := execution.NewStartInput("Doc", execution.WithRateControl("InstanceId", target, tc.concurrency, tc.errs))
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			var ie *execution.InvalidInputError
			require.ErrorAs(t, err, &ie)
			assert.Contains(t, []string{"MaxConcurrency", "MaxErrors"}, ie.Problems[0].Field)
		})
	}
}
