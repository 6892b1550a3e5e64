package engine

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidFilterValues(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		id := h.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: s, action: 'aws:sleep', inputs: {Duration: PT1H}}\n"), nil)
		synctest.Wait()
		execs := map[string]types.AutomationExecutionFilter{
			"unknown status": {Key: types.AutomationExecutionFilterKeyExecutionStatus, Values: []string{"Running"}},
			"empty value":    {Key: types.AutomationExecutionFilterKeyDocumentNamePrefix, Values: []string{""}},
			"no value":       {Key: types.AutomationExecutionFilterKeyExecutionId},
			"bad time":       {Key: types.AutomationExecutionFilterKeyStartTimeAfter, Values: []string{"yesterday"}},
		}
		// Subtests cannot start inside the bubble: the name labels each case.
		for name, f := range execs {
			_, _, err := h.e.Describe([]types.AutomationExecutionFilter{f}, 0, "")
			var ife *types.InvalidFilterValue
			assert.True(t, errors.As(err, &ife), "executions %s: %v", name, err)
		}
		steps := map[string]types.StepExecutionFilter{
			"unknown status": {Key: types.StepExecutionFilterKeyStepExecutionStatus, Values: []string{"Done"}},
			"bad iteration":  {Key: types.StepExecutionFilterKeyParentStepIteration, Values: []string{"first"}},
			"empty value":    {Key: types.StepExecutionFilterKeyStepName, Values: []string{""}},
		}
		for name, f := range steps {
			_, _, err := h.e.Steps(id, []types.StepExecutionFilter{f}, false, 0, "")
			var ife *types.InvalidFilterValue
			assert.True(t, errors.As(err, &ife), "steps %s: %v", name, err)
		}
		got, _, err := h.e.Steps(id, []types.StepExecutionFilter{{Key: types.StepExecutionFilterKeyStepExecutionStatus, Values: []string{"InProgress", "Waiting"}}}, false, 0, "")
		require.NoError(t, err)
		assert.Len(t, got, 1)
		_ = h.e.Stop(id, types.StopTypeCancel)
		h.wait(id)
	})
}

func TestSignalStepName(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: hold, action: 'aws:pause', inputs: {}}\n- {name: nap, action: 'aws:sleep', inputs: {Duration: PT1S}}\n")
		paused := h.start(doc, nil)
		h.waitStatus(paused, types.AutomationExecutionStatusWaiting)
		// Resume needs the paused step as StepName, as StartStep needs its step.
		for _, tc := range []struct {
			name    string
			payload map[string][]string
			want    string
		}{
			{"no payload", nil, "InvalidAutomationSignalException"},
			{"no StepName", map[string][]string{"Comment": {"go"}}, "InvalidAutomationSignalException"},
			{"empty StepName", map[string][]string{"StepName": {""}}, "InvalidAutomationSignalException"},
			{"step not paused", map[string][]string{"StepName": {"nap"}}, "AutomationStepNotFoundException"},
			{"unknown step", map[string][]string{"StepName": {"nope"}}, "AutomationStepNotFoundException"},
		} {
			// t.Run is not allowed inside the synctest bubble.
			err := h.e.Signal(paused, types.SignalTypeResume, tc.payload, operatorARN)
			var api smithy.APIError
			require.ErrorAs(t, err, &api, tc.name)
			assert.Equal(t, tc.want, api.ErrorCode(), tc.name)
			if tc.want == "InvalidAutomationSignalException" {
				assert.Contains(t, api.ErrorMessage(), "StepName", "%s: the error names the missing key", tc.name)
			}
			assert.Equal(t, types.AutomationExecutionStatusWaiting, h.status(paused), "%s: a refused signal leaves the step paused", tc.name)
		}
		require.NoError(t, h.e.Signal(paused, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}, operatorARN))
		assert.Equal(t, types.AutomationExecutionStatusSuccess, h.wait(paused).AutomationExecutionStatus)

		interactive := h.start(doc, nil, func(in *StartInput) { in.Mode = types.ExecutionModeInteractive })
		h.waitStatus(interactive, types.AutomationExecutionStatusWaiting)
		var bad *types.InvalidAutomationSignalException
		for _, payload := range []map[string][]string{nil, {"StepExecutionId": {"11111111-2222-3333-4444-555555555555"}}} {
			err := h.e.Signal(interactive, types.SignalTypeStartStep, payload, operatorARN)
			assert.True(t, errors.As(err, &bad), "StartStep with payload %v: %v", payload, err)
		}
		var notFound *types.AutomationStepNotFoundException
		err := h.e.Signal(interactive, types.SignalTypeStartStep, map[string][]string{"StepName": {"nope"}}, operatorARN)
		assert.True(t, errors.As(err, &notFound), "StartStep of an unknown step: %v", err)
		_ = h.e.Stop(interactive, types.StopTypeCancel)
		h.wait(interactive)
	})
}

func TestGetOmitsEmptyParameters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		got := h.wait(h.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: nap, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"), nil))
		assert.Nil(t, got.Parameters)
		withParam := h.wait(h.start(mustParse(t, "schemaVersion: '0.3'\nparameters:\n  Env: {type: String, default: dev}\nmainSteps:\n- {name: nap, action: 'aws:sleep', inputs: {Duration: PT1S}}\n"), nil))
		assert.Equal(t, map[string][]string{"Env": {"dev"}}, withParam.Parameters, aws.ToString(withParam.FailureMessage))
	})
}

