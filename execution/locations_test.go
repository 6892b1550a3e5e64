package execution_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

func locStep(id, account, region string, status types.AutomationExecutionStatus, start time.Duration) types.StepExecution {
	s := types.StepExecution{
		StepName:        aws.String(account + "-" + region),
		StepExecutionId: aws.String(id),
		StepStatus:      status,
		TargetLocation:  &types.TargetLocation{Accounts: []string{account}, Regions: []string{region}, ExecutionRoleName: aws.String("Exec")},
	}
	if start >= 0 {
		s.ExecutionStartTime = aws.Time(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(start))
	}
	return s
}

func summary(r *execution.LocationReport) []string {
	var out []string
	for _, l := range r.Locations {
		out = append(out, l.Key()+" "+string(l.Status)+" "+l.ChildExecutionID)
	}
	return out
}

func TestLocationsOf(t *testing.T) {
	const (
		ok      = types.AutomationExecutionStatusSuccess
		running = types.AutomationExecutionStatusInprogress
		failed  = types.AutomationExecutionStatusFailed
	)
	withOutputs := func(s types.StepExecution, o map[string][]string) types.StepExecution { s.Outputs = o; return s }
	for _, tc := range []struct {
		name   string
		ex     *types.AutomationExecution
		want   []string
		totals execution.LocationTotals
	}{
		{"nil execution", nil, nil, execution.LocationTotals{}},
		{"no steps", &types.AutomationExecution{}, nil, execution.LocationTotals{}},
		{
			"out of order, sorted by account then Region",
			&types.AutomationExecution{StepExecutions: []types.StepExecution{
				locStep("s3", "444455556666", "us-east-1", ok, 0),
				locStep("s2", "111122223333", "us-west-2", running, 0),
				locStep("s1", "111122223333", "us-east-1", failed, 0),
			}},
			[]string{"111122223333/us-east-1 Failed ", "111122223333/us-west-2 InProgress ", "444455556666/us-east-1 Success "},
			execution.LocationTotals{Total: 3, Succeeded: 1, Failed: 1, InProgress: 1},
		},
		{
			"a location run again: the later start wins",
			&types.AutomationExecution{StepExecutions: []types.StepExecution{
				locStep("retry", "111122223333", "us-east-1", running, time.Minute),
				locStep("first", "111122223333", "us-east-1", failed, 0),
			}},
			[]string{"111122223333/us-east-1 InProgress "},
			execution.LocationTotals{Total: 1, InProgress: 1},
		},
		{
			"a stale copy of the same step: the one further along wins",
			&types.AutomationExecution{StepExecutions: []types.StepExecution{
				locStep("s1", "111122223333", "us-east-1", ok, 0),
				locStep("s1", "111122223333", "us-east-1", running, 0),
				locStep("s2", "111122223333", "us-west-2", types.AutomationExecutionStatusPending, -1),
				locStep("s2", "111122223333", "us-west-2", running, -1),
			}},
			[]string{"111122223333/us-east-1 Success ", "111122223333/us-west-2 InProgress "},
			execution.LocationTotals{Total: 2, Succeeded: 1, InProgress: 1},
		},
		{
			"steps without a location, unknown statuses and missing fields",
			&types.AutomationExecution{StepExecutions: []types.StepExecution{
				{StepName: aws.String("prepare"), StepStatus: ok},
				{StepName: aws.String("bare"), StepStatus: "Hibernating", TargetLocation: &types.TargetLocation{}},
				locStep("s1", "111122223333", "us-east-1", "Hibernating", -1),
			}},
			[]string{"bare Hibernating ", "111122223333/us-east-1 Hibernating "},
			execution.LocationTotals{Total: 2, InProgress: 2},
		},
		{
			"child ids under any execution id output",
			&types.AutomationExecution{StepExecutions: []types.StepExecution{
				withOutputs(locStep("s1", "111122223333", "us-east-1", ok, 0), map[string][]string{"AutomationExecutionId": {"child-1"}}),
				withOutputs(locStep("s2", "111122223333", "us-west-2", ok, 0), map[string][]string{"Other": {"x"}, "Location.ChildExecutionId": {"", "child-2"}}),
				withOutputs(locStep("s3", "444455556666", "us-east-1", ok, 0), map[string][]string{"ExecutionId": {" "}, "Status": {"Success"}}),
			}},
			[]string{"111122223333/us-east-1 Success child-1", "111122223333/us-west-2 Success child-2", "444455556666/us-east-1 Success "},
			execution.LocationTotals{Total: 3, Succeeded: 3},
		},
		{
			"totals from the service's counters",
			&types.AutomationExecution{
				ProgressCounters: &types.ProgressCounters{TotalSteps: 5, SuccessSteps: 1, FailedSteps: 1, CancelledSteps: 1, TimedOutSteps: 1},
				StepExecutions:   []types.StepExecution{locStep("s1", "111122223333", "us-east-1", ok, 0)},
			},
			[]string{"111122223333/us-east-1 Success "},
			execution.LocationTotals{Total: 5, Succeeded: 1, Failed: 1, Cancelled: 1, TimedOut: 1, InProgress: 1, FromCounters: true},
		},
		{
			"counted totals by outcome",
			&types.AutomationExecution{StepExecutions: []types.StepExecution{
				locStep("s1", "1", "a", types.AutomationExecutionStatusTimedout, 0),
				locStep("s2", "2", "a", types.AutomationExecutionStatusCancelled, 0),
				locStep("s3", "3", "a", types.AutomationExecutionStatusCompletedWithSuccess, 0),
				locStep("s4", "4", "a", types.AutomationExecutionStatusRejected, 0),
			}},
			[]string{"1/a TimedOut ", "2/a Cancelled ", "3/a CompletedWithSuccess ", "4/a Rejected "},
			execution.LocationTotals{Total: 4, Succeeded: 1, Failed: 1, Cancelled: 1, TimedOut: 1},
		},
		{
			"counters that do not add up",
			&types.AutomationExecution{ProgressCounters: &types.ProgressCounters{TotalSteps: 1, SuccessSteps: 3}},
			nil,
			execution.LocationTotals{Total: 1, Succeeded: 3, FromCounters: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := execution.LocationsOf(tc.ex)
			require.NotNil(t, r)
			assert.Equal(t, tc.want, summary(r))
			assert.NotNil(t, r.Locations, "an empty list, not nil, for JSON")
			assert.Equal(t, tc.totals, r.Totals)
		})
	}
}

