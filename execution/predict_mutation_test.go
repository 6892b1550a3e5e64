package execution

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/runbook"
)

func TestMemoryHistoryRing(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		adds int
		want []time.Duration
	}{
		{"fewer than the size: all kept", 3, 2, []time.Duration{1, 2}},
		{"exactly the size", 2, 2, []time.Duration{1, 2}},
		{"wrapped twice: the last two", 2, 5, []time.Duration{4, 5}},
		{"wrapped to the start again: the last two", 2, 6, []time.Duration{5, 6}},
		{"size one: the last", 1, 4, []time.Duration{4}},
		{"negative size: the default", -1, DefaultHistorySize + 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewMemoryHistory(tc.size)
			for i := 1; i <= tc.adds; i++ {
				h.add(historyKey{"Doc", ""}, Sample{Rest: time.Duration(i) * time.Second})
			}
			got := h.Samples("Doc", "")
			if tc.want == nil {
				assert.Len(t, got, DefaultHistorySize)
				return
			}
			var rests []time.Duration
			for _, s := range got {
				rests = append(rests, s.Rest/time.Second)
			}
			assert.ElementsMatch(t, tc.want, rests)
		})
	}
}

func TestFromHistorySplit(t *testing.T) {
	t0 := bubbleEpoch
	samples := func(ss ...Sample) History {
		h := NewMemoryHistory(0)
		for _, s := range ss {
			h.add(historyKey{"Doc", "work"}, s)
		}
		return h
	}
	ex := &types.AutomationExecution{DocumentName: aws.String("Doc")}
	for _, tc := range []struct {
		name string
		h    History
		want prediction
	}{
		{"exactly the minimum of samples", samples(Sample{Step: time.Second, Rest: time.Second}, Sample{Step: time.Second, Rest: time.Second}, Sample{Step: time.Second, Rest: time.Second}),
			prediction{ends: []time.Time{t0.Add(time.Second), t0.Add(time.Second), t0.Add(time.Second)}}},
		// A sample without the step's end can only place the execution's.
		{"step end unknown: the execution's end", samples(Sample{Rest: time.Minute}, Sample{Rest: 2 * time.Minute}, Sample{Rest: 3 * time.Minute}),
			prediction{ends: []time.Time{t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute)}}},
		{"execution ended the predicted gap after the step: its end", samples(Sample{Step: 10 * time.Second, Rest: 10*time.Second + predictedGap}, Sample{Step: 10 * time.Second, Rest: 10*time.Second + predictedGap}, Sample{Step: 10 * time.Second, Rest: 10*time.Second + predictedGap}),
			prediction{ends: []time.Time{t0.Add(13 * time.Second), t0.Add(13 * time.Second), t0.Add(13 * time.Second)}}},
		{"later steps just over the gap: the step's end", samples(Sample{Step: 10 * time.Second, Rest: 10*time.Second + predictedGap + time.Millisecond}, Sample{Step: 10 * time.Second, Rest: 10*time.Second + predictedGap + time.Millisecond}, Sample{Step: 10 * time.Second, Rest: 10*time.Second + predictedGap + time.Millisecond}),
			prediction{stepEnds: []time.Time{t0.Add(10 * time.Second), t0.Add(10 * time.Second), t0.Add(10 * time.Second)}, stepGap: (predictedGap + time.Millisecond) / 2}},
		{"the step gap is half the shortest later run, longest first", samples(Sample{Step: 10 * time.Second, Rest: 70 * time.Second}, Sample{Step: 20 * time.Second, Rest: 60 * time.Second}, Sample{Step: 30 * time.Second, Rest: 130 * time.Second}),
			prediction{stepEnds: []time.Time{t0.Add(10 * time.Second), t0.Add(20 * time.Second), t0.Add(30 * time.Second)}, stepGap: 20 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := predictor{history: tc.h}
			assert.Equal(t, tc.want, pr.fromHistory(ex, "work", t0))
		})
	}
}

