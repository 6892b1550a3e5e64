package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAutomationRoleManagedPolicyARN pins the managed policy's ARN in each
// partition, the standard one when none is given:
// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMAutomationRole.html
func TestAutomationRoleManagedPolicyARN(t *testing.T) {
	tests := []struct{ partition, want string }{
		{"", "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole"},
		{"aws", "arn:aws:iam::aws:policy/service-role/AmazonSSMAutomationRole"},
		{"aws-cn", "arn:aws-cn:iam::aws:policy/service-role/AmazonSSMAutomationRole"},
		{"aws-us-gov", "arn:aws-us-gov:iam::aws:policy/service-role/AmazonSSMAutomationRole"},
	}
	for _, tt := range tests {
		t.Run(tt.partition, func(t *testing.T) {
			assert.Equal(t, tt.want, AutomationRoleManagedPolicyARN(tt.partition))
		})
	}
}

// TestOperatorDocumentNames checks the runbook names Operator accepts
// against the document name rule [a-zA-Z0-9_.-]{3,128}:
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html#systemsmanager-CreateDocument-request-Name
// Each character class is tried at both ends and just outside them.
func TestOperatorDocumentNames(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"abc", true},
		{"ab", false},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"aaz", true},
		{"aza", true},
		{"aa{", false},
		{"aa`", false},
		{"AAZ", true},
		{"ZAA", true},
		{"AA[", false},
		{"AA@", false},
		{"009", true},
		{"900", true},
		{"00:", false},
		{"00/", false},
		{"a_b", true},
		{"a-b", true},
		{"a.b", true},
		{"a b", false},
		{"a+b", false},
		{"a,b", false},
		{"aé1", false},
	}
	scope := Scope{Region: "us-east-1", Account: acct}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Operator(scope, []string{tt.name})
			if !tt.ok {
				require.Error(t, err)
				assert.ErrorContains(t, err, "document name")
				assert.Nil(t, p)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, p.Statement[0].Resource.Values, scope.DocumentARN(tt.name))
		})
	}
}

// TestOperatorDefinitionVersion checks that a pinned DocumentVersion scopes
// the automation-definition resource to that version, and that no pin
// covers every version.
func TestOperatorDefinitionVersion(t *testing.T) {
	scope := Scope{Region: "us-east-1", Account: acct}
	tests := []struct {
		version string
		want    string
	}{
		{"", "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo-1:*"},
		{"3", "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo-1:3"},
		{"$DEFAULT", "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo-1:$DEFAULT"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			p, err := Operator(scope, []string{"Demo-1"}, func(o *OperatorOptions) { o.DocumentVersion = tt.version })
			require.NoError(t, err)
			assert.Equal(t, []string{
				"arn:aws:ssm:us-east-1:111122223333:document/Demo-1",
				tt.want,
				"arn:aws:ssm:us-east-1:111122223333:automation-execution/*",
			}, p.Statement[0].Resource.Values)
		})
	}
}