func TestLocationDetails(t *testing.T) {
	s := locStep("s1", "111122223333", "us-east-1", types.AutomationExecutionStatusFailed, 0)
	s.ExecutionEndTime = aws.Time(time.Date(2026, 1, 1, 0, 1, 0, 0, time.FixedZone("x", 3600)))
	s.FailureMessage = aws.String("boom")
	s.FailureDetails = &types.FailureDetails{FailureType: aws.String("Step")}
	r := execution.LocationsOf(&types.AutomationExecution{AutomationExecutionId: aws.String("p"), AutomationExecutionStatus: types.AutomationExecutionStatusFailed,
		StepExecutions: []types.StepExecution{s}})
	require.Len(t, r.Locations, 1)
	assert.Equal(t, execution.LocationStatus{
		Account: "111122223333", Region: "us-east-1", ExecutionRoleName: "Exec", Status: types.AutomationExecutionStatusFailed,
		FailureMessage: "boom", FailureType: "Step", StepName: "111122223333-us-east-1", StepExecutionID: "s1",
		Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 31, 23, 1, 0, 0, time.UTC),
	}, r.Locations[0])
	assert.Equal(t, "p", r.ExecutionID)
	assert.Equal(t, types.AutomationExecutionStatusFailed, r.Status)
	assert.Equal(t, execution.Failed, r.Locations[0].Outcome())
}

func TestIsMultiAccount(t *testing.T) {
	assert.False(t, execution.IsMultiAccount(nil))
	assert.False(t, execution.IsMultiAccount(&types.AutomationExecution{StepExecutions: []types.StepExecution{{StepName: aws.String("a")}}}))
	assert.True(t, execution.IsMultiAccount(&types.AutomationExecution{TargetLocations: []types.TargetLocation{{}}}))
	assert.True(t, execution.IsMultiAccount(&types.AutomationExecution{TargetLocationsURL: aws.String("https://example.com/l.json")}))
	assert.True(t, execution.IsMultiAccount(&types.AutomationExecution{StepExecutions: []types.StepExecution{{TargetLocation: &types.TargetLocation{}}}}))
}

