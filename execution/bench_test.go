package execution_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	smithywaiter "github.com/aws/smithy-go/waiter"
	"github.com/stretchr/testify/assert"
	"golang.org/x/time/rate"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

// inBubble runs f in a synctest bubble from a benchmark: synctest.Test
// needs a *testing.T, which testing.RunTests provides.
func inBubble(b *testing.B, f func(t *testing.T)) {
	b.Helper()
	ok := testing.RunTests(func(_, _ string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: b.Name(), F: func(t *testing.T) { synctest.Test(t, f) }}})
	if !ok {
		b.Fatal("simulation failed")
	}
}

// runDurations are n run lengths spread evenly on a log scale from 1 s to
// 2 h: most automations are short, some take hours.
func runDurations(n int) []time.Duration {
	out := make([]time.Duration, n)
	lo, hi := math.Log(1), math.Log(7200)
	for i := range out {
		x := lo + (float64(i)+0.5)/float64(n)*(hi-lo)
		out[i] = time.Duration(math.Exp(x) * float64(time.Second)).Round(time.Millisecond)
	}
	return out
}

// waitFunc waits for id and returns its error.
type waitFunc func(ctx context.Context, c *fakeSSM, id string) error

// strategy returns a fresh wait function for each simulation, so that a
// history starts empty.
type strategy func() waitFunc

// ourWaiter learns from the executions it has waited for.
func ourWaiter() waitFunc {
	h := execution.NewMemoryHistory(0)
	return func(ctx context.Context, c *fakeSSM, id string) error {
		return execution.NewExecutionWaiter(c, func(o *execution.ExecutionWaiterOptions) { o.History = h }).Wait(ctx, id, 3*time.Hour)
	}
}

// ourWaiterNoHistory knows only what the service's step records say.
func ourWaiterNoHistory() waitFunc {
	return func(ctx context.Context, c *fakeSSM, id string) error {
		return execution.NewExecutionWaiter(c).Wait(ctx, id, 3*time.Hour)
	}
}

func fixed5s() waitFunc   { return fixedPolling }
func sdkWaiter() waitFunc { return sdkStyle }

// fixedPolling is the loop people write: poll every 5 s.
func fixedPolling(ctx context.Context, c *fakeSSM, id string) error {
	for {
		out, err := c.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
		if err == nil {
			switch execution.Classify(out.AutomationExecution.AutomationExecutionStatus) {
			case execution.Succeeded:
				return nil
			case execution.Failed:
				return errors.New("failed")
			}
		}
		time.Sleep(5 * time.Second)
	}
}

// sdkStyle is the SDK's generated waiter loop with its usual settings:
// ComputeDelay(attempt, 5 s, 120 s), throttles retried.
func sdkStyle(ctx context.Context, c *fakeSSM, id string) error {
	remaining := 3 * time.Hour
	for attempt := int64(1); ; attempt++ {
		start := time.Now()
		out, err := c.GetAutomationExecution(ctx, &ssm.GetAutomationExecutionInput{AutomationExecutionId: aws.String(id)})
		if err == nil {
			switch execution.Classify(out.AutomationExecution.AutomationExecutionStatus) {
			case execution.Succeeded:
				return nil
			case execution.Failed:
				return errors.New("failed")
			}
		}
		remaining -= time.Since(start)
		d, err := smithywaiter.ComputeDelay(attempt, 5*time.Second, 120*time.Second, remaining)
		if err != nil {
			return err
		}
		remaining -= d
		time.Sleep(d)
	}
}

type waitStats struct {
	calls   float64 // GetAutomationExecution calls per wait
	lag     [3]time.Duration
	correct float64 // share of waits that returned the right result
}

// Lag quantiles reported.
var lagQuantiles = [3]float64{0.5, 0.9, 0.99}

// simulateWaits waits, one after the other, for runs with the waits that
// s returns, against a fake service throttling the given share of calls.
func simulateWaits(t *testing.T, s strategy, runs []simRun, throttle float64) waitStats {
	f := newFake()
	f.throttle = throttle
	wait := s()
	lags := make([]time.Duration, 0, len(runs))
	var correct int
	for i, r := range runs {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		f.add(id, r.phases...).doc = r.doc
		start := time.Now()
		err := wait(t.Context(), f, id)
		if (err == nil) == (r.final == types.AutomationExecutionStatusSuccess) {
			correct++
		}
		lags = append(lags, time.Since(start)-r.end)
	}
	slices.Sort(lags)
	st := waitStats{
		calls:   float64(f.count("GetAutomationExecution")) / float64(len(runs)),
		correct: float64(correct) / float64(len(runs)),
	}
	for i, q := range lagQuantiles {
		st.lag[i] = lags[min(int(q*float64(len(lags))), len(lags)-1)]
	}
	return st
}

// workloadRuns is how many executions each simulation waits for, and
// workloadSeeds how many differently seeded workloads (seeds 1 to
// workloadSeeds) the targets must hold on.
const (
	workloadRuns  = 400
	workloadSeeds = 6
)

