package runbook

import (
	"iter"
	"sync/atomic"
)

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

// chunked is shared for the steps, the long list of a builder: its items
// live in chunks that are filled in place and never copied once written,
// so extending a builder never copies the items before it, and no chunk
// is so large that allocating it bypasses the small-object allocator.
//
// The last chunk is claimed slot by slot as shared claims its array's
// slots: a second branch from one template finds the slot taken and copies
// the part of the last chunk it sees into a chunk of its own.
type chunked[T any] struct {
	chunks shared[*chunk[T]]
	tail   int // items of the last chunk this value sees
	n      int // items in all
}

type chunk[T any] struct {
	items     []T // full length; the first committed are written
	committed atomic.Int64
}

// maxChunk bounds the items of a chunk: 128 steps take 24 KiB.
const maxChunk = 128

// appended returns the list with v added after the receiver's items,
// leaving the receiver, and every other value sharing its chunks, as they
// were.
func (c chunked[T]) appended(v T) chunked[T] {
	if k := len(c.chunks.items); k > 0 {
		last := c.chunks.items[k-1]
		if c.tail < len(last.items) {
			if last.committed.CompareAndSwap(int64(c.tail), int64(c.tail+1)) {
				// The slot at tail is ours alone.
				last.items[c.tail] = v
				return chunked[T]{chunks: c.chunks, tail: c.tail + 1, n: c.n + 1}
			}
			// Another branch took it: copy our part of the last chunk.
			own := newChunk[T](len(last.items))
			copy(own.items, last.items[:c.tail])
			own.items[c.tail] = v
			own.committed.Store(int64(c.tail + 1))
			return chunked[T]{chunks: c.chunks.replaced(k-1, own), tail: c.tail + 1, n: c.n + 1}
		}
	}
	// Chunks grow with the list, so a short one stays small.
	own := newChunk[T](min(max(c.n, 4), maxChunk))
	own.items[0] = v
	own.committed.Store(1)
	return chunked[T]{chunks: c.chunks.appended(own), tail: 1, n: c.n + 1}
}

func newChunk[T any](n int) *chunk[T] { return &chunk[T]{items: make([]T, n)} }

// len returns the number of items.
func (c chunked[T]) len() int { return c.n }

// all yields each item's index and a pointer to it, in order; the items
// must not be changed.
func (c chunked[T]) all() iter.Seq2[int, *T] {
	return func(yield func(int, *T) bool) {
		i := 0
		for k, ch := range c.chunks.items {
			items := ch.items
			if k == len(c.chunks.items)-1 {
				items = items[:c.tail]
			}
			for j := range items {
				if !yield(i, &items[j]) {
					return
				}
				i++
			}
		}
	}
}

// at returns a pointer to item i, which must not be changed.
func (c chunked[T]) at(i int) *T {
	for j, v := range c.all() {
		if j == i {
			return v
		}
	}
	panic("runbook: chunked index out of range")
}

// clone returns a copy of the items that shares nothing with c, or nil
// when there are none.
func (c chunked[T]) clone() []T {
	if c.n == 0 {
		return nil
	}
	out := make([]T, 0, c.n)
	for _, v := range c.all() {
		out = append(out, *v)
	}
	return out
}
