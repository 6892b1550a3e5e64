package ssmlocal

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListByPath: the path prefix filters, the page follows the names'
// order from the marker, and a bad prefix or page size is refused before
// anything is listed.
func TestListByPath(t *testing.T) {
	users := map[string]*iamUser{}
	for _, u := range []struct{ name, path string }{{"dora", "/ops/"}, {"ann", "/ops/"}, {"cal", "/dev/"}, {"bob", "/ops/eu/"}, {"eve", "/"}} {
		users[u.name] = &iamUser{Name: u.name, Path: u.path}
	}
	name := func(u *iamUser) string { return u.Name }
	tests := []struct {
		name      string
		prefix    *string
		maxItems  *int32
		wantPages [][]string
		wantErr   string
	}{
		{"all in one page", nil, nil, [][]string{{"ann", "bob", "cal", "dora", "eve"}}, ""},
		{"prefix", aws.String("/ops/"), nil, [][]string{{"ann", "bob", "dora"}}, ""},
		{"prefix with pages", aws.String("/ops/"), aws.Int32(2), [][]string{{"ann", "bob"}, {"dora"}}, ""},
		{"page of one", nil, aws.Int32(1), [][]string{{"ann"}, {"bob"}, {"cal"}, {"dora"}, {"eve"}}, ""},
		{"no match", aws.String("/none/"), nil, [][]string{{}}, ""},
		{"prefix without a slash", aws.String("ops"), nil, nil, "at 'pathPrefix'"},
		{"page size zero", nil, aws.Int32(0), nil, "Member must have value between 1 and 1000"},
		{"page size too large", nil, aws.Int32(1001), nil, "Member must have value between 1 and 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var marker *string
			var pages [][]string
			for range 10 {
				page, end, err := listByPath(users, tt.prefix, marker, tt.maxItems, name)
				if tt.wantErr != "" {
					require.Error(t, err)
					assert.Equal(t, "ValidationError", asAPIError(err).Code)
					assert.Contains(t, asAPIError(err).Message, tt.wantErr)
					return
				}
				require.NoError(t, err)
				require.NotNil(t, page, "an empty page is an empty list, not a missing one")
				pages = append(pages, page)
				assert.Equal(t, end.marker != nil, end.truncated)
				if !end.truncated {
					break
				}
				marker = end.marker
			}
			assert.Equal(t, tt.wantPages, pages)
		})
	}
}

// TestListByPathBadMarker: a marker that is not one of ours is refused.
func TestListByPathBadMarker(t *testing.T) {
	users := map[string]*iamUser{"a": {Name: "a", Path: "/"}}
	_, _, err := listByPath(users, nil, aws.String("!!"), nil, func(u *iamUser) string { return u.Name })
	require.Error(t, err)
	assert.Equal(t, "InvalidInput", asAPIError(err).Code)
}
