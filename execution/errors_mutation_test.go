package execution_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// TestExecutionFailedErrorMessage checks each optional part of the message
// appears exactly when its field is set, and that a step's message equal to
// the execution's is not repeated.
func TestExecutionFailedErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  execution.ExecutionFailedError
		want string
	}{
		{
			name: "status only",
			err:  execution.ExecutionFailedError{ExecutionID: "e-1", Status: types.AutomationExecutionStatusCancelled},
			want: "automation execution e-1 ended with status Cancelled",
		},
		{
			name: "failure message",
			err:  execution.ExecutionFailedError{ExecutionID: "e-1", Status: types.AutomationExecutionStatusFailed, FailureMessage: "boom"},
			want: "automation execution e-1 ended with status Failed: boom",
		},
		{
			name: "step with action and its own message",
			err: execution.ExecutionFailedError{
				ExecutionID: "e-2", Status: types.AutomationExecutionStatusFailed, FailureMessage: "boom",
				FailedStep: &types.StepExecution{
					StepName: aws.String("stop"), Action: aws.String("aws:executeAwsApi"),
					StepStatus: types.AutomationExecutionStatusFailed, FailureMessage: aws.String("access denied"),
				},
			},
			want: "automation execution e-2 ended with status Failed: boom (step stop [aws:executeAwsApi] Failed: access denied)",
		},
		{
			name: "step message equal to the execution's",
			err: execution.ExecutionFailedError{
				ExecutionID: "e-3", Status: types.AutomationExecutionStatusFailed, FailureMessage: "boom",
				FailedStep: &types.StepExecution{
					StepName: aws.String("stop"), StepStatus: types.AutomationExecutionStatusFailed,
					FailureMessage: aws.String("boom"),
				},
			},
			want: "automation execution e-3 ended with status Failed: boom (step stop Failed)",
		},
		{
			name: "step without action or message",
			err: execution.ExecutionFailedError{
				ExecutionID: "e-4", Status: types.AutomationExecutionStatusTimedout,
				FailedStep: &types.StepExecution{StepName: aws.String("wait"), StepStatus: types.AutomationExecutionStatusTimedout},
			},
			want: "automation execution e-4 ended with status TimedOut (step wait TimedOut)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

func TestExecutionFailedErrorStepFailureDetails(t *testing.T) {
	details := &types.FailureDetails{FailureStage: aws.String("Invocation"), FailureType: aws.String("Verification")}
	tests := []struct {
		name string
		step *types.StepExecution
		want *types.FailureDetails
	}{
		{"no failed step", nil, nil},
		{"step without details", &types.StepExecution{StepName: aws.String("a")}, nil},
		{"step with details", &types.StepExecution{StepName: aws.String("a"), FailureDetails: details}, details},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &execution.ExecutionFailedError{ExecutionID: "e-1", FailedStep: tc.step}
			assert.Same(t, tc.want, e.StepFailureDetails())
		})
	}
}

func TestWaitTimeoutErrorMessage(t *testing.T) {
	last := errors.New("connection reset")
	tests := []struct {
		name string
		err  execution.WaitTimeoutError
		want string
	}{
		{
			name: "nothing read",
			err:  execution.WaitTimeoutError{ExecutionID: "e-1", MaxWait: 5 * time.Minute},
			want: "automation execution e-1: not ended after 5m0s",
		},
		{
			name: "status without step",
			err:  execution.WaitTimeoutError{ExecutionID: "e-1", MaxWait: time.Minute, LastStatus: types.AutomationExecutionStatusPending},
			want: "automation execution e-1: not ended after 1m0s (last status Pending)",
		},
		{
			name: "status and step",
			err: execution.WaitTimeoutError{ExecutionID: "e-1", MaxWait: time.Minute,
				LastStatus: types.AutomationExecutionStatusInprogress, LastStep: "copy"},
			want: "automation execution e-1: not ended after 1m0s (last status InProgress, step copy)",
		},
		{
			name: "step without status is not shown",
			err:  execution.WaitTimeoutError{ExecutionID: "e-1", MaxWait: time.Minute, LastStep: "copy"},
			want: "automation execution e-1: not ended after 1m0s",
		},
		{
			name: "last error",
			err:  execution.WaitTimeoutError{ExecutionID: "e-1", MaxWait: time.Second, LastErr: last},
			want: "automation execution e-1: not ended after 1s, last error: connection reset",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}

func TestWaitTimeoutErrorMatches(t *testing.T) {
	last := errors.New("connection reset")
	var err error = &execution.WaitTimeoutError{ExecutionID: "e-1", LastErr: last}
	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"wait timeout", execution.ErrWaitTimeout, true},
		{"deadline exceeded", context.DeadlineExceeded, true},
		{"last error through Unwrap", last, true},
		{"cancelled", context.Canceled, false},
		{"awaiting input", execution.ErrAwaitingInput, false},
		{"unrelated", errors.New("connection reset"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errors.Is(err, tc.target))
		})
	}
}

func TestAwaitingInputError(t *testing.T) {
	tests := []struct {
		name string
		err  execution.AwaitingInputError
		want string
	}{
		{
			name: "no step",
			err:  execution.AwaitingInputError{ExecutionID: "e-1", Status: types.AutomationExecutionStatusWaiting},
			want: "automation execution e-1 is waiting for input (status Waiting)",
		},
		{
			name: "step",
			err: execution.AwaitingInputError{ExecutionID: "e-1", Status: types.AutomationExecutionStatusWaiting,
				Step: &types.StepExecution{StepName: aws.String("approve")}},
			want: "automation execution e-1 is waiting for input (status Waiting, step approve)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
			assert.ErrorIs(t, &tc.err, execution.ErrAwaitingInput)
			assert.NotErrorIs(t, &tc.err, execution.ErrWaitTimeout)
			assert.NotErrorIs(t, &tc.err, context.DeadlineExceeded)
		})
	}
}

func TestInputProblemMessages(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"with value", &execution.InputProblem{Field: "Parameters.Size", Value: "x", Message: "not a number"}, `Parameters.Size: "x": not a number`},
		{"without value", &execution.InputProblem{Field: "Parameters.Size", Message: "required"}, "Parameters.Size: required"},
		{"invalid input joins problems", &execution.InvalidInputError{Problems: []*execution.InputProblem{
			{Field: "A", Message: "required"},
			{Field: "B", Value: "1", Message: "too short"},
		}}, `invalid start input: A: required; B: "1": too short`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.err.Error())
		})
	}
}
