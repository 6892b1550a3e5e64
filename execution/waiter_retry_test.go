package execution_test

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// TestWaitTransientBudget runs the waiter's poll through the same budget
// as the watcher: budget-1 and budget transient errors in a row are polled
// through, one more ends the wait; throttling spends none of it, and a
// successful poll starts a new run.
func TestWaitTransientBudget(t *testing.T) {
	const budget = 3
	tests := []struct {
		name    string
		errs    []error
		wantErr bool
	}{
		{"budget-1", repeatErr(ise, budget-1), false},
		{"budget", repeatErr(ise, budget), false},
		{"budget+1", repeatErr(ise, budget+1), true},
		{"throttles are not counted", append(repeatErr(throttlingError, 3*budget), repeatErr(ise, budget)...), false},
		{"throttles do not break a run", []error{ise, throttlingError, ise, throttlingError, ise, throttlingError, ise}, true},
		{"a success starts a new run", append(append(repeatErr(ise, budget), nil), repeatErr(ise, budget)...), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, simple(time.Hour, types.AutomationExecutionStatusSuccess)...)
				f.failNext("GetAutomationExecution", tc.errs...)
				err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
					o.MaxTransientErrors = budget
				}).Wait(t.Context(), execID, 2*time.Hour)
				if !tc.wantErr {
					require.NoError(t, err)
					return
				}
				var got *types.InternalServerError
				require.ErrorAs(t, err, &got)
				assert.ErrorContains(t, err, fmt.Sprintf("execution: get automation execution %s: ", execID))
				assert.Equal(t, len(tc.errs), f.count("GetAutomationExecution"), "ends at the error past the budget")
			})
		})
	}
}

// TestWaitNoTransientRetries checks a negative budget ends the wait at the
// first transient error, while throttling is still polled through.
func TestWaitNoTransientRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.add(execID, simple(time.Minute, types.AutomationExecutionStatusSuccess)...)
		f.failNext("GetAutomationExecution", throttlingError, throttlingError, ise)
		err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.MaxTransientErrors = -1 }).
			Wait(t.Context(), execID, time.Hour)
		var got *types.InternalServerError
		require.ErrorAs(t, err, &got)
		assert.Equal(t, 3, f.count("GetAutomationExecution"))
	})
}
