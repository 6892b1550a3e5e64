package engine

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRestartRunsBothStepsAsTheRole(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.cloud.addInstance("running"), h.cloud.addInstance("running")
		id := h.start(restartDoc(), map[string][]string{"InstanceId": {a, b}})
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		for _, i := range []string{a, b} {
			assert.Equal(t, "running", h.cloud.state(i), i)
		}
		assert.Equal(t, 1, h.cloud.callsTo("StopInstances"), "StopInstances calls")
		assert.Equal(t, 1, h.cloud.callsTo("StartInstances"), "StartInstances calls")
		for _, c := range h.cloud.calls {
			assert.Equal(t, rolePrincipal, c.Principal, "call %s", c.API)
			assert.Equal(t, id, c.ExecutionID, "call %s", c.API)
			assert.NotEmpty(t, c.StepName, "call %s", c.API)
		}
		assert.Equal(t, operatorARN, aws.ToString(got.ExecutedBy))
		assert.Equal(t, types.ExecutionModeAuto, got.Mode)
		require.Len(t, got.StepExecutions, 2)
		require.Equal(t, int32(2), got.ProgressCounters.SuccessSteps, "counters %+v", got.ProgressCounters)
		require.Equal(t, int32(2), got.ProgressCounters.TotalSteps, "counters %+v", got.ProgressCounters)
		stop := got.StepExecutions[0]
		assert.Equal(t, `["`+a+`","`+b+`"]`, stop.Inputs["InstanceIds"])
		assert.Equal(t, `"stopped"`, stop.Inputs["DesiredState"])
		// Stopping takes the fake's 10 s transition, polled every 5 s.
		assert.Equal(t, 10*time.Second, stop.ExecutionEndTime.Sub(*stop.ExecutionStartTime), "stop step duration")
		assert.Equal(t, 20*time.Second, got.ExecutionEndTime.Sub(*got.ExecutionStartTime), "execution duration")
		assert.Equal(t, b, got.Parameters["InstanceId"][1], "parameters %v", got.Parameters)
	})
}

func TestCheckStateOnlyMakesNoChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		i := h.cloud.addInstance("running")
		doc := mustParse(t, `
schemaVersion: '0.3'
parameters:
  Id: {type: String}
mainSteps:
- name: check
  action: aws:changeInstanceState
  inputs: {InstanceIds: ['{{ Id }}'], DesiredState: running, CheckStateOnly: true}
- name: terminate
  action: aws:changeInstanceState
  inputs: {InstanceIds: ['{{ Id }}'], DesiredState: terminated}
`)
		got := h.wait(h.start(doc, map[string][]string{"Id": {i}}))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		assert.Zero(t, h.cloud.callsTo("StartInstances"), "StartInstances calls")
		assert.Equal(t, 1, h.cloud.callsTo("TerminateInstances"), "TerminateInstances calls")
		assert.Equal(t, "terminated", h.cloud.state(i))
	})
}

