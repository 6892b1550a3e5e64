package execution_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		name    string
		send    func(ctx context.Context, f *fakeSSM) error
		typ     types.SignalType
		payload map[string][]string
	}{
		{"approve", func(ctx context.Context, f *fakeSSM) error { return execution.Approve(ctx, f, execID, "looks good") }, types.SignalTypeApprove, map[string][]string{"Comment": {"looks good"}}},
		{"approve without comment", func(ctx context.Context, f *fakeSSM) error { return execution.Approve(ctx, f, execID, "") }, types.SignalTypeApprove, nil},
		{"reject", func(ctx context.Context, f *fakeSSM) error { return execution.Reject(ctx, f, execID, "wrong window") }, types.SignalTypeReject, map[string][]string{"Comment": {"wrong window"}}},
		{"resume", func(ctx context.Context, f *fakeSSM) error { return execution.Resume(ctx, f, execID) }, types.SignalTypeResume, nil},
		{"start step", func(ctx context.Context, f *fakeSSM) error {
			return execution.StartStep(ctx, f, execID, "stopInstances")
		}, types.SignalTypeStartStep, map[string][]string{"StepName": {"stopInstances"}}},
		{"stop step", func(ctx context.Context, f *fakeSSM) error { return execution.StopStep(ctx, f, execID, "step-1") }, types.SignalTypeStopStep, map[string][]string{"StepExecutionId": {"step-1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			require.NoError(t, tc.send(t.Context(), f))
			require.Len(t, f.signals, 1)
			assert.Equal(t, execID, aws.ToString(f.signals[0].AutomationExecutionId))
			assert.Equal(t, tc.typ, f.signals[0].SignalType)
			assert.Equal(t, tc.payload, f.signals[0].Payload)
		})
	}
}

func TestSignalErrors(t *testing.T) {
	f := newFake()
	assert.ErrorContains(t, execution.Approve(t.Context(), f, "", "x"), "execution id is required")
	assert.ErrorContains(t, execution.StartStep(t.Context(), f, execID, ""), "step name is required")
	assert.ErrorContains(t, execution.StopStep(t.Context(), f, execID, ""), "step execution id is required")
	assert.ErrorContains(t, execution.Cancel(t.Context(), f, ""), "execution id is required")
	assert.Empty(t, f.signals)

	invalid := &types.InvalidAutomationSignalException{Message: aws.String("The signal is not valid for the current execution state.")}
	f.failNext("SendAutomationSignal", invalid)
	err := execution.Resume(t.Context(), f, execID)
	require.ErrorIs(t, err, invalid)
	assert.Contains(t, err.Error(), "send Resume signal to "+execID)

	notStoppable := &types.InvalidAutomationStatusUpdateException{Message: aws.String("already ended")}
	f.failNext("StopAutomationExecution", notStoppable)
	err = execution.Complete(t.Context(), f, execID)
	require.ErrorIs(t, err, notStoppable)
	assert.Contains(t, err.Error(), "(Complete)")
}

func TestStop(t *testing.T) {
	f := newFake()
	require.NoError(t, execution.Cancel(t.Context(), f, execID))
	require.NoError(t, execution.Complete(t.Context(), f, execID))
	require.Len(t, f.stops, 2)
	assert.Equal(t, types.StopTypeCancel, f.stops[0].Type)
	assert.Equal(t, types.StopTypeComplete, f.stops[1].Type)
}
