package runbook

import (
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sharedOf(n int) shared[int] {
	var s shared[int]
	for i := range n {
		s = s.appended(i)
	}
	return s
}

// TestSharedBranches branches slices of every length around the growth
// points, including from an ancestor after its descendants have grown,
// and checks that no value sees another's items.
func TestSharedBranches(t *testing.T) {
	for n := 1; n < 40; n++ {
		parent := sharedOf(n - 1)
		base := parent.appended(n - 1)
		a := base.appended(-1)
		a2 := a.appended(-2)
		b := base.appended(-3)
		c := parent.appended(-4) // branched after base took its slot
		c2 := c.appended(-5)
		prefix := sharedOf(n).clone()
		require.Equal(t, prefix, base.clone(), "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -1), a.items, "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -1, -2), a2.items, "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -3), b.items, "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix[:n-1]), -4), c.items, "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix[:n-1]), -4, -5), c2.items, "n=%d", n)
	}
}

// TestSharedAppendsInPlace checks that extending the newest value writes
// into the array it already has, so a long run of appends allocates only
// when the array doubles.
func TestSharedAppendsInPlace(t *testing.T) {
	s := sharedOf(5) // grown to 8 at the fifth item
	require.Equal(t, 8, cap(s.items))
	r := s.appended(5)
	assert.Same(t, &s.items[0], &r.items[0], "an append with room shares the array")
	r2 := r.appended(6)
	assert.Same(t, &s.items[0], &r2.items[0])
	branch := s.appended(50) // the slot at 5 is taken: a copy
	assert.NotSame(t, &s.items[0], &branch.items[0])
	next := branch.appended(51) // the copy is its own and extends in place
	assert.Same(t, &branch.items[0], &next.items[0])
	assert.Equal(t, []int{0, 1, 2, 3, 4, 50, 51}, next.items)

	allocs := testing.AllocsPerRun(10, func() { _ = sharedOf(1000) })
	// Growth at 0, 4, 8, ..., 512: nine arrays and their counters.
	assert.LessOrEqual(t, allocs, 18.0)
}

// TestSharedDoubles checks that a full array is replaced by one twice as
// large, whatever the length, so that appends stay amortised O(1).
func TestSharedDoubles(t *testing.T) {
	for _, n := range []int{4, 8, 256, 512} {
		s := sharedOf(n)
		require.Equal(t, n, cap(s.items), "n=%d", n)
		assert.Equal(t, 2*n, cap(s.appended(n).items), "n=%d", n)
	}
	assert.Equal(t, 4, cap(sharedOf(1).items))
}

func TestSharedReplacedAndClone(t *testing.T) {
	var empty shared[int]
	assert.Nil(t, empty.clone())
	s := sharedOf(3)
	got := s.clone()
	require.Equal(t, []int{0, 1, 2}, got)
	got[0] = 9
	assert.Equal(t, 0, s.items[0], "a clone shares nothing")

	r := s.replaced(1, 7)
	assert.Equal(t, []int{0, 7, 2}, r.items)
	assert.Equal(t, []int{0, 1, 2}, s.items)
	r2 := r.appended(3) // the replaced array is r's own: extends in place
	assert.Same(t, &r.items[0], &r2.items[0])
	assert.Equal(t, []int{0, 7, 2, 3}, r2.items)
}

// TestChunkedAppendsInPlace checks that extending a list, or a branch once
// it has copied its part of the last chunk, fills the chunk in place.
func TestChunkedAppendsInPlace(t *testing.T) {
	base := chunkedOf(1)
	full := base.appended(1).appended(2).appended(3)
	require.Len(t, full.chunks.items, 1)
	assert.Same(t, base.chunks.items[0], full.chunks.items[0])

	two := chunkedOf(2)
	_ = two.appended(10)
	branch := two.appended(20) // slot 2 taken: copies its part
	assert.NotSame(t, two.chunks.items[0], branch.chunks.items[0])
	next := branch.appended(21)
	assert.Same(t, branch.chunks.items[0], next.chunks.items[0])
	assert.Equal(t, []int{0, 1, 20, 21}, next.clone())
}

func TestChunkedAt(t *testing.T) {
	c := chunkedOf(2*maxChunk + 5)
	for _, i := range []int{0, 1, 3, 4, maxChunk - 1, maxChunk, 2*maxChunk + 4} {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			assert.Equal(t, i, *c.at(i))
		})
	}
	assert.Panics(t, func() { c.at(2*maxChunk + 5) })
	indexes := 0
	for i, v := range c.all() {
		require.Equal(t, i, *v)
		indexes++
		if i == 10 {
			break
		}
	}
	assert.Equal(t, 11, indexes)
}