func TestParameters(t *testing.T) {
	doc := mustParse(t, `
schemaVersion: '0.3'
parameters:
  Name: {type: String, allowedPattern: '^[a-z]+$', minChars: 2, maxChars: 5}
  Count: {type: Integer, default: 3}
  Flag: {type: Boolean, default: false}
  Ids: {type: StringList, default: [], maxItems: 2}
  Size: {type: String, default: small, allowedValues: [small, large]}
  Tags: {type: StringMap, default: {}}
  Maps: {type: MapList, default: []}
mainSteps:
- name: s
  action: aws:sleep
  inputs: {Duration: PT1S}
`)
	tests := []struct {
		name    string
		params  map[string][]string
		wantErr string
		check   func(t *testing.T, p map[string][]string)
	}{
		{name: "defaults", params: map[string][]string{"Name": {"abc"}}, check: func(t *testing.T, p map[string][]string) {
			assert.Equal(t, []string{"3"}, p["Count"])
			assert.Equal(t, []string{"false"}, p["Flag"])
			assert.Equal(t, []string{"small"}, p["Size"])
		}},
		{name: "all given", params: map[string][]string{"Name": {"ab"}, "Count": {"7"}, "Flag": {"TRUE"}, "Ids": {"a", "b"},
			"Size": {"large"}, "Tags": {`{"k":"v"}`}, "Maps": {`{"a":"1"}`, `{"b":"2"}`}}},
		{name: "required", params: map[string][]string{}, wantErr: `parameter "Name" is required`},
		{name: "unknown", params: map[string][]string{"Name": {"ab"}, "Nope": {"x"}}, wantErr: `parameter "Nope" is not defined`},
		{name: "pattern", params: map[string][]string{"Name": {"AB"}}, wantErr: "does not match the allowed pattern"},
		{name: "min chars", params: map[string][]string{"Name": {"a"}}, wantErr: "shorter than minChars 2"},
		{name: "max chars", params: map[string][]string{"Name": {"abcdef"}}, wantErr: "longer than maxChars 5"},
		{name: "integer", params: map[string][]string{"Name": {"ab"}, "Count": {"x"}}, wantErr: `"x" is not an Integer`},
		{name: "boolean", params: map[string][]string{"Name": {"ab"}, "Flag": {"yes"}}, wantErr: "is not a Boolean"},
		{name: "allowed values", params: map[string][]string{"Name": {"ab"}, "Size": {"huge"}}, wantErr: "not one of the allowed values [small, large]"},
		{name: "max items", params: map[string][]string{"Name": {"ab"}, "Ids": {"a", "b", "c"}}, wantErr: "more than maxItems 2"},
		{name: "string takes one value", params: map[string][]string{"Name": {"ab", "cd"}}, wantErr: "takes one value"},
		{name: "string map", params: map[string][]string{"Name": {"ab"}, "Tags": {"[1]"}}, wantErr: "is not a StringMap"},
		{name: "map list", params: map[string][]string{"Name": {"ab"}, "Maps": {"1"}}, wantErr: "a MapList takes JSON objects"},
		{name: "every problem at once", params: map[string][]string{"Count": {"x"}}, wantErr: `parameter "Name" is required; parameter "Count"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				id, err := h.startErr(doc, tt.params)
				if tt.wantErr != "" {
					var pe *types.InvalidAutomationExecutionParametersException
					require.ErrorAs(t, err, &pe)
					require.ErrorContains(t, err, tt.wantErr)
					return
				}
				require.NoError(t, err)
				got := h.wait(id)
				require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				if tt.check != nil {
					tt.check(t, got.Parameters)
				}
			})
		})
	}
}

// TestUncheckablePatternRefusesStart: the endpoint stands in for the
// service, so a Java-only allowedPattern it cannot evaluate refuses the
// start rather than letting a value through (runbook.ErrUncheckablePattern).
func TestUncheckablePatternRefusesStart(t *testing.T) {
	doc := mustParse(t, `
schemaVersion: '0.3'
parameters:
  Env: {type: String, default: dev, allowedPattern: '^(?!prod$).*$'}
mainSteps:
- name: s
  action: aws:sleep
  inputs: {Duration: PT1S}
`)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		_, err := h.startErr(doc, map[string][]string{"Env": {"prod"}})
		var pe *types.InvalidAutomationExecutionParametersException
		require.ErrorAs(t, err, &pe)
		require.ErrorContains(t, err, `parameter "Env": allowedPattern "^(?!prod$).*$" cannot be checked here`)
	})
}

func TestReferencesAndOutputs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		i := h.cloud.addInstance("running")
		doc := mustParse(t, `
schemaVersion: '0.3'
parameters:
  Id: {type: String}
  Ids: {type: StringList}
variables:
  Note: {type: String, default: start}
mainSteps:
- name: describe
  action: aws:executeAwsApi
  inputs:
    Service: ec2
    Api: DescribeInstances
    InstanceIds: '{{ Ids }}'
  outputs:
  - {Name: State, Selector: '$.Reservations[0].Instances[0].State.Name', Type: String}
  - {Name: Ids, Selector: '$.Reservations[0].Instances[*].InstanceId', Type: StringList}
  - {Name: First, Selector: '$.Reservations[0].Instances[0]', Type: StringMap}
- name: note
  action: aws:updateVariable
  inputs: {Name: 'variable:Note', Value: '{{ describe.State }} in {{ global:REGION }}'}
- name: tag
  action: aws:createTags
  inputs:
    ResourceIds: '{{ describe.Ids }}'
    Tags:
    - {Key: Account, Value: '{{ global:ACCOUNT_ID }}'}
    - {Key: Partition, Value: '{{ global:AWS_PARTITION }}'}
    - {Key: Execution, Value: '{{ automation:EXECUTION_ID }}'}
    - {Key: Date, Value: '{{ global:DATE }}'}
    - {Key: When, Value: '{{ global:DATE_TIME }}'}
    - {Key: Note, Value: '{{ variable:Note }}'}
    - {Key: Param, Value: 'id={{ Id }}'}
outputs: [describe.State, describe.Ids, tag.Missing]
`)
		id := h.start(doc, map[string][]string{"Id": {i}, "Ids": {i}})
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		tags := h.cloud.instances[i].tags
		want := map[string]string{"Account": testAccount, "Partition": "aws", "Execution": id, "Date": "2026-03-01",
			"When": "2026-03-01_09.00.00", "Note": "running in eu-west-1", "Param": "id=" + i}
		for k, v := range want {
			assert.Equal(t, v, tags[k], "tag %s", k)
		}
		assert.Equal(t, "running", got.Outputs["describe.State"][0], "outputs %v", got.Outputs)
		assert.Equal(t, i, got.Outputs["describe.Ids"][0], "outputs %v", got.Outputs)
		assert.Contains(t, got.Outputs["tag.Missing"][0], "No output available")
		assert.Equal(t, "running in eu-west-1", got.Variables["Note"][0], "variables %v", got.Variables)
		s := stepByName(got, "describe")
		assert.NotEmpty(t, s.Outputs["First"][0], "describe step outputs %v", s.Outputs)
		assert.Equal(t, `["`+i+`"]`, s.Inputs["InstanceIds"])
	})
}

func TestStepSemantics(t *testing.T) {
	tests := []struct {
		name       string
		doc        string
		setup      func(h *harness)
		want       types.AutomationExecutionStatus
		wantMsg    string
		wantSteps  map[string]types.AutomationExecutionStatus
		wantDetail string
	}{
		{name: "retries until an attempt succeeds", doc: `
mainSteps:
- name: call
  action: aws:executeAwsApi
  maxAttempts: 3
  inputs: {Service: ec2, Api: DescribeInstances}
`, setup: func(h *harness) { h.cloud.failures["DescribeInstances"] = 2 },
			want: types.AutomationExecutionStatusSuccess, wantSteps: map[string]types.AutomationExecutionStatus{"call": "Success"}},
		{name: "fails after the last attempt", doc: `
mainSteps:
- name: call
  action: aws:executeAwsApi
  maxAttempts: 2
  inputs: {Service: ec2, Api: DescribeInstances}
`, setup: func(h *harness) { h.cloud.failures["DescribeInstances"] = 2 },
			want: types.AutomationExecutionStatusFailed, wantMsg: "injected failure", wantSteps: map[string]types.AutomationExecutionStatus{"call": "Failed"}},
		{name: "timeout per attempt", doc: `
mainSteps:
- name: nap
  action: aws:sleep
  timeoutSeconds: 60
  maxAttempts: 2
  inputs: {Duration: PT1H}
`, want: types.AutomationExecutionStatusTimedout, wantMsg: "timed out after 60 seconds (attempt 2 of 2)",
			wantSteps: map[string]types.AutomationExecutionStatus{"nap": "TimedOut"}},
		{name: "continue makes a failure non-critical", doc: `
mainSteps:
- name: denied
  action: aws:executeAwsApi
  onFailure: Continue
  inputs: {Service: ec2, Api: StopInstances, InstanceIds: [i-1]}
- name: after
  action: aws:sleep
  inputs: {Duration: PT1S}
`, setup: func(h *harness) { h.cloud.deny["StopInstances"] = true },
			want: types.AutomationExecutionStatusSuccess, wantDetail: "Permission",
			wantSteps: map[string]types.AutomationExecutionStatus{"denied": "Failed", "after": "Success"}},
		{name: "critical failure with continue fails the run at its end", doc: `
mainSteps:
- name: denied
  action: aws:executeAwsApi
  onFailure: Continue
  isCritical: true
  inputs: {Service: ec2, Api: StopInstances, InstanceIds: [i-1]}
- name: after
  action: aws:sleep
  inputs: {Duration: PT1S}
`, setup: func(h *harness) { h.cloud.deny["StopInstances"] = true },
			want: types.AutomationExecutionStatusFailed, wantMsg: "Step fails when it is Execute/Cancelling action. Fail to execute step denied: ",
			wantSteps: map[string]types.AutomationExecutionStatus{"denied": "Failed", "after": "Success"}},
		{name: "onFailure goes to a step", doc: `
mainSteps:
- name: denied
  action: aws:executeAwsApi
  onFailure: step:cleanup
  isCritical: false
  inputs: {Service: ec2, Api: StopInstances, InstanceIds: [i-1]}
- name: skipped
  action: aws:sleep
  inputs: {Duration: PT1S}
- name: cleanup
  action: aws:sleep
  inputs: {Duration: PT1S}
`, setup: func(h *harness) { h.cloud.deny["StopInstances"] = true },
			want:      types.AutomationExecutionStatusSuccess,
			wantSteps: map[string]types.AutomationExecutionStatus{"denied": "Failed", "skipped": "Pending", "cleanup": "Success"}},
		{name: "nextStep and isEnd", doc: `
mainSteps:
- name: a
  action: aws:sleep
  nextStep: c
  inputs: {Duration: PT1S}
- name: b
  action: aws:sleep
  inputs: {Duration: PT1S}
- name: c
  action: aws:sleep
  isEnd: true
  inputs: {Duration: PT1S}
- name: d
  action: aws:sleep
  inputs: {Duration: PT1S}
`, want: types.AutomationExecutionStatusSuccess,
			wantSteps: map[string]types.AutomationExecutionStatus{"a": "Success", "b": "Pending", "c": "Success", "d": "Pending"}},
		{name: "an action that is not simulated fails clearly", doc: `
mainSteps:
- name: cmd
  action: aws:runCommand
  inputs: {DocumentName: AWS-RunShellScript, InstanceIds: [i-1]}
`, want: types.AutomationExecutionStatusFailed, wantMsg: "aws:runCommand is not simulated",
			wantSteps: map[string]types.AutomationExecutionStatus{"cmd": "Failed"}},
		{name: "an API the endpoint does not simulate fails clearly", doc: `
mainSteps:
- name: tag
  action: aws:createTags
  inputs: {ResourceType: ManagedInstance, ResourceIds: [mi-1], Tags: [{Key: a, Value: b}]}
`, want: types.AutomationExecutionStatusFailed, wantMsg: "ssm.AddTagsToResource is not simulated",
			wantSteps: map[string]types.AutomationExecutionStatus{"tag": "Failed"}},
		{name: "an unresolved reference fails input validation", doc: `
mainSteps:
- name: s
  action: aws:sleep
  inputs: {Duration: '{{ nothing.Here }}'}
`, want: types.AutomationExecutionStatusFailed, wantMsg: `step "nothing" has not run`, wantDetail: "InputValidation",
			wantSteps: map[string]types.AutomationExecutionStatus{"s": "Failed"}},
		{name: "assert fails on an unexpected value", doc: `
mainSteps:
- name: assert
  action: aws:assertAwsResourceProperty
  inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: '$.Reservations[0].Instances[0].State.Name', DesiredValues: [stopped]}
`, setup: func(h *harness) { h.cloud.addInstance("running") },
			want: types.AutomationExecutionStatusFailed, wantMsg: `not one of the desired values ["stopped"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				if tt.setup != nil {
					tt.setup(h)
				}
				got := h.wait(h.start(mustParse(t, "schemaVersion: '0.3'\n"+tt.doc), nil))
				require.Equal(t, tt.want, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				assert.Contains(t, aws.ToString(got.FailureMessage), tt.wantMsg)
				for name, st := range tt.wantSteps {
					assert.Equal(t, st, stepByName(got, name).StepStatus, "step %s", name)
				}
				if tt.wantDetail != "" {
					found := false
					for _, s := range got.StepExecutions {
						if d := s.FailureDetails; d != nil && (aws.ToString(d.FailureType) == tt.wantDetail || aws.ToString(d.FailureStage) == tt.wantDetail) {
							found = true
						}
					}
					assert.True(t, found, "no step has failure details %s", tt.wantDetail)
				}
			})
		})
	}
}