func TestLocationTotalsString(t *testing.T) {
	for _, tc := range []struct {
		t    execution.LocationTotals
		want string
	}{
		{execution.LocationTotals{}, "0 locations"},
		{execution.LocationTotals{Total: 1, InProgress: 1}, "1 location: 1 in progress"},
		{execution.LocationTotals{Total: 5, Succeeded: 1, Failed: 1, TimedOut: 1, Cancelled: 1, InProgress: 1}, "5 locations: 1 succeeded, 1 failed, 1 timed out, 1 cancelled, 1 in progress"},
	} {
		assert.Equal(t, tc.want, tc.t.String())
	}
}

func TestGetLocations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newMultiFake(fourLocations()...)
		f.truncateAt, f.pageSize = 1, 3
		time.Sleep(10 * time.Second)
		r, err := execution.GetLocations(t.Context(), f, parentID)
		require.NoError(t, err)
		assert.Equal(t, []string{
			"111122223333/us-east-1 InProgress c0000000-0000-4000-8000-000000000001",
			"111122223333/us-west-2 InProgress c0000000-0000-4000-8000-000000000002",
			"444455556666/us-east-1 InProgress c0000000-0000-4000-8000-000000000003",
			"444455556666/us-west-2 Failed ",
		}, summary(r))
		assert.Equal(t, 2, f.count("DescribeAutomationStepExecutions"), "four steps, three a page")
		assert.Equal(t, execution.LocationTotals{Total: 4, Failed: 1, InProgress: 3, FromCounters: true}, r.Totals)

		_, err = execution.GetLocations(t.Context(), f, "")
		require.Error(t, err)
		_, err = execution.GetLocations(t.Context(), f, "nope")
		var nf *types.AutomationExecutionNotFoundException
		require.ErrorAs(t, err, &nf)
		f.failNext("DescribeAutomationStepExecutions", errors.New("boom"))
		_, err = execution.GetLocations(t.Context(), f, parentID)
		require.ErrorContains(t, err, "describe steps of "+parentID+": boom")
		_, err = execution.GetLocations(t.Context(), nilOutput{}, parentID)
		require.ErrorContains(t, err, "returned no execution")
	})
}

type nilOutput struct{}

func (nilOutput) GetAutomationExecution(context.Context, *ssm.GetAutomationExecutionInput, ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	return &ssm.GetAutomationExecutionOutput{}, nil
}

func (nilOutput) DescribeAutomationStepExecutions(context.Context, *ssm.DescribeAutomationStepExecutionsInput, ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	return &ssm.DescribeAutomationStepExecutionsOutput{}, nil
}

// progressLine renders a waiter's progress for comparison.
func progressLine(p execution.Progress) string {
	if l := p.Location; l != nil {
		return fmt.Sprintf("+%03.0fs %s %s -> %s", p.Elapsed.Seconds(), l.Key(), orNone(l.PreviousStatus), l.Status)
	}
	return fmt.Sprintf("+%03.0fs parent %s", p.Elapsed.Seconds(), p.Status)
}

func orNone(s types.AutomationExecutionStatus) string {
	if s == "" {
		return "(new)"
	}
	return string(s)
}

// withoutTimes drops the "+NNNs " prefix of a progress line.
func withoutTimes(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		_, out[i], _ = strings.Cut(l, " ")
	}
	return out
}

