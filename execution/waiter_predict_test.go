package execution_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/execution"
	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// TestWaitPollsAtTheSleepsEnd waits for a 30-minute aws:sleep: told by
// the step's inputs or by the runbook, the waiter polls every MaxDelay
// and right after the end; knowing nothing, it backs off with the age.
func TestWaitPollsAtTheSleepsEnd(t *testing.T) {
	doc, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:sleep","inputs":{"Duration":"PT30M"}}]}`))
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		inputs   map[string]string
		runbook  *runbook.Document
		maxCalls int
		maxLag   time.Duration
	}{
		{name: "from the step's inputs", inputs: map[string]string{"Duration": `"PT30M"`}, maxCalls: 17, maxLag: time.Second},
		{name: "from the runbook", runbook: doc, maxCalls: 17, maxLag: time.Second},
		{name: "unknown", maxCalls: 95, maxLag: 2 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake()
				f.add(execID, script(types.AutomationExecutionStatusSuccess, "", stepSpec{name: "hold", action: "aws:sleep", dur: 30 * time.Minute, status: types.AutomationExecutionStatusSuccess, inputs: tc.inputs})...)
				start := time.Now()
				err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.Runbook = tc.runbook }).Wait(t.Context(), execID, time.Hour)
				require.NoError(t, err)
				lag := time.Since(start) - 30*time.Minute
				assert.LessOrEqual(t, lag, tc.maxLag)
				assert.LessOrEqual(t, f.count("GetAutomationExecution"), tc.maxCalls)
			})
		})
	}
}

// TestWaitLearnsFromHistory waits for runs of one document whose step
// takes 10 minutes give or take 20 s: with a history, once it holds three
// runs, polls gather around the tenth minute.
func TestWaitLearnsFromHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		h := execution.NewMemoryHistory(0)
		durations := []time.Duration{590 * time.Second, 610 * time.Second, 600 * time.Second, 605 * time.Second, 595 * time.Second}
		var calls []int
		for i, d := range durations {
			id := execID[:len(execID)-1] + string(rune('0'+i))
			f.add(id, script(types.AutomationExecutionStatusSuccess, "", stepSpec{name: "work", action: "aws:runCommand", dur: d, status: types.AutomationExecutionStatusSuccess})...).doc = "Patch"
			before := f.count("GetAutomationExecution")
			start := time.Now()
			require.NoError(t, execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) { o.History = h }).Wait(t.Context(), id, time.Hour))
			calls = append(calls, f.count("GetAutomationExecution")-before)
			if i >= 3 {
				assert.LessOrEqual(t, time.Since(start)-d, 5*time.Second, "run %d", i)
			}
		}
		assert.Len(t, h.Samples("Patch", "work"), len(durations), "every run recorded")
		assert.Len(t, h.Samples("Patch", ""), len(durations))
		assert.Less(t, calls[4], calls[0], "calls per run: %v", calls)
		assert.LessOrEqual(t, calls[4], 20, "calls per run: %v", calls)
	})
}