func TestBranchOperators(t *testing.T) {
	tests := []struct {
		op      string
		v, o    any
		want    bool
		wantErr bool
	}{
		{"StringEquals", "a", "a", true, false},
		{"StringEquals", "a", "b", false, false},
		{"EqualsIgnoreCase", "ABC", "abc", true, false},
		{"StartsWith", "running", "run", true, false},
		{"EndsWith", "running", "ing", true, false},
		{"Contains", "running", "nni", true, false},
		{"Contains", []any{"a", "b"}, "b", true, false},
		{"Contains", []any{"a", "b"}, "c", false, false},
		{"NumericEquals", "3", 3, true, false},
		{"NumericGreater", 4, 3, true, false},
		{"NumericLesser", 2, 3, true, false},
		{"NumericGreaterOrEquals", 3, 3, true, false},
		{"NumericLesserOrEquals", 4, 3, false, false},
		{"NumericEquals", "x", 3, false, true},
		{"BooleanEquals", "true", true, true, false},
		{"BooleanEquals", false, true, false, false},
		{"BooleanEquals", "maybe", true, false, true},
		// Each operator must also be able to say no.
		{"EqualsIgnoreCase", "ABC", "abd", false, false},
		{"StartsWith", "running", "ing", false, false},
		{"EndsWith", "running", "run", false, false},
		{"Contains", "running", "xyz", false, false},
		{"NumericEquals", 3, 4, false, false},
		{"NumericGreater", 3, 3, false, false},
		{"NumericLesser", 3, 3, false, false},
		{"NumericGreaterOrEquals", 2, 3, false, false},
		{"NumericLesserOrEquals", 3, 3, true, false},
		{"NumericGreater", "x", 3, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			got, err := compare(runbookOp(tt.op), tt.v, tt.o)
			if tt.wantErr {
				require.Error(t, err, "compare(%s, %v, %v)", tt.op, tt.v, tt.o)
			} else {
				require.NoError(t, err, "compare(%s, %v, %v)", tt.op, tt.v, tt.o)
			}
			require.Equal(t, tt.want, got, "compare(%s, %v, %v)", tt.op, tt.v, tt.o)
		})
	}
}

