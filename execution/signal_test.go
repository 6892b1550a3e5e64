package execution_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
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
		{"resume", func(ctx context.Context, f *fakeSSM) error {
			return execution.Resume(ctx, f, execID, execution.WithStepName("hold"))
		}, types.SignalTypeResume, map[string][]string{"StepName": {"hold"}}},
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
	err := execution.Resume(t.Context(), f, execID, execution.WithStepName("hold"))
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

// signalOnly sends signals but cannot describe step executions.
type signalOnly struct{ f *fakeSSM }

func (s signalOnly) SendAutomationSignal(ctx context.Context, in *ssm.SendAutomationSignalInput, optFns ...func(*ssm.Options)) (*ssm.SendAutomationSignalOutput, error) {
	return s.f.SendAutomationSignal(ctx, in, optFns...)
}

// endlessSteps answers every page of steps with another NextToken.
type endlessSteps struct{ *fakeSSM }

func (endlessSteps) DescribeAutomationStepExecutions(context.Context, *ssm.DescribeAutomationStepExecutionsInput, ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	return &ssm.DescribeAutomationStepExecutionsOutput{NextToken: aws.String("more")}, nil
}

func TestResumeFindsWaitingStep(t *testing.T) {
	step := func(name string, st types.AutomationExecutionStatus) types.StepExecution {
		return types.StepExecution{StepName: aws.String(name), StepExecutionId: aws.String(name + "-id"), StepStatus: st}
	}
	waiting := func(steps ...types.StepExecution) []phase {
		return []phase{{status: types.AutomationExecutionStatusWaiting, steps: steps}}
	}
	describeFailed := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no", Fault: smithy.FaultClient}
	for _, tc := range []struct {
		name     string
		phases   []phase
		pageSize int
		client   func(f *fakeSSM) execution.SendAutomationSignalAPIClient
		opts     []func(*execution.SignalOptions)
		fail     error
		want     string // step named in the payload
		describe int    // DescribeAutomationStepExecutions calls
		err      string
		is       error
	}{
		{name: "paused step", phases: waiting(step("first", types.AutomationExecutionStatusSuccess), step("hold", types.AutomationExecutionStatusWaiting)), want: "hold", describe: 1},
		{name: "paused step on a later page", pageSize: 1,
			phases: waiting(step("a", types.AutomationExecutionStatusSuccess), step("b", types.AutomationExecutionStatusSuccess), step("hold", types.AutomationExecutionStatusWaiting)),
			want:   "hold", describe: 3},
		{name: "explicit name skips the look-up", phases: waiting(step("hold", types.AutomationExecutionStatusWaiting)),
			opts: []func(*execution.SignalOptions){execution.WithStepName("other")}, want: "other"},
		{name: "explicit name with a signal-only client", client: func(f *fakeSSM) execution.SendAutomationSignalAPIClient { return signalOnly{f} },
			opts: []func(*execution.SignalOptions){execution.WithStepName("hold")}, want: "hold"},
		{name: "signal-only client without a name", client: func(f *fakeSSM) execution.SendAutomationSignalAPIClient { return signalOnly{f} },
			err: "step name is required"},
		{name: "no waiting step", phases: waiting(step("run", types.AutomationExecutionStatusInprogress)), describe: 1, is: execution.ErrNoWaitingStep, err: "no step is waiting"},
		{name: "two waiting steps", phases: waiting(step("x", types.AutomationExecutionStatusWaiting), step("y", types.AutomationExecutionStatusWaiting)),
			describe: 1, is: execution.ErrNoWaitingStep, err: "steps x, y are waiting"},
		{name: "unnamed waiting step", phases: waiting(types.StepExecution{StepStatus: types.AutomationExecutionStatusWaiting}),
			describe: 1, is: execution.ErrNoWaitingStep, err: "has no name"},
		{name: "describe fails", phases: waiting(step("hold", types.AutomationExecutionStatusWaiting)), fail: describeFailed,
			describe: 1, is: describeFailed, err: "find the waiting step"},
		{name: "endless pages", client: func(f *fakeSSM) execution.SendAutomationSignalAPIClient { return endlessSteps{f} }, err: "more than 100 pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			if tc.pageSize > 0 {
				f.pageSize = tc.pageSize
			}
			if tc.phases != nil {
				f.add(execID, tc.phases...)
			}
			if tc.fail != nil {
				f.failNext("DescribeAutomationStepExecutions", tc.fail)
			}
			var client execution.SendAutomationSignalAPIClient = f
			if tc.client != nil {
				client = tc.client(f)
			}
			err := execution.Resume(t.Context(), client, execID, tc.opts...)
			assert.Equal(t, tc.describe, f.count("DescribeAutomationStepExecutions"))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				if tc.is != nil {
					assert.ErrorIs(t, err, tc.is)
				}
				assert.Empty(t, f.signals, "no signal without a step name")
				return
			}
			require.NoError(t, err)
			require.Len(t, f.signals, 1)
			assert.Equal(t, types.SignalTypeResume, f.signals[0].SignalType)
			assert.Equal(t, map[string][]string{"StepName": {tc.want}}, f.signals[0].Payload)
		})
	}
}

func TestResumeAsksForWaitingSteps(t *testing.T) {
	rec := &recordingSteps{}
	require.ErrorIs(t, execution.Resume(t.Context(), rec, execID), execution.ErrNoWaitingStep)
	require.Len(t, rec.inputs, 1)
	assert.Equal(t, execID, aws.ToString(rec.inputs[0].AutomationExecutionId))
	assert.Equal(t, []types.StepExecutionFilter{{Key: types.StepExecutionFilterKeyStepExecutionStatus, Values: []string{"Waiting"}}}, rec.inputs[0].Filters)
}

// recordingSteps records the step look-ups and finds no step.
type recordingSteps struct {
	signalOnly
	inputs []*ssm.DescribeAutomationStepExecutionsInput
}

func (r *recordingSteps) DescribeAutomationStepExecutions(_ context.Context, in *ssm.DescribeAutomationStepExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	r.inputs = append(r.inputs, in)
	return &ssm.DescribeAutomationStepExecutionsOutput{}, nil
}
