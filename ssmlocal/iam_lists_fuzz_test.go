package ssmlocal

import (
	"encoding/base64"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/require"
)

// FuzzListPaging: any Marker and MaxItems is refused or gives a page of at
// most MaxItems items, none before the marker's key, whose own marker
// continues right after it; following markers visits every item once.
func FuzzListPaging(f *testing.F) {
	f.Add("", int64(2))
	f.Add(base64.RawURLEncoding.EncodeToString([]byte("c")), int64(1))
	f.Add("not base64!", int64(100))
	f.Add("", int64(0))
	keys := []string{"a", "b", "c", "d", "e", "z\x00", "é"} // in byte order
	f.Fuzz(func(t *testing.T, marker string, max int64) {
		if max != int64(int32(max)) {
			return // beyond MaxItems' type: the decoder refuses it
		}
		p, err := pageRequest(&marker, aws.Int32(int32(max)))
		if err != nil {
			return
		}
		page, next := pageOf(slices.Clone(keys), func(k string) string { return k }, p)
		require.LessOrEqual(t, len(page), p.max)
		for _, k := range page {
			require.GreaterOrEqual(t, k, p.start)
		}
		if next == "" {
			return
		}
		rest, err := pageRequest(&next, aws.Int32(listMaxItems))
		require.NoError(t, err)
		tail, more := pageOf(slices.Clone(keys), func(k string) string { return k }, rest)
		require.Empty(t, more)
		require.Greater(t, tail[0], page[len(page)-1])
		seen := append(slices.Clone(page), tail...)
		require.Equal(t, seen, keys[len(keys)-len(seen):])
	})
}