func TestBranchAndOrNotDefault(t *testing.T) {
	doc := `
schemaVersion: '0.3'
parameters:
  Env: {type: String}
  Size: {type: Integer}
mainSteps:
- name: choose
  action: aws:branch
  inputs:
    Choices:
    - NextStep: big
      And:
      - {Variable: '{{ Env }}', StringEquals: prod}
      - Not: {Variable: '{{ Size }}', NumericLesser: 10}
    - NextStep: small
      Or:
      - {Variable: '{{ Env }}', StringEquals: dev}
      - {Variable: '{{ Env }}', StringEquals: test}
    Default: other
- name: big
  action: aws:sleep
  isEnd: true
  inputs: {Duration: PT1S}
- name: small
  action: aws:sleep
  isEnd: true
  inputs: {Duration: PT1S}
- name: other
  action: aws:sleep
  inputs: {Duration: PT1S}
`
	tests := []struct {
		env, size, want string
	}{
		{"prod", "20", "big"},
		{"prod", "5", "other"},
		{"test", "5", "small"},
		{"qa", "50", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.env+tt.size, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				got := h.wait(h.start(mustParse(t, doc), map[string][]string{"Env": {tt.env}, "Size": {tt.size}}))
				require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				for _, s := range []string{"big", "small", "other"} {
					ran := stepByName(got, s).StepStatus == types.AutomationExecutionStatusSuccess
					assert.Equal(t, s == tt.want, ran, "step %s ran", s)
				}
			})
		})
	}
}

func TestBranchWithoutMatchOrDefaultGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: choose
  action: aws:branch
  inputs:
    Choices:
    - {NextStep: skipped, Variable: a, StringEquals: b}
- name: next
  action: aws:sleep
  isEnd: true
  inputs: {Duration: PT1S}
- name: skipped
  action: aws:sleep
  inputs: {Duration: PT1S}
`), nil))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		assert.Equal(t, types.AutomationExecutionStatusSuccess, stepByName(got, "choose").StepStatus)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, stepByName(got, "next").StepStatus)
		assert.Equal(t, types.AutomationExecutionStatusPending, stepByName(got, "skipped").StepStatus)
	})
}

func TestSleepTimestamp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: s
  action: aws:sleep
  inputs: {Timestamp: '2026-03-01T11:30:00Z'}
`), nil))
		require.Equal(t, 150*time.Minute, got.ExecutionEndTime.Sub(epoch), "slept")
	})
}

func TestPauseAndResume(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: hold
  action: aws:pause
  inputs: {}
- name: after
  action: aws:sleep
  inputs: {Duration: PT1M}
`), nil)
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		// The step waiting for the signal shows Waiting too, as on AWS.
		assert.Equal(t, types.AutomationExecutionStatusWaiting, stepByName(h.get(id), "hold").StepStatus)
		var se *types.InvalidAutomationSignalException
		require.ErrorAs(t, h.e.Signal(id, types.SignalTypeApprove, nil, operatorARN), &se, "approve of a pause")
		require.NoError(t, h.e.Signal(id, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}, operatorARN))
		require.Equal(t, types.AutomationExecutionStatusSuccess, h.wait(id).AutomationExecutionStatus)
		require.ErrorAs(t, h.e.Signal(id, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}, operatorARN), &se, "signal to a finished execution")
	})
}

const approveDoc = `
schemaVersion: '0.3'
mainSteps:
- name: approve
  action: aws:approve
  timeoutSeconds: 3600
  inputs:
    MinRequiredApprovals: 2
    NotificationArn: arn:aws:sns:eu-west-1:111122223333:AutomationApprovals
    Approvers: [arn:aws:iam::111122223333:user/alice, bob, arn:aws:iam::111122223333:role/Approvers]
- name: after
  action: aws:sleep
  inputs: {Duration: PT1S}
`

func TestApprove(t *testing.T) {
	alice := "arn:aws:iam::111122223333:user/alice"
	bob := "arn:aws:iam::111122223333:user/bob"
	roleSession := "arn:aws:sts::111122223333:assumed-role/Approvers/carol"
	tests := []struct {
		name    string
		signals []struct {
			typ types.SignalType
			by  string
			ok  bool
		}
		want types.AutomationExecutionStatus
	}{
		{name: "two approvals", signals: []struct {
			typ types.SignalType
			by  string
			ok  bool
		}{{types.SignalTypeApprove, alice, true}, {types.SignalTypeApprove, "arn:aws:iam::111122223333:user/mallory", false}, {types.SignalTypeApprove, roleSession, true}},
			want: types.AutomationExecutionStatusSuccess},
		{name: "the same approver twice counts once", signals: []struct {
			typ types.SignalType
			by  string
			ok  bool
		}{{types.SignalTypeApprove, bob, true}, {types.SignalTypeApprove, bob, true}},
			want: types.AutomationExecutionStatusWaiting},
		{name: "a rejection ends the run", signals: []struct {
			typ types.SignalType
			by  string
			ok  bool
		}{{types.SignalTypeApprove, alice, true}, {types.SignalTypeReject, bob, true}},
			want: types.AutomationExecutionStatusRejected},
		{name: "nobody decides in time", want: types.AutomationExecutionStatusTimedout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				id := h.start(mustParse(t, approveDoc), nil)
				h.waitStatus(id, types.AutomationExecutionStatusWaiting)
				for _, s := range tt.signals {
					err := h.e.Signal(id, s.typ, map[string][]string{"Comment": {"ok"}}, s.by)
					var se *types.InvalidAutomationSignalException
					if s.ok {
						require.NoError(t, err, "signal by %s", s.by)
					} else {
						require.ErrorAs(t, err, &se, "signal by %s", s.by)
					}
					synctest.Wait()
				}
				if tt.want == types.AutomationExecutionStatusWaiting {
					require.Equal(t, tt.want, h.status(id))
					assert.Equal(t, types.AutomationExecutionStatusWaiting, stepByName(h.get(id), "approve").StepStatus)
					return
				}
				got := h.wait(id)
				require.Equal(t, tt.want, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				if tt.want == types.AutomationExecutionStatusSuccess {
					s := stepByName(got, "approve")
					assert.Equal(t, "Approved", s.Outputs["ApprovalStatus"][0], "outputs %v", s.Outputs)
					assert.Len(t, s.Outputs["ApproverDecisions"], 2, "outputs %v", s.Outputs)
					assert.Contains(t, aws.ToString(s.Response), "not sent")
					assert.Equal(t, 1, h.cloud.callsTo("Publish"), "Publish calls")
				}
			})
		})
	}
}

func TestInteractive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: one
  action: aws:sleep
  inputs: {Duration: PT1M}
- name: two
  action: aws:sleep
  inputs: {Duration: PT1H}
`), nil, func(in *StartInput) { in.Mode = types.ExecutionModeInteractive })
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		var nf *types.AutomationStepNotFoundException
		require.ErrorAs(t, h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"three"}}, operatorARN), &nf, "unknown step")
		require.NoError(t, h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"one"}}, operatorARN))
		h.until(func() bool { return stepByName(h.get(id), "one").StepStatus == types.AutomationExecutionStatusSuccess })
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		assert.Equal(t, []string{"two"}, stepByName(h.get(id), "one").ValidNextSteps, "valid next steps")
		require.NoError(t, h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"two"}}, operatorARN))
		h.until(func() bool {
			return stepByName(h.get(id), "two").StepStatus == types.AutomationExecutionStatusInprogress
		})
		require.NoError(t, h.e.Signal(id, types.SignalTypeStopStep, nil, operatorARN))
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		require.Equal(t, types.AutomationExecutionStatusCancelled, stepByName(h.get(id), "two").StepStatus, "stopped step")
		require.NoError(t, h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"two"}}, operatorARN))
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
	})
}

