package execution_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// withPrefix returns the logged lines that start with prefix.
func (l *logLines) withPrefix(prefix string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// TestWatcherLogsRetries checks a throttled call is logged at debug level,
// as the expected back-off it is, and a transient error as a warning.
func TestWatcherLogsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		f.failNext("DescribeAutomationExecutions", throttlingError, ise)
		log := &logLines{}
		finals, err := watchOne(t, f, func(o *execution.WatcherOptions) { o.Logger = log })
		require.NoError(t, err)
		require.Len(t, finals, 1)
		assert.Equal(t, []string{string(logging.Debug) + " watcher: DescribeAutomationExecutions throttled (1 in a row), backing off"},
			log.withPrefix(string(logging.Debug)+" watcher:"))
		warns := log.withPrefix(string(logging.Warn) + " watcher:")
		require.Len(t, warns, 1)
		assert.True(t, strings.HasPrefix(warns[0], string(logging.Warn)+" watcher: DescribeAutomationExecutions: transient error (1 in a row), retrying: "), warns[0])
	})
}

// TestWatcherLogsUnknownStatus checks a status the package does not know
// is logged once, when first seen, and the execution is watched on as in
// progress.
func TestWatcherLogsUnknownStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(fleetID(1), phase{status: "Hibernating"}, phase{at: time.Minute, status: types.AutomationExecutionStatusSuccess})
		log := &logLines{}
		var statuses []types.AutomationExecutionStatus
		var warnedAtFirst int
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
			o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
			o.Logger = log
		}).Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) {
			if len(statuses) == 0 {
				warnedAtFirst = len(log.withPrefix(string(logging.Warn)))
			}
			statuses = append(statuses, ev.Status)
		})
		require.NoError(t, err)
		assert.Equal(t, []types.AutomationExecutionStatus{"Hibernating", types.AutomationExecutionStatusSuccess}, statuses)
		assert.Equal(t, 1, warnedAtFirst, "logged before the event of its first sight")
		assert.Equal(t, []string{string(logging.Warn) + ` automation execution ` + fleetID(1) + `: unknown status "Hibernating", treated as in progress`},
			log.withPrefix(string(logging.Warn)))
	})
}

// TestWatcherNotFoundGraceEdge checks an id still unknown when exactly
// NotFoundGracePeriod has passed ends its watch at that sweep.
func TestWatcherNotFoundGraceEdge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		start := time.Now()
		var finals []execution.Event
		var at []time.Duration
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
			o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
			o.MinDelay, o.MaxDelay = 5*time.Second, 5*time.Second
			o.NotFoundGracePeriod = 10 * time.Second
		}).Run(t.Context(), []string{fleetID(1)}, func(ev execution.Event) {
			finals = append(finals, ev)
			at = append(at, time.Since(start))
		})
		require.NoError(t, err)
		require.Len(t, finals, 1)
		var nf *types.AutomationExecutionNotFoundException
		assert.ErrorAs(t, finals[0].Err, &nf)
		assert.True(t, finals[0].Final)
		assert.Equal(t, 3, finals[0].Sweep, "sweeps at 0 s, 5 s and 10 s")
		assert.Equal(t, []time.Duration{10 * time.Second}, at)
		assert.Equal(t, 3, f.count("DescribeAutomationExecutions"))
	})
}

// TestWatcherNoTransientRetries checks a negative MaxTransientErrors ends
// the watch at the first transient error, while throttling is still
// retried.
func TestWatcherNoTransientRetries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		errs    []error
		wantErr bool
		calls   int
	}{
		{"transient error", []error{ise}, true, 1},
		{"throttling", repeatErr(throttlingError, 3), false, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(fleetID(1), simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
				f.failNext("DescribeAutomationExecutions", tc.errs...)
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
					o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
					o.MaxTransientErrors = -1
					o.MinDelay, o.MaxDelay = time.Second, time.Second
				}).Run(ctx, []string{fleetID(1)}, nil)
				if tc.wantErr {
					var got *types.InternalServerError
					require.ErrorAs(t, err, &got)
					assert.Equal(t, tc.calls, f.count("DescribeAutomationExecutions"))
					return
				}
				require.ErrorIs(t, err, context.DeadlineExceeded, "still watching when the minute is up")
				assert.Greater(t, f.count("DescribeAutomationExecutions"), tc.calls)
			})
		})
	}
}

// parentMeta is a watcher client whose DescribeAutomationExecutions
// answer for fleetID(0) is edited, and which counts the listings of
// children (ParentExecutionId filters).
type parentMeta struct {
	*fakeSSM
	edit     func(*types.AutomationExecutionMetadata)
	listings int
}

