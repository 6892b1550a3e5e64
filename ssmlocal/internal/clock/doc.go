// Package clock is the time source of the local endpoint: the wall clock by
// default, or a virtual clock so that runbooks which sleep for hours finish
// in milliseconds in tests.
//
// # Virtual time
//
// A [Virtual] clock only moves when asked ([Virtual.Advance],
// [Virtual.AdvanceToNext]) or, in auto mode, whenever a timer is created:
// the clock then jumps to that timer's deadline and fires it at once. Timers
// always fire in deadline order and never before the clock reaches their
// deadline, so code that reads Now after a timer fires sees a consistent time.
package clock
