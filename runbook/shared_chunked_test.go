package runbook

import (
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func chunkedOf(n int) chunked[int] {
	var c chunked[int]
	for i := range n {
		c = c.appended(i)
	}
	return c
}

// TestChunkedBranches branches lists of every length around the chunk
// boundaries and checks that no branch sees another's items.
func TestChunkedBranches(t *testing.T) {
	for n := range 2*maxChunk + 40 {
		base := chunkedOf(n)
		a, b := base.appended(-1), base.appended(-2)
		a2 := a.appended(-3)
		b2 := b.appended(-4)
		a3 := a.appended(-5) // a branched again after a2 took its slot
		prefix := chunkedOf(n).clone()
		require.Equal(t, prefix, base.clone(), "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -1), a.clone(), "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -2), b.clone(), "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -1, -3), a2.clone(), "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -2, -4), b2.clone(), "n=%d", n)
		require.Equal(t, append(slices.Clone(prefix), -1, -5), a3.clone(), "n=%d", n)
		require.Equal(t, n+2, a3.len())
	}
}

func TestChunkedEmpty(t *testing.T) {
	var c chunked[int]
	require.Nil(t, c.clone())
	require.Zero(t, c.len())
	for range c.all() {
		require.FailNow(t, "an empty list yields nothing")
	}
}

// TestChunkedSizes checks that chunks grow with the list up to maxChunk,
// so a short list stays small and a long one is not copied as it grows.
func TestChunkedSizes(t *testing.T) {
	c := chunkedOf(1000)
	total := 0
	for _, ch := range c.chunks.items {
		require.LessOrEqual(t, len(ch.items), maxChunk)
		total += len(ch.items)
	}
	require.Less(t, total, 1000+maxChunk)
	require.Len(t, chunkedOf(3).chunks.items[0].items, 4)
}

// TestChunkedAcrossGoroutines extends one list from several goroutines;
// run under -race it checks the slot claim.
func TestChunkedAcrossGoroutines(t *testing.T) {
	base := chunkedOf(maxChunk - 3)
	const workers = 8
	var wg sync.WaitGroup
	got := make([][]int, workers)
	for w := range workers {
		wg.Go(func() {
			c := base
			for i := range 10 {
				c = c.appended(1000*w + i)
			}
			got[w] = c.clone()
		})
	}
	wg.Wait()
	for w, items := range got {
		require.Len(t, items, maxChunk+7)
		for i, v := range items[maxChunk-3:] {
			require.Equal(t, 1000*w+i, v)
		}
	}
	require.Equal(t, chunkedOf(maxChunk-3).clone(), base.clone())
}
