package execution_test

import (
	"context"
	"errors"
	"fmt"
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
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

const execID = "11111111-2222-4333-8444-555555555555"

func TestClassifyEveryStatus(t *testing.T) {
	want := map[types.AutomationExecutionStatus]execution.Outcome{
		types.AutomationExecutionStatusSuccess:                        execution.Succeeded,
		types.AutomationExecutionStatusCompletedWithSuccess:           execution.Succeeded,
		types.AutomationExecutionStatusFailed:                         execution.Failed,
		types.AutomationExecutionStatusTimedout:                       execution.Failed,
		types.AutomationExecutionStatusCancelled:                      execution.Failed,
		types.AutomationExecutionStatusRejected:                       execution.Failed,
		types.AutomationExecutionStatusChangeCalendarOverrideRejected: execution.Failed,
		types.AutomationExecutionStatusCompletedWithFailure:           execution.Failed,
		types.AutomationExecutionStatusExited:                         execution.Failed,
		types.AutomationExecutionStatusPending:                        execution.InProgress,
		types.AutomationExecutionStatusInprogress:                     execution.InProgress,
		types.AutomationExecutionStatusWaiting:                        execution.InProgress,
		types.AutomationExecutionStatusCancelling:                     execution.InProgress,
		types.AutomationExecutionStatusPendingApproval:                execution.InProgress,
		types.AutomationExecutionStatusApproved:                       execution.InProgress,
		types.AutomationExecutionStatusScheduled:                      execution.InProgress,
		types.AutomationExecutionStatusRunbookInprogress:              execution.InProgress,
		types.AutomationExecutionStatusPendingChangeCalendarOverride:  execution.InProgress,
		types.AutomationExecutionStatusChangeCalendarOverrideApproved: execution.InProgress,
	}
	values := types.AutomationExecutionStatus("").Values()
	require.Len(t, values, 19, "the SDK's status enum changed: classify the new values")
	for _, s := range values {
		t.Run(string(s), func(t *testing.T) {
			w, ok := want[s]
			require.True(t, ok, "status %s not in the table", s)
			assert.Equal(t, w, execution.Classify(s))
			assert.True(t, execution.IsKnownStatus(s))
		})
	}
	assert.Equal(t, execution.InProgress, execution.Classify("Hibernating"))
	assert.False(t, execution.IsKnownStatus("Hibernating"))
	for _, s := range []types.AutomationExecutionStatus{"Waiting", "PendingApproval", "PendingChangeCalendarOverride"} {
		assert.True(t, execution.WaitsForPerson(s), s)
	}
	assert.False(t, execution.WaitsForPerson(types.AutomationExecutionStatusInprogress))
}

// TestWaitEndings runs every terminal status through a wait.
func TestWaitEndings(t *testing.T) {
	for _, s := range types.AutomationExecutionStatus("").Values() {
		if execution.Classify(s) == execution.InProgress {
			continue
		}
		t.Run(string(s), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				stepStatus := s
				failure := ""
				if execution.Classify(s) == execution.Failed {
					failure = "step boom"
				}
				f.add(execID, script(s, "execution "+string(s), stepSpec{name: "first", action: "aws:sleep", dur: 30 * time.Second, status: types.AutomationExecutionStatusSuccess},
					stepSpec{name: "second", action: "aws:executeAwsApi", dur: 90 * time.Second, status: stepStatus, failure: failure})...)
				start := time.Now()
				out, err := execution.NewExecutionWaiter(f).WaitForOutput(t.Context(), execID, time.Hour)
				lag := time.Since(start) - 120*time.Second
				assert.GreaterOrEqual(t, lag, time.Duration(0))
				assert.LessOrEqual(t, lag, 12*time.Second, "detection lag")
				if execution.Classify(s) == execution.Succeeded {
					require.NoError(t, err)
					assert.Equal(t, s, out.AutomationExecution.AutomationExecutionStatus)
					return
				}
				assert.Nil(t, out)
				var fe *execution.ExecutionFailedError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, execID, fe.ExecutionID)
				assert.Equal(t, s, fe.Status)
				assert.Equal(t, "execution "+string(s), fe.FailureMessage)
				require.NotNil(t, fe.FailedStep, "failed step")
				assert.Equal(t, "second", aws.ToString(fe.FailedStep.StepName))
				assert.Equal(t, "step boom", fe.StepFailureDetails().Details["ExceptionMessage"][0])
				assert.Contains(t, err.Error(), "step second [aws:executeAwsApi]")
			})
		})
	}
}

func TestWaitFailedWithoutFailedStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, phase{status: types.AutomationExecutionStatusPendingChangeCalendarOverride},
			phase{at: 10 * time.Second, status: types.AutomationExecutionStatusChangeCalendarOverrideRejected, failure: "override rejected"})
		err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Minute)
		var fe *execution.ExecutionFailedError
		require.ErrorAs(t, err, &fe)
		assert.Nil(t, fe.FailedStep)
		assert.Nil(t, fe.StepFailureDetails())
		assert.Equal(t, "automation execution "+execID+" ended with status ChangeCalendarOverrideRejected: override rejected", err.Error())
	})
}

func TestWaitProgressPerStep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, script(types.AutomationExecutionStatusSuccess, "",
			stepSpec{name: "stop", action: "aws:changeInstanceState", dur: 40 * time.Second, status: types.AutomationExecutionStatusSuccess},
			stepSpec{name: "start", action: "aws:changeInstanceState", dur: 40 * time.Second, status: types.AutomationExecutionStatusSuccess})...)
		var got []string
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
			o.OnProgress = func(p execution.Progress) {
				assert.Equal(t, execID, p.ExecutionID)
				assert.Positive(t, p.Attempt)
				got = append(got, fmt.Sprintf("%s %s %s %s", p.Status, p.StepName, p.Action, p.StepStatus))
			}
		}).Wait(t.Context(), execID, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, []string{
			"InProgress stop aws:changeInstanceState InProgress",
			"InProgress stop aws:changeInstanceState Success",
			"InProgress start aws:changeInstanceState InProgress",
			"Success start aws:changeInstanceState Success",
		}, got)
	})
}

func TestWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, script(types.AutomationExecutionStatusSuccess, "",
			stepSpec{name: "long", action: "aws:sleep", dur: 5 * time.Hour, status: types.AutomationExecutionStatusSuccess})...)
		start := time.Now()
		err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, 10*time.Minute)
		assert.Equal(t, 10*time.Minute, time.Since(start))
		require.ErrorIs(t, err, execution.ErrWaitTimeout)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var te *execution.WaitTimeoutError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, types.AutomationExecutionStatusInprogress, te.LastStatus)
		assert.Equal(t, "long", te.LastStep)
		assert.NoError(t, te.LastErr)
		assert.Equal(t, int64(f.count("GetAutomationExecution")), te.Attempts)
		assert.Contains(t, err.Error(), "not ended after 10m0s (last status InProgress, step long)")
	})
}

func TestWaitTimeoutCarriesLastAPIError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.throttle = 1 // every call throttled
		f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, 5*time.Minute)
		require.ErrorIs(t, err, execution.ErrWaitTimeout)
		var api smithy.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, "ThrottlingException", api.ErrorCode())
		assert.Contains(t, err.Error(), "last error")
		// Throttling backs off: far fewer than one call a second.
		assert.Less(t, f.count("GetAutomationExecution"), 40)
	})
}

func TestWaitCancelPassesThrough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(30*time.Second, cancel)
		err := execution.NewExecutionWaiter(f).Wait(ctx, execID, 2*time.Hour)
		require.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, execution.ErrWaitTimeout)

		cause := errors.New("operator interrupted")
		ctx2, cancel2 := context.WithCancelCause(t.Context())
		time.AfterFunc(30*time.Second, func() { cancel2(cause) })
		err = execution.NewExecutionWaiter(f).Wait(ctx2, execID, 2*time.Hour)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, cause)

		// A caller's deadline shorter than maxWait is the caller's error.
		ctx3, cancel3 := context.WithTimeout(t.Context(), time.Minute)
		defer cancel3()
		err = execution.NewExecutionWaiter(f).Wait(ctx3, execID, 2*time.Hour)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, execution.ErrWaitTimeout)
	})
}

