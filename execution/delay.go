package execution

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	smithywaiter "github.com/aws/smithy-go/waiter"
)

// Polling follows the execution's age: the window between two polls is
// [age/20, age/10], clamped to [MinDelay, MaxDelay] (and at least
// [MinDelay, 2×MinDelay]). The detection lag is then about 4% of the run
// on average, while a two-hour run costs about a hundred polls instead of
// the 1,440 of a fixed 5-second loop. A watcher's sweep moves the window
// up by half for each throttled sweep in a row (up to twice MaxDelay); a
// waiter retries a throttled poll soon instead (see [throttleBurst]).
const (
	ageDivisorLow = 20
)

// ageWindow is the window the next poll is drawn from at age, each
// throttled poll in a row moving it up by half (to at most twice
// MaxDelay); the sweeps of a [Watcher] use the throttled form, where
// throttling means the account's request rate is spent.
func ageWindow(age time.Duration, throttles int, minDelay, maxDelay time.Duration) (lo, hi time.Duration) {
	lo = min(max(minDelay, age/ageDivisorLow), maxDelay)
	hi = min(2*lo, maxDelay)
	if throttles > 0 {
		for range min(throttles, 16) {
			lo += lo / 2
		}
		lo = min(lo, 2*maxDelay)
		hi = min(2*lo, 2*maxDelay)
	}
	return lo, max(hi, lo)
}

// nextDelay returns the wait before the next sweep, from smithy-go's
// waiter.ComputeDelay so jitter spreads many watchers apart.
func nextDelay(age time.Duration, throttles int, minDelay, maxDelay, remaining time.Duration) (time.Duration, error) {
	lo, hi := ageWindow(age, throttles, minDelay, maxDelay)
	attempt := int64(2) // ComputeDelay(2, lo, 2lo) draws from [lo, 2lo)
	if hi <= lo {
		attempt = 1 // at the cap: exactly lo
	}
	if remaining <= lo {
		// No room for another poll: sleep out the wait.
		return max(remaining, 0), nil
	}
	d, err := smithywaiter.ComputeDelay(attempt, lo, hi, remaining)
	if err != nil {
		return 0, err
	}
	return max(d, 0), nil
}

// ageDelay is the waiter's age backoff: a draw from [lo, hi) of the
// age window with the wait's own jitter source, which is seeded per wait
// (see [newJitter]) so that waiters spread apart yet one wait's schedule
// can be replayed. Like ComputeDelay, the last poll keeps lo before the
// end of the wait.
func ageDelay(age, minDelay, maxDelay, remaining time.Duration, jitter *rand.Rand) time.Duration {
	lo, hi := ageWindow(age, 0, minDelay, maxDelay)
	if remaining <= lo {
		return max(remaining, 0)
	}
	d := lo
	if hi > lo {
		d += time.Duration(jitter.Int64N(int64(hi - lo)))
	}
	if remaining-d <= lo {
		d = remaining - lo
	}
	return max(d, 0)
}

// newJitter returns the jitter source of one wait, seeded from the
// execution and the wait's start.
func newJitter(executionID string, begin time.Time) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(executionID))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(begin.UnixNano())))
}

// When the end is predicted (see [prediction]), polls go where the
// execution is likely to end instead. Candidate end times less than
// regionJoin apart (more when they spread, see [joinDistance]) form a
// region; inside a region polls come every
// predictedGap, or every 1/regionPolls of the region when it is wider;
// between regions the next poll is at the next region's start, plus
// settle for the service to record the end. No poll is more than
// MaxDelay after the last, so a surprise (a failure, a cancellation) is
// still seen. Past the last candidate, the age backoff starts again from
// that candidate.
const (
	predictedGap = 3 * time.Second
	regionJoin   = 30 * time.Second
	regionPolls  = 96
)

// A throttled poll is asked again soon only where the plan polls densely
// (its next poll within predictedGap: inside a predicted region, at a
// known end, early in a run): there the poll was due, the lag grows with
// every retry, and throttling is mostly decided per request (after the
// SDK's own retries), so the next request is likely to pass. The pause
// is then MinDelay with a quarter of jitter, and not longer for the
// first throttleBurst throttles in a row: a pause growing from the first
// throttle put most of the lag of throttled waits after predicted ends.
// Where the plan's next poll is further away, the plan already accepts
// that much lag and a retry at once would spend a call the throttled
// account cannot spare: the poll is retried halfway to the plan's next
// one instead, which bounds the extra lag to half the plan's gap at one
// call. Throttles never move the plan. Past throttleBurst throttles in a
// row the account's rate is spent, not one request's luck: the pause
// replaces the plan and grows by half each time, to twice MaxDelay.
const throttleBurst = 5

