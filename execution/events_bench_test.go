package execution_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"

	"github.com/ssmdelegate/ssmdelegate/execution"
)

type eventWaitStats struct {
	polls                 float64 // GetAutomationExecution calls per execution
	lagP50, lagP90, lag99 time.Duration
	correct               float64
}

// eventScenario is how events reach the waiters: drop is the share of
// events lost, down takes the queue away (every receive fails), wake
// false waits by polling alone, and predicted gives each execution's
// aws:sleep its Duration, so that the waiter knows when it ends.
type eventScenario struct {
	drop                  float64
	down, wake, predicted bool
}

// simulateEventWaits runs one waiter per execution, all at once, on the
// synctest clock, with an EventBridge stand-in publishing each phase of
// each execution to one queue.
func simulateEventWaits(t *testing.T, durations []time.Duration, sc eventScenario) eventWaitStats {
	drop, down, wake := sc.drop, sc.down, sc.wake
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f := newFake()
	q := newFakeQueue()
	q.down = down
	src := execution.NewQueueEventSource(q, "https://queue")
	go func() { _ = src.Run(ctx) }()
	rng := rand.New(rand.NewPCG(7, 7))
	var mu sync.Mutex
	lags := make([]time.Duration, 0, len(durations))
	correct := 0
	var wg sync.WaitGroup
	for i, d := range durations {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		final := types.AutomationExecutionStatusSuccess
		if i%4 == 3 {
			final = types.AutomationExecutionStatusFailed
		}
		phases := simple(d, final)
		if sc.predicted {
			phases = script(final, "", stepSpec{name: "run", action: "aws:sleep", dur: d, status: final,
				inputs: map[string]string{"Duration": fmt.Sprintf(`"PT%.3fS"`, d.Seconds())}})
		}
		f.add(id, phases...)
		// Each execution's events are dropped from its own stream, so the
		// drops do not depend on goroutine scheduling.
		sub := rand.New(rand.NewPCG(rng.Uint64(), 0))
		go publish(q, phaseTimeline{id, phases}, drop, sub)
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := execution.NewExecutionWaiter(f, func(o *execution.ExecutionWaiterOptions) {
				if wake {
					o.Wake = src
				}
			}).Wait(ctx, id, 3*time.Hour)
			mu.Lock()
			defer mu.Unlock()
			lags = append(lags, time.Since(start)-d)
			if (err == nil) == (final == types.AutomationExecutionStatusSuccess) {
				correct++
			}
		}()
	}
	wg.Wait()
	slices.Sort(lags)
	n := len(lags)
	return eventWaitStats{
		polls:   float64(f.count("GetAutomationExecution")) / float64(n),
		lagP50:  lags[n/2],
		lagP90:  lags[n*9/10],
		lag99:   lags[n*99/100],
		correct: float64(correct) / float64(n),
	}
}

// BenchmarkEventWake reports what events buy a waiter on the same
// simulated runs: status polls per execution and detection lag with events
// flowing, with 10% of them lost, with the queue down (the fallback poll
// only), and, for comparison, with no events at all (the waiter's own
// schedule); each when nothing tells the waiter when the runs end, and
// when their sleep's Duration does (ends=predicted).
func BenchmarkEventWake(b *testing.B) {
	durations := runDurations(200)
	for _, predicted := range []bool{false, true} {
		for _, sc := range []struct {
			name string
			sc   eventScenario
		}{
			{"events", eventScenario{wake: true}},
			{"drop10%", eventScenario{drop: 0.1, wake: true}},
			{"queue-down", eventScenario{down: true, wake: true}},
			{"polling-only", eventScenario{}},
		} {
			sc.sc.predicted = predicted
			ends := "unknown"
			if predicted {
				ends = "predicted"
			}
			b.Run("ends="+ends+"/"+sc.name, func(b *testing.B) {
				benchEventWake(b, durations, sc.sc)
			})
		}
	}
}

func benchEventWake(b *testing.B, durations []time.Duration, sc eventScenario) {
	var st eventWaitStats
	for b.Loop() {
		inBubble(b, func(t *testing.T) {
			st = simulateEventWaits(t, durations, sc)
		})
	}
	b.ReportMetric(st.polls, "polls/exec")
	b.ReportMetric(st.lagP50.Seconds(), "lag-p50-s")
	b.ReportMetric(st.lagP90.Seconds(), "lag-p90-s")
	b.ReportMetric(st.lag99.Seconds(), "lag-p99-s")
	b.ReportMetric(st.correct*100, "%correct")
}

// TestEventWakeBeatsPolling holds events to their promise on the
// simulated runs: fewer polls and a shorter median lag than polling alone,
// and every wait right even with events lost or the queue down.
func TestEventWakeBeatsPolling(t *testing.T) {
	durations := runDurations(100)
	synctest.Test(t, func(t *testing.T) {
		events := simulateEventWaits(t, durations, eventScenario{wake: true})
		polling := simulateEventWaits(t, durations, eventScenario{})
		assert.Less(t, events.polls, polling.polls, "polls per execution")
		assert.Less(t, events.lagP50, polling.lagP50, "median lag")
		assert.LessOrEqual(t, events.lag99, time.Second, "events flowing: every end seen within a second")
		for name, st := range map[string]eventWaitStats{
			"events":     events,
			"drop10%":    simulateEventWaits(t, durations, eventScenario{drop: 0.1, wake: true}),
			"queue-down": simulateEventWaits(t, durations, eventScenario{down: true, wake: true}),
		} {
			assert.Equal(t, 1.0, st.correct, name)
			// A lost event costs at most the slower of the fallback and the
			// waiter's own schedule.
			assert.LessOrEqual(t, st.lag99, max(execution.DefaultFallbackDelay, execution.DefaultMaxDelay)+time.Second, name)
		}
	})
}

// TestEventWakeKeepsPredictedPolls holds events to being a bonus where the
// end is predicted: with the queue down, the waiter still polls at the
// predicted ends, so its lag is no worse than polling alone; with events
// flowing it polls about as much as polling alone.
func TestEventWakeKeepsPredictedPolls(t *testing.T) {
	durations := runDurations(100)
	synctest.Test(t, func(t *testing.T) {
		polling := simulateEventWaits(t, durations, eventScenario{predicted: true})
		down := simulateEventWaits(t, durations, eventScenario{down: true, wake: true, predicted: true})
		events := simulateEventWaits(t, durations, eventScenario{wake: true, predicted: true})
		t.Logf("polls/lag p50/p90/p99: polling %.1f %v %v %v, queue down %.1f %v %v %v, events %.1f %v %v %v",
			polling.polls, polling.lagP50, polling.lagP90, polling.lag99,
			down.polls, down.lagP50, down.lagP90, down.lag99,
			events.polls, events.lagP50, events.lagP90, events.lag99)
		assert.LessOrEqual(t, down.lagP50, polling.lagP50, "queue down: median lag")
		assert.LessOrEqual(t, down.lagP90, polling.lagP90, "queue down: p90 lag")
		assert.LessOrEqual(t, down.lag99, polling.lag99, "queue down: p99 lag")
		// The start's events wake the waiter once more at most.
		assert.LessOrEqual(t, events.polls, polling.polls+1, "events: polls per execution")
		assert.LessOrEqual(t, events.lag99, time.Second, "events flowing: every end seen within a second")
		for name, st := range map[string]eventWaitStats{"polling": polling, "queue down": down, "events": events} {
			assert.Equal(t, 1.0, st.correct, name)
		}
	})
}
