package execution_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// FuzzLocationsOf reads arbitrary location steps: LocationsOf never
// panics, gives one entry per location key, sorted, and counts every
// location once when the service sends no counters.
func FuzzLocationsOf(f *testing.F) {
	f.Add("111122223333;us-east-1;InProgress;c1;0|111122223333;us-east-1;Failed;;-5|444455556666;eu-west-1;Hibernating;;3")
	f.Add(";;;;|;;Success;;|a,b;r1,r2;Cancelled;x;1")
	f.Fuzz(func(t *testing.T, spec string) {
		var steps []types.StepExecution
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, rec := range strings.Split(spec, "|") {
			if i >= 64 {
				break
			}
			fs := append(strings.Split(rec, ";"), "", "", "", "", "")
			s := types.StepExecution{StepExecutionId: aws.String(fs[3] + "-id"), StepStatus: types.AutomationExecutionStatus(fs[2])}
			if fs[0] != "" || fs[1] != "" || i%2 == 0 {
				s.TargetLocation = &types.TargetLocation{Accounts: splitNonEmpty(fs[0]), Regions: splitNonEmpty(fs[1])}
			}
			if fs[3] != "" {
				s.Outputs = map[string][]string{"ExecutionId": {fs[3]}}
			}
			if len(fs[4]) > 0 {
				s.ExecutionStartTime = aws.Time(base.Add(time.Duration(fs[4][0]) * time.Second))
			}
			steps = append(steps, s)
		}
		r := execution.LocationsOf(&types.AutomationExecution{StepExecutions: steps})
		keys := make([]string, 0, len(r.Locations))
		for _, l := range r.Locations {
			keys = append(keys, l.Key())
		}
		require.Len(t, slices.Compact(slices.Clone(keys)), len(keys), "a location twice: %q", keys)
		require.Equal(t, len(r.Locations), r.Totals.Total, "totals %+v", r.Totals)
		require.Equal(t, r.Totals.Total, r.Totals.Succeeded+r.Totals.Failed+r.Totals.Cancelled+r.Totals.TimedOut+r.Totals.InProgress, "totals %+v do not add up", r.Totals)
	})
}

func splitNonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
