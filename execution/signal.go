package execution

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// SignalOptions are the options of the signal and stop helpers.
type SignalOptions struct {
	// ClientOptions apply to the call.
	ClientOptions []func(*ssm.Options)
}

// Approve approves the execution's aws:approve step (the caller must be
// one of its approvers). The comment is recorded with the approval.
func Approve(ctx context.Context, client SendAutomationSignalAPIClient, executionID, comment string, optFns ...func(*SignalOptions)) error {
	return signal(ctx, client, executionID, types.SignalTypeApprove, commentPayload(comment), optFns)
}

// Reject rejects the execution's aws:approve step, which fails it.
func Reject(ctx context.Context, client SendAutomationSignalAPIClient, executionID, comment string, optFns ...func(*SignalOptions)) error {
	return signal(ctx, client, executionID, types.SignalTypeReject, commentPayload(comment), optFns)
}

// Resume resumes an execution paused by an aws:pause step.
func Resume(ctx context.Context, client SendAutomationSignalAPIClient, executionID string, optFns ...func(*SignalOptions)) error {
	return signal(ctx, client, executionID, types.SignalTypeResume, nil, optFns)
}

// StartStep runs the named step of an Interactive execution.
func StartStep(ctx context.Context, client SendAutomationSignalAPIClient, executionID, stepName string, optFns ...func(*SignalOptions)) error {
	if stepName == "" {
		return errors.New("execution: start step: step name is required")
	}
	return signal(ctx, client, executionID, types.SignalTypeStartStep, map[string][]string{"StepName": {stepName}}, optFns)
}

// StopStep stops a running step of an execution, by its step execution id
// (from GetAutomationExecution or DescribeAutomationStepExecutions).
func StopStep(ctx context.Context, client SendAutomationSignalAPIClient, executionID, stepExecutionID string, optFns ...func(*SignalOptions)) error {
	if stepExecutionID == "" {
		return errors.New("execution: stop step: step execution id is required")
	}
	return signal(ctx, client, executionID, types.SignalTypeStopStep, map[string][]string{"StepExecutionId": {stepExecutionID}}, optFns)
}

// Cancel stops the execution: the running step is cancelled and the
// execution ends Cancelled, running onCancel steps where the runbook has
// them.
func Cancel(ctx context.Context, client StopAutomationExecutionAPIClient, executionID string, optFns ...func(*SignalOptions)) error {
	return stop(ctx, client, executionID, types.StopTypeCancel, optFns)
}

// Complete stops the execution and marks it complete, for executions in
// Interactive mode or waiting at a step.
func Complete(ctx context.Context, client StopAutomationExecutionAPIClient, executionID string, optFns ...func(*SignalOptions)) error {
	return stop(ctx, client, executionID, types.StopTypeComplete, optFns)
}

func commentPayload(comment string) map[string][]string {
	if comment == "" {
		return nil
	}
	return map[string][]string{"Comment": {comment}}
}

func signal(ctx context.Context, client SendAutomationSignalAPIClient, id string, typ types.SignalType, payload map[string][]string, optFns []func(*SignalOptions)) error {
	if id == "" {
		return fmt.Errorf("execution: %s: execution id is required", typ)
	}
	var o SignalOptions
	for _, fn := range optFns {
		fn(&o)
	}
	_, err := client.SendAutomationSignal(ctx, &ssm.SendAutomationSignalInput{
		AutomationExecutionId: aws.String(id),
		SignalType:            typ,
		Payload:               payload,
	}, o.ClientOptions...)
	if err != nil {
		return fmt.Errorf("execution: send %s signal to %s: %w", typ, id, err)
	}
	return nil
}

func stop(ctx context.Context, client StopAutomationExecutionAPIClient, id string, typ types.StopType, optFns []func(*SignalOptions)) error {
	if id == "" {
		return fmt.Errorf("execution: %s: execution id is required", typ)
	}
	var o SignalOptions
	for _, fn := range optFns {
		fn(&o)
	}
	_, err := client.StopAutomationExecution(ctx, &ssm.StopAutomationExecutionInput{
		AutomationExecutionId: aws.String(id),
		Type:                  typ,
	}, o.ClientOptions...)
	if err != nil {
		return fmt.Errorf("execution: stop %s (%s): %w", id, typ, err)
	}
	return nil
}
