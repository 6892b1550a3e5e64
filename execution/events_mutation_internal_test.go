package execution

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/smithy-go/logging"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWakeDelay(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		delay, fallback, left time.Duration
		want                  time.Duration
	}{
		{"no fallback set: the default", 5 * time.Second, 0, time.Hour, DefaultFallbackDelay},
		{"a negative fallback: the default", 5 * time.Second, -time.Second, time.Hour, DefaultFallbackDelay},
		{"a shorter delay is lengthened", 5 * time.Second, 10 * time.Second, time.Hour, 10 * time.Second},
		{"a longer delay stays", 90 * time.Second, 10 * time.Second, time.Hour, 90 * time.Second},
		{"never past the time left", 90 * time.Second, 10 * time.Second, 30 * time.Second, 30 * time.Second},
		{"no time left", 90 * time.Second, 10 * time.Second, -5 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, wakeDelay(tc.delay, tc.fallback, tc.left))
		})
	}
}

func TestSleepOrWake(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    time.Duration
		// wakeAt > 0 sends a wake-up then; cancelAt > 0 ends ctx then.
		wakeAt, cancelAt time.Duration
		noWake           bool
		slept            time.Duration
		err              error
	}{
		{name: "no wake source sleeps", d: 10 * time.Second, noWake: true, slept: 10 * time.Second},
		{name: "no wake source, ctx ends", d: 10 * time.Second, noWake: true, cancelAt: 3 * time.Second, slept: 3 * time.Second, err: context.Canceled},
		{name: "a wake-up ends it early", d: 10 * time.Second, wakeAt: 4 * time.Second, slept: 4 * time.Second},
		{name: "the delay ends it", d: 10 * time.Second, wakeAt: 20 * time.Second, slept: 10 * time.Second},
		{name: "ctx ends it", d: 10 * time.Second, cancelAt: 2 * time.Second, slept: 2 * time.Second, err: context.Canceled},
		{name: "no delay", d: 0},
		{name: "a negative delay", d: -time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				var wake chan struct{}
				if !tc.noWake {
					wake = make(chan struct{}, 1)
				}
				if tc.wakeAt > 0 {
					time.AfterFunc(tc.wakeAt, func() { wake <- struct{}{} })
				}
				if tc.cancelAt > 0 {
					time.AfterFunc(tc.cancelAt, cancel)
				}
				begin := time.Now()
				err := sleepOrWake(ctx, tc.d, wake)
				assert.Equal(t, tc.slept, time.Since(begin))
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
				} else {
					require.NoError(t, err)
				}
			})
		})
	}
}

// TestSleepOrWakeNoDelayEndedContext: with no delay left and the context
// already ended, the context's error is returned every time, not a
// wake-up by a timer that fired at once.
func TestSleepOrWakeNoDelayEndedContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		wake := make(chan struct{})
		for range 64 {
			require.ErrorIs(t, sleepOrWake(ctx, 0, wake), context.Canceled)
		}
	})
}

// TestSubscribeWithoutSource: a waiter or watcher without a wake source
// subscribes to nothing, and ending that is harmless.
func TestSubscribeWithoutSource(t *testing.T) {
	p := &poller{o: &ExecutionWaiterOptions{}}
	ch, stop := p.subscribe()
	assert.Nil(t, ch)
	stop()
	s := &sweeper{o: &WatcherOptions{}}
	ch, stop = s.subscribe()
	assert.Nil(t, ch)
	stop()
	assert.Nil(t, s.watchedIDs.Load(), "nothing published without a source")
}

// TestNewQueueEventSourceDefaults checks the defaults where they are set.
// Being in the package's own tests, which run first, it fails at once on
// a zero long poll or error delay, with which a test queue's Run would
// spin without ever blocking under synctest.
func TestNewQueueEventSourceDefaults(t *testing.T) {
	q := NewQueueEventSource(nil, "q")
	assert.Equal(t, int32(20), q.o.WaitTimeSeconds)
	assert.Equal(t, 5*time.Second, q.o.ErrorDelay)
	assert.Len(t, q.ring, 4096)
	assert.Equal(t, logging.Nop{}, q.o.Logger)
	var log loggedLines
	q = NewQueueEventSource(nil, "q", func(o *QueueEventSourceOptions) {
		o.WaitTimeSeconds, o.ErrorDelay, o.DedupWindow, o.Logger = 20, time.Second, 3, &log
	})
	assert.Equal(t, int32(20), q.o.WaitTimeSeconds)
	assert.Equal(t, time.Second, q.o.ErrorDelay)
	assert.Len(t, q.ring, 3)
	assert.Same(t, &log, q.o.Logger)
}