func (c *parentMeta) DescribeAutomationExecutions(ctx context.Context, in *ssm.DescribeAutomationExecutionsInput, optFns ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error) {
	for _, flt := range in.Filters {
		if flt.Key == types.AutomationExecutionFilterKeyParentExecutionId {
			c.listings++
		}
	}
	out, err := c.fakeSSM.DescribeAutomationExecutions(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	for i := range out.AutomationExecutionMetadataList {
		if m := &out.AutomationExecutionMetadataList[i]; aws.ToString(m.AutomationExecutionId) == fleetID(0) {
			c.edit(m)
		}
	}
	return out, nil
}

// TestWatcherFollowsChildrenOfParentsOnly checks FollowChildren lists the
// children of every kind of parent the service reports (a target
// parameter, targets, target maps, several accounts and Regions), and
// never of an execution that starts none.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AutomationExecutionMetadata.html
func TestWatcherFollowsChildrenOfParentsOnly(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*types.AutomationExecutionMetadata)
		parent bool
	}{
		{"plain execution", func(*types.AutomationExecutionMetadata) {}, false},
		{"target parameter", func(m *types.AutomationExecutionMetadata) { m.TargetParameterName = aws.String("InstanceId") }, true},
		{"targets", func(m *types.AutomationExecutionMetadata) {
			m.Targets = []types.Target{{Key: aws.String("tag:Env"), Values: []string{"prod"}}}
		}, true},
		{"target maps", func(m *types.AutomationExecutionMetadata) {
			m.TargetMaps = []map[string][]string{{"InstanceId": {"i-1"}}}
		}, true},
		{"cross-account", func(m *types.AutomationExecutionMetadata) { m.AutomationType = types.AutomationTypeCrossAccount }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(fleetID(0), simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
				for i := 1; i <= 2; i++ {
					c := f.add(fleetID(i), simple(2*time.Minute, types.AutomationExecutionStatusSuccess)...)
					c.parent = fleetID(0)
				}
				client := &parentMeta{fakeSSM: f, edit: tc.edit}
				finals := map[string]string{}
				err := execution.NewWatcher(client, func(o *execution.WatcherOptions) {
					o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
					o.FollowChildren = true
				}).Run(t.Context(), []string{fleetID(0)}, func(ev execution.Event) {
					if ev.Final && ev.Location == nil {
						finals[ev.ExecutionID] = ev.ParentExecutionID
					}
				})
				require.NoError(t, err)
				if !tc.parent {
					assert.Equal(t, map[string]string{fleetID(0): ""}, finals)
					assert.Zero(t, client.listings, "no listing of children")
					return
				}
				assert.Equal(t, map[string]string{fleetID(0): "", fleetID(1): fleetID(0), fleetID(2): fleetID(0)}, finals)
				assert.Positive(t, client.listings)
			})
		})
	}
}

// TestWatcherFindsMultiAccountByDetail checks an execution the metadata
// does not show as multi-account, found so by its detail on a status
// change, reports its changes in the same sweeps, with every step read,
// as one the metadata marks.
func TestWatcherFindsMultiAccountByDetail(t *testing.T) {
	type change struct {
		status types.AutomationExecutionStatus
		sweep  int
		steps  int
	}
	run := func(t *testing.T, crossAccount bool) ([]change, int) {
		var got []change
		var stepReads int
		synctest.Test(t, func(t *testing.T) {
			f := newMultiFake(fourLocations()...)
			f.crossAccount, f.mirrorWaiting, f.truncateAt = crossAccount, true, 2
			ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
			defer cancel()
			err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
				o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
				// A fixed pause: both runs sweep at the same times.
				o.MinDelay, o.MaxDelay = 10*time.Second, 10*time.Second
			}).Run(ctx, []string{parentID}, func(ev execution.Event) {
				if ev.Location != nil {
					return
				}
				c := change{status: ev.Status, sweep: ev.Sweep, steps: -1}
				if ev.Execution != nil {
					c.steps = len(ev.Execution.StepExecutions)
					assert.False(t, ev.Execution.StepExecutionsTruncated)
				}
				got = append(got, c)
			})
			require.NoError(t, err)
			stepReads = f.count("DescribeAutomationStepExecutions")
		})
		return got, stepReads
	}
	marked, _ := run(t, true)
	found, stepReads := run(t, false)
	require.Len(t, marked, 4, "InProgress, Waiting, InProgress, Failed")
	assert.Equal(t, []types.AutomationExecutionStatus{
		types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusWaiting,
		types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusFailed,
	}, []types.AutomationExecutionStatus{marked[0].status, marked[1].status, marked[2].status, marked[3].status})
	require.Len(t, found, 4)
	assert.Equal(t, 4, found[1].sweep, "Waiting from 30 s: the fourth sweep")
	assert.Equal(t, -1, found[0].steps, "first sight of a running execution: no detail yet")
	assert.Equal(t, 4, found[1].steps, "the detail that finds it multi-account reads every step")
	for i := range marked {
		assert.Equal(t, marked[i].status, found[i].status, "change %d", i)
		assert.Equal(t, marked[i].sweep, found[i].sweep, "change %d", i)
	}
	assert.Positive(t, stepReads)
}

// TestWatcherDefaults holds the defaults to the values the options
// document: sweeps 2 s to 120 s apart and 10 calls a second.
func TestWatcherDefaults(t *testing.T) {
	assert.Equal(t, 2*time.Second, execution.DefaultWatchMinDelay)
	assert.Equal(t, 120*time.Second, execution.DefaultWatchMaxDelay)
	assert.Equal(t, 10, execution.DefaultRequestsPerSec)
	assert.Equal(t, 10, execution.MaxFilterValues, "DescribeAutomationExecutions takes ten ids a filter")
}
