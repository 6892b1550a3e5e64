package execution

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// SignalOptions are the options of the signal and stop helpers.
type SignalOptions struct {
	// ClientOptions apply to the call.
	ClientOptions []func(*ssm.Options)
	// StepName is the paused step [Resume] names. When empty, Resume looks
	// the waiting step up, which needs a client that also implements
	// [DescribeAutomationStepExecutionsAPIClient].
	StepName string
	// Payload holds further payload keys for the signal, such as the
	// operator's own keys a runbook reads. The keys a helper sets itself
	// (StepName, StepExecutionId, Comment) take precedence.
	Payload map[string][]string
}

// WithStepName names the paused step [Resume] resumes, saving the look-up.
func WithStepName(name string) func(*SignalOptions) {
	return func(o *SignalOptions) { o.StepName = name }
}

// WithPayload adds keys to the signal's payload; see
// [SignalOptions.Payload].
func WithPayload(payload map[string][]string) func(*SignalOptions) {
	return func(o *SignalOptions) { o.Payload = payload }
}

// ErrNoWaitingStep is matched (errors.Is) by the error [Resume] returns when
// it looks for the paused step and finds none, or more than one.
var ErrNoWaitingStep = errors.New("execution: no single waiting step to resume")

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
// SendAutomationSignal requires the paused step's name as StepName: Resume
// sends [SignalOptions.StepName] when set, else it finds the execution's one
// step in status Waiting with DescribeAutomationStepExecutions, for which
// client must implement [DescribeAutomationStepExecutionsAPIClient] (as
// *ssm.Client does).
func Resume(ctx context.Context, client SendAutomationSignalAPIClient, executionID string, optFns ...func(*SignalOptions)) error {
	if executionID == "" {
		return fmt.Errorf("execution: %s: execution id is required", types.SignalTypeResume)
	}
	var o SignalOptions
	for _, fn := range optFns {
		fn(&o)
	}
	name := o.StepName
	if name == "" {
		steps, ok := client.(DescribeAutomationStepExecutionsAPIClient)
		if !ok {
			return fmt.Errorf("execution: resume %s: step name is required: pass WithStepName or a client that can describe step executions", executionID)
		}
		var err error
		if name, err = waitingStep(ctx, steps, executionID, o.ClientOptions); err != nil {
			return err
		}
	}
	return signal(ctx, client, executionID, types.SignalTypeResume, map[string][]string{"StepName": {name}}, optFns)
}

// maxStepPages bounds the look-up of the waiting step, so that a service
// that keeps returning a NextToken cannot keep Resume looping.
const maxStepPages = 100

// waitingStep returns the name of the execution's one step in status Waiting.
func waitingStep(ctx context.Context, client DescribeAutomationStepExecutionsAPIClient, id string, clientOpts []func(*ssm.Options)) (string, error) {
	in := &ssm.DescribeAutomationStepExecutionsInput{
		AutomationExecutionId: aws.String(id),
		Filters: []types.StepExecutionFilter{{
			Key:    types.StepExecutionFilterKeyStepExecutionStatus,
			Values: []string{string(types.AutomationExecutionStatusWaiting)},
		}},
	}
	var names []string
	for range maxStepPages {
		out, err := client.DescribeAutomationStepExecutions(ctx, in, clientOpts...)
		if err != nil {
			return "", fmt.Errorf("execution: resume %s: find the waiting step: %w", id, err)
		}
		for _, s := range out.StepExecutions {
			// Checked again: the filter is the service's to honour.
			if s.StepStatus == types.AutomationExecutionStatusWaiting {
				names = append(names, aws.ToString(s.StepName))
			}
		}
		next := aws.ToString(out.NextToken)
		if next == "" {
			switch len(names) {
			case 0:
				return "", fmt.Errorf("resume %s: no step is waiting: %w", id, ErrNoWaitingStep)
			case 1:
				if names[0] == "" {
					return "", fmt.Errorf("resume %s: the waiting step has no name: %w", id, ErrNoWaitingStep)
				}
				return names[0], nil
			default:
				return "", fmt.Errorf("resume %s: steps %s are waiting, name one with WithStepName: %w", id, strings.Join(names, ", "), ErrNoWaitingStep)
			}
		}
		in.NextToken = aws.String(next)
	}
	return "", fmt.Errorf("execution: resume %s: find the waiting step: more than %d pages of steps", id, maxStepPages)
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

// Revoke withdraws a change request of Change Manager that runs the
// execution's runbook; an Automation execution started directly refuses it.
func Revoke(ctx context.Context, client SendAutomationSignalAPIClient, executionID string, optFns ...func(*SignalOptions)) error {
	return signal(ctx, client, executionID, types.SignalTypeRevoke, nil, optFns)
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

// withExtra returns payload with the keys of extra it does not set
// itself, without changing either map; nil when both are empty.
func withExtra(payload, extra map[string][]string) map[string][]string {
	if len(extra) == 0 {
		return payload
	}
	out := maps.Clone(extra)
	maps.Copy(out, payload)
	return out
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
		Payload:               withExtra(payload, o.Payload),
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