func TestWaitForLocations(t *testing.T) {
	const (
		acct1East = "111122223333/us-east-1"
		acct1West = "111122223333/us-west-2"
		acct2East = "444455556666/us-east-1"
		acct2West = "444455556666/us-west-2"
	)
	for _, tc := range []struct {
		name     string
		setup    func(f *multiFake)
		status   types.AutomationExecutionStatus
		end      time.Duration
		events   []string
		final    []string
		totals   execution.LocationTotals
		minPages int
	}{
		{
			name:   "four locations, one failing, one without its role, one waiting between runs; steps paged",
			setup:  func(f *multiFake) { f.truncateAt, f.pageSize = 2, 1 },
			status: types.AutomationExecutionStatusFailed,
			end:    150 * time.Second,
			events: []string{
				acct1East + " (new) -> InProgress",
				acct1West + " (new) -> InProgress",
				acct2East + " (new) -> InProgress",
				acct2West + " (new) -> Pending",
				"parent InProgress",
				acct2West + " Pending -> Failed",
				acct1West + " InProgress -> Waiting",
				acct1East + " InProgress -> Success",
				acct1West + " Waiting -> InProgress",
				acct2East + " InProgress -> Failed",
				acct1West + " InProgress -> Success",
				"parent Failed",
			},
			final: []string{
				acct1East + " Success c0000000-0000-4000-8000-000000000001",
				acct1West + " Success c0000000-0000-4000-8000-000000000002",
				acct2East + " Failed c0000000-0000-4000-8000-000000000003",
				acct2West + " Failed ",
			},
			totals:   execution.LocationTotals{Total: 4, Succeeded: 2, Failed: 2, FromCounters: true},
			minPages: 4,
		},
		{
			name:   "parent cancelled",
			setup:  func(f *multiFake) { f.cancelAt = 100 * time.Second; f.noCounters = true },
			status: types.AutomationExecutionStatusCancelled,
			end:    100 * time.Second,
			events: []string{
				acct1East + " (new) -> InProgress",
				acct1West + " (new) -> InProgress",
				acct2East + " (new) -> InProgress",
				acct2West + " (new) -> Pending",
				"parent InProgress",
				acct2West + " Pending -> Failed",
				acct1West + " InProgress -> Waiting",
				acct1East + " InProgress -> Success",
				acct1West + " Waiting -> InProgress",
				acct1West + " InProgress -> Cancelled",
				acct2East + " InProgress -> Cancelled",
				"parent Cancelled",
			},
			final: []string{
				acct1East + " Success c0000000-0000-4000-8000-000000000001",
				acct1West + " Cancelled c0000000-0000-4000-8000-000000000002",
				acct2East + " Cancelled c0000000-0000-4000-8000-000000000003",
				acct2West + " Failed ",
			},
			totals: execution.LocationTotals{Total: 4, Succeeded: 1, Failed: 1, Cancelled: 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newMultiFake(fourLocations()...)
				tc.setup(f)
				var got []string
				start := time.Now()
				r, err := execution.NewExecutionWaiter(f).WaitForLocations(t.Context(), parentID, time.Hour, func(o *execution.ExecutionWaiterOptions) {
					o.OnProgress = func(p execution.Progress) {
						if p.Location != nil {
							assert.Equal(t, p.Location.StepExecutionID, aws.ToString(p.Step.StepExecutionId))
							assert.Equal(t, "aws:executeAutomation", p.Action)
						}
						got = append(got, progressLine(p))
					}
				})
				lag := time.Since(start) - tc.end
				assert.GreaterOrEqual(t, lag, time.Duration(0))
				assert.Less(t, lag, 20*time.Second, "the parent's end is seen soon")
				var fe *execution.ExecutionFailedError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.status, fe.Status)
				require.NotNil(t, fe.Locations, "the error carries the locations")
				assert.Equal(t, tc.final, summary(fe.Locations))
				require.NotNil(t, r)
				assert.Equal(t, tc.status, r.Status)
				assert.Equal(t, parentID, r.ExecutionID)
				assert.Equal(t, tc.final, summary(r))
				assert.Equal(t, tc.totals, r.Totals)
				assert.Equal(t, tc.events, withoutTimes(got), strings.Join(got, "\n"))
				assert.GreaterOrEqual(t, f.count("DescribeAutomationStepExecutions"), tc.minPages)
			})
		})
	}
}

func TestWaitForLocationsSucceeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locs := fourLocations()[:2]
		f := newMultiFake(locs...)
		r, err := execution.NewExecutionWaiter(f).WaitForLocations(t.Context(), parentID, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, types.AutomationExecutionStatusSuccess, r.Status)
		assert.Equal(t, execution.LocationTotals{Total: 2, Succeeded: 2, FromCounters: true}, r.Totals)
		assert.Zero(t, f.count("DescribeAutomationStepExecutions"), "nothing truncated, nothing paged")
	})
}

func TestWaitForLocationsErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newMultiFake(fourLocations()...)
		r, err := execution.NewExecutionWaiter(f).WaitForLocations(t.Context(), parentID, 30*time.Second)
		require.ErrorIs(t, err, execution.ErrWaitTimeout)
		assert.Nil(t, r, "a timeout returns no output")

		f2 := newMultiFake(fourLocations()...)
		f2.mirrorWaiting = true
		r, err = execution.NewExecutionWaiter(f2).WaitForLocations(t.Context(), parentID, time.Hour, func(o *execution.ExecutionWaiterOptions) {
			o.ReturnOnAwaitingInput = true
		})
		require.ErrorIs(t, err, execution.ErrAwaitingInput)
		require.NotNil(t, r)
		assert.Len(t, r.Locations, 4)

		f3 := newMultiFake(fourLocations()...)
		f3.failNext("GetAutomationExecution", errors.New("access denied"))
		_, err = execution.NewExecutionWaiter(f3).WaitForLocations(t.Context(), parentID, time.Hour)
		require.ErrorContains(t, err, "access denied")
	})
}

// TestWaitLocationsFromChildren reads the children in their accounts: a
// child ahead of the parent's step is reported at once; an account
// without a client, or whose reads fail, follows the parent's steps.
func TestWaitLocationsFromChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locs := fourLocations()
		// The parent learns of 111122223333/us-east-1's end a minute late.
		locs[0].childPhases = []locPhase{{at: 0, status: types.AutomationExecutionStatusInprogress}, {at: 20 * time.Second, status: types.AutomationExecutionStatusSuccess}}
		f := newMultiFake(locs...)
		acct1 := &childClient{f: f}
		acct2 := &childClient{f: f, err: errors.New("expired token")}
		var asked []string
		var seen []string
		callsAtEnd := 0
		_, err := execution.NewExecutionWaiter(f).WaitForLocations(t.Context(), parentID, time.Hour, func(o *execution.ExecutionWaiterOptions) {
			o.LocationClient = func(account, region string) (execution.GetAutomationExecutionAPIClient, error) {
				asked = append(asked, account+"/"+region)
				switch {
				case account == "111122223333" && region == "us-east-1":
					return acct1, nil
				case account == "444455556666":
					return acct2, nil
				}
				return nil, errors.New("no role in " + region)
			}
			o.OnProgress = func(p execution.Progress) {
				if p.Location != nil && p.Location.Key() == "111122223333/us-east-1" && p.Location.Status == types.AutomationExecutionStatusSuccess {
					seen = append(seen, fmt.Sprintf("%v %v", p.Location.FromChild, p.Elapsed < 40*time.Second))
					callsAtEnd = acct1.calls
				}
			}
		})
		var fe *execution.ExecutionFailedError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, []string{"true true"}, seen, "seen from the child, before the parent's step ended, once")
		assert.Equal(t, []string{"111122223333/us-east-1", "111122223333/us-west-2", "444455556666/us-east-1"}, asked, "one client per location, asked once")
		assert.Positive(t, acct1.calls)
		assert.Positive(t, acct2.calls, "failed reads are skipped")
		assert.Equal(t, callsAtEnd, acct1.calls, "an ended child is not read again")
	})
}

func TestWatcherLocations(t *testing.T) {
	for _, tc := range []struct {
		name         string
		crossAccount bool
		want         []string
	}{
		{
			name:         "typed CrossAccount",
			crossAccount: true,
			want: []string{
				"111122223333/us-east-1 (new) -> InProgress",
				"111122223333/us-west-2 (new) -> InProgress",
				"444455556666/us-east-1 (new) -> InProgress",
				"444455556666/us-west-2 (new) -> Pending",
				"parent (new) -> InProgress",
				"444455556666/us-west-2 Pending -> Failed",
				"111122223333/us-west-2 InProgress -> Waiting",
				"111122223333/us-east-1 InProgress -> Success",
				"111122223333/us-west-2 Waiting -> InProgress",
				"444455556666/us-east-1 InProgress -> Failed",
				"111122223333/us-west-2 InProgress -> Success",
				"parent InProgress -> Failed final",
			},
		},
		{
			// Without AutomationType the locations are known once the
			// parent's detail is read: here at its end.
			name: "untyped metadata",
			want: []string{
				"parent (new) -> InProgress",
				"111122223333/us-east-1 (new) -> Success",
				"111122223333/us-west-2 (new) -> Success",
				"444455556666/us-east-1 (new) -> Failed",
				"444455556666/us-west-2 (new) -> Failed",
				"parent InProgress -> Failed final",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newMultiFake(fourLocations()...)
				f.crossAccount = tc.crossAccount
				f.truncateAt, f.pageSize = 2, 1
				var got []string
				err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).Run(t.Context(), []string{parentID}, func(ev execution.Event) {
					assert.Equal(t, parentID, ev.ExecutionID)
					if l := ev.Location; l != nil {
						assert.False(t, ev.Final)
						assert.NoError(t, ev.Err)
						got = append(got, fmt.Sprintf("%s %s -> %s", l.Key(), orNone(l.PreviousStatus), l.Status))
						return
					}
					line := fmt.Sprintf("parent %s -> %s", orNone(ev.PreviousStatus), ev.Status)
					if ev.Final {
						line += " final"
						var fe *execution.ExecutionFailedError
						require.ErrorAs(t, ev.Err, &fe)
						require.NotNil(t, fe.Locations)
						assert.Len(t, fe.Locations.Locations, 4)
					}
					got = append(got, line)
				})
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
			})
		})
	}
}

