package execution

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmdelegate/ssmdelegate/internal/field"
)

// ErrWaitTimeout is matched (errors.Is) by the error a wait returns when its
// maximum wait time passes before the execution ends.
var ErrWaitTimeout = errors.New("execution: wait timed out")

// ErrAwaitingInput is matched (errors.Is) by the error a wait returns, when
// asked to, on an execution that waits for a person.
var ErrAwaitingInput = errors.New("execution: waiting for input")

// ExecutionFailedError is returned by a wait whose execution ended without
// success. FailedStep is the first step that failed, timed out or was
// cancelled, when there is one.
type ExecutionFailedError struct {
	ExecutionID    string
	Status         types.AutomationExecutionStatus
	FailureMessage string
	// FailedStep is the step that ended the execution, nil when no step
	// failed (a rejected change calendar override, a stop from outside).
	FailedStep *types.StepExecution
	// Execution is the last state read from the service.
	Execution *types.AutomationExecution
	// Locations is the per-location view of a multi-account execution,
	// nil for any other.
	Locations *LocationReport
}

func (e *ExecutionFailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "automation execution %s ended with status %s", e.ExecutionID, e.Status)
	if e.FailureMessage != "" {
		fmt.Fprintf(&b, ": %s", e.FailureMessage)
	}
	if s := e.FailedStep; s != nil {
		fmt.Fprintf(&b, " (step %s", aws.ToString(s.StepName))
		if a := aws.ToString(s.Action); a != "" {
			fmt.Fprintf(&b, " [%s]", a)
		}
		fmt.Fprintf(&b, " %s", s.StepStatus)
		if m := aws.ToString(s.FailureMessage); m != "" && m != e.FailureMessage {
			fmt.Fprintf(&b, ": %s", m)
		}
		b.WriteString(")")
	}
	return b.String()
}

// StepFailureDetails returns the failed step's details (FailureStage,
// FailureType and the service's detail map), nil when there is none.
func (e *ExecutionFailedError) StepFailureDetails() *types.FailureDetails {
	if e.FailedStep == nil {
		return nil
	}
	return e.FailedStep.FailureDetails
}

// WaitTimeoutError is returned when a wait's maximum time passes first. It
// matches [ErrWaitTimeout] and [context.DeadlineExceeded] with errors.Is
// and unwraps to the last API error, if any.
type WaitTimeoutError struct {
	ExecutionID string
	MaxWait     time.Duration
	// LastStatus is the last status read, empty when none was read.
	LastStatus types.AutomationExecutionStatus
	// LastStep is the step running at the last read, if known.
	LastStep string
	// LastErr is the error of the last call, nil when it succeeded.
	LastErr error
	// Attempts counts the polls made.
	Attempts int64
}

func (e *WaitTimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "automation execution %s: not ended after %s", e.ExecutionID, e.MaxWait)
	if e.LastStatus != "" {
		fmt.Fprintf(&b, " (last status %s", e.LastStatus)
		if e.LastStep != "" {
			fmt.Fprintf(&b, ", step %s", e.LastStep)
		}
		b.WriteString(")")
	}
	if e.LastErr != nil {
		fmt.Fprintf(&b, ", last error: %v", e.LastErr)
	}
	return b.String()
}

// Is matches [ErrWaitTimeout] and [context.DeadlineExceeded].
func (e *WaitTimeoutError) Is(target error) bool {
	return target == ErrWaitTimeout || target == context.DeadlineExceeded
}

// Unwrap returns the last API error.
func (e *WaitTimeoutError) Unwrap() error { return e.LastErr }

// AwaitingInputError is returned, when [ExecutionWaiterOptions].ReturnOnAwaitingInput
// is set, as soon as the execution waits for a person (an approval, a
// Resume, a StartStep in interactive mode). It matches [ErrAwaitingInput].
type AwaitingInputError struct {
	ExecutionID string
	Status      types.AutomationExecutionStatus
	// Step is the step that waits, nil when the service does not say.
	Step *types.StepExecution
	// Execution is the last state read from the service.
	Execution *types.AutomationExecution
}

func (e *AwaitingInputError) Error() string {
	s := fmt.Sprintf("automation execution %s is waiting for input (status %s", e.ExecutionID, e.Status)
	if e.Step != nil {
		s += fmt.Sprintf(", step %s", aws.ToString(e.Step.StepName))
	}
	return s + ")"
}

// Is matches [ErrAwaitingInput].
func (e *AwaitingInputError) Is(target error) bool { return target == ErrAwaitingInput }

// InputProblem is one problem found in a start input: the wire field, the
// offending value and what is allowed.
type InputProblem struct {
	// Field is the input's wire path, for example "Parameters.InstanceId"
	// or "Targets[0].Key".
	Field   string
	Value   string
	Message string
}

func (p *InputProblem) Error() string {
	if p.Value != "" {
		return fmt.Sprintf("%s: %q: %s", p.Field, p.Value, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Field, p.Message)
}

// InvalidInputError lists every problem of a start input at once. Each
// problem is an [*InputProblem], reachable with errors.As.
type InvalidInputError struct {
	Problems []*InputProblem
}

func (e *InvalidInputError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return "invalid start input: " + strings.Join(lines, "; ")
}

// Unwrap returns the problems.
func (e *InvalidInputError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

type problems []*InputProblem

func (ps *problems) add(path *field.Path, value, format string, args ...any) {
	*ps = append(*ps, inputProblemOf(field.New("", path, value, "", fmt.Sprintf(format, args...))))
}

// inputProblemOf wraps a field error as an InputProblem.
func inputProblemOf(e field.Error) *InputProblem {
	return &InputProblem{Field: e.Path, Value: e.Value, Message: e.Detail}
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	out := append([]*InputProblem(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return &InvalidInputError{Problems: out}
}
