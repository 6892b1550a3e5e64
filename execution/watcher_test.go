package execution_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

func fleetID(i int) string { return fmt.Sprintf("aaaaaaaa-0000-4000-8000-%012d", i) }

// addFleet adds n executions ending between 1 s and 2 h; every fifth fails.
func addFleet(f *fakeSSM, n int) map[string]types.AutomationExecutionStatus {
	want := map[string]types.AutomationExecutionStatus{}
	durations := runDurations(n)
	for i := range n {
		final := types.AutomationExecutionStatusSuccess
		if i%5 == 4 {
			final = types.AutomationExecutionStatusFailed
		}
		f.add(fleetID(i), script(final, "", stepSpec{name: "work", action: "aws:executeAwsApi", dur: durations[i], status: final, failure: map[bool]string{true: "boom"}[final == types.AutomationExecutionStatusFailed]})...)
		want[fleetID(i)] = final
	}
	return want
}

type sweepStats struct {
	sweeps, describe, detail, events int
	// firstSweep is the DescribeAutomationExecutions calls of the first
	// sweep, which reads every execution.
	firstSweep int
}

func watchFleet(t *testing.T, f *fakeSSM, n int, want map[string]types.AutomationExecutionStatus, optFns ...func(*execution.WatcherOptions)) sweepStats {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fleetID(i)
	}
	got := map[string]types.AutomationExecutionStatus{}
	var st sweepStats
	err := execution.NewWatcher(f, optFns...).Run(t.Context(), ids, func(ev execution.Event) {
		st.events++
		st.sweeps = max(st.sweeps, ev.Sweep)
		if ev.Sweep == 1 {
			st.firstSweep = f.count("DescribeAutomationExecutions")
		}
		if ev.Final {
			_, dup := got[ev.ExecutionID]
			assert.False(t, dup, "final twice: %s", ev.ExecutionID)
			got[ev.ExecutionID] = ev.Status
			if ev.Status == types.AutomationExecutionStatusFailed {
				var fe *execution.ExecutionFailedError
				if assert.ErrorAs(t, ev.Err, &fe) && ev.Execution != nil {
					assert.Equal(t, "work", aws.ToString(fe.FailedStep.StepName))
				}
			} else {
				assert.NoError(t, ev.Err)
			}
		}
	})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	st.describe = f.count("DescribeAutomationExecutions")
	st.detail = f.count("GetAutomationExecution")
	return st
}

func TestWatcherFleet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		want := addFleet(f, 1000)
		st := watchFleet(t, f, 1000, want, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) })
		// The first sweep reads 1,000 executions with 100 calls; later
		// sweeps only the executions still running.
		assert.Equal(t, 100, st.firstSweep, "1,000 executions, ten per call")
		assert.LessOrEqual(t, st.describe, 100*st.sweeps)
		assert.Equal(t, 1000, st.detail, "one detail read per execution, at its end")
		assert.Equal(t, 2000, st.events, "first sight and end of each")
	})
}

func TestWatcherFirstSweepCost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		for i := range 1000 {
			f.add(fleetID(i), simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
		}
		ids := make([]string, 1000)
		for i := range ids {
			ids[i] = fleetID(i)
		}
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(time.Minute, cancel)
		events := 0
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).Run(ctx, ids, func(execution.Event) { events++ })
		require.ErrorIs(t, err, context.Canceled)
		calls := f.count("DescribeAutomationExecutions")
		assert.Greater(t, calls, 100, "several sweeps")
		assert.Zero(t, calls%100, "each sweep of 1,000 executions costs exactly 100 calls")
		assert.Equal(t, 1000, events, "one event per execution: its first sight")
		assert.Zero(t, f.count("GetAutomationExecution"), "no detail for executions that did not change")
	})
}

func TestWatcherThrottled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.throttle = 0.3
		want := addFleet(f, 200)
		watchFleet(t, f, 200, want)
	})
}

func TestWatcherNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		late := f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		late.visibleAfter = 10 * time.Second
		var finals []execution.Event
		err := execution.NewWatcher(f).Run(t.Context(), []string{fleetID(1), fleetID(2)}, func(ev execution.Event) {
			if ev.Final {
				finals = append(finals, ev)
			}
		})
		require.NoError(t, err)
		require.Len(t, finals, 2)
		var nf *types.AutomationExecutionNotFoundException
		assert.Equal(t, fleetID(2), finals[0].ExecutionID)
		assert.ErrorAs(t, finals[0].Err, &nf)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, finals[1].Status)
	})
}

func TestWatcherClientErrorStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: ssm:DescribeAutomationExecutions", Fault: smithy.FaultClient}
		f.failNext("DescribeAutomationExecutions", denied)
		err := execution.NewWatcher(f).Run(t.Context(), []string{fleetID(1)}, nil)
		require.ErrorIs(t, err, denied)
	})
}

func TestWatcherTransientErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		ise := &types.InternalServerError{Message: aws.String("oops")}
		f.failNext("DescribeAutomationExecutions", ise, ise)
		f.failNext("GetAutomationExecution", ise)
		require.NoError(t, execution.NewWatcher(f).Run(t.Context(), []string{fleetID(1)}, nil))
	})
}

func TestWatcherChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		want := addFleet(f, 30)
		ids := make([]string, 30)
		for i := range ids {
			ids[i] = fleetID(i)
		}
		got := map[string]types.AutomationExecutionStatus{}
		for ev := range execution.NewWatcher(f).Watch(t.Context(), ids) {
			require.NoError(t, ignoreFailed(ev.Err))
			if ev.Final {
				got[ev.ExecutionID] = ev.Status
			}
		}
		assert.Equal(t, want, got)
	})
}

func ignoreFailed(err error) error {
	if _, ok := err.(*execution.ExecutionFailedError); ok {
		return nil
	}
	return err
}

func TestWatcherChannelStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
		ctx, cancel := context.WithCancel(t.Context())
		ch := execution.NewWatcher(f).Watch(ctx, []string{fleetID(1)})
		<-ch // first sight
		time.Sleep(time.Minute)
		cancel()
		for range ch {
		}
		// Nobody reading: the goroutine still ends with the context.
		ctx2, cancel2 := context.WithCancel(t.Context())
		_ = execution.NewWatcher(f).Watch(ctx2, []string{fleetID(1)})
		time.Sleep(time.Minute)
		cancel2()
		synctest.Wait()
	})
}

func TestWatcherChannelClientError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied", Fault: smithy.FaultClient}
		f.failNext("DescribeAutomationExecutions", denied)
		var last execution.Event
		for ev := range execution.NewWatcher(f).Watch(t.Context(), []string{fleetID(1)}) {
			last = ev
		}
		assert.ErrorIs(t, last.Err, denied)
		assert.Empty(t, last.ExecutionID)
	})
}

func TestWatcherAddWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		w := execution.NewWatcher(f)
		var mu sync.Mutex
		finals := map[string]bool{}
		time.AfterFunc(20*time.Second, func() {
			f.add(fleetID(2), simple(3*time.Minute, types.AutomationExecutionStatusSuccess)...)
			w.Add(fleetID(2))
		})
		require.NoError(t, w.Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) {
			mu.Lock()
			defer mu.Unlock()
			if ev.Final {
				finals[ev.ExecutionID] = true
			}
		}))
		assert.Equal(t, map[string]bool{fleetID(1): true, fleetID(2): true}, finals)
	})
}

func TestWatcherStepChangesWithoutDetail(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), script(types.AutomationExecutionStatusSuccess, "",
			stepSpec{name: "a", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusSuccess},
			stepSpec{name: "b", action: "aws:sleep", dur: time.Minute, status: types.AutomationExecutionStatusSuccess})...)
		var steps []string
		require.NoError(t, execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.SkipDetail = true }).Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) {
			steps = append(steps, ev.StepName+":"+string(ev.Status))
			assert.Nil(t, ev.Execution)
		}))
		assert.Equal(t, []string{"a:InProgress", "b:InProgress", "b:Success"}, steps)
		assert.Zero(t, f.count("GetAutomationExecution"))
	})
}

func TestWatcherFollowsChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		parent := f.add(fleetID(0), simple(time.Minute, types.AutomationExecutionStatusCompletedWithSuccess)...)
		parent.targetParam = "InstanceId"
		for i := 1; i <= 3; i++ {
			final := types.AutomationExecutionStatusSuccess
			if i == 3 {
				final = types.AutomationExecutionStatusFailed
			}
			c := f.add(fleetID(i), simple(time.Duration(i)*2*time.Minute, final)...)
			c.parent, c.visibleAfter = fleetID(0), time.Duration(i)*15*time.Second
		}
		finals := map[string]types.AutomationExecutionStatus{}
		parents := map[string]string{}
		require.NoError(t, execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.FollowChildren = true }).
			Run(t.Context(), []string{fleetID(0)}, func(ev execution.Event) {
				if ev.Final {
					finals[ev.ExecutionID] = ev.Status
					parents[ev.ExecutionID] = ev.ParentExecutionID
				}
			}))
		assert.Equal(t, map[string]types.AutomationExecutionStatus{
			fleetID(0): types.AutomationExecutionStatusCompletedWithSuccess,
			fleetID(1): types.AutomationExecutionStatusSuccess,
			fleetID(2): types.AutomationExecutionStatusSuccess,
			fleetID(3): types.AutomationExecutionStatusFailed,
		}, finals)
		assert.Equal(t, fleetID(0), parents[fleetID(2)])

		kids, err := execution.ListChildExecutions(t.Context(), f, fleetID(0))
		require.NoError(t, err)
		assert.Len(t, kids, 3)
		_, err = execution.ListChildExecutions(t.Context(), f, "")
		assert.ErrorContains(t, err, "parent execution id is required")
	})
}

// TestWatcherSharesRateLimit runs a watcher and a waiter on one token
// bucket: together they never call faster than it allows, where the
// watcher alone would read 400 executions at once.
func TestWatcherSharesRateLimit(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				want := addFleet(f, 400)
				f.add(execID, simple(30*time.Minute, types.AutomationExecutionStatusSuccess)...)
				lim := rate.NewLimiter(2, 2)
				if !shared {
					lim = rate.NewLimiter(rate.Inf, 1)
				}
				calls := func() int {
					return f.count("DescribeAutomationExecutions") + f.count("GetAutomationExecution") + f.count("DescribeAutomationStepExecutions")
				}
				var early atomic.Int64
				time.AfterFunc(5*time.Second, func() { early.Store(int64(calls())) })
				var wg sync.WaitGroup
				wg.Go(func() {
					assert.NoError(t, execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.RateLimiter = lim }).Wait(t.Context(), execID, 3*time.Hour))
				})
				start := time.Now()
				watchFleet(t, f, 400, want, func(o *execution.WatcherOptions) { o.RateLimiter = lim })
				wg.Wait()
				if !shared {
					assert.GreaterOrEqual(t, early.Load(), int64(41), "unlimited: the first sweep and the first poll at once")
					return
				}
				assert.LessOrEqual(t, early.Load(), int64(2*5+2), "in the first 5 s: two calls a second plus the burst")
				assert.LessOrEqual(t, float64(calls()), 2*time.Since(start).Seconds()+2)
			})
		})
	}
}

// TestWatcherReadsTruncatedStepsOfEndedExecutions checks a failure seen by
// the watcher names its failed step even when the service truncated the
// step list, and that running executions cost no step reads.
func TestWatcherReadsTruncatedStepsOfEndedExecutions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		specs := make([]stepSpec, 10)
		for i := range specs {
			specs[i] = stepSpec{name: fmt.Sprintf("s%02d", i), action: "aws:sleep", dur: 20 * time.Second, status: types.AutomationExecutionStatusSuccess}
		}
		specs[9].status, specs[9].failure = types.AutomationExecutionStatusFailed, "disk full"
		f := newFake()
		f.truncateAt, f.pageSize = 3, 4
		f.add(execID, script(types.AutomationExecutionStatusFailed, "Step fails when it is executing.", specs...)...)
		var final execution.Event
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).
			Run(t.Context(), []string{execID}, func(ev execution.Event) {
				if ev.Final {
					final = ev
				}
			})
		require.NoError(t, err)
		var fe *execution.ExecutionFailedError
		require.ErrorAs(t, final.Err, &fe)
		require.NotNil(t, fe.FailedStep)
		assert.Equal(t, "s09", aws.ToString(fe.FailedStep.StepName))
		assert.Equal(t, "disk full", aws.ToString(fe.FailedStep.FailureMessage))
		assert.Len(t, final.Execution.StepExecutions, 10)
		assert.False(t, final.Execution.StepExecutionsTruncated)
		assert.Equal(t, 3, f.count("DescribeAutomationStepExecutions"), "three pages of four, once, at the end")
	})
}
