package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is what the endpoint and its automation engine read time from.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that delivers the time on its channel once
	// d has passed on this clock.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer of a [Clock].
type Timer interface {
	// C is the channel the time is delivered on; it has a buffer of one.
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it did.
	Stop() bool
}

// Sleep waits for d on c, or returns ctx's error when ctx ends first.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Real returns the wall clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// Virtual is a clock that moves only when told to. The zero value is not
// usable; create one with [NewVirtual] or [NewAuto].
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	seq    uint64
	timers []*virtualTimer
}

// NewVirtual returns a virtual clock reading start that moves only through
// [Virtual.Advance] and [Virtual.AdvanceToNext].
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// NewAuto returns a virtual clock that jumps forward to every timer's
// deadline as soon as the timer is created, so waits cost no real time.
func NewAuto(start time.Time) *Virtual { return &Virtual{now: start, auto: true} }

// Now returns the clock's current time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// NewTimer returns a timer firing once the clock reaches Now()+d.
func (v *Virtual) NewTimer(d time.Duration) Timer {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	t := &virtualTimer{v: v, when: v.now.Add(d), seq: v.seq, c: make(chan time.Time, 1)}
	if d <= 0 {
		t.fired = true
		t.c <- v.now
		return t
	}
	if v.auto {
		v.now = t.when
		t.fired = true
		t.c <- v.now
		return t
	}
	v.timers = append(v.timers, t)
	return t
}

// Advance moves the clock forward by d, firing every timer that falls due on
// the way, in deadline order.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.advanceLocked(v.now.Add(d))
}

// AdvanceToNext moves the clock to the earliest pending timer's deadline and
// fires it (and any timer due at the same instant). It reports false when no
// timer is pending.
func (v *Virtual) AdvanceToNext() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.timers) == 0 {
		return v.now, false
	}
	v.sortLocked()
	v.advanceLocked(v.timers[0].when)
	return v.now, true
}

// Pending returns how many timers wait to fire.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers)
}

func (v *Virtual) sortLocked() {
	sort.Slice(v.timers, func(i, j int) bool {
		a, b := v.timers[i], v.timers[j]
		if !a.when.Equal(b.when) {
			return a.when.Before(b.when)
		}
		return a.seq < b.seq
	})
}

func (v *Virtual) advanceLocked(to time.Time) {
	v.sortLocked()
	n := 0
	for _, t := range v.timers {
		if t.when.After(to) {
			break
		}
		if t.when.After(v.now) {
			v.now = t.when
		}
		t.fired = true
		t.c <- t.when
		n++
	}
	v.timers = append(v.timers[:0], v.timers[n:]...)
	if to.After(v.now) {
		v.now = to
	}
}

type virtualTimer struct {
	v     *Virtual
	when  time.Time
	seq   uint64
	c     chan time.Time
	fired bool
}

func (t *virtualTimer) C() <-chan time.Time { return t.c }

func (t *virtualTimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	if t.fired {
		return false
	}
	for i, o := range t.v.timers {
		if o == t {
			t.v.timers = append(t.v.timers[:i], t.v.timers[i+1:]...)
			break
		}
	}
	t.fired = true
	return true
}
