package execution

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oneRun is a watcher client for one execution that runs for a minute and
// then ends with final. Being in the package's own tests, which run
// first, it ends a watch that would never end under a deadline, so such a
// defect fails at once rather than stalling the suite.
type oneRun struct {
	mu    sync.Mutex
	id    string
	start time.Time
	final types.AutomationExecutionStatus
	cross bool // reported as a multi-account execution
}

func (c *oneRun) status() types.AutomationExecutionStatus {
	if time.Since(c.start) < time.Minute {
		return types.AutomationExecutionStatusInprogress
	}
	return c.final
}

func (c *oneRun) DescribeAutomationExecutions(_ context.Context, in *ssm.DescribeAutomationExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationExecutionsOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := &ssm.DescribeAutomationExecutionsOutput{}
	for _, f := range in.Filters {
		if f.Key != types.AutomationExecutionFilterKeyExecutionId {
			continue
		}
		for _, id := range f.Values {
			if id != c.id {
				continue
			}
			m := types.AutomationExecutionMetadata{AutomationExecutionId: aws.String(id), AutomationExecutionStatus: c.status(), CurrentStepName: aws.String("run")}
			if c.cross {
				m.AutomationType = types.AutomationTypeCrossAccount
			}
			out.AutomationExecutionMetadataList = append(out.AutomationExecutionMetadataList, m)
		}
	}
	return out, nil
}

func (c *oneRun) GetAutomationExecution(_ context.Context, in *ssm.GetAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if aws.ToString(in.AutomationExecutionId) != c.id {
		return nil, &types.AutomationExecutionNotFoundException{Message: aws.String("not found")}
	}
	ex := &types.AutomationExecution{AutomationExecutionId: aws.String(c.id), AutomationExecutionStatus: c.status(), CurrentStepName: aws.String("run")}
	return &ssm.GetAutomationExecutionOutput{AutomationExecution: ex}, nil
}

// TestWatcherEndsBeforeDeadline checks a watch of an execution that ends,
// or of an id the service never knows, ends with its final event well
// within an hour.
func TestWatcherEndsBeforeDeadline(t *testing.T) {
	for _, tc := range []struct {
		name    string
		watch   string
		final   types.AutomationExecutionStatus
		cross   bool
		want    []types.AutomationExecutionStatus
		wantErr any
	}{
		{"success", "exec-1", types.AutomationExecutionStatusSuccess, false,
			[]types.AutomationExecutionStatus{types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusSuccess}, nil},
		{"failure", "exec-1", types.AutomationExecutionStatusFailed, false,
			[]types.AutomationExecutionStatus{types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusFailed}, new(*ExecutionFailedError)},
		{"multi-account", "exec-1", types.AutomationExecutionStatusSuccess, true,
			[]types.AutomationExecutionStatus{types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusSuccess}, nil},
		{"never known", "exec-2", types.AutomationExecutionStatusSuccess, false,
			[]types.AutomationExecutionStatus{""}, new(*types.AutomationExecutionNotFoundException)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := &oneRun{id: "exec-1", start: time.Now(), final: tc.final, cross: tc.cross}
				ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
				defer cancel()
				var got []types.AutomationExecutionStatus
				var last Event
				err := NewWatcher(c, func(o *WatcherOptions) { o.NotFoundGracePeriod = 10 * time.Second }).
					Run(ctx, []string{tc.watch}, func(ev Event) {
						if ev.Location == nil {
							got = append(got, ev.Status)
							last = ev
						}
					})
				require.NoError(t, err)
				assert.Less(t, time.Since(c.start), 5*time.Minute)
				assert.Equal(t, tc.want, got)
				assert.True(t, last.Final)
				if tc.wantErr == nil {
					assert.NoError(t, last.Err)
				} else {
					assert.True(t, errors.As(last.Err, tc.wantErr), "%v", last.Err)
				}
			})
		})
	}
}
