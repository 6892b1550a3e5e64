package engine

import (
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
)

const childDoc = `
schemaVersion: '0.3'
parameters:
  Minutes: {type: String, default: PT10M}
mainSteps:
- name: nap
  action: aws:sleep
  inputs: {Duration: '{{ Minutes }}'}
- name: check
  action: aws:assertAwsResourceProperty
  inputs: {Service: ec2, Api: DescribeInstances, PropertySelector: '$.Reservations[0].Instances[0].State.Name', DesiredValues: [running]}
`

func TestExecuteAutomationFailureAndCancel(t *testing.T) {
	parent := `
schemaVersion: '0.3'
mainSteps:
- name: child
  action: aws:executeAutomation
  inputs: {DocumentName: Child, RuntimeParameters: {Minutes: PT1H}}
`
	t.Run("a failed child fails the step", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			h.cloud.addInstance("stopped")
			h.cloud.docs["Child"] = []byte(childDoc)
			got := h.wait(h.start(mustParse(t, parent), nil))
			require.Equal(t, types.AutomationExecutionStatusFailed, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
			require.Contains(t, aws.ToString(got.FailureMessage), "ended Failed")
			assert.Nil(t, stepByName(got, "child").Outputs["Status"], "a failed step reports outputs")
		})
	})
	t.Run("cancelling the parent cancels the child", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			h.cloud.docs["Child"] = []byte(childDoc)
			id := h.start(mustParse(t, parent), nil)
			h.until(func() bool { return h.cloud.callsTo("GetAutomationExecution") > 0 })
			require.NoError(t, h.e.Stop(id, types.StopTypeCancel))
			require.Equal(t, types.AutomationExecutionStatusCancelled, h.wait(id).AutomationExecutionStatus, "parent")
			kids, _, _ := h.e.Describe([]types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}, 0, "")
			require.Len(t, kids, 1, "children")
			require.Equal(t, types.AutomationExecutionStatusCancelled, h.wait(aws.ToString(kids[0].AutomationExecutionId)).AutomationExecutionStatus, "child")
		})
	})
}

func TestStopComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: hold
  action: aws:pause
  inputs: {}
- name: never
  action: aws:sleep
  inputs: {Duration: PT1S}
`), nil)
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		require.NoError(t, h.e.Stop(id, types.StopTypeComplete))
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus)
		require.Equal(t, types.AutomationExecutionStatusPending, stepByName(got, "never").StepStatus, "step never")
	})
}

func TestFailureTypes(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"AccessDenied", "Permission"},
		{"UnauthorizedOperation", "Permission"},
		{"ThrottlingException", "Throttling"},
		{"RequestLimitExceeded", "Throttling"},
		{"InvalidInstanceID.NotFound", "Action"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			err := callErr("ec2", "StopInstances", apiErr(tt.code, "m"))
			se, ok := err.(*stepError)
			require.True(t, ok, "%+v", err)
			require.Equal(t, tt.want, se.kind, "%+v", err)
			require.Equal(t, tt.code, se.code, "%+v", err)
			require.Equal(t, "Invocation", se.stage, "%+v", err)
		})
	}
}

func TestRateControlInstanceIdsAndTargetMaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		a, b := h.cloud.addInstance("running"), h.cloud.addInstance("running")
		id := h.start(restartDoc(), nil, func(in *StartInput) {
			in.TargetParameterName = "InstanceId"
			in.Targets = []types.Target{{Key: aws.String("InstanceIds"), Values: []string{a, b}}}
		})
		first := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, first.AutomationExecutionStatus, aws.ToString(first.FailureMessage))
		require.Len(t, first.StepExecutions, 2)
		id = h.start(mustParse(t, childDoc), nil, func(in *StartInput) {
			in.TargetMaps = []map[string][]string{{"Minutes": {"PT1M"}}, {"Minutes": {"PT2M"}}, {"Minutes": {"PT3M"}}}
			in.MaxConcurrency = "3"
		})
		got := h.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		// The first map runs alone (1m), then the other two together (3m).
		assert.Equal(t, 4*time.Minute, got.ExecutionEndTime.Sub(*got.ExecutionStartTime), "three maps ramping up")
		bad := h.start(restartDoc(), nil, func(in *StartInput) {
			in.TargetParameterName = "InstanceId"
			in.Targets = []types.Target{{Key: aws.String("ResourceGroup"), Values: []string{"g"}}}
		})
		got = h.wait(bad)
		require.Equal(t, types.AutomationExecutionStatusFailed, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		require.Contains(t, aws.ToString(got.FailureMessage), "not simulated")
	})
}

func TestRateControlResumesAfterRestore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h1 := newHarness(t)
		doc := mustParse(t, "schemaVersion: '0.3'\nparameters:\n  V: {type: String}\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT10M}}\n")
		id := h1.start(doc, nil, func(in *StartInput) {
			in.TargetParameterName = "V"
			in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{"a", "b", "c", "d"}}}
			in.MaxConcurrency = "1"
		})
		synctest.Wait()
		h1.clk.Advance(10 * time.Minute)
		synctest.Wait()
		h1.clk.Advance(5 * time.Minute)
		synctest.Wait()
		require.NoError(t, h1.e.Close())
		state, err := h1.e.Snapshot()
		require.NoError(t, err)
		h2 := newHarness(t, func(o *Options) { o.State = state; o.Clock = h1.clk })
		h2.clk = h1.clk
		got := h2.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		require.Len(t, got.StepExecutions, 4, "children")
		assert.Equal(t, 40*time.Minute, got.ExecutionEndTime.Sub(epoch), "elapsed")
	})
}

func TestSignalValidation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1H}}\n"), nil)
		synctest.Wait()
		for _, sig := range []types.SignalType{types.SignalTypeApprove, types.SignalTypeResume, types.SignalTypeStartStep, types.SignalTypeStopStep, "Bogus"} {
			assert.Error(t, h.e.Signal(id, sig, nil, operatorARN), "%s accepted by a running auto execution", sig)
		}
		assert.Error(t, h.e.Signal("nope", types.SignalTypeResume, nil, operatorARN), "signal to an unknown execution")
		_ = h.e.Stop(id, types.StopTypeCancel)
		h.wait(id)
	})
}

func TestLoopAttemptsAndTimeout(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want types.AutomationExecutionStatus
		took time.Duration
		msg  string
	}{
		{name: "a retried loop ends after its attempts", doc: `
