package engine

import (
	"context"
	"errors"
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatalf("status %s: %s", got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		}
		for _, i := range []string{a, b} {
			if s := h.cloud.state(i); s != "running" {
				t.Errorf("%s is %s", i, s)
			}
		}
		if h.cloud.callsTo("StopInstances") != 1 || h.cloud.callsTo("StartInstances") != 1 {
			t.Errorf("calls: stop %d, start %d", h.cloud.callsTo("StopInstances"), h.cloud.callsTo("StartInstances"))
		}
		for _, c := range h.cloud.calls {
			if c.Principal != rolePrincipal || c.ExecutionID != id || c.StepName == "" {
				t.Errorf("call %s made as %+v from %q/%q", c.API, c.Principal, c.ExecutionID, c.StepName)
			}
		}
		if aws.ToString(got.ExecutedBy) != operatorARN || got.Mode != types.ExecutionModeAuto {
			t.Errorf("executedBy %q mode %s", aws.ToString(got.ExecutedBy), got.Mode)
		}
		if len(got.StepExecutions) != 2 || got.ProgressCounters.SuccessSteps != 2 || got.ProgressCounters.TotalSteps != 2 {
			t.Fatalf("steps %d, counters %+v", len(got.StepExecutions), got.ProgressCounters)
		}
		stop := got.StepExecutions[0]
		if stop.Inputs["InstanceIds"] != `["`+a+`","`+b+`"]` || stop.Inputs["DesiredState"] != `"stopped"` {
			t.Errorf("inputs %v", stop.Inputs)
		}
		// Stopping takes the fake's 10 s transition, polled every 5 s.
		if d := stop.ExecutionEndTime.Sub(*stop.ExecutionStartTime); d != 10*time.Second {
			t.Errorf("stop step took %v", d)
		}
		if d := got.ExecutionEndTime.Sub(*got.ExecutionStartTime); d != 20*time.Second {
			t.Errorf("execution took %v", d)
		}
		if got.Parameters["InstanceId"][1] != b {
			t.Errorf("parameters %v", got.Parameters)
		}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(aws.ToString(got.FailureMessage))
		}
		if h.cloud.callsTo("StartInstances") != 0 || h.cloud.callsTo("TerminateInstances") != 1 || h.cloud.state(i) != "terminated" {
			t.Errorf("start %d terminate %d state %s", h.cloud.callsTo("StartInstances"), h.cloud.callsTo("TerminateInstances"), h.cloud.state(i))
		}
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
			if p["Count"][0] != "3" || p["Flag"][0] != "false" || p["Size"][0] != "small" {
				t.Errorf("defaults %v", p)
			}
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
					if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want InvalidAutomationExecutionParametersException with %q", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				got := h.wait(id)
				if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
					t.Fatal(aws.ToString(got.FailureMessage))
				}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(aws.ToString(got.FailureMessage))
		}
		tags := h.cloud.instances[i].tags
		want := map[string]string{"Account": testAccount, "Partition": "aws", "Execution": id, "Date": "2026-03-01",
			"When": "2026-03-01_09.00.00", "Note": "running in eu-west-1", "Param": "id=" + i}
		for k, v := range want {
			if tags[k] != v {
				t.Errorf("tag %s = %q, want %q", k, tags[k], v)
			}
		}
		if got.Outputs["describe.State"][0] != "running" || got.Outputs["describe.Ids"][0] != i {
			t.Errorf("outputs %v", got.Outputs)
		}
		if !strings.Contains(got.Outputs["tag.Missing"][0], "No output available") {
			t.Errorf("missing output reported as %v", got.Outputs["tag.Missing"])
		}
		if got.Variables["Note"][0] != "running in eu-west-1" {
			t.Errorf("variables %v", got.Variables)
		}
		if s := stepByName(got, "describe"); s.Outputs["First"][0] == "" || s.Inputs["InstanceIds"] != `["`+i+`"]` {
			t.Errorf("describe step outputs %v inputs %v", s.Outputs, s.Inputs)
		}
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
				if got.AutomationExecutionStatus != tt.want {
					t.Fatalf("status %s, want %s (%s)", got.AutomationExecutionStatus, tt.want, aws.ToString(got.FailureMessage))
				}
				if !strings.Contains(aws.ToString(got.FailureMessage), tt.wantMsg) {
					t.Errorf("failure message %q, want %q", aws.ToString(got.FailureMessage), tt.wantMsg)
				}
				for name, st := range tt.wantSteps {
					if s := stepByName(got, name); s.StepStatus != st {
						t.Errorf("step %s is %s, want %s", name, s.StepStatus, st)
					}
				}
				if tt.wantDetail != "" {
					found := false
					for _, s := range got.StepExecutions {
						if d := s.FailureDetails; d != nil && (aws.ToString(d.FailureType) == tt.wantDetail || aws.ToString(d.FailureStage) == tt.wantDetail) {
							found = true
						}
					}
					if !found {
						t.Errorf("no step has failure details %s", tt.wantDetail)
					}
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
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("compare(%s, %v, %v) = %v, %v", tt.op, tt.v, tt.o, got, err)
			}
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
				if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
					t.Fatal(aws.ToString(got.FailureMessage))
				}
				for _, s := range []string{"big", "small", "other"} {
					ran := stepByName(got, s).StepStatus == types.AutomationExecutionStatusSuccess
					if ran != (s == tt.want) {
						t.Errorf("step %s ran = %v", s, ran)
					}
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
		if d := got.ExecutionEndTime.Sub(epoch); d != 150*time.Minute {
			t.Fatalf("slept %v", d)
		}
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
		if err := h.e.Signal(id, types.SignalTypeApprove, nil, operatorARN); !errors.As(err, &se) {
			t.Fatalf("approve of a pause: %v", err)
		}
		if err := h.e.Signal(id, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}, operatorARN); err != nil {
			t.Fatal(err)
		}
		if got := h.wait(id); got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(got.AutomationExecutionStatus)
		}
		if err := h.e.Signal(id, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}, operatorARN); !errors.As(err, &se) {
			t.Fatalf("signal to a finished execution: %v", err)
		}
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
					if s.ok && err != nil || !s.ok && !errors.As(err, &se) {
						t.Fatalf("signal by %s: %v", s.by, err)
					}
					synctest.Wait()
				}
				if tt.want == types.AutomationExecutionStatusWaiting {
					if st := h.status(id); st != tt.want {
						t.Fatalf("status %s", st)
					}
					assert.Equal(t, types.AutomationExecutionStatusWaiting, stepByName(h.get(id), "approve").StepStatus)
					return
				}
				got := h.wait(id)
				if got.AutomationExecutionStatus != tt.want {
					t.Fatalf("status %s, want %s: %s", got.AutomationExecutionStatus, tt.want, aws.ToString(got.FailureMessage))
				}
				if tt.want == types.AutomationExecutionStatusSuccess {
					s := stepByName(got, "approve")
					if s.Outputs["ApprovalStatus"][0] != "Approved" || len(s.Outputs["ApproverDecisions"]) != 2 {
						t.Errorf("outputs %v", s.Outputs)
					}
					if !strings.Contains(aws.ToString(s.Response), "not sent") || h.cloud.callsTo("Publish") != 1 {
						t.Errorf("notification: %q after %d publishes", aws.ToString(s.Response), h.cloud.callsTo("Publish"))
					}
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
		if err := h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"three"}}, operatorARN); !errors.As(err, &nf) {
			t.Fatalf("unknown step: %v", err)
		}
		if err := h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"one"}}, operatorARN); err != nil {
			t.Fatal(err)
		}
		h.until(func() bool { return stepByName(h.get(id), "one").StepStatus == types.AutomationExecutionStatusSuccess })
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		if v := stepByName(h.get(id), "one").ValidNextSteps; len(v) != 1 || v[0] != "two" {
			t.Errorf("valid next steps %v", v)
		}
		if err := h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"two"}}, operatorARN); err != nil {
			t.Fatal(err)
		}
		h.until(func() bool {
			return stepByName(h.get(id), "two").StepStatus == types.AutomationExecutionStatusInprogress
		})
		if err := h.e.Signal(id, types.SignalTypeStopStep, nil, operatorARN); err != nil {
			t.Fatal(err)
		}
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		if s := stepByName(h.get(id), "two").StepStatus; s != types.AutomationExecutionStatusCancelled {
			t.Fatalf("stopped step is %s", s)
		}
		if err := h.e.Signal(id, types.SignalTypeStartStep, map[string][]string{"StepName": {"two"}}, operatorARN); err != nil {
			t.Fatal(err)
		}
		if got := h.wait(id); got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatalf("%s: %s", got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		}
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
		if err := h.e.Stop(id, types.StopTypeCancel); err != nil {
			t.Fatal(err)
		}
		if st := h.status(id); st != types.AutomationExecutionStatusCancelling && st != types.AutomationExecutionStatusCancelled {
			t.Fatalf("after Stop: %s", st)
		}
		got := h.wait(id)
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusCancelled {
			t.Fatalf("status %s", got.AutomationExecutionStatus)
		}
		want := map[string]types.AutomationExecutionStatus{"long": "Cancelled", "never": "Pending", "cleanup": "Success"}
		for n, st := range want {
			if s := stepByName(got, n).StepStatus; s != st {
				t.Errorf("step %s is %s, want %s", n, s, st)
			}
		}
		var bad *types.InvalidAutomationStatusUpdateException
		if err := h.e.Stop(id, types.StopTypeCancel); !errors.As(err, &bad) {
			t.Errorf("second stop: %v", err)
		}
		var nf *types.AutomationExecutionNotFoundException
		if err := h.e.Stop("nope", types.StopTypeCancel); !errors.As(err, &nf) {
			t.Errorf("unknown id: %v", err)
		}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusFailed || !strings.Contains(aws.ToString(got.FailureMessage), "caller's session, which expired") {
			t.Fatalf("%s: %s", got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		}
		if d := got.ExecutionEndTime.Sub(epoch); d != 12*time.Hour {
			t.Errorf("failed after %v", d)
		}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(aws.ToString(got.FailureMessage))
		}
		ids := got.Outputs["launch.InstanceIds"]
		if len(ids) != 2 {
			t.Fatalf("outputs %v", got.Outputs)
		}
		for _, i := range ids {
			in := h.cloud.instances[i]
			if h.cloud.state(i) != "running" || in.tags["Name"] != "demo" || in.tags["Owner"] != "ops" {
				t.Errorf("%s: %s %v", i, in.state, in.tags)
			}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(aws.ToString(got.FailureMessage))
		}
		if n := h.cloud.callsTo("DescribeInstances"); n != 3 {
			t.Errorf("polled %d times", n)
		}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(aws.ToString(got.FailureMessage))
		}
		cid := got.Outputs["child.ExecutionId"][0]
		c := h.get(cid)
		if c.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || aws.ToString(c.ParentAutomationExecutionId) != aws.ToString(got.AutomationExecutionId) {
			t.Errorf("child %s parent %q", c.AutomationExecutionStatus, aws.ToString(c.ParentAutomationExecutionId))
		}
		if got.Outputs["child.Status"][0] != "Success" {
			t.Errorf("outputs %v", got.Outputs)
		}
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess {
			t.Fatal(aws.ToString(got.FailureMessage))
		}
		for _, i := range []string{a, b, c} {
			if h.cloud.state(i) != "stopped" {
				t.Errorf("%s is %s", i, h.cloud.state(i))
			}
		}
		if got.Variables["Count"][0] != "4" {
			t.Errorf("variables %v", got.Variables)
		}
		all, _, err := h.e.Steps(aws.ToString(got.AutomationExecutionId), []types.StepExecutionFilter{{Key: types.StepExecutionFilterKeyStepName, Values: []string{"stopOne"}}}, false, 0, "")
		if err != nil || len(all) != 3 {
			t.Fatalf("%d stopOne steps: %v", len(all), err)
		}
		if p := all[1].ParentStepDetails; p == nil || aws.ToInt32(p.Iteration) != 2 || aws.ToString(p.IteratorValue) != b || aws.ToString(p.StepName) != "each" {
			t.Errorf("parent details %+v", p)
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
				if got.AutomationExecutionStatus != tt.want {
					t.Fatalf("status %s, want %s: %s", got.AutomationExecutionStatus, tt.want, aws.ToString(got.FailureMessage))
				}
				kids, _, err := h.e.Describe([]types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}, 0, "")
				if err != nil || len(kids) != tt.wantStarted {
					t.Fatalf("%d children: %v", len(kids), err)
				}
				for _, k := range kids {
					if k.Target == nil || aws.ToString(k.ExecutedBy) != operatorARN {
						t.Errorf("child target %v executedBy %v", k.Target, k.ExecutedBy)
					}
				}
				if tt.wantElapsed > 0 {
					if d := got.ExecutionEndTime.Sub(*got.ExecutionStartTime); d != tt.wantElapsed {
						t.Errorf("took %v, want %v", d, tt.wantElapsed)
					}
				}
				if got.ResolvedTargets == nil || len(got.ResolvedTargets.ParameterValues) != len(tt.values) {
					t.Errorf("resolved targets %+v", got.ResolvedTargets)
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
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || len(got.ResolvedTargets.ParameterValues) != 2 {
			t.Fatalf("%s %v %s", got.AutomationExecutionStatus, got.ResolvedTargets, aws.ToString(got.FailureMessage))
		}
		if h.cloud.callsTo("StopInstances") != 2 {
			t.Errorf("stopped %d", h.cloud.callsTo("StopInstances"))
		}
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
				if _, err := h.startErr(restartDoc(), nil, tt.in); err == nil {
					t.Fatal("start succeeded")
				}
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
		if a != b {
			t.Fatalf("two executions %s %s", a, b)
		}
		_, err := h.startErr(restartDoc(), map[string][]string{"InstanceId": {i}}, tok, func(in *StartInput) { in.DocumentName = "Other" })
		var mm *types.IdempotentParameterMismatch
		if !errors.As(err, &mm) {
			t.Fatalf("mismatch: %v", err)
		}
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
		if err := h.e.Stop(ids[0], types.StopTypeCancel); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		var got []string
		token := ""
		for {
			page, next, err := h.e.Describe(nil, 3, token)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range page {
				got = append(got, aws.ToString(m.AutomationExecutionId))
			}
			if next == "" {
				break
			}
			token = next
		}
		if len(got) != 7 || got[0] != ids[6] || got[6] != ids[0] {
			t.Fatalf("pages gave %v", got)
		}
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
			if err != nil || len(got) != c.want {
				t.Errorf("%s: %d results, want %d (%v)", name, len(got), c.want, err)
			}
		}
		var fk *types.InvalidFilterKey
		if _, _, err := h.e.Describe(f("Nope", "x"), 0, ""); !errors.As(err, &fk) {
			t.Errorf("bad key: %v", err)
		}
		var fv *types.InvalidFilterValue
		if _, _, err := h.e.Describe(f(types.AutomationExecutionFilterKeyStartTimeBefore, "yesterday"), 0, ""); !errors.As(err, &fv) {
			t.Errorf("bad time: %v", err)
		}
		if _, _, err := h.e.Describe(f(types.AutomationExecutionFilterKeyExecutionId, make([]string, 11)...), 0, ""); !errors.As(err, &fv) {
			t.Errorf("11 values: %v", err)
		}
		var nt *types.InvalidNextToken
		if _, _, err := h.e.Describe(nil, 0, "garbage!"); !errors.As(err, &nt) {
			t.Errorf("bad token: %v", err)
		}
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
		if !got.StepExecutionsTruncated || len(got.StepExecutions) != maxStepsInGet {
			t.Fatalf("truncated %v with %d steps", got.StepExecutionsTruncated, len(got.StepExecutions))
		}
		var all []types.StepExecution
		token := ""
		for {
			page, next, err := h.e.Steps(id, nil, true, 50, token)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page...)
			if next == "" {
				break
			}
			token = next
		}
		if len(all) != 120 || aws.ToString(all[0].StepName) != "s119" {
			t.Fatalf("%d steps, first %s", len(all), aws.ToString(all[0].StepName))
		}
		one, _, err := h.e.Steps(id, []types.StepExecutionFilter{
			{Key: types.StepExecutionFilterKeyStepExecutionStatus, Values: []string{"Success"}},
			{Key: types.StepExecutionFilterKeyAction, Values: []string{"aws:sleep"}},
			{Key: types.StepExecutionFilterKeyStartTimeAfter, Values: []string{epoch.Add(118 * time.Second).Format(time.RFC3339)}},
		}, false, 0, "")
		if err != nil || len(one) != 2 {
			t.Fatalf("%d filtered steps: %v", len(one), err)
		}
		var fk *types.InvalidFilterKey
		if _, _, err := h.e.Steps(id, []types.StepExecutionFilter{{Key: "Nope", Values: []string{"x"}}}, false, 0, ""); !errors.As(err, &fk) {
			t.Errorf("bad key: %v", err)
		}
		var nf *types.AutomationExecutionNotFoundException
		if _, _, err := h.e.Steps("nope", nil, false, 0, ""); !errors.As(err, &nf) {
			t.Errorf("unknown id: %v", err)
		}
	})
}

func TestSnapshotRestoreResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := newHarness(t).clk // a clock shared by both engines
		cloud := newFakeCloud(clk)
		i := cloud.addInstance("running")
		e1, err := New(Options{Clock: clk, Invoker: cloud, Account: testAccount, Region: "eu-west-1"})
		if err != nil {
			t.Fatal(err)
		}
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
		if err != nil {
			t.Fatal(err)
		}
		h1 := &harness{t: t, clk: clk, cloud: cloud, e: e1}
		h1.until(func() bool {
			return stepByName(h1.get(id), "nap").StepStatus == types.AutomationExecutionStatusInprogress
		})
		clk.Advance(time.Hour)
		synctest.Wait()
		if err := e1.Close(); err != nil {
			t.Fatal(err)
		}
		state, err := e1.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		e2, err := New(Options{Clock: clk, Invoker: cloud, Account: testAccount, Region: "eu-west-1", State: state})
		if err != nil {
			t.Fatal(err)
		}
		defer e2.Close()
		cloud.engine = e2
		h2 := &harness{t: t, clk: clk, cloud: cloud, e: e2}
		got := h2.wait(id)
		if got.AutomationExecutionStatus != types.AutomationExecutionStatusSuccess || cloud.state(i) != "running" {
			t.Fatalf("%s %s: %s", got.AutomationExecutionStatus, cloud.state(i), aws.ToString(got.FailureMessage))
		}
		if n := cloud.callsTo("StopInstances"); n != 1 {
			t.Errorf("stopped %d times: the restored run repeated a finished step", n)
		}
		// The sleep resumed after the restore and ended on time: stop
		// 10 s, sleep 2 h, start 10 s.
		if d := got.ExecutionEndTime.Sub(epoch); d != 2*time.Hour+20*time.Second {
			t.Errorf("took %v", d)
		}
	})
}

