package execution

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// childAnswers answers GetAutomationExecution from a map of replies by
// execution id, counting the calls.
type childAnswers struct {
	replies map[string]childReply
	calls   []string
}

type childReply struct {
	out *ssm.GetAutomationExecutionOutput
	err error
}

func (c *childAnswers) GetAutomationExecution(_ context.Context, in *ssm.GetAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	id := aws.ToString(in.AutomationExecutionId)
	c.calls = append(c.calls, id)
	r := c.replies[id]
	return r.out, r.err
}

func childOut(status types.AutomationExecutionStatus, failure string, end *time.Time) childReply {
	ex := &types.AutomationExecution{AutomationExecutionStatus: status, ExecutionEndTime: end}
	if failure != "" {
		ex.FailureMessage = aws.String(failure)
	}
	return childReply{out: &ssm.GetAutomationExecutionOutput{AutomationExecution: ex}}
}

func callDirect(_ context.Context, _ string, op func() error) error { return op() }

type loggedLines []string

func (l *loggedLines) Logf(c logging.Classification, format string, v ...any) {
	*l = append(*l, string(c)+" "+fmt.Sprintf(format, v...))
}

func TestChildReaderRefresh(t *testing.T) {
	end := time.Date(2026, 1, 1, 0, 5, 0, 0, time.FixedZone("x", 3600))
	loc := func(account, status, child string) LocationStatus {
		return LocationStatus{Account: account, Region: "us-east-1", Status: types.AutomationExecutionStatus(status), ChildExecutionID: child, FailureMessage: "parent says"}
	}
	for _, tc := range []struct {
		name    string
		locs    []LocationStatus
		replies map[string]childReply
		// counters marks the totals as the service's.
		counters bool
		want     []string
		calls    []string
		totals   LocationTotals
	}{
		{
			name:  "no child, or ended: not read",
			locs:  []LocationStatus{loc("1", "InProgress", ""), loc("2", "Success", "c2"), loc("3", "Failed", "c3")},
			want:  []string{"1 InProgress false parent says", "2 Success false parent says", "3 Failed false parent says"},
			calls: nil, totals: LocationTotals{Total: 3, Succeeded: 1, Failed: 1, InProgress: 1},
		},
		{
			name:    "a child ahead of its step",
			locs:    []LocationStatus{loc("1", "InProgress", "c1"), loc("2", "Pending", "c2")},
			replies: map[string]childReply{"c1": childOut("Failed", "child says", &end), "c2": childOut("InProgress", "", nil)},
			want:    []string{"1 Failed true child says", "2 InProgress true parent says"},
			calls:   []string{"c1", "c2"}, totals: LocationTotals{Total: 2, Failed: 1, InProgress: 1},
		},
		{
			name:     "the service's counters are kept",
			locs:     []LocationStatus{loc("1", "InProgress", "c1")},
			replies:  map[string]childReply{"c1": childOut("Success", "", nil)},
			counters: true,
			want:     []string{"1 Success true parent says"},
			calls:    []string{"c1"}, totals: LocationTotals{Total: 9, InProgress: 9, FromCounters: true},
		},
		{
			name: "failed, empty and statusless reads leave the parent's view",
			locs: []LocationStatus{loc("1", "InProgress", "c1"), loc("2", "InProgress", "c2"), loc("3", "InProgress", "c3"), loc("4", "InProgress", "c4")},
			replies: map[string]childReply{
				"c1": {err: errors.New("access denied")},
				"c2": {out: nil},
				"c3": {out: &ssm.GetAutomationExecutionOutput{}},
				"c4": childOut("", "child says", nil),
			},
			want:  []string{"1 InProgress false parent says", "2 InProgress false parent says", "3 InProgress false parent says", "4 InProgress false parent says"},
			calls: []string{"c1", "c2", "c3", "c4"}, totals: LocationTotals{Total: 4, InProgress: 4},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := &childAnswers{replies: tc.replies}
			var log loggedLines
			c := newChildReader(func(string, string) (GetAutomationExecutionAPIClient, error) { return client, nil }, &log)
			r := &LocationReport{ExecutionID: "p", Locations: tc.locs, Totals: CountLocations(tc.locs)}
			if tc.counters {
				r.Totals = LocationTotals{Total: 9, InProgress: 9, FromCounters: true}
			}
			c.refresh(t.Context(), r, nil, callDirect)
			var got []string
			for _, l := range r.Locations {
				got = append(got, fmt.Sprintf("%s %s %v %s", l.Account, l.Status, l.FromChild, l.FailureMessage))
			}
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.calls, client.calls)
			assert.Equal(t, tc.totals, r.Totals)
		})
	}
}

// TestChildReaderRefreshEnds: an ended child is remembered and not read
// again, and its end time fills only a location that has none.
func TestChildReaderRefreshEnds(t *testing.T) {
	end := time.Date(2026, 1, 1, 0, 5, 0, 0, time.FixedZone("x", 3600))
	stepEnd := time.Date(2026, 1, 1, 0, 9, 0, 0, time.UTC)
	client := &childAnswers{replies: map[string]childReply{"c1": childOut("Success", "", &end), "c2": childOut("TimedOut", "", &end)}}
	c := newChildReader(func(string, string) (GetAutomationExecutionAPIClient, error) { return client, nil }, logging.Nop{})
	fresh := func() *LocationReport {
		return &LocationReport{Locations: []LocationStatus{
			{Account: "1", Status: types.AutomationExecutionStatusInprogress, ChildExecutionID: "c1"},
			{Account: "2", Status: types.AutomationExecutionStatusInprogress, ChildExecutionID: "c2", End: stepEnd},
		}}
	}
	r := fresh()
	c.refresh(t.Context(), r, nil, callDirect)
	assert.Equal(t, end.UTC(), r.Locations[0].End)
	assert.Equal(t, stepEnd, r.Locations[1].End, "the step's own end stays")
	assert.Equal(t, LocationTotals{Total: 2, Succeeded: 1, TimedOut: 1}, r.Totals)
	client.replies = map[string]childReply{"c1": {err: errors.New("expired token")}, "c2": {err: errors.New("expired token")}}
	r = fresh()
	c.refresh(t.Context(), r, nil, callDirect)
	assert.Equal(t, []string{"c1", "c2"}, client.calls, "ended children are not read again")
	assert.Equal(t, types.AutomationExecutionStatusSuccess, r.Locations[0].Status)
	assert.True(t, r.Locations[0].FromChild)
	assert.Equal(t, types.AutomationExecutionStatusTimedout, r.Locations[1].Status)
	assert.Equal(t, LocationTotals{Total: 2, Succeeded: 1, TimedOut: 1}, r.Totals, "recounted from the remembered ends")
}