func TestWaitThrottledStillEndsRight(t *testing.T) {
	for _, final := range []types.AutomationExecutionStatus{types.AutomationExecutionStatusSuccess, types.AutomationExecutionStatusFailed} {
		t.Run(string(final), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.throttle = 0.3
				for i := range 50 {
					id := fmt.Sprintf("%s-%02d", execID[:33], i)
					f.add(id, simple(time.Duration(i+1)*97*time.Second, final)...)
					err := execution.NewExecutionWaiter(f).Wait(t.Context(), id, 3*time.Hour)
					if final == types.AutomationExecutionStatusSuccess {
						require.NoError(t, err, id)
					} else {
						var fe *execution.ExecutionFailedError
						require.ErrorAs(t, err, &fe, id)
						assert.Equal(t, final, fe.Status)
					}
				}
			})
		})
	}
}

func TestWaitNotFound(t *testing.T) {
	t.Run("within grace after start", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			e := f.add(execID, simple(20*time.Second, types.AutomationExecutionStatusSuccess)...)
			e.visibleAfter = 4 * time.Second
			require.NoError(t, execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour))
		})
	})
	t.Run("never found", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			start := time.Now()
			err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour)
			var nf *types.AutomationExecutionNotFoundException
			require.ErrorAs(t, err, &nf)
			assert.GreaterOrEqual(t, time.Since(start), execution.DefaultNotFoundGracePeriod)
			assert.Less(t, time.Since(start), execution.DefaultNotFoundGracePeriod+5*time.Second)
		})
	})
	t.Run("grace disabled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.NotFoundGracePeriod = -1 }).Wait(t.Context(), execID, time.Hour)
			var nf *types.AutomationExecutionNotFoundException
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, 1, f.count("GetAutomationExecution"))
		})
	})
	t.Run("gone after being seen", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(execID, simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
			time.AfterFunc(5*time.Second, func() {
				f.mu.Lock()
				delete(f.execs, execID)
				f.mu.Unlock()
			})
			start := time.Now()
			err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour)
			var nf *types.AutomationExecutionNotFoundException
			require.ErrorAs(t, err, &nf)
			assert.Less(t, time.Since(start), 8*time.Second)
		})
	})
}

func TestWaitClientErrorsEndAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: arn:aws:iam::111122223333:user/op is not authorized to perform: ssm:GetAutomationExecution", Fault: smithy.FaultClient}},
		{"validation", &smithy.GenericAPIError{Code: "ValidationException", Message: "bad id", Fault: smithy.FaultClient}},
		{"unrecognized client", &smithy.GenericAPIError{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid.", Fault: smithy.FaultClient}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
				f.failNext("GetAutomationExecution", tc.err)
				start := time.Now()
				err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour)
				require.ErrorIs(t, err, tc.err)
				assert.Contains(t, err.Error(), execID)
				assert.Zero(t, time.Since(start))
				assert.Equal(t, 1, f.count("GetAutomationExecution"))
			})
		})
	}
}

func TestWaitTransientErrors(t *testing.T) {
	ise := &types.InternalServerError{Message: aws.String("internal")}
	t.Run("polled through", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
			f.failNext("GetAutomationExecution", ise, ise, ise)
			require.NoError(t, execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour))
		})
	})
	t.Run("too many in a row", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
			f.failNext("GetAutomationExecution", ise, ise, ise, ise, ise, ise)
			err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour)
			var got *types.InternalServerError
			require.ErrorAs(t, err, &got)
			assert.Equal(t, execution.DefaultMaxTransientErrors+1, f.count("GetAutomationExecution"))
		})
	})
}