// BenchmarkWaitStrategies compares, on the same simulated executions (see
// workloadModels), this package's waiter, with and without history, with
// fixed 5 s polling and the SDK waiters' 5 s/120 s backoff: API calls per
// wait and detection lag (time from the end to the wait's return), with
// and without 30% throttled responses. Each figure is the worst over the
// workloads of seeds 1 to workloadSeeds (the highest calls and lags, the
// lowest share correct), the figure a target must hold on.
func BenchmarkWaitStrategies(b *testing.B) {
	workloads := make([][]simRun, workloadSeeds)
	for i := range workloads {
		workloads[i] = workload(workloadRuns, uint64(i+1))
	}
	strategies := []struct {
		name string
		s    strategy
	}{
		{"ours", ourWaiter},
		{"ours-nohistory", ourWaiterNoHistory},
		{"fixed5s", fixed5s},
		{"sdk5s-120s", sdkWaiter},
	}
	for _, throttle := range []float64{0, 0.3} {
		for _, s := range strategies {
			b.Run(fmt.Sprintf("throttle=%.0f%%/waiter=%s", throttle*100, s.name), func(b *testing.B) {
				var worst waitStats
				var ratio float64
				for b.Loop() {
					inBubble(b, func(t *testing.T) {
						worst, ratio = waitStats{correct: 1}, 0
						for _, runs := range workloads {
							st := simulateWaits(t, s.s, runs, throttle)
							fixed := simulateWaits(t, fixed5s, runs, throttle)
							worst = worse(worst, st)
							ratio = max(ratio, st.calls/fixed.calls)
						}
					})
				}
				b.ReportMetric(worst.calls, "calls/wait")
				b.ReportMetric(ratio, "calls-vs-fixed5s")
				b.ReportMetric(worst.lag[0].Seconds(), "lag-p50-s")
				b.ReportMetric(worst.lag[1].Seconds(), "lag-p90-s")
				b.ReportMetric(worst.lag[2].Seconds(), "lag-p99-s")
				b.ReportMetric(worst.correct*100, "%correct")
			})
		}
	}
}

// worse returns, figure by figure, the worse of a and b.
func worse(a, b waitStats) waitStats {
	a.calls = max(a.calls, b.calls)
	for i := range a.lag {
		a.lag[i] = max(a.lag[i], b.lag[i])
	}
	a.correct = min(a.correct, b.correct)
	return a
}

// TestWaiterMeetsTargets holds the waiter with history to its promise on
// the simulated workload: at most a third of fixed 5 s polling's calls
// and every wait ending with the right result, and 90% of waits
// returning within 5 s of the end, with and without 30% of responses
// throttled, on each of workloadSeeds workloads. Each wait's jitter is seeded from its execution and start,
// so the figures are the same on every run.
func TestWaiterMeetsTargets(t *testing.T) {
	for seed := uint64(1); seed <= workloadSeeds; seed++ {
		runs := workload(workloadRuns, seed)
		for _, throttle := range []float64{0, 0.3} {
			t.Run(fmt.Sprintf("seed=%d/throttle=%.0f%%", seed, throttle*100), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ours := simulateWaits(t, ourWaiter, runs, throttle)
					fixed := simulateWaits(t, fixed5s, runs, throttle)
					t.Logf("calls per wait: ours %.1f (%.2f× fixed 5 s), fixed 5 s %.1f; lag p50/p90/p99: ours %v, fixed 5 s %v", ours.calls, ours.calls/fixed.calls, fixed.calls, ours.lag, fixed.lag)
					assert.LessOrEqual(t, ours.calls, fixed.calls/3, "calls per wait")
					assert.LessOrEqual(t, ours.lag[1], 5*time.Second, "p90 detection lag")
					assert.Equal(t, 1.0, ours.correct)
				})
			})
		}
	}
}

// BenchmarkWatcherSweep reports what following 1,000 executions costs:
// DescribeAutomationExecutions calls per sweep and detail reads in all.
func BenchmarkWatcherSweep(b *testing.B) {
	for _, throttle := range []float64{0, 0.3} {
		b.Run(fmt.Sprintf("executions=1000/throttle=%.0f%%", throttle*100), func(b *testing.B) {
			var st sweepStats
			for b.Loop() {
				inBubble(b, func(t *testing.T) {
					f := newFake()
					f.throttle = throttle
					want := addFleet(f, 1000)
					st = watchFleet(t, f, 1000, want, func(o *execution.WatcherOptions) { o.RateLimiter = rate.NewLimiter(rate.Inf, 1) })
				})
			}
			b.ReportMetric(float64(st.firstSweep), "describe-calls/first-sweep")
			b.ReportMetric(float64(st.describe)/float64(st.sweeps), "describe-calls/sweep")
			b.ReportMetric(float64(st.sweeps), "sweeps")
			b.ReportMetric(float64(st.detail), "detail-calls")
			b.ReportMetric(float64(st.describe+st.detail)/1000, "calls/execution")
		})
	}
}
