package execution

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAgeWindowBounds(t *testing.T) {
	const minDelay, maxDelay = time.Second, 120 * time.Second
	for _, tc := range []struct {
		name      string
		age       time.Duration
		throttles int
		lo, hi    time.Duration
	}{
		{"fresh: MinDelay to twice it", 0, 0, time.Second, 2 * time.Second},
		{"one minute: age/20 to age/10", time.Minute, 0, 3 * time.Second, 6 * time.Second},
		{"upper bound capped at MaxDelay", 80 * 20 * time.Second, 0, 80 * time.Second, maxDelay},
		{"one hour: both at MaxDelay", time.Hour, 0, maxDelay, maxDelay},
		{"throttled once: half more", 0, 1, 1500 * time.Millisecond, 3 * time.Second},
		{"throttled twice: half more again", 0, 2, 2250 * time.Millisecond, 4500 * time.Millisecond},
		{"throttled at the cap: up to twice MaxDelay", time.Hour, 1, 180 * time.Second, 2 * maxDelay},
		{"throttled long: both at twice MaxDelay", time.Hour, 40, 2 * maxDelay, 2 * maxDelay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := ageWindow(tc.age, tc.throttles, minDelay, maxDelay)
			assert.Equal(t, tc.lo, lo, "lo")
			assert.Equal(t, tc.hi, hi, "hi")
		})
	}
}

func TestNextDelayEdges(t *testing.T) {
	const minDelay, maxDelay = time.Second, 120 * time.Second
	t.Run("jitter spreads the draws over the window", func(t *testing.T) {
		// A fixed delay would line many watchers up on the same instant.
		seen := map[time.Duration]bool{}
		for range 100 {
			d, err := nextDelay(0, 0, minDelay, maxDelay, 10*time.Hour)
			require.NoError(t, err)
			require.GreaterOrEqual(t, d, time.Second)
			require.Less(t, d, 2*time.Second)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 50)
	})
	t.Run("at the cap the delay is exact", func(t *testing.T) {
		for range 20 {
			d, err := nextDelay(time.Hour, 0, minDelay, maxDelay, 10*time.Hour)
			require.NoError(t, err)
			assert.Equal(t, maxDelay, d)
		}
	})
	for _, tc := range []struct {
		name      string
		remaining time.Duration
		want      time.Duration
	}{
		{"remaining exactly the window's low end: sleep it out", time.Second, time.Second},
		{"remaining below the window: sleep it out", 300 * time.Millisecond, 300 * time.Millisecond},
		{"nothing remaining", 0, 0},
		{"past the deadline: no negative wait", -time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := nextDelay(0, 0, minDelay, maxDelay, tc.remaining)
			require.NoError(t, err)
			assert.Equal(t, tc.want, d)
		})
	}
}

func TestAgeDelayDraws(t *testing.T) {
	const minDelay, maxDelay = time.Second, 120 * time.Second
	begin := bubbleEpoch
	t.Run("a draw from the seeded source over the window", func(t *testing.T) {
		got := newJitter("exec-1", begin)
		want := newJitter("exec-1", begin)
		seen := map[time.Duration]bool{}
		for range 50 {
			// age one minute: the window is [3s, 6s).
			d := ageDelay(time.Minute, minDelay, maxDelay, 10*time.Hour, got)
			assert.Equal(t, 3*time.Second+time.Duration(want.Int64N(int64(3*time.Second))), d)
			seen[d] = true
		}
		assert.Greater(t, len(seen), 25, "jitter spreads the draws")
	})
	t.Run("the same execution and start replay the same schedule", func(t *testing.T) {
		a, b := newJitter("exec-1", begin), newJitter("exec-1", begin)
		other := newJitter("exec-2", begin)
		later := newJitter("exec-1", begin.Add(time.Nanosecond))
		var same, diffID, diffStart int
		for range 20 {
			x := ageDelay(0, minDelay, maxDelay, 10*time.Hour, a)
			if x == ageDelay(0, minDelay, maxDelay, 10*time.Hour, b) {
				same++
			}
			if x != ageDelay(0, minDelay, maxDelay, 10*time.Hour, other) {
				diffID++
			}
			if x != ageDelay(0, minDelay, maxDelay, 10*time.Hour, later) {
				diffStart++
			}
		}
		assert.Equal(t, 20, same)
		assert.Greater(t, diffID, 10)
		assert.Greater(t, diffStart, 10)
	})
	for _, tc := range []struct {
		name      string
		age       time.Duration
		remaining time.Duration
		want      time.Duration
	}{
		{"at the cap: exactly MaxDelay", time.Hour, 10 * time.Hour, maxDelay},
		{"remaining exactly the low end: sleep it out", 0, time.Second, time.Second},
		{"remaining below the low end: sleep it out", 0, 400 * time.Millisecond, 400 * time.Millisecond},
		{"past the deadline: no negative wait", 0, -time.Second, 0},
		// With 1.5s left a draw from [1s, 2s) would leave less than the
		// window's low end for the last poll: it keeps that much instead.
		{"the last poll keeps the low end before the deadline", 0, 1500 * time.Millisecond, 500 * time.Millisecond},
		{"the last poll at the cap", time.Hour, 200 * time.Second, 80 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jitter := newJitter("exec-1", begin)
			for range 20 {
				assert.Equal(t, tc.want, ageDelay(tc.age, minDelay, maxDelay, tc.remaining, jitter))
			}
		})
	}
}

