package execution_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// TestWaitPollsThroughEveryInProgressStatus holds each in-progress status
// for ten minutes: the wait keeps polling and ends on the final Success,
// or, asked to, stops at the statuses that wait for a person.
func TestWaitPollsThroughEveryInProgressStatus(t *testing.T) {
	for _, s := range types.AutomationExecutionStatus("").Values() {
		if execution.Classify(s) != execution.InProgress {
			continue
		}
		t.Run(string(s), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, phase{status: s}, phase{at: 10 * time.Minute, status: types.AutomationExecutionStatusSuccess})
				start := time.Now()
				var seen []types.AutomationExecutionStatus
				err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
					o.OnProgress = func(p execution.Progress) { seen = append(seen, p.Status) }
				}).Wait(t.Context(), execID, time.Hour)
				require.NoError(t, err)
				assert.GreaterOrEqual(t, time.Since(start), 10*time.Minute)
				assert.Equal(t, []types.AutomationExecutionStatus{s, types.AutomationExecutionStatusSuccess}, seen)

				err = execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true })
				require.NoError(t, err, "ended by now")
				f.add(execID, phase{status: s}, phase{at: 10 * time.Minute, status: types.AutomationExecutionStatusSuccess})
				err = execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true })
				if execution.WaitsForPerson(s) {
					var ae *execution.AwaitingInputError
					require.ErrorAs(t, err, &ae)
					assert.Equal(t, s, ae.Status)
					assert.Nil(t, ae.Step)
				} else {
					require.NoError(t, err)
				}
			})
		})
	}
}

type emptyGetter struct{ *fakeSSM }

func (emptyGetter) GetAutomationExecution(context.Context, *ssm.GetAutomationExecutionInput, ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	return &ssm.GetAutomationExecutionOutput{}, nil
}

func TestWaitEmptyResponse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		err := execution.NewExecutionWaiter(emptyGetter{newFake()}).Wait(t.Context(), execID, time.Minute)
		assert.ErrorContains(t, err, "returned no execution")
	})
}

func TestWaitStepReadErrors(t *testing.T) {
	specs := []stepSpec{
		{name: "a", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusSuccess},
		{name: "b", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusSuccess},
		{name: "c", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusFailed, failure: "boom"},
	}
	t.Run("throttled at the end: read again before returning", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.truncateAt = 1
			f.add(execID, script(types.AutomationExecutionStatusFailed, "x", specs...)...)
			f.failNext("DescribeAutomationStepExecutions", throttlingError, throttlingError)
			err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour)
			var fe *execution.ExecutionFailedError
			require.ErrorAs(t, err, &fe)
			require.NotNil(t, fe.FailedStep)
			assert.Equal(t, "c", aws.ToString(fe.FailedStep.StepName))
			assert.Equal(t, 3, f.count("DescribeAutomationStepExecutions"))
		})
	})
	t.Run("denied: the failure is reported with the steps at hand", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.truncateAt = 1
			f.add(execID, script(types.AutomationExecutionStatusFailed, "x", specs...)...)
			f.failNext("DescribeAutomationStepExecutions", &smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient})
			var log logLines
			err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.Logger = &log }).Wait(t.Context(), execID, time.Hour)
			var fe *execution.ExecutionFailedError
			require.ErrorAs(t, err, &fe)
			assert.Nil(t, fe.FailedStep, "only the first step was returned")
			assert.True(t, fe.Execution.StepExecutionsTruncated)
			assert.NotEmpty(t, log.lines)
		})
	})
}

func TestWaitRetryableMayKeepPollingOnErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient}
		f.failNext("GetAutomationExecution", denied, denied)
		// A caller whose permissions are being granted right now.
		patient := func(ctx context.Context, in *ssm.GetAutomationExecutionInput, out *ssm.GetAutomationExecutionOutput, err error) (bool, error) {
			var api smithy.APIError
			if errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException" {
				return true, nil
			}
			return execution.DefaultRetryable(ctx, in, out, err)
		}
		require.NoError(t, execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.Retryable = patient }).Wait(t.Context(), execID, time.Hour))
	})
}

func TestWatcherWithoutDetailAndUnknownStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), phase{status: "Hibernating"}, phase{at: time.Minute, status: types.AutomationExecutionStatusTimedout, failure: "took too long"})
		var log logLines
		var last execution.Event
		require.NoError(t, execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.SkipDetail = true; o.Logger = &log }).
			Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) { last = ev }))
		assert.Equal(t, types.AutomationExecutionStatusTimedout, last.Status)
		assert.Equal(t, types.AutomationExecutionStatus("Hibernating"), last.PreviousStatus)
		var fe *execution.ExecutionFailedError
		require.ErrorAs(t, last.Err, &fe)
		assert.Equal(t, "took too long", fe.FailureMessage)
		assert.Nil(t, fe.FailedStep)
		assert.Len(t, log.lines, 1)
		assert.Contains(t, log.lines[0], `unknown status "Hibernating"`)
	})
}

func TestWaitRateLimiterPastDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
		// One call every ten minutes: the second would come after the wait.
		lim := rate.NewLimiter(rate.Every(10*time.Minute), 1)
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.RateLimiter = lim }).Wait(t.Context(), execID, 5*time.Minute)
		require.ErrorIs(t, err, execution.ErrWaitTimeout)
		assert.Equal(t, 1, f.count("GetAutomationExecution"))

		err = execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.RateLimiter = rate.NewLimiter(1, 0) }).Wait(t.Context(), execID, 5*time.Minute)
		assert.ErrorContains(t, err, "rate limiter")
	})
}

// TestWaitProgressCarriesCounters checks a rate-controlled execution's
// step counters reach OnProgress with each change.
func TestWaitProgressCarriesCounters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		step := func(status types.AutomationExecutionStatus) []types.StepExecution {
			return []types.StepExecution{{StepName: aws.String("Invoke"), Action: aws.String("aws:executeAutomation"), StepExecutionId: aws.String("s-1"), StepStatus: status}}
		}
		counters := func(ok, failed int32) *types.ProgressCounters {
			return &types.ProgressCounters{TotalSteps: 4, SuccessSteps: ok, FailedSteps: failed}
		}
		f := newFake()
		f.add(execID,
			phase{status: types.AutomationExecutionStatusInprogress, steps: step(types.AutomationExecutionStatusPending), counters: counters(0, 0)},
			phase{at: 20 * time.Second, status: types.AutomationExecutionStatusInprogress, steps: step(types.AutomationExecutionStatusInprogress), counters: counters(1, 0)},
			phase{at: 60 * time.Second, status: types.AutomationExecutionStatusCompletedWithSuccess, steps: step(types.AutomationExecutionStatusSuccess), counters: counters(3, 1)},
		)
		var got []string
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
			o.OnProgress = func(p execution.Progress) {
				require.NotNil(t, p.Counters)
				got = append(got, fmt.Sprintf("%s %s %d/%d/%d", p.Status, p.StepStatus, p.Counters.SuccessSteps, p.Counters.FailedSteps, p.Counters.TotalSteps))
			}
		}).Wait(t.Context(), execID, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, []string{
			"InProgress Pending 0/0/4",
			"InProgress InProgress 1/0/4",
			"CompletedWithSuccess Success 3/1/4",
		}, got)
	})
}
