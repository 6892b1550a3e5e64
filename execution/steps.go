package execution

import (
	"errors"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// stepLog remembers the steps seen so far and their last status, to report
// each change once.
type stepLog struct {
	list   []types.StepExecution
	status map[string]types.AutomationExecutionStatus
}

func newStepLog() *stepLog {
	return &stepLog{status: map[string]types.AutomationExecutionStatus{}}
}

func stepKey(s *types.StepExecution, i int) string {
	if id := aws.ToString(s.StepExecutionId); id != "" {
		return id
	}
	return aws.ToString(s.StepName) + "#" + strconv.Itoa(i)
}

// update records steps and returns those whose status changed, in order.
func (l *stepLog) update(steps []types.StepExecution) []*types.StepExecution {
	var changed []*types.StepExecution
	for i := range steps {
		s := &steps[i]
		k := stepKey(s, i)
		if prev, ok := l.status[k]; !ok || prev != s.StepStatus {
			changed = append(changed, s)
		}
		l.status[k] = s.StepStatus
	}
	if len(steps) > 0 {
		l.list = append(l.list[:0], steps...)
	}
	return changed
}

// holdsEnded reports whether page has a step already recorded as ended:
// older steps have ended too, since Automation runs steps one at a time.
func (l *stepLog) holdsEnded(page []types.StepExecution) bool {
	for i := range page {
		id := aws.ToString(page[i].StepExecutionId)
		if st, ok := l.status[id]; ok && id != "" && Classify(st) != InProgress {
			return true
		}
	}
	return false
}

// merged returns the known steps updated with newer, which is in order.
func (l *stepLog) merged(newer []types.StepExecution) []types.StepExecution {
	out := append([]types.StepExecution(nil), l.list...)
	index := make(map[string]int, len(out))
	for i := range out {
		if id := aws.ToString(out[i].StepExecutionId); id != "" {
			index[id] = i
		}
	}
	for _, s := range newer {
		if i, ok := index[aws.ToString(s.StepExecutionId)]; ok {
			out[i] = s
			continue
		}
		out = append(out, s)
	}
	return out
}

var (
	throttleChecks  = retry.IsErrorThrottles(retry.DefaultThrottles)
	transientChecks = retry.IsErrorRetryables(retry.DefaultRetryables)
)

// classifyError sorts a call's error: throttling and transient failures are
// polled through, anything else is the caller's to see.
func classifyError(err error) errKind {
	if err == nil {
		return errNone
	}
	if throttleChecks.IsErrorThrottle(err) == aws.TrueTernary {
		return errThrottle
	}
	var nf *types.AutomationExecutionNotFoundException
	var api smithy.APIError
	if errors.As(err, &nf) || (errors.As(err, &api) && api.ErrorCode() == "AutomationExecutionNotFoundException") {
		return errNotFound
	}
	if transientChecks.IsErrorRetryable(err) == aws.TrueTernary {
		return errTransient
	}
	if errors.As(err, &api) && api.ErrorFault() == smithy.FaultServer {
		return errTransient
	}
	return errOther
}
