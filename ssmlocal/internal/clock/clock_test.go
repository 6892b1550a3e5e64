package clock_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal/internal/clock"
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
			var got []int
			var last time.Time
			for len(got) < len(timers) {
				fired := -1
				for i, tm := range timers {
					select {
					case at := <-tm.C():
						if !at.Equal(epoch.Add(tt.delays[i])) {
							t.Fatalf("timer %d fired at %v", i, at)
						}
						if at.Before(last) {
							t.Fatalf("timer %d fired out of order", i)
						}
						fired = i
					default:
						continue
					}
					break
				}
				if fired < 0 {
					break
				}
				got = append(got, fired)
			}
			if len(got) != len(tt.wantFire) {
				t.Fatalf("fired %v, want %v", got, tt.wantFire)
			}
			if want := epoch.Add(tt.advance); !v.Now().Equal(want) {
				t.Fatalf("now = %v, want %v", v.Now(), want)
			}
		})
	}
}

func TestVirtualStop(t *testing.T) {
	v := clock.NewVirtual(epoch)
	tm := v.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	if tm.Stop() {
		t.Fatal("second Stop reported true")
	}
	if v.Pending() != 0 {
		t.Fatalf("pending = %d", v.Pending())
	}
	if _, ok := v.AdvanceToNext(); ok {
		t.Fatal("AdvanceToNext found a stopped timer")
	}
}

func TestAutoJumps(t *testing.T) {
	v := clock.NewAuto(epoch)
	if err := clock.Sleep(context.Background(), v, 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := v.Now().Sub(epoch); got != 2*time.Hour {
		t.Fatalf("advanced %v", got)
	}
}

func TestSleepCancelled(t *testing.T) {
	v := clock.NewVirtual(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clock.Sleep(ctx, v, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if v.Pending() != 0 {
		t.Fatal("cancelled sleep left its timer behind")
	}
}

func ExampleVirtual() {
	v := clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	tm := v.NewTimer(90 * time.Minute)
	at, _ := v.AdvanceToNext()
	fmt.Println(at.Format(time.Kitchen), (<-tm.C()).Equal(at))
	// Output: 1:30AM true
}