func TestStop(t *testing.T) {
	doc := `
schemaVersion: '0.3'
mainSteps:
- name: long
  action: aws:sleep
  onCancel: step:cleanup
  inputs: {Duration: PT6H}
- name: never
  action: aws:sleep
  inputs: {Duration: PT1S}
- name: cleanup
  action: aws:sleep
  inputs: {Duration: PT30S}
`
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, doc), nil)
		h.until(func() bool { return h.status(id) == types.AutomationExecutionStatusInprogress })
		require.NoError(t, h.e.Stop(id, types.StopTypeCancel))
		require.Contains(t, []types.AutomationExecutionStatus{types.AutomationExecutionStatusCancelling, types.AutomationExecutionStatusCancelled}, h.status(id), "after Stop")
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusCancelled, got.AutomationExecutionStatus)
		want := map[string]types.AutomationExecutionStatus{"long": "Cancelled", "never": "Pending", "cleanup": "Success"}
		for n, st := range want {
			assert.Equal(t, st, stepByName(got, n).StepStatus, "step %s", n)
		}
		var bad *types.InvalidAutomationStatusUpdateException
		assert.ErrorAs(t, h.e.Stop(id, types.StopTypeCancel), &bad, "second stop")
		var nf *types.AutomationExecutionNotFoundException
		assert.ErrorAs(t, h.e.Stop("nope", types.StopTypeCancel), &nf, "unknown id")
	})
}

func TestCallerSessionExpires(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		caller := Principal{ARN: operatorARN, Expires: epoch.Add(12 * time.Hour)}
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: first
  action: aws:sleep
  inputs: {Duration: PT8H}
- name: second
  action: aws:sleep
  inputs: {Duration: PT8H}
`), nil, func(in *StartInput) { in.Principal = caller }))
		require.Equal(t, types.AutomationExecutionStatusFailed, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		require.Contains(t, aws.ToString(got.FailureMessage), "caller's session, which expired")
		assert.Equal(t, 12*time.Hour, got.ExecutionEndTime.Sub(epoch), "failed after")
	})
}

func TestRunInstancesAndTags(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: launch
  action: aws:runInstances
  inputs:
    ImageId: ami-12345678
    InstanceType: t3.micro
    MinInstanceCount: 2
    MaxInstanceCount: 2
    TagSpecifications:
    - ResourceType: instance
      Tags: [{Key: Name, Value: demo}]
- name: tag
  action: aws:createTags
  inputs:
    ResourceIds: '{{ launch.InstanceIds }}'
    Tags: [{Key: Owner, Value: ops}]
outputs: [launch.InstanceIds]
`), nil))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		ids := got.Outputs["launch.InstanceIds"]
		require.Len(t, ids, 2, "outputs %v", got.Outputs)
		for _, i := range ids {
			in := h.cloud.instances[i]
			assert.Equal(t, "running", h.cloud.state(i), i)
			assert.Equal(t, "demo", in.tags["Name"], "%s tags %v", i, in.tags)
			assert.Equal(t, "ops", in.tags["Owner"], "%s tags %v", i, in.tags)
		}
	})
}

func TestWaitForProperty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		i := h.cloud.addInstance("running")
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
parameters:
  Id: {type: String}
mainSteps:
- name: stop
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: StopInstances, InstanceIds: ['{{ Id }}']}
- name: wait
  action: aws:waitForAwsResourceProperty
  inputs:
    Service: ec2
    Api: DescribeInstances
    InstanceIds: ['{{ Id }}']
    PropertySelector: '$.Reservations[0].Instances[0].State.Name'
    DesiredValues: [stopped]
`), map[string][]string{"Id": {i}}))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		assert.Equal(t, 3, h.cloud.callsTo("DescribeInstances"), "polls")
	})
}

func TestExecuteAutomation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		i := h.cloud.addInstance("running")
		child, _ := restartDoc().JSON()
		h.cloud.docs["Child-Restart"] = child
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
parameters:
  Id: {type: String}
mainSteps:
- name: child
  action: aws:executeAutomation
  inputs:
    DocumentName: Child-Restart
    RuntimeParameters: {InstanceId: ['{{ Id }}']}
outputs: [child.Status, child.ExecutionId]
`), map[string][]string{"Id": {i}}))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		cid := got.Outputs["child.ExecutionId"][0]
		c := h.get(cid)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, c.AutomationExecutionStatus, "child")
		assert.Equal(t, aws.ToString(got.AutomationExecutionId), aws.ToString(c.ParentAutomationExecutionId), "child's parent")
		assert.Equal(t, "Success", got.Outputs["child.Status"][0], "outputs %v", got.Outputs)
	})
}

func TestLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b, c := h.cloud.addInstance("running"), h.cloud.addInstance("running"), h.cloud.addInstance("running")
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
parameters:
  Ids: {type: StringList}
variables:
  Count: {type: Integer, default: 0}
mainSteps:
- name: each
  action: aws:loop
  inputs:
    Iterators: '{{ Ids }}'
    Steps:
    - name: stopOne
      action: aws:changeInstanceState
      inputs: {InstanceIds: ['{{ each.CurrentIteratorValue }}'], DesiredState: stopped}
- name: count
  action: aws:loop
  inputs:
    MaxIterations: 10
    LoopCondition: {Variable: '{{ variable:Count }}', NumericLesser: 4}
    Steps:
    - name: bump
      action: aws:updateVariable
      inputs: {Name: 'variable:Count', Value: '{{ count.CurrentIteration }}'}
`), map[string][]string{"Ids": {a, b, c}}))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		for _, i := range []string{a, b, c} {
			assert.Equal(t, "stopped", h.cloud.state(i), i)
		}
		assert.Equal(t, "4", got.Variables["Count"][0], "variables %v", got.Variables)
		all, _, err := h.e.Steps(aws.ToString(got.AutomationExecutionId), []types.StepExecutionFilter{{Key: types.StepExecutionFilterKeyStepName, Values: []string{"stopOne"}}}, false, 0, "")
		require.NoError(t, err)
		require.Len(t, all, 3, "stopOne steps")
		if p := all[1].ParentStepDetails; assert.NotNil(t, p, "parent details") {
			assert.Equal(t, int32(2), aws.ToInt32(p.Iteration))
			assert.Equal(t, b, aws.ToString(p.IteratorValue))
			assert.Equal(t, "each", aws.ToString(p.StepName))
		}
	})
}

func TestRateControl(t *testing.T) {
	doc := `
schemaVersion: '0.3'
parameters:
  Id: {type: String}
  Fail: {type: String, default: 'no'}
mainSteps:
- name: choose
  action: aws:branch
  inputs:
    Choices:
    - {NextStep: boom, Variable: '{{ Id }}', StartsWith: bad}
    Default: nap
- name: nap
  action: aws:sleep
  isEnd: true
  inputs: {Duration: PT10M}
- name: boom
  action: aws:runCommand
  inputs: {DocumentName: X, InstanceIds: [i-1]}