func TestFailureMessageWording(t *testing.T) {
	tests := []struct {
		name   string
		status types.AutomationExecutionStatus
		err    error
		want   string
	}{
		{"call failed", types.AutomationExecutionStatusFailed, &stepError{msg: "ec2.StopInstances: denied", stage: "Invocation"},
			"Step fails when it is Execute/Cancelling action. Fail to execute step stop: ec2.StopInstances: denied. " + troubleshooting},
		{"bad input", types.AutomationExecutionStatusFailed, inputErr("input Duration: not a duration."),
			"Step fails when it is validating and resolving the step inputs. Fail to execute step stop: input Duration: not a duration. " + troubleshooting},
		{"wait failed", types.AutomationExecutionStatusFailed, verifyErr("state is stopped"),
			"Step fails when it is Poll action status for completion. Fail to execute step stop: state is stopped. " + troubleshooting},
		{"plain error", types.AutomationExecutionStatusFailed, errors.New("approval rejected by bob"),
			"Step fails when it is Executing. Fail to execute step stop: approval rejected by bob. " + troubleshooting},
		{"child failed", types.AutomationExecutionStatusFailed, &stepError{msg: "child execution c-1 ended Failed: Step fails when it is Executing. Fail to execute step s: boom. " + troubleshooting, stage: "Invocation"},
			"Step fails when it is Execute/Cancelling action. Fail to execute step stop: child execution c-1 ended Failed: Step fails when it is Executing. Fail to execute step s: boom. " + troubleshooting},
		{"timed out", types.AutomationExecutionStatusTimedout, &stepError{msg: "step timed out after 60 seconds (attempt 1 of 1)", stage: "Invocation"},
			"Step timed out while step is Execute/Cancelling action. Fail to execute step stop: step timed out after 60 seconds (attempt 1 of 1). " + troubleshooting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, failureMessage("stop", tt.status, tt.err))
		})
	}
}

// TestExecutionFailureMessage checks that the execution reports its failed
// step's message in AWS's words, with the cause kept in it.
func TestExecutionFailureMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.cloud.deny["StopInstances"] = true
		got := h.wait(h.start(mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: stop, action: 'aws:executeAwsApi', inputs: {Service: ec2, Api: StopInstances, InstanceIds: [i-1]}}\n"), nil))
		require.Equal(t, types.AutomationExecutionStatusFailed, got.AutomationExecutionStatus)
		msg := aws.ToString(got.FailureMessage)
		assert.Regexp(t, `^Step fails when it is Execute/Cancelling action\. Fail to execute step stop: ec2\.StopInstances: .*AccessDenied.*\. Please refer to`, msg)
		assert.Equal(t, msg, aws.ToString(stepByName(got, "stop").FailureMessage))
	})
}

func TestRamp(t *testing.T) {
	tests := []struct{ conc, done, want int }{
		{10, 0, 1}, {10, 1, 2}, {10, 2, 4}, {10, 3, 4}, {10, 4, 8}, {10, 8, 10}, {10, 100, 10},
		{1, 0, 1}, {1, 5, 1}, {3, 1, 2}, {3, 2, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d done", tt.done, tt.conc), func(t *testing.T) {
			assert.Equal(t, tt.want, ramp(tt.conc, tt.done))
		})
	}
}

func TestNestingLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: hold, action: 'aws:pause', inputs: {}}\n")
		parent := h.start(doc, nil)
		for level := 1; level <= maxNesting; level++ {
			parent = h.start(doc, nil, func(in *StartInput) { in.ParentID = parent })
		}
		_, err := h.startErr(doc, nil, func(in *StartInput) { in.ParentID = parent })
		var limit *types.AutomationExecutionLimitExceededException
		require.True(t, errors.As(err, &limit), "a sixth level: %v", err)
		assert.Contains(t, err.Error(), "level 6")
		for _, m := range mustDescribe(t, h) {
			_ = h.e.Stop(aws.ToString(m.AutomationExecutionId), types.StopTypeCancel)
		}
		synctest.Wait()
	})
}

func mustDescribe(t *testing.T, h *harness) []types.AutomationExecutionMetadata {
	t.Helper()
	all, _, err := h.e.Describe(nil, 50, "")
	require.NoError(t, err)
	return all
}

func TestConcurrencyQuotaQueuesPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		doc := mustParse(t, "schemaVersion: '0.3'\nmainSteps:\n- {name: hold, action: 'aws:pause', inputs: {}}\n")
		var running []string
		for range maxRunning {
			running = append(running, h.start(doc, nil))
		}
		queued := h.start(doc, nil)
		stopped := h.start(doc, nil)
		synctest.Wait()
		for _, id := range running {
			require.Equal(t, types.AutomationExecutionStatusWaiting, h.status(id))
		}
		assert.Equal(t, types.AutomationExecutionStatusPending, h.status(queued))
		assert.Equal(t, types.AutomationExecutionStatusPending, h.status(stopped))

		// A queued execution stopped before it ran ends Cancelled.
		require.NoError(t, h.e.Stop(stopped, types.StopTypeCancel))
		assert.Equal(t, types.AutomationExecutionStatusCancelled, h.wait(stopped).AutomationExecutionStatus)
		assert.Equal(t, types.AutomationExecutionStatusPending, h.status(queued))

		// A slot freed starts the queued one.
		require.NoError(t, h.e.Signal(running[0], types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}, operatorARN))
		assert.Equal(t, types.AutomationExecutionStatusSuccess, h.wait(running[0]).AutomationExecutionStatus)
		h.waitStatus(queued, types.AutomationExecutionStatusWaiting)
		for _, id := range append(running[1:], queued) {
			_ = h.e.Stop(id, types.StopTypeCancel)
		}
		synctest.Wait()
	})
}
