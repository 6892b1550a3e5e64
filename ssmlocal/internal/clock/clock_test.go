package clock_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestVirtualFiresInDeadlineOrder(t *testing.T) {
	tests := []struct {
		name     string
		delays   []time.Duration
		advance  time.Duration
		wantFire []int
	}{
		{"none due", []time.Duration{time.Hour}, time.Minute, nil},
		{"all due in order", []time.Duration{3 * time.Second, time.Second, 2 * time.Second}, time.Minute, []int{1, 2, 0}},
		{"exactly at deadline", []time.Duration{time.Second}, time.Second, []int{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := clock.NewVirtual(epoch)
			timers := make([]clock.Timer, len(tt.delays))
			for i, d := range tt.delays {
				timers[i] = v.NewTimer(d)
			}
			v.Advance(tt.advance)
			// Each timer fires with its own deadline as the time sent, so
			// ordering the fired timers by that time gives the firing order.
			type firing struct {
				i  int
				at time.Time
			}
			var fired []firing
			for i, tm := range timers {
				select {
				case at := <-tm.C():
					require.WithinDuration(t, epoch.Add(tt.delays[i]), at, 0, "timer %d", i)
					fired = append(fired, firing{i, at})
				default:
				}
			}
			slices.SortStableFunc(fired, func(a, b firing) int { return a.at.Compare(b.at) })
			var got []int
			for _, f := range fired {
				got = append(got, f.i)
			}
			require.Equal(t, tt.wantFire, got)
			require.WithinDuration(t, epoch.Add(tt.advance), v.Now(), 0)
		})
	}
}

func TestVirtualStop(t *testing.T) {
	v := clock.NewVirtual(epoch)
	tm := v.NewTimer(time.Second)
	require.True(t, tm.Stop(), "Stop of a pending timer reported false")
	require.False(t, tm.Stop(), "second Stop reported true")
	require.Zero(t, v.Pending())
	_, ok := v.AdvanceToNext()
	require.False(t, ok, "AdvanceToNext found a stopped timer")
}

func TestAutoJumps(t *testing.T) {
	v := clock.NewAuto(epoch)
	require.NoError(t, clock.Sleep(context.Background(), v, 2*time.Hour))
	require.Equal(t, 2*time.Hour, v.Now().Sub(epoch))
}

func TestSleepCancelled(t *testing.T) {
	v := clock.NewVirtual(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, clock.Sleep(ctx, v, time.Hour), context.Canceled)
	require.Zero(t, v.Pending(), "cancelled sleep left its timer behind")
}

func ExampleVirtual() {
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tm := v.NewTimer(90 * time.Minute)
	at, _ := v.AdvanceToNext()
	fmt.Println(at.Format(time.Kitchen), (<-tm.C()).Equal(at))
	// Output: 1:30AM true
}