func TestThrottlePauseJitter(t *testing.T) {
	t.Run("a quarter of jitter, both ends included", func(t *testing.T) {
		// MinDelay 4ns: the pause is 4ns plus a draw from [0, 1ns].
		jitter := rand.New(rand.NewPCG(1, 2))
		seen := map[time.Duration]int{}
		for range 100 {
			seen[throttlePause(1, 4, time.Second, jitter)]++
		}
		assert.Len(t, seen, 2)
		assert.Positive(t, seen[4])
		assert.Positive(t, seen[5])
	})
	t.Run("a draw from the seeded source", func(t *testing.T) {
		got, want := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
		for range 50 {
			lo := time.Second * 3 / 2 // one past the burst
			assert.Equal(t, lo+time.Duration(want.Int64N(int64(lo/4+1))), throttlePause(throttleBurst+1, time.Second, 120*time.Second, got))
		}
	})
}

func TestPlannedDelayUnthrottled(t *testing.T) {
	// Without throttling, the plan stands: an hour-old execution with
	// nothing predicted polls at MaxDelay, not halfway to it.
	now := bubbleEpoch.Add(time.Hour)
	jitter := newJitter("exec-1", bubbleEpoch)
	for range 20 {
		d, predicted := plannedDelay(prediction{}, now, bubbleEpoch, 0, DefaultMinDelay, DefaultMaxDelay, 10*time.Hour, jitter)
		assert.Equal(t, DefaultMaxDelay, d)
		assert.False(t, predicted)
	}
}

func TestRegionPollApproach(t *testing.T) {
	now := bubbleEpoch
	const gap, settle = 3 * time.Second, 250 * time.Millisecond
	after := func(ds ...time.Duration) []time.Time {
		out := make([]time.Time, len(ds))
		for i, d := range ds {
			out[i] = now.Add(d)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		ends []time.Time
		want time.Time
	}{
		{"nothing predicted", nil, time.Time{}},
		{"every candidate passed", after(-2*time.Second, -time.Second), time.Time{}},
		{"last candidate now: passed", after(-time.Second, 0), time.Time{}},
		{"far ahead: halfway", after(20 * time.Second), now.Add(10 * time.Second)},
		{"half the distance is the gap: the start", after(2 * gap), now.Add(2*gap + settle)},
		{"closer than twice the gap: the start", after(4 * time.Second), now.Add(4*time.Second + settle)},
		{"inside a narrow region: every gap", after(-time.Second, 20*time.Second), now.Add(gap)},
		{"near the region's end: its end", after(-time.Second, time.Second), now.Add(time.Second + settle)},
		{"inside a wide region: a share of it", spreadFrom(now.Add(-500*time.Second), 97, 10*time.Second), now.Add(10 * time.Second)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, regionPoll(tc.ends, now, gap, settle))
		})
	}
}

func spreadFrom(t0 time.Time, n int, step time.Duration) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = t0.Add(time.Duration(i) * step)
	}
	return out
}

// secondsAfter returns the times ss seconds after t0.
func secondsAfter(t0 time.Time, ss ...int) []time.Time {
	out := make([]time.Time, len(ss))
	for i, s := range ss {
		out[i] = t0.Add(time.Duration(s) * time.Second)
	}
	return out
}

func TestRegionBounds(t *testing.T) {
	t0 := bubbleEpoch
	at := func(ss ...int) []time.Time { return secondsAfter(t0, ss...) }
	for _, tc := range []struct {
		name   string
		ends   []time.Time
		now    int
		r0, r1 int
	}{
		{"one candidate", at(50), 10, 50, 50},
		{"exactly the join distance apart: one region", at(0, 30), -1, 0, 30},
		{"just over the join distance: the first region", at(0, 31), -1, 0, 0},
		{"just over the join distance, first passed: the next", at(0, 31), 10, 31, 31},
		{"now inside the first of three", at(0, 5, 100, 200), 2, 0, 5},
		{"now between the first and second", at(0, 100, 200), 10, 100, 100},
		{"now between the second and third of four", at(0, 100, 200, 300), 150, 200, 200},
		{"now inside the second of three", at(0, 100, 110, 200), 105, 100, 110},
		{"the last region", at(0, 100, 200, 210), 150, 200, 210},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r0, r1 := region(tc.ends, t0.Add(time.Duration(tc.now)*time.Second), regionJoin)
			assert.Equal(t, t0.Add(time.Duration(tc.r0)*time.Second), r0, "r0")
			assert.Equal(t, t0.Add(time.Duration(tc.r1)*time.Second), r1, "r1")
		})
	}
}

func TestJoinDistanceBandwidth(t *testing.T) {
	t0 := bubbleEpoch
	at := func(ss ...int) []time.Time { return secondsAfter(t0, ss...) }
	for _, tc := range []struct {
		name string
		ends []time.Time
		want time.Duration
	}{
		{"too few samples: the fixed join", at(0, 1000, 2000), regionJoin},
		// Silverman: 2 × 0.9 × IQR / 1.34 × n^-0.2.
		{"four samples spread: the bandwidth", at(0, 0, 100, 100), 101801859 * time.Microsecond},
		{"eight samples a minute apart", at(0, 60, 120, 180, 240, 300, 360, 420), 212696797 * time.Microsecond},
		{"tight samples: at least the fixed join", at(0, 1, 2, 3, 4, 5, 6, 7), regionJoin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, float64(tc.want), float64(joinDistance(tc.ends)), float64(time.Microsecond))
		})
	}
}
