package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestApproverAllowed matches callers against Approvers, including
// malformed ARNs, which match nothing but themselves.
func TestApproverAllowed(t *testing.T) {
	const (
		user    = "arn:aws:iam::123456789012:user/Alice"
		role    = "arn:aws:iam::123456789012:role/path/Ops"
		session = "arn:aws:sts::123456789012:assumed-role/Ops/alice"
	)
	tests := []struct {
		name      string
		approvers []string
		caller    string
		want      bool
	}{
		{"same user ARN", []string{user}, user, true},
		{"user name", []string{"Alice"}, user, true},
		{"user ARN with a path", []string{"arn:aws:iam::123456789012:user/team/Alice"}, user, true},
		{"user of another account", []string{"arn:aws:iam::210987654321:user/Alice"}, user, false},
		{"role ARN for its session", []string{role}, session, true},
		{"role name for its session", []string{"Ops"}, session, true},
		{"role of another account", []string{"arn:aws:iam::210987654321:role/Ops"}, session, false},
		{"role ARN is no user", []string{"arn:aws:iam::123456789012:role/Alice"}, user, false},
		{"user ARN is no role", []string{"arn:aws:iam::123456789012:user/Ops"}, session, false},
		{"too few parts", []string{"arn:aws:iam:user/Alice"}, user, false},
		{"empty service", []string{"arn:aws:::123456789012:user/Alice"}, user, false},
		{"no resource", []string{"arn:aws:iam::123456789012:"}, user, false},
		{"malformed caller matches itself", []string{"arn:bad"}, "arn:bad", true},
		{"malformed caller is its name", []string{"Alice"}, "arn:aws:user/Alice", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, approverAllowed(tt.approvers, tt.caller))
		})
	}
}

// TestPrincipalNames reads names from principal ARNs; what is no ARN is
// a name.
func TestPrincipalNames(t *testing.T) {
	tests := []struct{ in, name, role, account string }{
		{"arn:aws:iam::123456789012:user/a/b/Alice", "Alice", "", "123456789012"},
		{"arn:aws:iam::123456789012:role/Ops", "", "Ops", "123456789012"},
		{"arn:aws:sts::123456789012:assumed-role/Ops/alice", "", "Ops", "123456789012"},
		{"arn:aws:sts::123456789012:assumed-role/", "", "", "123456789012"},
		{"arn:aws:iam::123456789012:root", "root", "", "123456789012"},
		{"Alice", "Alice", "", ""},
		{"arn:aws:iam:user/Alice", "arn:aws:iam:user/Alice", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			name, role := principalNames(tt.in)
			assert.Equal(t, tt.name, name)
			assert.Equal(t, tt.role, role)
			assert.Equal(t, tt.account, accountOf(tt.in))
		})
	}
}
