package policy

import (
	"errors"
	"strings"
	"testing"
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
		if err != nil {
			t.Fatal(err)
		}
		p := build("S" + strings.Repeat("x", want-Size(b)))
		if b, _ := p.Compact(); Size(b) != want {
			t.Fatalf("built %d characters, want %d", Size(b), want)
		}
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
				if found != (over == 1) {
					t.Fatalf("size %d against quota %d: size error %v, findings %v", r.Size, tt.quota, found, r.Findings)
				}
				if errors.Is(r.Err(), ErrPolicyTooLarge) != (over == 1) {
					t.Fatalf("size %d against quota %d: Err() = %v", r.Size, tt.quota, r.Err())
				}
			})
		}
	}
	if LimitManaged != 6144 || LimitRoleInline != 10240 || LimitUserInline != 2048 || LimitGroupInline != 5120 || LimitTrust != 2048 {
		t.Fatal("quotas differ from IAM's")
	}
}