`
	tests := []struct {
		name        string
		values      []string
		conc, errs  string
		want        types.AutomationExecutionStatus
		wantStarted int
		wantElapsed time.Duration
	}{
		{name: "all succeed two at a time", values: []string{"a", "b", "c", "d", "e"}, conc: "2",
			want: types.AutomationExecutionStatusSuccess, wantStarted: 5, wantElapsed: 30 * time.Minute},
		{name: "percentages", values: []string{"a", "b", "c", "d"}, conc: "50%", errs: "25%",
			want: types.AutomationExecutionStatusSuccess, wantStarted: 4, wantElapsed: 30 * time.Minute},
		// One target, then two, then four, then the last one: four rounds.
		{name: "concurrency ramps up", values: []string{"a", "b", "c", "d", "e", "f", "g", "h"}, conc: "10",
			want: types.AutomationExecutionStatusSuccess, wantStarted: 8, wantElapsed: 40 * time.Minute},
		{name: "failures within MaxErrors", values: []string{"bad1", "a", "b"}, conc: "1", errs: "1",
			want: types.AutomationExecutionStatusCompletedWithFailure, wantStarted: 3, wantElapsed: 20 * time.Minute},
		{name: "MaxErrors exceeded stops new starts", values: []string{"bad1", "bad2", "a", "b"}, conc: "1", errs: "1",
			want: types.AutomationExecutionStatusFailed, wantStarted: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				id := h.start(mustParse(t, doc), nil, func(in *StartInput) {
					in.TargetParameterName = "Id"
					in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: tt.values}}
					in.MaxConcurrency, in.MaxErrors = tt.conc, tt.errs
				})
				got := h.wait(id)
				require.Equal(t, tt.want, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				kids, _, err := h.e.Describe([]types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}, 0, "")
				require.NoError(t, err)
				require.Len(t, kids, tt.wantStarted, "children")
				for _, k := range kids {
					assert.NotNil(t, k.Target, "child target")
					assert.Equal(t, operatorARN, aws.ToString(k.ExecutedBy), "child executedBy")
				}
				if tt.wantElapsed > 0 {
					assert.Equal(t, tt.wantElapsed, got.ExecutionEndTime.Sub(*got.ExecutionStartTime), "elapsed")
				}
				if assert.NotNil(t, got.ResolvedTargets, "resolved targets") {
					assert.Len(t, got.ResolvedTargets.ParameterValues, len(tt.values), "resolved targets %+v", got.ResolvedTargets)
				}
			})
		})
	}
}

func TestRateControlTagTargets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.cloud.addInstance("running"), h.cloud.addInstance("running")
		h.cloud.addInstance("running")
		h.cloud.instances[a].tags["Env"] = "prod"
		h.cloud.instances[b].tags["Env"] = "prod"
		id := h.start(restartDoc(), nil, func(in *StartInput) {
			in.TargetParameterName = "InstanceId"
			in.Targets = []types.Target{{Key: aws.String("tag:Env"), Values: []string{"prod"}}}
		})
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		require.Len(t, got.ResolvedTargets.ParameterValues, 2, "resolved targets %v", got.ResolvedTargets)
		assert.Equal(t, 2, h.cloud.callsTo("StopInstances"), "StopInstances calls")
	})
}

func TestRateControlRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		in   func(*StartInput)
	}{
		{"no target parameter", func(in *StartInput) {
			in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{"a"}}}
		}},
		{"unknown target parameter", func(in *StartInput) {
			in.TargetParameterName = "Nope"
			in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{"a"}}}
		}},
		{"bad concurrency", func(in *StartInput) {
			in.TargetParameterName = "InstanceId"
			in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{"a"}}}
			in.MaxConcurrency = "0"
		}},
		{"bad errors", func(in *StartInput) {
			in.TargetParameterName = "InstanceId"
			in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{"a"}}}
			in.MaxErrors = "x%"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				_, err := h.startErr(restartDoc(), nil, tt.in)
				require.Error(t, err, "start succeeded")
			})
		})
	}
}

func TestClientTokenIsIdempotent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		i := h.cloud.addInstance("running")
		tok := func(in *StartInput) { in.ClientToken = "tok-1" }
		a := h.start(restartDoc(), map[string][]string{"InstanceId": {i}}, tok)
		b := h.start(restartDoc(), map[string][]string{"InstanceId": {i}}, tok)
		require.Equal(t, a, b, "two executions")
		_, err := h.startErr(restartDoc(), map[string][]string{"InstanceId": {i}}, tok, func(in *StartInput) { in.DocumentName = "Other" })
		var mm *types.IdempotentParameterMismatch
		require.ErrorAs(t, err, &mm, "mismatch")
		h.wait(a)
	})
}

func TestDescribeFiltersAndPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1H}}\n")
		var ids []string
		for n := range 7 {
			name := "Alpha-Doc"
			if n%2 == 1 {
				name = "Beta-Doc"
			}
			ids = append(ids, h.start(doc, nil, func(in *StartInput) {
				in.DocumentName = name
				in.Tags = []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}
			}))
			h.clk.Advance(time.Minute)
		}
		synctest.Wait()
		require.NoError(t, h.e.Stop(ids[0], types.StopTypeCancel))
		synctest.Wait()
		var got []string
		token := ""
		for {
			page, next, err := h.e.Describe(nil, 3, token)
			require.NoError(t, err)
			for _, m := range page {
				got = append(got, aws.ToString(m.AutomationExecutionId))
			}
			if next == "" {
				break
			}
			token = next
		}
		require.Len(t, got, 7, "pages gave %v", got)
		require.Equal(t, ids[6], got[0], "pages gave %v", got)
		require.Equal(t, ids[0], got[6], "pages gave %v", got)
		f := func(k types.AutomationExecutionFilterKey, v ...string) []types.AutomationExecutionFilter {
			return []types.AutomationExecutionFilter{{Key: k, Values: v}}
		}
		count := map[string]struct {
			filters []types.AutomationExecutionFilter
			want    int
		}{
			"prefix":       {f(types.AutomationExecutionFilterKeyDocumentNamePrefix, "Beta"), 3},
			"status":       {f(types.AutomationExecutionFilterKeyExecutionStatus, "Cancelled"), 1},
			"ids":          {f(types.AutomationExecutionFilterKeyExecutionId, ids[1], ids[2]), 2},
			"action":       {f(types.AutomationExecutionFilterKeyCurrentAction, "aws:sleep"), 7},
			"before":       {f(types.AutomationExecutionFilterKeyStartTimeBefore, epoch.Add(150*time.Second).Format(time.RFC3339)), 3},
			"after":        {f(types.AutomationExecutionFilterKeyStartTimeAfter, epoch.Add(150*time.Second).Format(time.RFC3339)), 4},
			"tag":          {f(types.AutomationExecutionFilterKeyTagKey, "team"), 7},
			"type":         {f(types.AutomationExecutionFilterKeyAutomationType, "Local"), 7},
			"cross":        {f(types.AutomationExecutionFilterKeyAutomationType, "CrossAccount"), 0},
			"opsitem":      {f(types.AutomationExecutionFilterKeyOpsItemId, "oi-1"), 0},
			"group":        {f(types.AutomationExecutionFilterKeyTargetResourceGroup, "g"), 0},
			"subtype":      {f(types.AutomationExecutionFilterKeyAutomationSubtype, "ChangeRequest"), 0},
			"parent":       {f(types.AutomationExecutionFilterKeyParentExecutionId, "x"), 0},
			"both filters": {append(f(types.AutomationExecutionFilterKeyDocumentNamePrefix, "Alpha"), f(types.AutomationExecutionFilterKeyExecutionStatus, "InProgress")...), 3},
		}
		for name, c := range count {
			got, _, err := h.e.Describe(c.filters, 0, "")
			assert.NoError(t, err, name)
			assert.Len(t, got, c.want, name)
		}
		var fk *types.InvalidFilterKey
		_, _, err := h.e.Describe(f("Nope", "x"), 0, "")
		assert.ErrorAs(t, err, &fk, "bad key")
		var fv *types.InvalidFilterValue
		_, _, err = h.e.Describe(f(types.AutomationExecutionFilterKeyStartTimeBefore, "yesterday"), 0, "")
		assert.ErrorAs(t, err, &fv, "bad time")
		_, _, err = h.e.Describe(f(types.AutomationExecutionFilterKeyExecutionId, make([]string, 11)...), 0, "")
		assert.ErrorAs(t, err, &fv, "11 values")
		var nt *types.InvalidNextToken
		_, _, err = h.e.Describe(nil, 0, "garbage!")
		assert.ErrorAs(t, err, &nt, "bad token")
		for _, id := range ids[1:] {
			_ = h.e.Stop(id, types.StopTypeCancel)
		}
		synctest.Wait()
	})
}

func TestStepsListing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		var b strings.Builder
		b.WriteString("schemaVersion: '0.3'\nmainSteps:\n")
		for n := range 120 {
			b.WriteString("- {name: s" + itoa(n) + ", action: 'aws:sleep', inputs: {Duration: PT1S}}\n")
		}
		id := h.start(mustParse(t, b.String()), nil)
		got := h.wait(id)
		require.True(t, got.StepExecutionsTruncated, "truncated")
		require.Len(t, got.StepExecutions, maxStepsInGet)
		var all []types.StepExecution
		token := ""
		for {
			page, next, err := h.e.Steps(id, nil, true, 50, token)
			require.NoError(t, err)
			all = append(all, page...)
			if next == "" {
				break
			}
			token = next
		}
		require.Len(t, all, 120)
		require.Equal(t, "s119", aws.ToString(all[0].StepName), "first step")
		one, _, err := h.e.Steps(id, []types.StepExecutionFilter{
			{Key: types.StepExecutionFilterKeyStepExecutionStatus, Values: []string{"Success"}},
			{Key: types.StepExecutionFilterKeyAction, Values: []string{"aws:sleep"}},
			{Key: types.StepExecutionFilterKeyStartTimeAfter, Values: []string{epoch.Add(118 * time.Second).Format(time.RFC3339)}},
		}, false, 0, "")
		require.NoError(t, err)
		require.Len(t, one, 2, "filtered steps")
		var fk *types.InvalidFilterKey
		_, _, err = h.e.Steps(id, []types.StepExecutionFilter{{Key: "Nope", Values: []string{"x"}}}, false, 0, "")
		assert.ErrorAs(t, err, &fk, "bad key")
		var nf *types.AutomationExecutionNotFoundException
		_, _, err = h.e.Steps("nope", nil, false, 0, "")
		assert.ErrorAs(t, err, &nf, "unknown id")
	})
}

func TestSnapshotRestoreResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newHarness(t).clk // a clock shared by both engines
		cloud := newFakeCloud(clk)
		i := cloud.addInstance("running")
		e1, err := New(Options{Clock: clk, Invoker: cloud, Account: testAccount, Region: "eu-west-1"})
		require.NoError(t, err)
		cloud.engine = e1
		doc := mustParse(t, `