func TestNewRejectsBadState(t *testing.T) {
	for _, s := range []string{"{", `{"version":2}`, `{"version":1,"executions":[{"record":{}}]}`} {
		if _, err := New(Options{Invoker: newFakeCloud(nil), State: []byte(s)}); err == nil {
			t.Errorf("state %s accepted", s)
		}
	}
	if _, err := New(Options{}); err == nil {
		t.Error("an engine without invoker")
	}
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
		if x.st != nil || x.rt != nil || x.rec.Content != nil {
			t.Fatal("a finished execution keeps its runtime or document")
		}
	})
}

func TestCloseStopsRunningExecutions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:pause', inputs: {}}\n"), nil)
		synctest.Wait()
		if err := h.e.Close(); err != nil {
			t.Fatal(err)
		}
		if st := h.status(id); st != types.AutomationExecutionStatusWaiting {
			t.Fatalf("status after close %s", st)
		}
		if _, err := h.startErr(restartDoc(), nil); err == nil {
			t.Fatal("start after close")
		}
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
			if h.cloud.state(i) != "running" {
				t.Fatalf("%s is %s", i, h.cloud.state(i))
			}
		}
		if got := h.cloud.callsTo("StopInstances"); got != n {
			t.Fatalf("%d stops", got)
		}
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