func TestRunningStepChoice(t *testing.T) {
	step := func(name string, status types.AutomationExecutionStatus) types.StepExecution {
		return types.StepExecution{StepName: aws.String(name), StepStatus: status}
	}
	const running, done = types.AutomationExecutionStatusInprogress, types.AutomationExecutionStatusSuccess
	for _, tc := range []struct {
		name    string
		current string
		steps   []types.StepExecution
		want    int
	}{
		{"the current step, though another runs after it", "a", []types.StepExecution{step("a", running), step("b", running)}, 0},
		{"current step not running: the last running", "a", []types.StepExecution{step("a", done), step("b", running), step("c", running), step("d", done)}, 2},
		{"no current step: the last running", "", []types.StepExecution{step("a", running), step("b", running)}, 1},
		{"nothing running", "a", []types.StepExecution{step("a", done)}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := &types.AutomationExecution{StepExecutions: tc.steps}
			if tc.current != "" {
				ex.CurrentStepName = aws.String(tc.current)
			}
			s, i := runningStep(ex)
			if tc.want < 0 {
				assert.Nil(t, s)
				return
			}
			require.NotNil(t, s)
			assert.Equal(t, tc.want, i)
			assert.Same(t, &ex.StepExecutions[tc.want], s)
		})
	}
}

func TestPredictEdges(t *testing.T) {
	t0 := bubbleEpoch
	now := t0.Add(time.Minute)
	zero := 0
	literal, err := runbook.Parse([]byte(`{"schemaVersion":"0.3","mainSteps":[{"name":"hold","action":"aws:sleep","inputs":{"Duration":"PT3M"}},{"name":"partial","action":"aws:sleep","inputs":{"Duration":"PT{{ Minutes }}M"}}]}`))
	require.NoError(t, err)
	noTimeout := &runbook.Document{MainSteps: []runbook.Step{{Name: "work", TimeoutSeconds: &zero}}}
	execHistory := NewMemoryHistory(0)
	for range 3 {
		execHistory.add(historyKey{"Doc", ""}, Sample{Step: 5 * time.Minute, Rest: 5 * time.Minute})
	}
	sleep := func(name string, inputs map[string]string) types.StepExecution {
		return types.StepExecution{StepName: aws.String(name), Action: aws.String("aws:sleep"), StepStatus: types.AutomationExecutionStatusInprogress, ExecutionStartTime: aws.Time(t0), Inputs: inputs}
	}
	for _, tc := range []struct {
		name string
		pr   predictor
		ex   *types.AutomationExecution
		want prediction
	}{
		{name: "sleep duration from the runbook as a literal", pr: predictor{doc: literal}, ex: running(sleep("hold", nil)),
			want: prediction{ends: []time.Time{t0.Add(3 * time.Minute)}, exact: true}},
		{name: "a duration built around a reference is not resolved", pr: predictor{doc: literal}, ex: func() *types.AutomationExecution {
			ex := running(sleep("partial", nil))
			ex.Parameters = map[string][]string{"Minutes": {"4"}}
			return ex
		}()},
		{name: "sleep duration in a backquoted input", ex: running(sleep("hold", map[string]string{"Duration": "`PT5M`"})),
			want: prediction{ends: []time.Time{t0.Add(5 * time.Minute)}, exact: true}},
		{name: "an empty input falls back to the runbook", pr: predictor{doc: literal}, ex: running(sleep("hold", map[string]string{"Duration": ""})),
			want: prediction{ends: []time.Time{t0.Add(3 * time.Minute)}, exact: true}},
		{name: "a zero timeout in the runbook is no timeout", pr: predictor{doc: noTimeout}, ex: running(types.StepExecution{StepName: aws.String("work"), StepStatus: types.AutomationExecutionStatusInprogress, ExecutionStartTime: aws.Time(t0)})},
		{name: "no step running: the execution's history", pr: predictor{history: execHistory}, ex: &types.AutomationExecution{
			DocumentName: aws.String("Doc"), AutomationExecutionStatus: types.AutomationExecutionStatusInprogress, ExecutionStartTime: aws.Time(t0),
		}, want: prediction{ends: []time.Time{t0.Add(5 * time.Minute), t0.Add(5 * time.Minute), t0.Add(5 * time.Minute)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.pr.predict(tc.ex, now))
		})
	}
}
