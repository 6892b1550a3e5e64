package ssmlocal

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParamName checks the name rules, selectors and ARNs on any input:
// no panic, and every accepted name comes back from its ARN and its
// selector form.
func FuzzParamName(f *testing.F) {
	for _, s := range []string{"/a/b", "plain", "a/b", "/", "//x", "/aws/x", "/x:1", "/x:label", "arn:aws:ssm:us-east-1:123456789012:parameter/a/b", "/a/b/", strings.Repeat("/a", 16)} {
		f.Add(s)
	}
	s := &Server{opts: Options{Partition: "aws", AccountID: "123456789012"}}
	f.Fuzz(func(t *testing.T, name string) {
		_, _ = paramSelector(name)
		_ = underPath(name, "/a", true)
		_ = validLabel(name)
		if checkParamName(name) != nil {
			return
		}
		got := plainParamName(s.paramARN("us-east-1", name))
		require.True(t, got == name || "/"+got == name || got == "/"+name, "ARN of %q gives %q", name, got)
		n, sel := paramSelector(name + ":3")
		require.Equal(t, name, n, "selector of %q", name)
		require.Equal(t, "3", sel, "selector of %q", name)
	})
}
