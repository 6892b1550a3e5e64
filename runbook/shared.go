package runbook

import "sync/atomic"

// shared is an append-only slice that builder values branched from one
// another share, so that extending a builder costs O(1) amortised rather
// than a copy of everything before it.
//
// Every builder value sees items[:len(items)] of a backing array. The
// array's committed length says how far any builder has filled it: a
// builder may write the next slot in place only when its length equals the
// committed length, and claims the slot by advancing it. A second branch
// from the same template then finds the slot taken and copies its own
// prefix into a new array, so branches never see each other's items.
// The claim is atomic, so goroutines may extend one template concurrently.
type shared[T any] struct {
	items     []T
	committed *atomic.Int64 // nil until the first append
}

// appended returns the slice with v added after the receiver's items,
// leaving the receiver, and every other value sharing its array, as they
// were.
func (s shared[T]) appended(v T) shared[T] {
	n := len(s.items)
	if s.committed != nil && n < cap(s.items) && s.committed.CompareAndSwap(int64(n), int64(n+1)) {
		// The slot at n is ours alone: no value holds a length above n.
		return shared[T]{items: append(s.items, v), committed: s.committed}
	}
	// Grow into an array of our own, doubling so appends stay amortised O(1).
	items := make([]T, n, max(2*n, 4))
	copy(items, s.items)
	c := new(atomic.Int64)
	c.Store(int64(n + 1))
	return shared[T]{items: append(items, v), committed: c}
}

// replaced returns the slice with item i set to v, on an array of its own.
func (s shared[T]) replaced(i int, v T) shared[T] {
	items := make([]T, len(s.items), cap(s.items))
	copy(items, s.items)
	items[i] = v
	c := new(atomic.Int64)
	c.Store(int64(len(items)))
	return shared[T]{items: items, committed: c}
}

// clone returns a copy of the items that shares nothing with s, or nil
// when there are none.
func (s shared[T]) clone() []T {
	if s.items == nil {
		return nil
	}
	return append(make([]T, 0, len(s.items)), s.items...)
}
