package execution

import (
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Outcome is the class of an [types.AutomationExecutionStatus] from a
// waiter's point of view.
type Outcome int

const (
	// InProgress means the execution (or step) has not ended: keep polling.
	InProgress Outcome = iota
	// Succeeded means it ended well.
	Succeeded
	// Failed means it ended without success (failed, timed out, cancelled,
	// rejected, exited...).
	Failed
)

// String returns the outcome's name.
func (o Outcome) String() string {
	switch o {
	case Succeeded:
		return "Succeeded"
	case Failed:
		return "Failed"
	default:
		return "InProgress"
	}
}

// Classify returns the outcome of an Automation status. A status the
// service adds later, unknown to this package, is in progress: a waiter
// keeps polling (and logs it) rather than guessing an end.
func Classify(s types.AutomationExecutionStatus) Outcome {
	o, _ := classify(s)
	return o
}

// IsKnownStatus reports whether [Classify] knows the status.
func IsKnownStatus(s types.AutomationExecutionStatus) bool {
	_, ok := classify(s)
	return ok
}

func classify(s types.AutomationExecutionStatus) (Outcome, bool) {
	switch s {
	case types.AutomationExecutionStatusSuccess,
		types.AutomationExecutionStatusCompletedWithSuccess:
		return Succeeded, true
	case types.AutomationExecutionStatusFailed,
		types.AutomationExecutionStatusTimedout,
		types.AutomationExecutionStatusCancelled,
		types.AutomationExecutionStatusRejected,
		types.AutomationExecutionStatusChangeCalendarOverrideRejected,
		types.AutomationExecutionStatusCompletedWithFailure,
		types.AutomationExecutionStatusExited:
		return Failed, true
	case types.AutomationExecutionStatusPending,
		types.AutomationExecutionStatusInprogress,
		types.AutomationExecutionStatusWaiting,
		types.AutomationExecutionStatusCancelling,
		types.AutomationExecutionStatusPendingApproval,
		types.AutomationExecutionStatusApproved,
		types.AutomationExecutionStatusScheduled,
		types.AutomationExecutionStatusRunbookInprogress,
		types.AutomationExecutionStatusPendingChangeCalendarOverride,
		types.AutomationExecutionStatusChangeCalendarOverrideApproved:
		return InProgress, true
	}
	return InProgress, false
}

// WaitsForPerson reports whether an execution in this status is blocked
// until someone acts: an approval, a change calendar override, or a
// paused or interactive execution waiting for Resume or StartStep.
func WaitsForPerson(s types.AutomationExecutionStatus) bool {
	switch s {
	case types.AutomationExecutionStatusWaiting,
		types.AutomationExecutionStatusPendingApproval,
		types.AutomationExecutionStatusPendingChangeCalendarOverride:
		return true
	}
	return false
}
