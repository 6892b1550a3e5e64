package execution_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

const watchBudget = 3

var ise = &types.InternalServerError{Message: aws.String("internal")}

// watchOne watches fleetID(1), a one-minute run, with the transient budget
// and no rate limit, and returns the final events and Run's error.
func watchOne(t *testing.T, f *fakeSSM, optFns ...func(*execution.WatcherOptions)) ([]execution.Event, error) {
	t.Helper()
	var finals []execution.Event
	opts := append([]func(*execution.WatcherOptions){func(o *execution.WatcherOptions) {
		o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
		o.MaxTransientErrors = watchBudget
	}}, optFns...)
	err := execution.NewWatcher(f, opts...).Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) {
		if ev.Final {
			finals = append(finals, ev)
		}
	})
	return finals, err
}

// TestWatcherTransientBudget injects budget-1, budget and budget+1
// transient errors in a row into each call of the watcher: up to the
// budget they are retried after the usual pause, one more ends the watch.
func TestWatcherTransientBudget(t *testing.T) {
	for _, op := range []struct{ name, wrap string }{
		{"DescribeAutomationExecutions", "describe automation executions"},
		{"GetAutomationExecution", "get automation execution " + fleetID(1)},
	} {
		for _, n := range []int{watchBudget - 1, watchBudget, watchBudget + 1} {
			t.Run(fmt.Sprintf("%s/%d", op.name, n), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					f := newFake()
					f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
					f.failNext(op.name, repeatErr(ise, n)...)
					finals, err := watchOne(t, f)
					if n > watchBudget {
						var got *types.InternalServerError
						require.ErrorAs(t, err, &got)
						assert.ErrorContains(t, err, "execution: "+op.wrap+": ")
						assert.Equal(t, watchBudget+1, f.count(op.name), "the budget, then one more that ends it")
						assert.Empty(t, finals)
						return
					}
					require.NoError(t, err)
					require.Len(t, finals, 1)
					assert.Equal(t, types.AutomationExecutionStatusSuccess, finals[0].Status)
					if op.name == "GetAutomationExecution" {
						assert.Equal(t, n+1, f.count(op.name), "one read of the ended execution, retried n times")
						require.NotNil(t, finals[0].Execution)
					}
					// A transient error is retried after the usual pause:
					// it does not move the window up as throttling does.
					for i, g := range f.gaps(op.name)[:n] {
						assert.GreaterOrEqual(t, g, execution.DefaultWatchMinDelay, "pause %d", i)
						assert.Less(t, g, 2*execution.DefaultWatchMinDelay, "pause %d", i)
					}
				})
			})
		}
	}
}

func repeatErr(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// TestWatcherThrottlesAreNotTransient checks throttling is retried without
// limit, each throttle in a row moving the pause up by half, and that
// throttles in between do not reset the run of transient errors.
func TestWatcherThrottlesAreNotTransient(t *testing.T) {
	tests := []struct {
		name    string
		errs    []error
		wantErr bool
	}{
		{"many throttles", repeatErr(throttlingError, 4*watchBudget), false},
		{"throttles between transient errors within budget", []error{ise, throttlingError, ise, throttlingError, throttlingError, ise}, false},
		{"throttles between transient errors past budget", []error{ise, throttlingError, ise, throttlingError, ise, throttlingError, ise}, true},
	}
	for _, op := range []string{"DescribeAutomationExecutions", "GetAutomationExecution"} {
		for _, tc := range tests {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					f := newFake()
					f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
					f.failNext(op, tc.errs...)
					finals, err := watchOne(t, f, func(o *execution.WatcherOptions) { o.MinDelay, o.MaxDelay = time.Second, time.Hour })
					if tc.wantErr {
						var got *types.InternalServerError
						require.ErrorAs(t, err, &got)
						assert.Equal(t, len(tc.errs), f.count(op))
						return
					}
					require.NoError(t, err)
					require.Len(t, finals, 1)
					// After k throttles since the last success, a pause
					// is at least MinDelay×1.5^k, whatever the error.
					throttles := 0
					for i, g := range f.gaps(op)[:len(tc.errs)] {
						if tc.errs[i] == throttlingError {
							throttles++
						}
						lo := time.Second
						for range throttles {
							lo += lo / 2
						}
						assert.GreaterOrEqual(t, g, lo, "pause %d", i)
						assert.Less(t, g, 2*lo, "pause %d", i)
					}
				})
			})
		}
	}
}