func TestWaitAwaitingInput(t *testing.T) {
	approval := func() []phase {
		return script(types.AutomationExecutionStatusSuccess, "",
			stepSpec{name: "prepare", action: "aws:sleep", dur: 10 * time.Second, status: types.AutomationExecutionStatusSuccess},
			stepSpec{name: "approve", action: "aws:approve", dur: 5 * time.Minute, status: types.AutomationExecutionStatusWaiting},
			stepSpec{name: "restart", action: "aws:changeInstanceState", dur: 20 * time.Second, status: types.AutomationExecutionStatusSuccess})
	}
	t.Run("returns when asked", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(execID, approval()...)
			start := time.Now()
			out, err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.ReturnOnAwaitingInput = true }).WaitForOutput(t.Context(), execID, time.Hour)
			require.ErrorIs(t, err, execution.ErrAwaitingInput)
			var ae *execution.AwaitingInputError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, types.AutomationExecutionStatusWaiting, ae.Status)
			assert.Equal(t, "approve", aws.ToString(ae.Step.StepName))
			assert.NotNil(t, out)
			assert.Less(t, time.Since(start), 13*time.Second)
			assert.Contains(t, err.Error(), "waiting for input (status Waiting, step approve)")
		})
	})
	t.Run("reported through progress otherwise", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(execID, approval()...)
			var waiting int
			err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
				o.OnProgress = func(p execution.Progress) {
					if p.StepStatus == types.AutomationExecutionStatusWaiting {
						waiting++
						assert.True(t, execution.WaitsForPerson(p.Status))
						assert.Equal(t, "approve", p.StepName)
					}
				}
			}).Wait(t.Context(), execID, time.Hour)
			require.NoError(t, err)
			assert.Equal(t, 1, waiting)
		})
	})
}

func TestWaitTruncatedSteps(t *testing.T) {
	specs := make([]stepSpec, 12)
	for i := range specs {
		specs[i] = stepSpec{name: fmt.Sprintf("s%02d", i), action: "aws:sleep", dur: 20 * time.Second, status: types.AutomationExecutionStatusSuccess}
	}
	specs[9].status, specs[9].failure = types.AutomationExecutionStatusFailed, "disk full"
	specs = specs[:10]
	t.Run("truncated", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.truncateAt, f.pageSize = 3, 4
			f.add(execID, script(types.AutomationExecutionStatusFailed, "Step fails when it is executing.", specs...)...)
			var names []string
			err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
				o.OnProgress = func(p execution.Progress) { names = append(names, p.StepName+":"+string(p.StepStatus)) }
			}).Wait(t.Context(), execID, time.Hour)
			var fe *execution.ExecutionFailedError
			require.ErrorAs(t, err, &fe)
			require.NotNil(t, fe.FailedStep)
			assert.Equal(t, "s09", aws.ToString(fe.FailedStep.StepName))
			assert.Len(t, fe.Execution.StepExecutions, 10)
			assert.False(t, fe.Execution.StepExecutionsTruncated)
			assert.Positive(t, f.count("DescribeAutomationStepExecutions"))
			assert.Contains(t, names, "s05:Success")
			assert.Equal(t, "s09:Failed", names[len(names)-1])
			// Each step reported in progress and then ended, nothing twice.
			assert.Len(t, names, 20)
		})
	})
	t.Run("not truncated", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(execID, script(types.AutomationExecutionStatusFailed, "x", specs...)...)
			err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.OnProgress = func(execution.Progress) {} }).Wait(t.Context(), execID, time.Hour)
			var fe *execution.ExecutionFailedError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "s09", aws.ToString(fe.FailedStep.StepName))
			assert.Zero(t, f.count("DescribeAutomationStepExecutions"))
		})
	})
	t.Run("truncated without progress reads steps only at the end", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.truncateAt, f.pageSize = 3, 4
			f.add(execID, script(types.AutomationExecutionStatusFailed, "x", specs...)...)
			err := execution.NewExecutionWaiter(f).Wait(t.Context(), execID, time.Hour)
			var fe *execution.ExecutionFailedError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "s09", aws.ToString(fe.FailedStep.StepName))
			assert.Equal(t, 3, f.count("DescribeAutomationStepExecutions"), "three pages of four")
		})
	})
}

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Logf(c logging.Classification, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(c)+" "+fmt.Sprintf(format, v...))
}

func TestWaitUnknownStatusLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, phase{status: "Hibernating"}, phase{at: time.Minute, status: types.AutomationExecutionStatusSuccess})
		var log logLines
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
			o.Logger = &log
			o.LogWaitAttempts = true
		}).Wait(t.Context(), execID, time.Hour)
		require.NoError(t, err)
		var warned int
		for _, l := range log.lines {
			if strings.HasPrefix(l, "WARN") && strings.Contains(l, `unknown status "Hibernating"`) {
				warned++
			}
		}
		assert.Equal(t, 1, warned, "warned once: %v", log.lines)
		assert.Contains(t, log.lines, "DEBUG automation execution "+execID+": poll 1")
	})
}

func TestWaitCustomRetryable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, phase{status: types.AutomationExecutionStatusInprogress},
			phase{at: 20 * time.Second, status: types.AutomationExecutionStatusPendingApproval},
			phase{at: time.Hour, status: types.AutomationExecutionStatusSuccess})
		// Treat "approved and queued" as done, fall back to the default.
		approved := func(ctx context.Context, in *ssm.GetAutomationExecutionInput, out *ssm.GetAutomationExecutionOutput, err error) (bool, error) {
			if err == nil && out.AutomationExecution.AutomationExecutionStatus == types.AutomationExecutionStatusPendingApproval {
				return false, nil
			}
			return execution.DefaultRetryable(ctx, in, out, err)
		}
		out, err := execution.NewExecutionWaiter(f).WaitForOutput(t.Context(), execID, 2*time.Hour, func(o *execution.ExecutionWaiterOptions) { o.Retryable = approved })
		require.NoError(t, err)
		assert.Equal(t, types.AutomationExecutionStatusPendingApproval, out.AutomationExecution.AutomationExecutionStatus)
	})
}

func TestWaitBadArguments(t *testing.T) {
	f := newFake()
	w := execution.NewExecutionWaiter(f)
	assert.ErrorContains(t, w.Wait(t.Context(), execID, 0), "maximum wait time")
	assert.ErrorContains(t, w.Wait(t.Context(), "", time.Minute), "execution id is required")
	assert.ErrorContains(t, w.Wait(t.Context(), execID, time.Minute, func(o *execution.ExecutionWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Minute, time.Second
	}), "minimum delay")
	assert.Zero(t, f.count("GetAutomationExecution"))
}

func TestWaitSharedRateLimiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		lim := rate.NewLimiter(rate.Every(time.Second), 1)
		var wg sync.WaitGroup
		for i := range 20 {
			id := fmt.Sprintf("%s-%02d", execID[:33], i)
			f.add(id, simple(10*time.Minute, types.AutomationExecutionStatusSuccess)...)
			wg.Go(func() {
				assert.NoError(t, execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.RateLimiter = lim }).Wait(t.Context(), id, time.Hour))
			})
		}
		start := time.Now()
		wg.Wait()
		calls := f.count("GetAutomationExecution")
		// The bucket allows one call a second (plus its burst of one).
		assert.LessOrEqual(t, float64(calls), time.Since(start).Seconds()+1)
	})
}

func TestWaitAPIOptionsReachClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Second, types.AutomationExecutionStatusSuccess)...)
		var applied int
		rec := &optionRecorder{fakeSSM: f, apply: func(o *ssm.Options) { applied += len(o.APIOptions) }}
		err := execution.NewExecutionWaiter(rec, func(o *execution.ExecutionWaiterOptions) {
			o.APIOptions = append(o.APIOptions, nil)
			o.ClientOptions = append(o.ClientOptions, func(o *ssm.Options) { o.Region = "eu-west-1" })
		}).Wait(t.Context(), execID, time.Minute)
		require.NoError(t, err)
		assert.Equal(t, f.count("GetAutomationExecution"), applied)
		assert.Equal(t, "eu-west-1", rec.region)
	})
}

type optionRecorder struct {
	*fakeSSM
	apply  func(*ssm.Options)
	region string
}

func (r *optionRecorder) GetAutomationExecution(ctx context.Context, in *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	var o ssm.Options
	for _, fn := range optFns {
		fn(&o)
	}
	r.apply(&o)
	r.region = o.Region
	return r.fakeSSM.GetAutomationExecution(ctx, in, optFns...)
}
