package execution_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// TestLocationsOfLatestRecord: of two records of a location with the same
// start, the one further along wins, and at the same stage the later in
// the list; a status not yet set counts as pending.
func TestLocationsOfLatestRecord(t *testing.T) {
	const acct = "111122223333"
	for _, tc := range []struct {
		name  string
		steps []types.StepExecution
		want  string
	}{
		{"same stage: the later wins", []types.StepExecution{
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusSuccess, 0),
			locStep("s2", acct, "us-east-1", types.AutomationExecutionStatusSuccess, 0),
		}, "s2 Success"},
		{"same stage, no start: the later wins", []types.StepExecution{
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusInprogress, -1),
			locStep("s2", acct, "us-east-1", types.AutomationExecutionStatusWaiting, -1),
		}, "s2 Waiting"},
		{"running beats no status yet", []types.StepExecution{
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusInprogress, 0),
			locStep("s1", acct, "us-east-1", "", 0),
		}, "s1 InProgress"},
		{"no status yet is as far as pending", []types.StepExecution{
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusPending, 0),
			locStep("s2", acct, "us-east-1", "", 0),
		}, "s2 "},
		{"ended beats running", []types.StepExecution{
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusFailed, 0),
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusInprogress, 0),
		}, "s1 Failed"},
		{"a later start beats one further along", []types.StepExecution{
			locStep("s2", acct, "us-east-1", types.AutomationExecutionStatusPending, time.Second),
			locStep("s1", acct, "us-east-1", types.AutomationExecutionStatusSuccess, 0),
		}, "s2 Pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := execution.LocationsOf(&types.AutomationExecution{StepExecutions: tc.steps})
			require.Len(t, r.Locations, 1)
			l := r.Locations[0]
			assert.Equal(t, tc.want, l.StepExecutionID+" "+string(l.Status))
		})
	}
}

// TestLocationsOfChildID: the well-known outputs are looked for in order,
// then any output whose name ends in ExecutionId, by name.
func TestLocationsOfChildID(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outputs map[string][]string
		want    string
	}{
		{"ExecutionId first", map[string][]string{"ChildExecutionId": {"c3"}, "AutomationExecutionId": {"c2"}, "ExecutionId": {"c1"}}, "c1"},
		{"then AutomationExecutionId", map[string][]string{"ChildExecutionId": {"c3"}, "AutomationExecutionId": {"c2"}, "ExecutionId": {""}}, "c2"},
		{"then ChildExecutionId", map[string][]string{"ChildExecutionId": {" c3 "}, "B.ExecutionId": {"b"}}, "c3"},
		{"other names in order", map[string][]string{"B.ExecutionId": {"b"}, "A.executionid": {"a"}, "A.Status": {"x"}}, "a"},
		{"blank values skipped", map[string][]string{"B.ExecutionId": {"b"}, "A.ExecutionId": {" ", ""}}, "b"},
		{"none", map[string][]string{"ExecutionIds": {"x"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := locStep("s1", "111122223333", "us-east-1", types.AutomationExecutionStatusSuccess, 0)
			s.Outputs = tc.outputs
			r := execution.LocationsOf(&types.AutomationExecution{StepExecutions: []types.StepExecution{s}})
			require.Len(t, r.Locations, 1)
			assert.Equal(t, tc.want, r.Locations[0].ChildExecutionID)
		})
	}
}

// TestLocationsOfKeys: several accounts or Regions in one step are one
// location; a step naming neither is keyed by its execution id, or by its
// name without one.
func TestLocationsOfKeys(t *testing.T) {
	steps := []types.StepExecution{
		{StepName: aws.String("multi"), StepExecutionId: aws.String("m"), TargetLocation: &types.TargetLocation{Accounts: []string{"2", "1"}, Regions: []string{"a", "b"}}},
		{StepName: aws.String("byid"), StepExecutionId: aws.String("z-id"), TargetLocation: &types.TargetLocation{}},
		{StepName: aws.String("byname"), TargetLocation: &types.TargetLocation{}},
		{StepName: aws.String("account only"), StepExecutionId: aws.String("o"), TargetLocation: &types.TargetLocation{Accounts: []string{"3"}}},
		{StepName: aws.String("region only"), StepExecutionId: aws.String("r"), TargetLocation: &types.TargetLocation{Regions: []string{"c"}}},
	}
	r := execution.LocationsOf(&types.AutomationExecution{StepExecutions: steps})
	var keys, ids []string
	for _, l := range r.Locations {
		keys = append(keys, l.Key())
		ids = append(ids, l.StepExecutionID)
	}
	assert.Equal(t, []string{"byname", "z-id", "/c", "2,1/a,b", "3/"}, keys)
	assert.Equal(t, []string{"byname", "z-id", "r", "m", "o"}, ids)
	for _, l := range r.Locations {
		assert.True(t, l.Start.IsZero())
		assert.True(t, l.End.IsZero())
		assert.Empty(t, l.FailureType)
	}
}

func TestLocationTotalsStringEdges(t *testing.T) {
	for _, tc := range []struct {
		t    execution.LocationTotals
		want string
	}{
		{execution.LocationTotals{Total: 1, Succeeded: 1}, "1 location: 1 succeeded"},
		{execution.LocationTotals{Total: 2, Failed: 2}, "2 locations: 2 failed"},
		{execution.LocationTotals{Total: 3}, "3 locations"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.t.String())
		})
	}
}

func TestLocationsOfCounters(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    types.ProgressCounters
		want execution.LocationTotals
	}{
		{"the rest in progress", types.ProgressCounters{TotalSteps: 20, SuccessSteps: 2, FailedSteps: 3, CancelledSteps: 4, TimedOutSteps: 5},
			execution.LocationTotals{Total: 20, Succeeded: 2, Failed: 3, Cancelled: 4, TimedOut: 5, InProgress: 6, FromCounters: true}},
		{"all ended", types.ProgressCounters{TotalSteps: 4, SuccessSteps: 1, FailedSteps: 1, CancelledSteps: 1, TimedOutSteps: 1},
			execution.LocationTotals{Total: 4, Succeeded: 1, Failed: 1, Cancelled: 1, TimedOut: 1, FromCounters: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := execution.LocationsOf(&types.AutomationExecution{ProgressCounters: &tc.c})
			assert.Equal(t, tc.want, r.Totals)
		})
	}
}