// TestWatcherThrottledSweepWaitsLonger checks that a sweep whose call was
// throttled four times in a row pauses at least MinDelay×1.5⁴ before the
// next sweep, and that the next, unthrottled, sweep goes back to the
// usual pause.
func TestWatcherThrottledSweepWaitsLonger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
		f.failNext("DescribeAutomationExecutions", repeatErr(throttlingError, 4)...)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(3*time.Minute, cancel)
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
			o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
			o.MinDelay = 2 * time.Second
		}).Run(ctx, []string{fleetID(1)}, nil)
		require.Equal(t, context.Canceled, err, "the context's error as is")
		gaps := f.gaps("DescribeAutomationExecutions")
		require.Greater(t, len(gaps), 6)
		assert.GreaterOrEqual(t, gaps[4], 10*time.Second, "after the throttled sweep")
		assert.Less(t, gaps[5], 10*time.Second, "after a sweep without throttling")
	})
}

// TestWatcherPagesExecutions checks a sweep reads every page of the
// DescribeAutomationExecutions answer and that a failed page is asked
// again alone, without reading the earlier pages twice.
func TestWatcherPagesExecutions(t *testing.T) {
	for _, fail := range []error{nil, throttlingError, ise} {
		t.Run(fmt.Sprint(fail), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.execPageSize = 3
				want := addFleet(f, 10)
				calls := 4 // ten executions, three a page
				if fail != nil {
					f.failNext("DescribeAutomationExecutions", nil, nil, fail)
					calls++
				}
				st := watchFleet(t, f, 10, want, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) })
				assert.Equal(t, calls, st.firstSweep, "pages of the first sweep")
			})
		})
	}
}

// TestWatcherChildrenRetries checks the listing of a parent's children is
// paged and retried through the same budget as every other call.
func TestWatcherChildrenRetries(t *testing.T) {
	tests := []struct {
		name    string
		errs    []error // of the DescribeAutomationExecutions calls after the first
		wantErr bool
	}{
		{"no error", nil, false},
		{"budget-1", repeatErr(ise, watchBudget-1), false},
		{"budget", repeatErr(ise, watchBudget), false},
		{"budget+1", repeatErr(ise, watchBudget+1), true},
		{"throttled", repeatErr(throttlingError, 2*watchBudget), false},
		{"second page fails past budget", append([]error{nil}, repeatErr(ise, watchBudget+1)...), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.execPageSize = 2
				parent := f.add(fleetID(0), simple(time.Minute, types.AutomationExecutionStatusCompletedWithSuccess)...)
				parent.targetParam = "InstanceId"
				for i := 1; i <= 5; i++ {
					c := f.add(fleetID(i), simple(time.Duration(i)*time.Minute, types.AutomationExecutionStatusSuccess)...)
					c.parent = fleetID(0)
				}
				// The first call reads the parent; the children's
				// listing comes next.
				f.failNext("DescribeAutomationExecutions", append([]error{nil}, tc.errs...)...)
				finals := map[string]string{}
				err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
					o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
					o.MaxTransientErrors = watchBudget
					o.FollowChildren = true
				}).Run(t.Context(), []string{fleetID(0)}, func(ev execution.Event) {
					if ev.Final {
						finals[ev.ExecutionID] = ev.ParentExecutionID
					}
				})
				if tc.wantErr {
					var got *types.InternalServerError
					require.ErrorAs(t, err, &got)
					assert.ErrorContains(t, err, "execution: list children of "+fleetID(0)+": ")
					return
				}
				require.NoError(t, err)
				want := map[string]string{fleetID(0): ""}
				for i := 1; i <= 5; i++ {
					want[fleetID(i)] = fleetID(0)
				}
				assert.Equal(t, want, finals)
			})
		})
	}
}

func TestListChildExecutionsPages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.execPageSize = 2
		f.add(fleetID(0), simple(time.Minute, types.AutomationExecutionStatusCompletedWithSuccess)...)
		for i := 1; i <= 5; i++ {
			c := f.add(fleetID(i), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
			c.parent = fleetID(0)
		}
		kids, err := execution.ListChildExecutions(t.Context(), f, fleetID(0))
		require.NoError(t, err)
		ids := make([]string, len(kids))
		for i, k := range kids {
			ids[i] = aws.ToString(k.AutomationExecutionId)
		}
		assert.Equal(t, []string{fleetID(1), fleetID(2), fleetID(3), fleetID(4), fleetID(5)}, ids, "every page, in order")
		assert.Equal(t, 3, f.count("DescribeAutomationExecutions"))

		// Not retried: the SDK's own retries are the caller's.
		f.failNext("DescribeAutomationExecutions", nil, throttlingError)
		_, err = execution.ListChildExecutions(t.Context(), f, fleetID(0))
		require.ErrorIs(t, err, throttlingError)
		assert.ErrorContains(t, err, "execution: list children of "+fleetID(0)+": ")
		assert.Equal(t, 5, f.count("DescribeAutomationExecutions"))
	})
}

