package execution

import (
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
// the 1,440 of a fixed 5-second loop. Each throttled poll in a row moves
// the window up by half (up to twice MaxDelay).
const (
	ageDivisorLow = 20
)

// nextDelay returns the wait before the next poll, from smithy-go's
// waiter.ComputeDelay so jitter spreads many waiters apart.
func nextDelay(age time.Duration, throttles int, minDelay, maxDelay, remaining time.Duration) (time.Duration, error) {
	lo := max(minDelay, age/ageDivisorLow)
	lo = min(lo, maxDelay)
	hi := min(2*lo, maxDelay)
	attempt := int64(2) // ComputeDelay(2, lo, 2lo) draws from [lo, 2lo)
	if hi <= lo {
		attempt = 1 // at the cap: exactly MaxDelay
		hi = lo
	}
	if throttles > 0 {
		// Each throttled poll in a row moves the window up by half,
		// to at most twice MaxDelay.
		for range min(throttles, 16) {
			lo += lo / 2
		}
		lo = min(lo, 2*maxDelay)
		hi = min(2*lo, 2*maxDelay)
		attempt = 2
		if hi <= lo {
			attempt = 1
		}
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

// plannedDelay returns the wait before the next poll at now; begin is
// when the execution began, for the age backoff.
func plannedDelay(p prediction, now, begin time.Time, throttles int, minDelay, maxDelay, remaining time.Duration) (time.Duration, error) {
	gap := min(max(predictedGap, minDelay), maxDelay)
	settle := minDelay / 4
	var next time.Time
	if p.exact {
		if i, _ := slices.BinarySearchFunc(p.ends, now, time.Time.Compare); i < len(p.ends) {
			next = p.ends[i].Add(settle)
			if i > 0 {
				// A known end passed without the execution ending (the
				// service is late): back off from it, not from the
				// next one, such as a timeout.
				b, err := nextDelay(now.Sub(p.ends[i-1]), 0, minDelay, maxDelay, remaining)
				if err != nil {
					return 0, err
				}
				next = earliest(next, now.Add(b))
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
			return nextDelay(now.Sub(begin), throttles, minDelay, maxDelay, remaining)
		}
		last := slices.MaxFunc(all, time.Time.Compare)
		// Overdue: back off from the last candidate.
		return nextDelay(now.Sub(last), throttles, minDelay, maxDelay, remaining)
	}
	d := min(next.Sub(now), maxDelay)
	if throttles > 0 {
		// The poll that was due was throttled: ask again after MinDelay,
		// each throttle in a row moving the pause up by half (to at most
		// twice MaxDelay), with a quarter of jitter to spread waiters.
		lo := minDelay
		for range min(throttles-1, 16) {
			lo += lo / 2
		}
		lo = min(lo, 2*maxDelay)
		d = lo + rand.N(lo/4+1)
	}
	return max(min(d, remaining), 0), nil
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