// TestChildReaderRefreshContextEnds: once the context ends no further
// location is read and nothing is changed.
func TestChildReaderRefreshContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	client := &childAnswers{replies: map[string]childReply{"c1": childOut("Success", "", nil), "c2": childOut("Success", "", nil)}}
	c := newChildReader(func(string, string) (GetAutomationExecutionAPIClient, error) { return client, nil }, logging.Nop{})
	r := &LocationReport{Locations: []LocationStatus{
		{Account: "1", Status: types.AutomationExecutionStatusInprogress, ChildExecutionID: "c1"},
		{Account: "2", Status: types.AutomationExecutionStatusInprogress, ChildExecutionID: "c2"},
	}}
	c.refresh(ctx, r, nil, func(_ context.Context, _ string, op func() error) error {
		err := op()
		cancel()
		return err
	})
	assert.Equal(t, []string{"c1"}, client.calls)
	assert.Equal(t, types.AutomationExecutionStatusInprogress, r.Locations[0].Status)
	assert.False(t, r.Locations[0].FromChild)
	assert.Equal(t, LocationTotals{}, r.Totals, "not recounted")
}

func TestChildReaderNil(t *testing.T) {
	assert.Nil(t, newChildReader(nil, logging.Nop{}))
	r := &LocationReport{Locations: []LocationStatus{{Account: "1", Status: types.AutomationExecutionStatusInprogress, ChildExecutionID: "c1"}}}
	var c *childReader
	c.refresh(t.Context(), r, nil, callDirect)
	assert.Equal(t, types.AutomationExecutionStatusInprogress, r.Locations[0].Status)
}

// TestChildReaderClient: one client per location, made once; a location
// whose client cannot be made is not asked again and follows the parent.
func TestChildReaderClient(t *testing.T) {
	good := &childAnswers{}
	var asked []string
	var log loggedLines
	c := newChildReader(func(account, region string) (GetAutomationExecutionAPIClient, error) {
		asked = append(asked, account+"/"+region)
		switch account {
		case "ok":
			return good, nil
		case "nil":
			return nil, nil
		}
		return nil, errors.New("no role")
	}, &log)
	for range 2 {
		assert.Same(t, good, c.client("ok", "r"))
		assert.Nil(t, c.client("nil", "r"))
		assert.Nil(t, c.client("bad", "r"))
	}
	assert.Equal(t, []string{"ok/r", "nil/r", "bad/r"}, asked)
	assert.Equal(t, loggedLines{
		"WARN location nil/r: no client, following the parent's steps: <nil>",
		"WARN location bad/r: no client, following the parent's steps: no role",
	}, log)
}

func TestChildIDs(t *testing.T) {
	var c childIDs
	assert.False(t, c.has("a"))
	c.add(map[string]bool{"a": true})
	c.add(map[string]bool{"b": true})
	c.add(nil)
	assert.True(t, c.has("a"), "earlier ids are kept")
	assert.True(t, c.has("b"))
	assert.False(t, c.has("c"))
}

func TestStepByID(t *testing.T) {
	steps := []types.StepExecution{{StepName: aws.String("noid")}, {StepName: aws.String("one"), StepExecutionId: aws.String("s1")}, {StepName: aws.String("two"), StepExecutionId: aws.String("s2")}}
	for _, tc := range []struct {
		id, want string
	}{
		{"", ""},
		{"s1", "one"},
		{"s2", "two"},
		{"s3", ""},
	} {
		t.Run(tc.id, func(t *testing.T) {
			s := stepByID(steps, tc.id)
			if tc.want == "" {
				assert.Nil(t, s)
				return
			}
			require.NotNil(t, s)
			assert.Equal(t, tc.want, aws.ToString(s.StepName))
		})
	}
}

// TestCallChild: a child's read waits on the rate limiter, and is not
// made when the context ends there.
func TestCallChild(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name string
		call func(context.Context, string, func() error) error
	}{
		{"waiter", (&poller{o: &ExecutionWaiterOptions{RateLimiter: rate.NewLimiter(1, 1)}}).callChild},
		{"watcher", (&sweeper{o: &WatcherOptions{RateLimiter: rate.NewLimiter(1, 1)}}).callChild},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := 0
			op := func() error { called++; return errors.New("boom") }
			require.ErrorIs(t, tc.call(ctx, "GetAutomationExecution", op), context.Canceled)
			assert.Zero(t, called)
			require.EqualError(t, tc.call(t.Context(), "GetAutomationExecution", op), "boom")
			assert.Equal(t, 1, called)
		})
	}
	called := 0
	p := &poller{o: &ExecutionWaiterOptions{}}
	require.NoError(t, p.callChild(ctx, "GetAutomationExecution", func() error { called++; return nil }))
	assert.Equal(t, 1, called, "without a limiter the call is made")
}