// TestWatcherStepPagesRetried checks the pages of a truncated step list are
// retried within the budget; past it the event keeps the truncated list
// and a warning is logged.
func TestWatcherStepPagesRetried(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error // of DescribeAutomationStepExecutions
		wantSteps int
	}{
		{"no error", nil, 10},
		{"throttled", repeatErr(throttlingError, 5), 10},
		{"budget on page 2", append([]error{nil}, repeatErr(ise, watchBudget)...), 10},
		{"budget+1 on page 2", append([]error{nil}, repeatErr(ise, watchBudget+1)...), 3},
		{"access denied", []error{&types.InvalidAutomationExecutionParametersException{}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				specs := make([]stepSpec, 10)
				for i := range specs {
					specs[i] = stepSpec{name: fmt.Sprintf("s%02d", i), action: "aws:sleep", dur: 10 * time.Second, status: types.AutomationExecutionStatusSuccess}
				}
				f := newFake()
				f.truncateAt, f.pageSize = 3, 4
				f.add(fleetID(1), script(types.AutomationExecutionStatusSuccess, "", specs...)...)
				f.failNext("DescribeAutomationStepExecutions", tc.errs...)
				log := &logLines{}
				finals, err := watchOne(t, f, func(o *execution.WatcherOptions) { o.Logger = log })
				require.NoError(t, err)
				require.Len(t, finals, 1)
				ex := finals[0].Execution
				require.NotNil(t, ex)
				assert.Len(t, ex.StepExecutions, tc.wantSteps)
				assert.Equal(t, tc.wantSteps < 10, ex.StepExecutionsTruncated)
				warned := strings.Contains(strings.Join(log.lines, "\n"), "reading steps")
				assert.Equal(t, tc.wantSteps < 10, warned, "a step list left truncated is logged")
			})
		})
	}
}

// sweepOnly is a watcher client without DescribeAutomationStepExecutions.
type sweepOnly struct{ f *fakeSSM }

func (c sweepOnly) DescribeAutomationExecutions(ctx context.Context, in *ssm.DescribeAutomationExecutionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error) {
	return c.f.DescribeAutomationExecutions(ctx, in, optFns...)
}

func (c sweepOnly) GetAutomationExecution(ctx context.Context, in *ssm.GetAutomationExecutionInput, optFns ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	return c.f.GetAutomationExecution(ctx, in, optFns...)
}

func TestWatcherEdgeCases(t *testing.T) {
	t.Run("client without step reads keeps the truncated list", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.truncateAt = 1
			f.add(fleetID(1), script(types.AutomationExecutionStatusSuccess, "",
				stepSpec{name: "a", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusSuccess},
				stepSpec{name: "b", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusSuccess})...)
			var final execution.Event
			require.NoError(t, execution.NewWatcher(sweepOnly{f}, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).
				Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) {
					if ev.Final {
						final = ev
					}
				}))
			require.NotNil(t, final.Execution)
			assert.Len(t, final.Execution.StepExecutions, 1)
			assert.True(t, final.Execution.StepExecutionsTruncated)
			assert.Zero(t, f.count("DescribeAutomationStepExecutions"))
		})
	})
	t.Run("empty detail", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
			err := execution.NewWatcher(emptyGetter{f}).Run(t.Context(), []string{fleetID(1)}, nil)
			assert.EqualError(t, err, "execution: GetAutomationExecution returned no execution")
		})
	})
	t.Run("rate limiter that allows nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake()
			err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(1, 0) }).
				Run(t.Context(), []string{fleetID(1)}, nil)
			assert.ErrorContains(t, err, "execution: describe automation executions: ")
			assert.Zero(t, f.count("DescribeAutomationExecutions"))
		})
	})
	for _, op := range []string{"DescribeAutomationExecutions", "GetAutomationExecution"} {
		t.Run("cancelled while backing off from "+op, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(fleetID(1), simple(time.Second, types.AutomationExecutionStatusSuccess)...)
				f.failNext(op, repeatErr(throttlingError, 100)...)
				ctx, cancel := context.WithCancel(t.Context())
				time.AfterFunc(time.Minute, cancel)
				err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).
					Run(ctx, []string{fleetID(1)}, nil)
				assert.Equal(t, context.Canceled, err, "the context's error as is")
				assert.Less(t, f.count(op), 100)
			})
		})
	}
}