// plannedDelay returns the wait before the next poll at now; begin is
// when the execution began, for the age backoff. predicted says the wait
// follows a predicted end or retries a throttled poll, rather than the
// age backoff, so that events do not stretch it (see [wakeDelay]).
func plannedDelay(p prediction, now, begin time.Time, throttles int, minDelay, maxDelay, remaining time.Duration, jitter *rand.Rand) (d time.Duration, predicted bool) {
	d, predicted = scheduledDelay(p, now, begin, minDelay, maxDelay, remaining, jitter)
	if throttles > 0 {
		t := throttlePause(throttles, minDelay, maxDelay, jitter)
		switch {
		case throttles > throttleBurst:
			d, predicted = t, true
		case t < d && d <= denseGap(minDelay, maxDelay):
			d, predicted = t, true
		case t < d:
			d = max(t, d/2)
		}
	}
	return max(min(d, remaining), 0), predicted
}

// denseGap is the longest planned delay at which the plan polls densely:
// predictedGap, the gap between polls inside a predicted region.
func denseGap(minDelay, maxDelay time.Duration) time.Duration {
	return min(max(predictedGap, minDelay), maxDelay)
}

// throttlePause is the pause after throttles throttled polls in a row:
// MinDelay within a burst, half more for each throttle past it.
func throttlePause(throttles int, minDelay, maxDelay time.Duration, jitter *rand.Rand) time.Duration {
	lo := minDelay
	for range min(throttles-throttleBurst, 16) {
		lo += lo / 2
	}
	lo = min(lo, 2*maxDelay)
	return lo + time.Duration(jitter.Int64N(int64(lo/4+1)))
}

// scheduledDelay is plannedDelay without throttling.
func scheduledDelay(p prediction, now, begin time.Time, minDelay, maxDelay, remaining time.Duration, jitter *rand.Rand) (time.Duration, bool) {
	gap := denseGap(minDelay, maxDelay)
	settle := minDelay / 4
	var next time.Time
	if p.exact {
		if i, _ := slices.BinarySearchFunc(p.ends, now, time.Time.Compare); i < len(p.ends) {
			next = p.ends[i].Add(settle)
			if i > 0 {
				// A known end passed without the execution ending (the
				// service is late): back off from it, not from the
				// next one, such as a timeout.
				next = earliest(next, now.Add(ageDelay(now.Sub(p.ends[i-1]), minDelay, maxDelay, remaining, jitter)))
			}
		}
	} else {
		next = regionPoll(p.ends, now, gap, settle)
	}
	if t := regionPoll(p.stepEnds, now, max(gap, min(p.stepGap, maxDelay)), settle); !t.IsZero() && (next.IsZero() || t.Before(next)) {
		next = t
	}
	if next.IsZero() {
		all := append(slices.Clip(p.ends), p.stepEnds...)
		if len(all) == 0 {
			return ageDelay(now.Sub(begin), minDelay, maxDelay, remaining, jitter), false
		}
		last := slices.MaxFunc(all, time.Time.Compare)
		// Overdue: back off from the last candidate.
		return ageDelay(now.Sub(last), minDelay, maxDelay, remaining, jitter), false
	}
	return min(next.Sub(now), maxDelay), true
}

// regionPoll returns when to poll for sorted candidates: inside a region
// every gap (or 1/regionPolls of the region), else at the next region's
// start; zero when every candidate has passed.
func regionPoll(ends []time.Time, now time.Time, gap, settle time.Duration) time.Time {
	if len(ends) == 0 || !ends[len(ends)-1].After(now) {
		return time.Time{}
	}
	r0, r1 := region(ends, now, joinDistance(ends))
	if r0.After(now) {
		// Approach it halving the distance, to see an early end.
		if half := r0.Sub(now) / 2; half > gap {
			return now.Add(half)
		}
		return r0.Add(settle)
	}
	return earliest(now.Add(max(gap, r1.Sub(r0)/regionPolls)), r1.Add(settle))
}

// region returns the region of sorted candidates holding now, or else the
// next one; the last candidate is after now.
func region(ends []time.Time, now time.Time, join time.Duration) (r0, r1 time.Time) {
	r0 = ends[0]
	for i, e := range ends {
		if i > 0 && e.Sub(ends[i-1]) > join {
			if ends[i-1].After(now) {
				return r0, ends[i-1]
			}
			r0 = e
		}
	}
	return r0, ends[len(ends)-1]
}

// joinDistance is how far apart candidates may be and still form one
// region: regionJoin, or twice a kernel density estimate's bandwidth
// (Silverman's rule on the interquartile range), so that a handful of
// samples spread over minutes is read as one likely stretch, not as
// separate instants.
func joinDistance(ends []time.Time) time.Duration {
	n := len(ends)
	if n < 4 {
		return regionJoin
	}
	iqr := ends[n*3/4].Sub(ends[n/4])
	w := time.Duration(0.9 * float64(iqr) / 1.34 * math.Pow(float64(n), -0.2))
	return max(regionJoin, 2*w)
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
