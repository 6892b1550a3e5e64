package execution_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// addRecorder is a History without samples that records what it is given.
type addRecorder struct {
	mu    sync.Mutex
	added []types.AutomationExecutionStatus
}

func (*addRecorder) Samples(string, string) []execution.Sample { return nil }

func (h *addRecorder) Add(ex *types.AutomationExecution) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.added = append(h.added, ex.AutomationExecutionStatus)
}

// TestWaitHistoryGetsOnlyEndedExecutions checks the waiter hands History
// the execution that ended its wait, and nothing when the wait stopped on
// an execution still running (waiting for approval, or stopped early by
// Retryable).
func TestWaitHistoryGetsOnlyEndedExecutions(t *testing.T) {
	stopAtApproval := func(ctx context.Context, in *ssm.GetAutomationExecutionInput, out *ssm.GetAutomationExecutionOutput, err error) (bool, error) {
		if err == nil && out.AutomationExecution.AutomationExecutionStatus == types.AutomationExecutionStatusPendingApproval {
			return false, nil
		}
		return execution.DefaultRetryable(ctx, in, out, err)
	}
	for _, tc := range []struct {
		name    string
		opt     func(*execution.ExecutionWaiterOptions)
		wantErr bool
		want    []types.AutomationExecutionStatus
	}{
		{"ended", func(*execution.ExecutionWaiterOptions) {}, false, []types.AutomationExecutionStatus{types.AutomationExecutionStatusSuccess}},
		{"awaiting approval", func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true }, true, nil},
		{"stopped by Retryable", func(o *execution.ExecutionWaiterOptions) { o.Retryable = stopAtApproval }, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, phase{status: types.AutomationExecutionStatusInprogress},
					phase{at: 20 * time.Second, status: types.AutomationExecutionStatusPendingApproval},
					phase{at: time.Hour, status: types.AutomationExecutionStatusSuccess})
				h := &addRecorder{}
				out, err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.History = h }).
					WaitForOutput(t.Context(), execID, 2*time.Hour, tc.opt)
				if tc.wantErr {
					var ae *execution.AwaitingInputError
					require.ErrorAs(t, err, &ae)
				} else {
					require.NoError(t, err)
				}
				require.NotNil(t, out)
				assert.Equal(t, tc.want, h.added)
			})
		})
	}
}

// TestWaitLogsRetriesByKind checks a throttled poll is logged at debug
// level, as the expected back-off it is, and a transient error as a
// warning.
func TestWaitLogsRetriesByKind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		f.failNext("GetAutomationExecution", throttlingError, ise)
		log := &logLines{}
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.Logger = log }).Wait(t.Context(), execID, time.Hour)
		require.NoError(t, err)
		debug := log.withPrefix(string(logging.Debug) + " automation execution " + execID + ": throttled")
		require.Len(t, debug, 1)
		assert.True(t, strings.HasPrefix(debug[0], string(logging.Debug)+" automation execution "+execID+": throttled (1 in a row), backing off: "), debug[0])
		warns := log.withPrefix(string(logging.Warn))
		require.Len(t, warns, 1)
		assert.True(t, strings.HasPrefix(warns[0], string(logging.Warn)+" automation execution "+execID+": transient error (1 in a row), retrying: "), warns[0])
	})
}

// TestWaitRetryableErrorReturnedAsIs checks an error of Retryable's own
// making ends the wait unchanged, while the poll's error it passes on is
// wrapped with the execution id.
func TestWaitRetryableErrorReturnedAsIs(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no", Fault: smithy.FaultClient}
	own := errors.New("caller gave up")
	for _, tc := range []struct {
		name      string
		retryable func(context.Context, *ssm.GetAutomationExecutionInput, *ssm.GetAutomationExecutionOutput, error) (bool, error)
		want      string
	}{
		{"default", execution.DefaultRetryable, "execution: get automation execution " + execID + ": " + denied.Error()},
		{"own error", func(context.Context, *ssm.GetAutomationExecutionInput, *ssm.GetAutomationExecutionOutput, error) (bool, error) {
			return false, own
		}, own.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
				f.failNext("GetAutomationExecution", denied)
				err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.Retryable = tc.retryable }).Wait(t.Context(), execID, time.Hour)
				require.EqualError(t, err, tc.want)
				assert.Equal(t, 1, f.count("GetAutomationExecution"))
			})
		})
	}
}

// emptyFirst answers its first n GetAutomationExecution calls with no
// execution, then as the fake does.
type emptyFirst struct {
	*fakeSSM
	n int
}

func (c *emptyFirst) GetAutomationExecution(ctx context.Context, in *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	if c.n > 0 {
		c.n--
		return &ssm.GetAutomationExecutionOutput{}, nil
	}
	return c.fakeSSM.GetAutomationExecution(ctx, in, optFns...)
}

// TestWaitRetryableMayPollThroughEmptyOutput checks a Retryable that
// retries an answer without an execution keeps the wait going to the
// execution's end.
func TestWaitRetryableMayPollThroughEmptyOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		tolerant := func(ctx context.Context, in *ssm.GetAutomationExecutionInput, out *ssm.GetAutomationExecutionOutput, err error) (bool, error) {
			if err == nil && out.AutomationExecution == nil {
				return true, nil
			}
			return execution.DefaultRetryable(ctx, in, out, err)
		}
		out, err := execution.NewExecutionWaiter(&emptyFirst{fakeSSM: f, n: 2}, func(o *execution.ExecutionWaiterOptions) { o.Retryable = tolerant }).
			WaitForOutput(t.Context(), execID, time.Hour)
		require.NoError(t, err)
		require.NotNil(t, out.AutomationExecution)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, out.AutomationExecution.AutomationExecutionStatus)
	})
}