mainSteps:
- name: each
  action: aws:loop
  maxAttempts: 2
  inputs:
    Iterators: [a, b]
    Steps:
    - name: nap
      action: aws:sleep
      inputs: {Duration: PT1M}
    - name: fail
      action: aws:runCommand
      inputs: {DocumentName: X, InstanceIds: [i-1]}
`, want: types.AutomationExecutionStatusFailed, took: 2 * time.Minute, msg: "failed in iteration 1"},
		{name: "the loop's timeout bounds its nested steps", doc: `
mainSteps:
- name: each
  action: aws:loop
  timeoutSeconds: 150
  inputs:
    Iterators: [a, b, c]
    Steps:
    - name: nap
      action: aws:sleep
      inputs: {Duration: PT1M}
`, want: types.AutomationExecutionStatusTimedout, took: 150 * time.Second, msg: "timed out"},
		{name: "nextStep and isEnd inside the loop", doc: `
mainSteps:
- name: each
  action: aws:loop
  inputs:
    Iterators: [a, b]
    Steps:
    - name: first
      action: aws:sleep
      nextStep: third
      inputs: {Duration: PT1M}
    - name: second
      action: aws:sleep
      inputs: {Duration: PT1H}
    - name: third
      action: aws:sleep
      isEnd: true
      inputs: {Duration: PT1M}
    - name: fourth
      action: aws:sleep
      inputs: {Duration: PT1H}
`, want: types.AutomationExecutionStatusSuccess, took: 4 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t)
				got := h.wait(h.start(mustParse(t, "schemaVersion: '0.3'\n"+tt.doc), nil))
				require.Equal(t, tt.want, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
				require.Contains(t, aws.ToString(got.FailureMessage), tt.msg)
				assert.Equal(t, tt.took, got.ExecutionEndTime.Sub(*got.ExecutionStartTime), "elapsed")
			})
		})
	}
}

// TestRestoreBetweenSteps restores a snapshot taken after a step ended but
// before the execution moved on: the ended step must not run again.
func TestRestoreBetweenSteps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h1 := newHarness(t)
		doc := mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: a
  action: aws:executeAwsApi
  inputs: {Service: ec2, Api: DescribeInstances}
- name: b
  action: aws:sleep
  inputs: {Duration: PT1M}
`)
		id := h1.start(doc, nil)
		h1.until(func() bool {
			return stepByName(h1.get(id), "b").StepStatus == types.AutomationExecutionStatusInprogress
		})
		require.NoError(t, h1.e.Close())
		state, err := h1.e.Snapshot()
		require.NoError(t, err)
		// Rewind to the moment a had ended and b had not begun.
		var snap map[string]any
		require.NoError(t, json.Unmarshal(state, &snap))
		ent := snap["executions"].([]any)[0].(map[string]any)
		steps := ent["record"].(map[string]any)["steps"].([]any)
		b := steps[1].(map[string]any)
		b["status"] = "Pending"
		delete(b, "start")
		delete(b, "inputs")
		st := map[string]any{}
		require.NoError(t, json.Unmarshal(mustJSON(t, ent["state"]), &st))
		st["next"], st["attempt"] = "a", 0
		ent["state"] = st
		state = mustJSON(t, snap)
		calls := h1.cloud.callsTo("DescribeInstances")
		h2 := h1.restore(state)
		got := h2.wait(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		require.Len(t, got.StepExecutions, 2)
		assert.Equal(t, calls, h1.cloud.callsTo("DescribeInstances"), "the ended step ran again after the restore")
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestLoopExitsToAnOutsideStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		got := h.wait(h.start(mustParse(t, `
schemaVersion: '0.3'
mainSteps:
- name: each
  action: aws:loop
  inputs:
    Iterators: [a, b, c]
    Steps:
    - name: check
      action: aws:branch
      inputs:
        Choices:
        - {NextStep: rescue, Variable: '{{ each.CurrentIteratorValue }}', StringEquals: b}
        Default: nap
    - name: nap
      action: aws:sleep
      inputs: {Duration: PT1M}
- name: skipped
  action: aws:sleep
  inputs: {Duration: PT1H}
- name: rescue
  action: aws:sleep
  inputs: {Duration: PT1M}
`), nil))
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
		want := map[string]types.AutomationExecutionStatus{"each": "Exited", "skipped": "Pending", "rescue": "Success"}
		for n, st := range want {
			assert.Equal(t, st, stepByName(got, n).StepStatus, "step %s", n)
		}
		assert.Equal(t, 2*time.Minute, got.ExecutionEndTime.Sub(*got.ExecutionStartTime), "elapsed")
	})
}

