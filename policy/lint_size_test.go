package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLintSizeQuotas puts a policy exactly at each quota and one character
// over it.
func TestLintSizeQuotas(t *testing.T) {
	identity := func(sid string) *Policy {
		return New(Allowing("ec2:DescribeInstances").Sid(sid).Resources("*").MustBuild())
	}
	trust := func(sid string) *Policy {
		p := AutomationTrust(Scope{Account: "111122223333", Region: "us-east-1"})
		p.Statement[0].Sid = sid
		return p
	}
	sized := func(t *testing.T, build func(string) *Policy, want int) *Policy {
		t.Helper()
		b, err := build("S").Compact()
		require.NoError(t, err)
		p := build("S" + strings.Repeat("x", want-Size(b)))
		b, _ = p.Compact()
		require.Equal(t, want, Size(b), "built characters")
		return p
	}
	tests := []struct {
		name  string
		kind  Kind
		build func(string) *Policy
		limit int // SizeLimit option; zero for the kind's default
		quota int
	}{
		{"managed default", KindIdentity, identity, 0, LimitManaged},
		{"role inline", KindIdentity, identity, LimitRoleInline, LimitRoleInline},
		{"user inline", KindIdentity, identity, LimitUserInline, LimitUserInline},
		{"group inline", KindIdentity, identity, LimitGroupInline, LimitGroupInline},
		{"trust default", KindTrust, trust, 0, LimitTrust},
		{"user inline kind", KindUserInline, identity, 0, LimitUserInline},
		{"role inline kind", KindRoleInline, identity, 0, LimitRoleInline},
		{"group inline kind", KindGroupInline, identity, 0, LimitGroupInline},
		{"managed kind", KindManaged, identity, 0, LimitManaged},
	}
	for _, tt := range tests {
		for _, over := range []int{0, 1} {
			name := tt.name + " at quota"
			if over == 1 {
				name = tt.name + " over quota"
			}
			t.Run(name, func(t *testing.T) {
				p := sized(t, tt.build, tt.quota+over)
				r := Lint(p, tt.kind, func(o *LintOptions) { o.SizeLimit = tt.limit })
				found := false
				for _, f := range r.Errors() {
					found = found || f.Code == CodeSize
				}
				require.Equal(t, over == 1, found, "size %d against quota %d: size error in %v", r.Size, tt.quota, r.Findings)
				require.Equal(t, over == 1, errors.Is(r.Err(), ErrPolicyTooLarge), "size %d against quota %d: Err() = %v", r.Size, tt.quota, r.Err())
			})
		}
	}
	assert.Equal(t, []int{6144, 10240, 2048, 5120, 2048},
		[]int{LimitManaged, LimitRoleInline, LimitUserInline, LimitGroupInline, LimitTrust},
		"quotas differ from IAM's (managed, role inline, user inline, group inline, trust)")
}