// TestWaitReadsTruncatedStepsOnChange checks a truncated step list is read
// in full only when it can matter: on a change of the execution's status
// or current step while OnProgress listens, and once at the end.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecution.html
func TestWaitReadsTruncatedStepsOnChange(t *testing.T) {
	for _, tc := range []struct {
		name     string
		progress bool
		reads    int
	}{
		// The changes to steps two and three (one step alone is not
		// truncated), and the end.
		{"with OnProgress", true, 3},
		{"without OnProgress", false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.truncateAt = 1
				f.add(execID, script(types.AutomationExecutionStatusSuccess, "",
					stepSpec{name: "one", action: "aws:sleep", dur: 10 * time.Minute, status: types.AutomationExecutionStatusSuccess},
					stepSpec{name: "two", action: "aws:sleep", dur: 10 * time.Minute, status: types.AutomationExecutionStatusSuccess},
					stepSpec{name: "three", action: "aws:sleep", dur: 10 * time.Minute, status: types.AutomationExecutionStatusSuccess},
				)...)
				var steps []string
				out, err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
					if tc.progress {
						o.OnProgress = func(p execution.Progress) {
							if p.StepChanged {
								steps = append(steps, p.StepName+" "+string(p.StepStatus))
							}
						}
					}
				}).WaitForOutput(t.Context(), execID, time.Hour)
				require.NoError(t, err)
				assert.Len(t, out.AutomationExecution.StepExecutions, 3)
				assert.Greater(t, f.count("GetAutomationExecution"), 10, "many polls")
				assert.Equal(t, tc.reads, f.count("DescribeAutomationStepExecutions"))
				if tc.progress {
					assert.Equal(t, []string{"one InProgress", "one Success", "two InProgress", "two Success", "three InProgress", "three Success"}, steps)
				}
			})
		})
	}
}

// currentNamed makes GetAutomationExecution name step as the current one,
// as the service does while an earlier step of the list runs.
type currentNamed struct {
	*fakeSSM
	step string
}

func (c *currentNamed) GetAutomationExecution(ctx context.Context, in *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	out, err := c.fakeSSM.GetAutomationExecution(ctx, in, optFns...)
	if err == nil {
		out.AutomationExecution.CurrentStepName = aws.String(c.step)
	}
	return out, err
}

// TestWaitProgressNamesCurrentStep checks a change of the execution's
// status alone comes with the step the service names as current, even
// when it is not the last of the list, and the last step when it names
// none.
func TestWaitProgressNamesCurrentStep(t *testing.T) {
	for _, tc := range []struct {
		name, current, want string
	}{
		{"first step current", "first", "first"},
		{"none named", "", "second"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				steps := []types.StepExecution{
					{StepName: aws.String("first"), Action: aws.String("aws:sleep"), StepExecutionId: aws.String("s-1"), StepStatus: types.AutomationExecutionStatusInprogress},
					{StepName: aws.String("second"), Action: aws.String("aws:approve"), StepExecutionId: aws.String("s-2"), StepStatus: types.AutomationExecutionStatusPending},
				}
				f := newFake()
				f.add(execID,
					phase{status: types.AutomationExecutionStatusInprogress, steps: steps},
					phase{at: time.Minute, status: types.AutomationExecutionStatusCancelling, steps: steps},
					phase{at: 2 * time.Minute, status: types.AutomationExecutionStatusCancelled, steps: steps},
				)
				var changes []execution.Progress
				err := execution.NewExecutionWaiter(&currentNamed{fakeSSM: f, step: tc.current}, func(o *execution.ExecutionWaiterOptions) {
					o.OnProgress = func(p execution.Progress) {
						if !p.StepChanged {
							changes = append(changes, p)
						}
					}
				}).Wait(t.Context(), execID, time.Hour)
				var fe *execution.ExecutionFailedError
				require.ErrorAs(t, err, &fe)
				require.Len(t, changes, 2, "Cancelling, Cancelled")
				for _, p := range changes {
					assert.Equal(t, tc.want, p.StepName)
					if assert.NotNil(t, p.Step) {
						assert.Equal(t, tc.want, aws.ToString(p.Step.StepName))
					}
				}
			})
		})
	}
}

// TestWaitCancelErrorNamesCauseOnce checks a plain cancellation is
// reported once, and a cancellation with a cause with both.
func TestWaitCancelErrorNamesCauseOnce(t *testing.T) {
	cause := errors.New("operator interrupted")
	for _, tc := range []struct {
		name   string
		cancel func(context.CancelCauseFunc)
		want   string
	}{
		{"plain", func(c context.CancelCauseFunc) { c(nil) }, "execution: wait for " + execID + ": context canceled"},
		{"with cause", func(c context.CancelCauseFunc) { c(cause) }, "execution: wait for " + execID + ": context canceled (operator interrupted)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
				ctx, cancel := context.WithCancelCause(t.Context())
				time.AfterFunc(30*time.Second, func() { tc.cancel(cancel) })
				err := execution.NewExecutionWaiter(f).Wait(ctx, execID, 2*time.Hour)
				require.EqualError(t, err, tc.want)
				require.ErrorIs(t, err, context.Canceled)
			})
		})
	}
}
