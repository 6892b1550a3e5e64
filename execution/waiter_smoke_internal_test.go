package execution

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

// TestSleep checks a pause lasts its duration, and a pause of zero or
// less reports an ended context every time, never racing it against a
// timer that fired at once. It comes first: a pause that does not wait
// makes the waits below spin without end.
func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		require.NoError(t, sleep(t.Context(), time.Minute))
		assert.Equal(t, time.Minute, time.Since(start))
		require.NoError(t, sleep(t.Context(), 0))
		require.NoError(t, sleep(t.Context(), -1))
		assert.Equal(t, time.Minute, time.Since(start))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		for range 64 {
			require.ErrorIs(t, sleep(ctx, 0), context.Canceled)
		}
		require.ErrorIs(t, sleep(ctx, time.Hour), context.Canceled)
		assert.Equal(t, time.Minute, time.Since(start))
	})
}

// threeSteps is a waiter client for one execution of three ten-minute
// steps whose step list the service truncates to one step and pages two
// at a time. Being in the package's own tests, which run first, it
// checks a whole wait early.
type threeSteps struct {
	mu       sync.Mutex
	start    time.Time
	failTwo  bool // step two fails, and with it the execution
	gets     int
	stepRead int
}

func (c *threeSteps) steps(now time.Time) ([]types.StepExecution, types.AutomationExecutionStatus) {
	el := now.Sub(c.start)
	var steps []types.StepExecution
	for i, name := range []string{"one", "two", "three"} {
		from := time.Duration(i) * 10 * time.Minute
		if el < from {
			break
		}
		s := types.StepExecution{StepName: aws.String(name), Action: aws.String("aws:sleep"), StepExecutionId: aws.String("s-" + name), StepStatus: types.AutomationExecutionStatusInprogress}
		if el >= from+10*time.Minute {
			s.StepStatus = types.AutomationExecutionStatusSuccess
			if c.failTwo && name == "two" {
				s.StepStatus = types.AutomationExecutionStatusFailed
			}
		}
		steps = append(steps, s)
		if s.StepStatus == types.AutomationExecutionStatusFailed {
			return steps, types.AutomationExecutionStatusFailed
		}
	}
	if el >= 30*time.Minute {
		return steps, types.AutomationExecutionStatusSuccess
	}
	return steps, types.AutomationExecutionStatusInprogress
}

func (c *threeSteps) GetAutomationExecution(_ context.Context, in *ssm.GetAutomationExecutionInput, _ ...func(*ssm.Options)) (*ssm.GetAutomationExecutionOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	steps, status := c.steps(time.Now())
	start := c.start
	ex := &types.AutomationExecution{
		AutomationExecutionId:     in.AutomationExecutionId,
		AutomationExecutionStatus: status,
		DocumentName:              aws.String("Doc"),
		ExecutionStartTime:        &start,
		CurrentStepName:           steps[len(steps)-1].StepName,
		CurrentAction:             steps[len(steps)-1].Action,
		StepExecutions:            steps,
	}
	if status != types.AutomationExecutionStatusInprogress {
		ex.ExecutionEndTime = aws.Time(time.Now())
	}
	if len(steps) > 1 {
		ex.StepExecutions, ex.StepExecutionsTruncated = steps[:1], true
	}
	return &ssm.GetAutomationExecutionOutput{AutomationExecution: ex}, nil
}

func (c *threeSteps) DescribeAutomationStepExecutions(_ context.Context, in *ssm.DescribeAutomationStepExecutionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeAutomationStepExecutionsOutput, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stepRead++
	steps, _ := c.steps(time.Now())
	if aws.ToBool(in.ReverseOrder) {
		slices.Reverse(steps)
	}
	from, _ := strconv.Atoi(aws.ToString(in.NextToken))
	to := min(from+2, len(steps))
	out := &ssm.DescribeAutomationStepExecutionsOutput{StepExecutions: steps[from:to]}
	if to < len(steps) {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	return out, nil
}

type endRecorder struct {
	added []types.AutomationExecutionStatus
}

func (*endRecorder) Samples(string, string) []Sample { return nil }
func (h *endRecorder) Add(ex *types.AutomationExecution) {
	h.added = append(h.added, ex.AutomationExecutionStatus)
}

// TestWaitThreeStepsEarly checks the progress, the step reads and the end
// of a whole wait on a truncated step list. Steps are read from the
// newest page back to one holding a step seen ended: one page at ten
// minutes, two at twenty, then every page (two) at the end.
func TestWaitThreeStepsEarly(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failTwo  bool
		progress []string
		steps    int
		reads    int
	}{
		{"success", false, []string{
			"InProgress one InProgress step",
			"InProgress one Success step", "InProgress two InProgress step",
			"InProgress two Success step", "InProgress three InProgress step",
			"Success three Success step",
		}, 3, 5},
		{"step two fails", true, []string{
			"InProgress one InProgress step",
			"InProgress one Success step", "InProgress two InProgress step",
			"Failed two Failed step",
		}, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := &threeSteps{start: time.Now(), failTwo: tc.failTwo}
				h := &endRecorder{}
				var got []string
				var attempts []int64
				out, err := NewExecutionWaiter(c, func(o *ExecutionWaiterOptions) {
					o.History = h
					o.OnProgress = func(p Progress) {
						kind := "execution"
						if p.StepChanged {
							kind = "step"
						}
						got = append(got, fmt.Sprintf("%s %s %s %s", p.Status, p.StepName, p.StepStatus, kind))
						attempts = append(attempts, p.Attempt)
					}
				}).WaitForOutput(t.Context(), "exec-1", time.Hour)
				elapsed := time.Since(c.start)
				if tc.failTwo {
					var fe *ExecutionFailedError
					require.ErrorAs(t, err, &fe)
					require.NotNil(t, fe.FailedStep)
					assert.Equal(t, "two", aws.ToString(fe.FailedStep.StepName))
					require.NotNil(t, fe.Execution)
					out = &ssm.GetAutomationExecutionOutput{AutomationExecution: fe.Execution}
				} else {
					require.NoError(t, err)
					assert.Equal(t, []types.AutomationExecutionStatus{types.AutomationExecutionStatusSuccess}, h.added)
				}
				require.NotNil(t, out)
				assert.False(t, out.AutomationExecution.StepExecutionsTruncated)
				assert.Len(t, out.AutomationExecution.StepExecutions, tc.steps)
				assert.Equal(t, tc.progress, got)
				assert.True(t, slices.IsSorted(attempts), "%v", attempts)
				assert.Equal(t, int64(c.gets), attempts[len(attempts)-1])
				assert.Equal(t, tc.reads, c.stepRead)
				assert.Less(t, elapsed, 40*time.Minute)
			})
		})
	}
}
