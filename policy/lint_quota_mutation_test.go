package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckSizeAtQuota: documents whose sizes add up to exactly the quota
// fit it; one character more does not.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
func TestCheckSizeAtQuota(t *testing.T) {
	sized := func(t *testing.T, n int) []byte {
		t.Helper()
		b, err := New(Denying("s3:GetObject").Sid("S").Resources("*").MustBuild()).Compact()
		require.NoError(t, err)
		b, err = New(Denying("s3:GetObject").Sid("S" + strings.Repeat("x", n-Size(b))).Resources("*").MustBuild()).Compact()
		require.NoError(t, err)
		require.Equal(t, n, Size(b))
		return b
	}
	tests := []struct {
		name  string
		kind  Kind
		sizes []int
		over  bool
	}{
		{"trust at quota", KindTrust, []int{LimitTrust}, false},
		{"trust one over", KindTrust, []int{LimitTrust + 1}, true},
		{"user inline pair at quota", KindUserInline, []int{1000, LimitUserInline - 1000}, false},
		{"user inline pair one over", KindUserInline, []int{1000, LimitUserInline - 999}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var docs [][]byte
			for _, n := range tt.sizes {
				docs = append(docs, sized(t, n))
			}
			err := CheckSize(tt.kind, docs...)
			if !tt.over {
				assert.NoError(t, err)
				return
			}
			var se *SizeError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, MaxSize(tt.kind)+1, se.Size)
		})
	}
}

// TestSizeStringEscapes: an escaped quote does not end a string, so the
// white space after it still counts; an escaped backslash does not escape
// the quote after it.
func TestSizeStringEscapes(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`{"a\" b" : 1}`, 11},
		{`{"a\\" : "b c"}`, 13},
		{`["\\\"  "]`, 10},
		{"[\"x\"\n,\n\"y\"]", 9},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Size([]byte(tt.in)))
		})
	}
}