// TestWatcherLocationsRetry: the parent's reads go through the watch's
// retry budget; past it the watch ends with the cause.
func TestWatcherLocationsRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newMultiFake(fourLocations()[:1]...)
		f.truncateAt, f.pageSize = 0, 1
		f.failNext("GetAutomationExecution", throttlingError, throttlingError, &smithy.GenericAPIError{Code: "InternalServerError", Fault: smithy.FaultServer})
		events := 0
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).Run(t.Context(), []string{parentID}, func(ev execution.Event) { events++ })
		require.NoError(t, err)
		assert.Equal(t, 4, events, "first sight and end of the location and of the parent")

		f2 := newMultiFake(fourLocations()[:1]...)
		f2.failNext("GetAutomationExecution", errors.New("access denied"))
		err = execution.NewWatcher(f2, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) }).Run(t.Context(), []string{parentID}, nil)
		require.ErrorContains(t, err, "access denied")
	})
}

// TestWatcherLocationsFromChildren: with a LocationClient, a child ahead
// of the parent's step is reported from its own account.
func TestWatcherLocationsFromChildren(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		locs := fourLocations()[:1]
		locs[0].childPhases = []locPhase{{at: 0, status: types.AutomationExecutionStatusInprogress}, {at: 20 * time.Second, status: types.AutomationExecutionStatusSuccess}}
		f := newMultiFake(locs...)
		child := &childClient{f: f}
		var at time.Duration
		start := time.Now()
		err := execution.NewWatcher(f, func(o *execution.WatcherOptions) {
			o.RateLimiter = rate.NewLimiter(rate.Inf, 1)
			o.LocationClient = func(string, string) (execution.GetAutomationExecutionAPIClient, error) { return child, nil }
		}).Run(t.Context(), []string{parentID}, func(ev execution.Event) {
			if l := ev.Location; l != nil && l.Status == types.AutomationExecutionStatusSuccess {
				assert.True(t, l.FromChild)
				at = time.Since(start)
			}
		})
		require.NoError(t, err)
		assert.Less(t, at, 40*time.Second, "seen in the child's account before the parent's step ended")
	})
}

// TestWaitWakesOnChildEvent: an event for a child execution, forwarded
// from its account, makes the parent's waiter poll at once.
func TestWaitWakesOnChildEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newMultiFake(fourLocations()...)
		src := execution.NewQueueEventSource(nil, "q")
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = execution.NewExecutionWaiter(f).WaitForLocations(t.Context(), parentID, time.Hour, func(o *execution.ExecutionWaiterOptions) { o.Wake = src })
		}()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		before := f.count("GetAutomationExecution")
		src.Deliver(execution.AutomationEvent{ID: "e1", ExecutionID: "c0000000-0000-4000-8000-000000000001"})
		synctest.Wait()
		assert.Equal(t, before+1, f.count("GetAutomationExecution"), "the child's event woke the parent's waiter")
		src.Deliver(execution.AutomationEvent{ID: "e2", ExecutionID: "unrelated"})
		synctest.Wait()
		assert.Equal(t, before+1, f.count("GetAutomationExecution"))
		<-done
	})
}