schemaVersion: '0.3'
parameters:
  Ids: {type: StringList}
mainSteps:
- name: stop
  action: aws:changeInstanceState
  inputs: {InstanceIds: '{{ Ids }}', DesiredState: stopped}
  outputs: []
- name: nap
  action: aws:sleep
  inputs: {Duration: PT2H}
- name: start
  action: aws:changeInstanceState
  inputs: {InstanceIds: '{{ Ids }}', DesiredState: running}
`)
		content, _ := doc.JSON()
		id, err := e1.Start(context.Background(), StartInput{DocumentName: "Resume", Content: content, Parameters: map[string][]string{"Ids": {i}}, Principal: rolePrincipal})
		require.NoError(t, err)
		h1 := &harness{t: t, clk: clk, cloud: cloud, e: e1}
		h1.until(func() bool {
			return stepByName(h1.get(id), "nap").StepStatus == types.AutomationExecutionStatusInprogress
		})
		clk.Advance(time.Hour)
		synctest.Wait()
		require.NoError(t, e1.Close())
		state, err := e1.Snapshot()
		require.NoError(t, err)
		e2, err := New(Options{Clock: clk, Invoker: cloud, Account: testAccount, Region: "eu-west-1", State: state})
		require.NoError(t, err)
		defer e2.Close()
		cloud.engine = e2
		h2 := &harness{t: t, clk: clk, cloud: cloud, e: e2}
		got := h2.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		require.Equal(t, "running", cloud.state(i))
		assert.Equal(t, 1, cloud.callsTo("StopInstances"), "the restored run repeated a finished step")
		// The sleep resumed after the restore and ended on time: stop
		// 10 s, sleep 2 h, start 10 s.
		assert.Equal(t, 2*time.Hour+20*time.Second, got.ExecutionEndTime.Sub(epoch), "elapsed")
	})
}

func TestNewRejectsBadState(t *testing.T) {
	for _, s := range []string{"{", `{"version":2}`, `{"version":1,"executions":[{"record":{}}]}`} {
		_, err := New(Options{Invoker: newFakeCloud(nil), State: []byte(s)})
		assert.Error(t, err, "state %s accepted", s)
	}
	_, err := New(Options{})
	assert.Error(t, err, "an engine without invoker")
}

func TestFinishedExecutionsReleaseTheirRuntime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		i := h.cloud.addInstance("running")
		id := h.start(restartDoc(), map[string][]string{"InstanceId": {i}})
		h.wait(id)
		x, _ := h.e.lookup(id)
		x.mu.Lock()
		defer x.mu.Unlock()
		require.Nil(t, x.st, "a finished execution keeps its state")
		require.Nil(t, x.rt, "a finished execution keeps its runtime")
		require.Nil(t, x.rec.Content, "a finished execution keeps its document")
	})
}

func TestCloseStopsRunningExecutions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:pause', inputs: {}}\n"), nil)
		synctest.Wait()
		require.NoError(t, h.e.Close())
		require.Equal(t, types.AutomationExecutionStatusWaiting, h.status(id), "status after close")
		_, err := h.startErr(restartDoc(), nil)
		require.Error(t, err, "start after close")
	})
}

func TestManyConcurrentExecutions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		const n = 1000
		ids := make([]string, n)
		insts := make([]string, n)
		for k := range n {
			insts[k] = h.cloud.addInstance("running")
			ids[k] = h.start(restartDoc(), map[string][]string{"InstanceId": {insts[k]}})
		}
		h.until(func() bool {
			done, _, _ := h.e.Describe([]types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyExecutionStatus, Values: []string{"Success"}}}, 0, "")
			if len(done) < 50 {
				return false
			}
			for _, id := range ids {
				if h.status(id) != types.AutomationExecutionStatusSuccess {
					return false
				}
			}
			return true
		})
		for _, i := range insts {
			require.Equal(t, "running", h.cloud.state(i), i)
		}
		require.Equal(t, n, h.cloud.callsTo("StopInstances"), "stops")
	})
}

func FuzzParameters(f *testing.F) {
	f.Add("Integer", "12")
	f.Add("Boolean", "true")
	f.Add("StringMap", `{"a":"b"}`)
	f.Add("MapList", `[{"a":"b"}]`)
	f.Add("StringList", "x")
	f.Fuzz(func(t *testing.T, typ, val string) {
		doc := mustParse(t, "schemaVersion: '0.3'\nparameters:\n  P: {type: String}\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1S}}\n")
		p := doc.Parameters[0]
		p.Type = runbookType(typ)
		v, err := convertParameter(p, []string{val})
		if err == nil {
			_ = checkParameter(p, v)
			_ = textList(v)
		}
	})
}