func FuzzRestore(f *testing.F) {
	f.Add([]byte(`{"version":1,"executions":[]}`))
	f.Add([]byte(`{"version":1,"executions":[{"record":{"id":"a","documentName":"d","status":"Success","steps":[null,{"id":"s","name":"n"}]}}]}`))
	f.Add([]byte(`{"version":1,"executions":[{"record":{"id":"b","documentName":"d","status":"InProgress","content":"bm9wZQ=="}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := New(Options{Invoker: newFakeCloud(nil), State: data})
		if err != nil {
			return
		}
		defer e.Close()
		list, _, err := e.Describe(nil, 0, "")
		require.NoError(t, err)
		for _, m := range list {
			_, err := e.Get(aws.ToString(m.AutomationExecutionId))
			require.NoError(t, err)
		}
		_, err = e.Snapshot()
		require.NoError(t, err)
	})
}

// TestApprovalOnAutoClock checks that an approval waits for its approver on
// a clock that jumps to every timer, instead of timing out at once.
func TestApprovalOnAutoClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, func(o *Options) { o.Clock = clock.NewAuto(epoch) })
		id := h.start(mustParse(t, approveDoc), nil)
		synctest.Wait()
		require.Equal(t, types.AutomationExecutionStatusWaiting, h.status(id))
		for _, by := range []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/bob"} {
			require.NoError(t, h.e.Signal(id, types.SignalTypeApprove, nil, by))
		}
		synctest.Wait()
		got := h.get(id)
		require.Equal(t, types.AutomationExecutionStatusSuccess, got.AutomationExecutionStatus, aws.ToString(got.FailureMessage))
	})
}

func TestStopRateControlCancelsChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		doc := mustParse(t, "schemaVersion: '0.3'\nparameters:\n  V: {type: String}\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1H}}\n")
		id := h.start(doc, nil, func(in *StartInput) {
			in.TargetParameterName = "V"
			in.Targets = []types.Target{{Key: aws.String("ParameterValues"), Values: []string{"a", "b", "c"}}}
			in.MaxConcurrency = "2"
		})
		synctest.Wait()
		require.NoError(t, h.e.Stop(id, types.StopTypeCancel))
		require.Equal(t, types.AutomationExecutionStatusCancelled, h.wait(id).AutomationExecutionStatus, "parent")
		kids, _, _ := h.e.Describe([]types.AutomationExecutionFilter{{Key: types.AutomationExecutionFilterKeyParentExecutionId, Values: []string{id}}}, 0, "")
		// The ramp starts one target until it ends: only it was running.
		require.Len(t, kids, 1, "children started")
		for _, k := range kids {
			assert.Equal(t, types.AutomationExecutionStatusCancelled, h.wait(aws.ToString(k.AutomationExecutionId)).AutomationExecutionStatus, "child")
		}
	})
}

func TestStartThatFailsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		const msg = "The defined assume role is unable to be assumed."
		id := h.start(restartDoc(), map[string][]string{"InstanceId": {"i-1"}}, func(in *StartInput) { in.FailureMessage = msg })
		got := h.get(id)
		require.Equal(t, types.AutomationExecutionStatusFailed, got.AutomationExecutionStatus)
		require.Equal(t, msg, aws.ToString(got.FailureMessage))
		require.NotNil(t, got.ExecutionEndTime)
		for _, s := range got.StepExecutions {
			assert.Equal(t, types.AutomationExecutionStatusPending, s.StepStatus, "step %s", aws.ToString(s.StepName))
		}
		assert.Empty(t, h.cloud.calls, "calls made")
		// Parameters are still checked first, as AWS does.
		_, err := h.startErr(restartDoc(), nil, func(in *StartInput) { in.FailureMessage = msg })
		assert.Error(t, err, "a start without its required parameter was accepted")
	})
}

func TestParameterStoreDefaults(t *testing.T) {
	doc := `
schemaVersion: '0.3'
parameters:
  Ami: {type: String, default: '{{ssm:/golden/ami}}'}
mainSteps:
- {name: s, action: 'aws:sleep', inputs: {Duration: PT1S}}
`
	t.Run("resolved as the execution's principal", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			h.cloud.responses["GetParameter"] = map[string]any{"Parameter": map[string]any{"Value": "ami-0abc"}}
			got := h.wait(h.start(mustParse(t, doc), nil))
			require.Equal(t, []string{"ami-0abc"}, got.Parameters["Ami"], "parameters %v", got.Parameters)
			c := h.cloud.calls[0]
			assert.Equal(t, "GetParameter", c.API, "call %+v", c)
			assert.Equal(t, "/golden/ami", c.Params["Name"], "call %+v", c)
			assert.Equal(t, rolePrincipal, c.Principal, "call %+v", c)
		})
	})
	t.Run("a store that cannot answer refuses the start", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t)
			_, err := h.startErr(mustParse(t, doc), nil)
			var pe *types.InvalidAutomationExecutionParametersException
			require.ErrorAs(t, err, &pe)
			require.ErrorContains(t, err, "cannot be resolved")
		})
	})
}

func TestOutputTypes(t *testing.T) {
	doc := map[string]any{
		"Name": "web", "Count": int64(3), "CountText": "4", "On": true, "OnText": "false",
		"Ids":   []any{"i-1", "i-2"},
		"Tags":  map[string]any{"env": "prod"},
		"Maps":  []any{map[string]any{"a": "1"}},
		"Mixed": []any{"x", map[string]any{"k": "v"}},
	}
	tests := []struct {
		sel     string
		typ     runbook.OutputType
		want    string
		wantErr bool
	}{
		{"$.Name", runbook.OutputString, `"web"`, false},
		{"$.Count", runbook.OutputString, `"3"`, false},
		{"$.Tags", runbook.OutputString, `"{\"env\":\"prod\"}"`, false},
		{"$.Count", runbook.OutputInteger, `3`, false},
		{"$.CountText", runbook.OutputInteger, `4`, false},
		{"$.Name", runbook.OutputInteger, ``, true},
		{"$.On", runbook.OutputBoolean, `true`, false},
		{"$.OnText", runbook.OutputBoolean, `false`, false},
		{"$.Name", runbook.OutputBoolean, ``, true},
		{"$.Ids", runbook.OutputStringList, `["i-1","i-2"]`, false},
		{"$.Ids[*]", runbook.OutputStringList, `["i-1","i-2"]`, false},
		{"$.Name", runbook.OutputStringList, `["web"]`, false},
		{"$.Mixed", runbook.OutputStringList, `["x","{\"k\":\"v\"}"]`, false},
		{"$.Tags", runbook.OutputStringMap, `{"env":"prod"}`, false},
		{"$.Ids", runbook.OutputStringMap, ``, true},
		{"$.Maps", runbook.OutputMapList, `[{"a":"1"}]`, false},
		{"$.Ids", runbook.OutputMapList, ``, true},
		{"$.Name", "Float", ``, true},
		{"$[", runbook.OutputString, ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.sel+"/"+string(tt.typ), func(t *testing.T) {
			v, ok, err := selectOutput(normalize(doc), runbook.Output{Name: "o", Selector: tt.sel, Type: tt.typ})
			if tt.wantErr {
				require.Error(t, err, "got %v", v)
				return
			}
			require.NoError(t, err)
			require.True(t, ok, "ok")
			require.Equal(t, tt.want, encodeJSON(v))
		})
	}
	_, ok, err := selectOutput(doc, runbook.Output{Name: "o", Selector: "$.Nothing", Type: runbook.OutputString})
	assert.NoError(t, err, "a selector matching nothing")
	assert.False(t, ok, "a selector matching nothing")
}

func TestCancelWhileWaitingForAStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(restartDoc(), map[string][]string{"InstanceId": {"i-1"}}, func(in *StartInput) { in.Mode = types.ExecutionModeInteractive })
		h.waitStatus(id, types.AutomationExecutionStatusWaiting)
		require.NoError(t, h.e.Stop(id, types.StopTypeCancel))
		require.Equal(t, types.AutomationExecutionStatusCancelled, h.wait(id).AutomationExecutionStatus)
	})
}
