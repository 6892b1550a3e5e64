package execution_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// The service may show a step ended one poll before the execution ends.
// The execution's own change then repeats the current step for context,
// marked as not a step change, so a step transition is seen once.
func TestWaitProgressMarksStepChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		step := func(st types.AutomationExecutionStatus) []types.StepExecution {
			return []types.StepExecution{{StepName: aws.String("only"), Action: aws.String("aws:sleep"), StepExecutionId: aws.String("s-1"), StepStatus: st}}
		}
		f := newFake()
		f.add(execID,
			phase{status: types.AutomationExecutionStatusInprogress, steps: step(types.AutomationExecutionStatusInprogress)},
			phase{at: 30 * time.Second, status: types.AutomationExecutionStatusInprogress, steps: step(types.AutomationExecutionStatusSuccess)},
			phase{at: 5 * time.Minute, status: types.AutomationExecutionStatusSuccess, steps: step(types.AutomationExecutionStatusSuccess)},
		)
		var got []string
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
			o.OnProgress = func(p execution.Progress) {
				got = append(got, fmt.Sprintf("%s %s %s changed=%t", p.Status, p.StepName, p.StepStatus, p.StepChanged))
			}
		}).Wait(t.Context(), execID, time.Hour)
		require.NoError(t, err)
		assert.Equal(t, []string{
			"InProgress only InProgress changed=true",
			"InProgress only Success changed=true",
			"Success only Success changed=false",
		}, got)
	})
}
