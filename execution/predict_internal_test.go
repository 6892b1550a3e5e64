package execution

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

// running is an execution of doc in progress on one step.
func running(step types.StepExecution) *types.AutomationExecution {
	return &types.AutomationExecution{
		DocumentName:              aws.String("Doc"),
		AutomationExecutionStatus: types.AutomationExecutionStatusInprogress,
		CurrentStepName:           step.StepName,
		StepExecutions:            []types.StepExecution{step},
	}
}

// bubbleEpoch is where a synctest bubble's clock starts.
var bubbleEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func TestPredict(t *testing.T) {
	{
		t0 := bubbleEpoch
		now := t0.Add(time.Minute)
		sleep := types.StepExecution{StepName: aws.String("hold"), Action: aws.String("aws:sleep"), StepStatus: types.AutomationExecutionStatusInprogress, ExecutionStartTime: aws.Time(t0)}
		withInputs := func(s types.StepExecution, in map[string]string) types.StepExecution { s.Inputs = in; return s }
		work := types.StepExecution{StepName: aws.String("work"), Action: aws.String("aws:runCommand"), StepStatus: types.AutomationExecutionStatusInprogress, ExecutionStartTime: aws.Time(t0)}
		timed := work
		timed.TimeoutSeconds = aws.Int64(600)

		doc, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","parameters":{"Wait":{"type":"String"}},"mainSteps":[{"name":"hold","action":"aws:sleep","inputs":{"Duration":"{{ Wait }}"}},{"name":"work","action":"aws:runCommand","timeoutSeconds":300,"inputs":{"DocumentName":"AWS-RunShellScript","InstanceIds":["i-1"],"Parameters":{"commands":["true"]}}}]}`))
		require.NoError(t, err)

		// Samples of "work": three ended the execution with the step, two
		// ran a later step for 40 s or more.
		history := NewMemoryHistory(0)
		for _, smp := range []Sample{{Step: 30 * time.Second, Rest: 31 * time.Second}, {Step: 50 * time.Second, Rest: 50 * time.Second}, {Step: 70 * time.Second, Rest: 72 * time.Second}, {Step: 20 * time.Second, Rest: 60 * time.Second}, {Step: 40 * time.Second, Rest: 100 * time.Second}} {
			history.add(historyKey{"Doc", "work"}, smp)
		}
		sparse := NewMemoryHistory(0)
		sparse.add(historyKey{"Doc", "work"}, Sample{Step: time.Second, Rest: time.Second})

		at := func(d ...time.Duration) []time.Time {
			out := make([]time.Time, len(d))
			for i := range d {
				out[i] = t0.Add(d[i])
			}
			return out
		}
		for _, tc := range []struct {
			name string
			pr   predictor
			ex   *types.AutomationExecution
			want prediction
		}{
			{name: "nothing known", ex: running(work)},
			{name: "no execution", ex: nil},
			{name: "ended", ex: &types.AutomationExecution{AutomationExecutionStatus: types.AutomationExecutionStatusSuccess}},
			{name: "sleep duration from the step's inputs", ex: running(withInputs(sleep, map[string]string{"Duration": `"PT10M"`})),
				want: prediction{ends: at(10 * time.Minute), exact: true}},
			{name: "sleep duration as plain text", ex: running(withInputs(sleep, map[string]string{"Duration": `PT90S`})),
				want: prediction{ends: at(90 * time.Second), exact: true}},
			{name: "sleep until a timestamp", ex: running(withInputs(sleep, map[string]string{"Timestamp": `"` + t0.Add(time.Hour).UTC().Format(time.RFC3339) + `"`})),
				want: prediction{ends: at(time.Hour), exact: true}},
			{name: "sleep until a timestamp already passed ends at its start", ex: running(withInputs(sleep, map[string]string{"Timestamp": `"2000-01-01T00:00:00Z"`})),
				want: prediction{ends: at(0), exact: true}},
			{name: "bad sleep duration is unknown", ex: running(withInputs(sleep, map[string]string{"Duration": `"soon"`}))},
			{name: "sleep duration from the runbook and the parameters", pr: predictor{doc: doc},
				ex: func() *types.AutomationExecution {
					ex := running(sleep)
					ex.Parameters = map[string][]string{"Wait": {"PT2M"}}
					return ex
				}(),
				want: prediction{ends: at(2 * time.Minute), exact: true}},
			{name: "sleep parameter missing", pr: predictor{doc: doc}, ex: running(sleep)},
			{name: "timeout from the step", ex: running(timed), want: prediction{ends: at(10 * time.Minute)}},
			{name: "timeout from the runbook", pr: predictor{doc: doc}, ex: running(work), want: prediction{ends: at(5 * time.Minute)}},
			{name: "history: the execution's ends and, where steps follow, the step's", pr: predictor{history: history}, ex: running(work),
				want: prediction{ends: at(31*time.Second, 50*time.Second, 72*time.Second), stepEnds: at(20*time.Second, 40*time.Second), stepGap: 20 * time.Second}},
			{name: "history too short", pr: predictor{history: sparse}, ex: running(work)},
			{name: "history of another document", pr: predictor{history: history}, ex: func() *types.AutomationExecution {
				ex := running(work)
				ex.DocumentName = aws.String("Other")
				return ex
			}()},
		} {
			t.Run(tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					require.Equal(t, t0, time.Now().UTC())
					time.Sleep(now.Sub(t0))
					got := tc.pr.predict(tc.ex, time.Now())
					assert.Equal(t, tc.want, got)
				})
			})
		}
	}
}

func TestPredictStepWithoutStartTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		history := NewMemoryHistory(0)
		for range 3 {
			history.add(historyKey{"Doc", "work"}, Sample{Step: time.Minute, Rest: time.Minute})
		}
		pr := predictor{history: history}
		ex := running(types.StepExecution{StepName: aws.String("work"), StepExecutionId: aws.String("s-1"), StepStatus: types.AutomationExecutionStatusInprogress})
		first := time.Now()
		assert.Equal(t, []time.Time{first.Add(time.Minute), first.Add(time.Minute), first.Add(time.Minute)}, pr.predict(ex, first).ends)
		time.Sleep(10 * time.Second)
		assert.Equal(t, first.Add(time.Minute), pr.predict(ex, time.Now()).ends[0], "anchored where the step was first seen")
	})
}

func TestPlannedDelay(t *testing.T) {
	{
		now := bubbleEpoch
		at := func(d ...time.Duration) []time.Time {
			out := make([]time.Time, len(d))
			for i := range d {
				out[i] = now.Add(d[i])
			}
			return out
		}
		spread := func(from time.Duration, n int, step time.Duration) []time.Time {
			out := make([]time.Time, n)
			for i := range out {
				out[i] = now.Add(from + time.Duration(i)*step)
			}
			return out
		}
		const settle = DefaultMinDelay / 4
		for _, tc := range []struct {
			name      string
			p         prediction
			age       time.Duration
			throttles int
			remaining time.Duration
			lo, hi    time.Duration
			// backoff says the wait is the age backoff, which events
			// stretch; otherwise it follows the plan.
			backoff bool
		}{
			{name: "nothing known: the age backoff", age: time.Minute, lo: 3 * time.Second, hi: 6 * time.Second, backoff: true},
			{name: "exact end soon", p: prediction{ends: at(30 * time.Second), exact: true}, lo: 30*time.Second + settle, hi: 30*time.Second + settle},
			{name: "exact end far: a safety poll at MaxDelay", p: prediction{ends: at(time.Hour), exact: true}, lo: DefaultMaxDelay, hi: DefaultMaxDelay},
			{name: "exact end passed: back off from it", p: prediction{ends: at(-time.Second), exact: true}, lo: time.Second, hi: 2 * time.Second, backoff: true},
			{name: "exact end passed before a timeout: back off from it", p: prediction{ends: at(-time.Second, time.Hour), exact: true}, lo: time.Second, hi: 2 * time.Second},
			{name: "region far ahead: half way", p: prediction{ends: spread(80*time.Second, 10, time.Second)}, lo: 40 * time.Second, hi: 40 * time.Second},
			{name: "region close ahead: its start", p: prediction{ends: spread(5*time.Second, 10, time.Second)}, lo: 5*time.Second + settle, hi: 5*time.Second + settle},
			{name: "inside a narrow region: every predicted gap", p: prediction{ends: spread(-5*time.Second, 20, time.Second)}, lo: predictedGap, hi: predictedGap},
			{name: "inside a wide region: a share of it", p: prediction{ends: spread(-100*time.Second, 97, 10*time.Second)}, lo: 10 * time.Second, hi: 10 * time.Second},
			{name: "end of the region", p: prediction{ends: spread(-10*time.Second, 12, time.Second)}, lo: time.Second + settle, hi: time.Second + settle},
			{name: "overdue: back off from the last candidate", p: prediction{ends: at(-2*time.Minute, -time.Minute)}, lo: 3 * time.Second, hi: 6 * time.Second, backoff: true},
			{name: "step ends polled at the step gap", p: prediction{stepEnds: spread(-5*time.Second, 20, time.Second), stepGap: 10 * time.Second}, lo: 10 * time.Second, hi: 10 * time.Second},
			{name: "the sooner of the step's and the execution's", p: prediction{ends: at(20 * time.Second), stepEnds: at(3 * time.Second), stepGap: 10 * time.Second}, lo: 3*time.Second + settle, hi: 3*time.Second + settle},
			{name: "inside a region throttled once: retried after MinDelay", p: prediction{ends: spread(-5*time.Second, 20, time.Second)}, throttles: 1, lo: time.Second, hi: 1250 * time.Millisecond},
			{name: "at an exact end throttled once: retried after MinDelay", p: prediction{ends: at(-time.Second, time.Hour), exact: true}, throttles: 1, lo: time.Second, hi: 1250 * time.Millisecond},
			{name: "inside a region throttled a burst: still MinDelay", p: prediction{ends: spread(-5*time.Second, 20, time.Second)}, throttles: throttleBurst, lo: time.Second, hi: 1250 * time.Millisecond},
			{name: "exact end far, throttled once: halfway to the safety poll", p: prediction{ends: at(time.Hour), exact: true}, throttles: 1, lo: DefaultMaxDelay / 2, hi: DefaultMaxDelay / 2},
			{name: "region far ahead, throttled three times: halfway to the plan's poll", p: prediction{ends: spread(80*time.Second, 10, time.Second)}, throttles: 3, lo: 20 * time.Second, hi: 20 * time.Second},
			{name: "throttled past a burst: half more each", p: prediction{ends: at(time.Hour), exact: true}, throttles: throttleBurst + 2, lo: DefaultMinDelay * 9 / 4, hi: DefaultMinDelay * 9 / 4 * 5 / 4},
			{name: "throttled without end: up to twice MaxDelay", p: prediction{ends: at(time.Hour), exact: true}, throttles: 40, lo: 2 * DefaultMaxDelay, hi: 2*DefaultMaxDelay + DefaultMaxDelay/2},
			{name: "throttled past a burst: later than the plan", age: 0, throttles: throttleBurst + 1, lo: DefaultMinDelay * 3 / 2, hi: DefaultMinDelay * 3 / 2 * 5 / 4},
			{name: "throttled early in the age backoff: retried after MinDelay", age: 30 * time.Second, throttles: 1, lo: time.Second, hi: 1250 * time.Millisecond},
			{name: "throttled late in the age backoff: halfway to the plan's poll", age: time.Hour, throttles: 1, lo: DefaultMaxDelay / 2, hi: DefaultMaxDelay / 2, backoff: true},
			{name: "throttled in the age backoff without end: up to twice MaxDelay", age: time.Hour, throttles: 40, lo: 2 * DefaultMaxDelay, hi: 2*DefaultMaxDelay + DefaultMaxDelay/2},
			{name: "throttled before a sooner planned poll: the plan's", p: prediction{ends: at(500 * time.Millisecond), exact: true}, throttles: 2, lo: 500*time.Millisecond + settle, hi: 500*time.Millisecond + settle},
			{name: "no time left", p: prediction{ends: at(time.Hour), exact: true}, remaining: 7 * time.Second, lo: 7 * time.Second, hi: 7 * time.Second},
		} {
			t.Run(tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					require.Equal(t, now, time.Now().UTC())
					remaining := tc.remaining
					if remaining == 0 {
						remaining = 10 * time.Hour
					}
					jitter := newJitter("id", now)
					for range 50 {
						d, predicted := plannedDelay(tc.p, time.Now(), now.Add(-tc.age), tc.throttles, DefaultMinDelay, DefaultMaxDelay, remaining, jitter)
						assert.GreaterOrEqual(t, d, tc.lo)
						assert.LessOrEqual(t, d, tc.hi)
						assert.Equal(t, !tc.backoff, predicted, "predicted")
					}
				})
			})
		}
	}
}

func TestMemoryHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		t0 := time.Now()
		ended := func(doc string, status types.AutomationExecutionStatus, end time.Duration) *types.AutomationExecution {
			return &types.AutomationExecution{
				DocumentName:              aws.String(doc),
				AutomationExecutionStatus: status,
				ExecutionStartTime:        aws.Time(t0),
				ExecutionEndTime:          aws.Time(t0.Add(end)),
				StepExecutions: []types.StepExecution{
					{StepName: aws.String("a"), ExecutionStartTime: aws.Time(t0), ExecutionEndTime: aws.Time(t0.Add(end / 2))},
					{StepName: aws.String("b"), ExecutionStartTime: aws.Time(t0.Add(end / 2))},
					{StepName: aws.String("never started")},
				},
			}
		}
		h := NewMemoryHistory(2)
		h.Add(ended("Doc", types.AutomationExecutionStatusSuccess, 10*time.Second))
		assert.Equal(t, []Sample{{Step: 10 * time.Second, Rest: 10 * time.Second}}, h.Samples("Doc", ""))
		assert.Equal(t, []Sample{{Step: 5 * time.Second, Rest: 10 * time.Second}}, h.Samples("Doc", "a"))
		assert.Equal(t, []Sample{{Rest: 5 * time.Second}}, h.Samples("Doc", "b"), "a step without an end time")
		assert.Empty(t, h.Samples("Doc", "never started"))

		h.Add(ended("Doc", types.AutomationExecutionStatusFailed, 20*time.Second))
		h.Add(ended("Doc", types.AutomationExecutionStatusCancelled, 30*time.Second))
		assert.ElementsMatch(t, []Sample{{Step: 30 * time.Second, Rest: 30 * time.Second}, {Step: 20 * time.Second, Rest: 20 * time.Second}}, h.Samples("Doc", ""), "keeps the last two")

		got := h.Samples("Doc", "")
		got[0] = Sample{}
		assert.NotContains(t, h.Samples("Doc", ""), Sample{}, "a copy")

		for _, ex := range []*types.AutomationExecution{
			nil,
			ended("", types.AutomationExecutionStatusSuccess, time.Second),
			ended("Other", types.AutomationExecutionStatusInprogress, time.Second),
			{DocumentName: aws.String("Other"), AutomationExecutionStatus: types.AutomationExecutionStatusSuccess},
		} {
			h.Add(ex)
		}
		assert.Empty(t, h.Samples("Other", ""), "in progress or without an end: ignored")
		assert.Equal(t, DefaultHistorySize, NewMemoryHistory(0).size)
	})
}
