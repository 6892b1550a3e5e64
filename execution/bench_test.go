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

func ourWaiter(ctx context.Context, c *fakeSSM, id string) error {
	return execution.NewExecutionWaiter(c).Wait(ctx, id, 3*time.Hour)
}

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
	calls       float64 // per wait
	lagP50      time.Duration
	lagP90      time.Duration
	ratioP50    float64 // median of lag / max(1 s, 5% of the run)
	withinBound float64 // share of waits with lag within the bound
	correct     float64 // share of waits that returned the right result
}

func simulateWaits(t *testing.T, wait waitFunc, durations []time.Duration, throttle float64) waitStats {
	f := newFake()
	f.throttle = throttle
	lags := make([]time.Duration, 0, len(durations))
	ratios := make([]float64, 0, len(durations))
	var within, correct int
	for i, d := range durations {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		final := types.AutomationExecutionStatusSuccess
		if i%4 == 3 {
			final = types.AutomationExecutionStatusFailed
		}
		f.add(id, simple(d, final)...)
		start := time.Now()
		err := wait(t.Context(), f, id)
		if (err == nil) == (final == types.AutomationExecutionStatusSuccess) {
			correct++
		}
		lag := time.Since(start) - d
		bound := max(time.Second, d/20)
		lags = append(lags, lag)
		ratios = append(ratios, float64(lag)/float64(bound))
		if lag <= bound {
			within++
		}
	}
	slices.Sort(lags)
	slices.Sort(ratios)
	n := float64(len(durations))
	return waitStats{
		calls:       float64(f.count("GetAutomationExecution")) / n,
		lagP50:      lags[len(lags)/2],
		lagP90:      lags[len(lags)*9/10],
		ratioP50:    ratios[len(ratios)/2],
		withinBound: float64(within) / n,
		correct:     float64(correct) / n,
	}
}

// BenchmarkWaitStrategies compares, on the same simulated runs, this
// package's waiter with fixed 5 s polling and the SDK waiters' 5 s/120 s
// backoff: API calls per wait and detection lag, with and without 30%
// throttled responses.
func BenchmarkWaitStrategies(b *testing.B) {
	durations := runDurations(200)
	strategies := []struct {
		name string
		wait waitFunc
	}{
		{"ours", ourWaiter},
		{"fixed5s", fixedPolling},
		{"sdk5s-120s", sdkStyle},
	}
	for _, throttle := range []float64{0, 0.3} {
		for _, s := range strategies {
			b.Run(fmt.Sprintf("throttle=%.0f%%/waiter=%s", throttle*100, s.name), func(b *testing.B) {
				var st, fixed waitStats
				for b.Loop() {
					inBubble(b, func(t *testing.T) {
						st = simulateWaits(t, s.wait, durations, throttle)
						if s.name == "ours" {
							fixed = simulateWaits(t, fixedPolling, durations, throttle)
						}
					})
				}
				b.ReportMetric(st.calls, "calls/wait")
				b.ReportMetric(st.lagP50.Seconds(), "lag-p50-s")
				b.ReportMetric(st.lagP90.Seconds(), "lag-p90-s")
				b.ReportMetric(st.ratioP50, "lag/bound-p50")
				b.ReportMetric(st.withinBound*100, "%within-bound")
				b.ReportMetric(st.correct*100, "%correct")
				if s.name == "ours" {
					b.ReportMetric(st.calls/fixed.calls, "calls-vs-fixed5s")
				}
			})
		}
	}
}

// TestWaiterMeetsTargets holds the defaults to the package's promise on
// simulated runs: median detection lag within max(1 s, 5% of the run), at
// most a third of fixed 5 s polling's calls, and, with 30% of responses
// throttled, every wait ends with the right result.
func TestWaiterMeetsTargets(t *testing.T) {
	durations := runDurations(200)
	synctest.Test(t, func(t *testing.T) {
		ours := simulateWaits(t, ourWaiter, durations, 0)
		fixed := simulateWaits(t, fixedPolling, durations, 0)
		assert.LessOrEqual(t, ours.ratioP50, 1.0, "median lag / max(1 s, 5%% of the run)")
		assert.LessOrEqual(t, ours.calls, fixed.calls/3, "calls per wait: ours %.1f, fixed 5 s %.1f", ours.calls, fixed.calls)
		assert.Equal(t, 1.0, ours.correct)

		throttled := simulateWaits(t, ourWaiter, durations, 0.3)
		assert.Equal(t, 1.0, throttled.correct, "every throttled wait ends with the right result")
	})
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
