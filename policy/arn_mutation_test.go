package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestScopeFieldDefaults pins how a Scope fills each ARN field: an explicit
// Partition wins over the Region's, an empty Region or Account is "*", and
// an empty id or version covers every resource. ARN format:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func TestScopeFieldDefaults(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"explicit partition wins over the region's", Scope{Partition: "aws", Region: "cn-north-1", Account: acct}.InstanceARN("i-1"), "arn:aws:ec2:cn-north-1:111122223333:instance/i-1"},
		{"partition from the region", Scope{Region: "us-isob-east-1", Account: acct}.InstanceARN("i-1"), "arn:aws-iso-b:ec2:us-isob-east-1:111122223333:instance/i-1"},
		{"empty region and account", Scope{}.ARN("sns", "t"), "arn:aws:sns:*:*:t"},
		{"region and account kept", Scope{Region: "eu-west-1", Account: acct}.ARN("sns", "t"), "arn:aws:sns:eu-west-1:111122223333:t"},
		{"empty instance id", Scope{Region: "us-east-1", Account: acct}.InstanceARN(""), "arn:aws:ec2:us-east-1:111122223333:instance/*"},
		{"execution id kept", Scope{Region: "us-east-1", Account: acct}.AutomationExecutionARN("e-1"), "arn:aws:ssm:us-east-1:111122223333:automation-execution/e-1"},
		{"definition version kept", Scope{Region: "us-east-1", Account: acct}.AutomationDefinitionARN("Demo", "7"), "arn:aws:ssm:us-east-1:111122223333:automation-definition/Demo:7"},
		{"shared document with no version", Scope{Region: "us-east-1", Account: acct}.AutomationDefinitionARN("arn:aws:ssm:eu-west-1:444455556666:document/Shared", ""), "arn:aws:ssm:eu-west-1:444455556666:automation-definition/Shared:*"},
		{"owned document in an empty scope", Scope{}.DocumentARN("Mine"), "arn:aws:ssm:*:*:document/Mine"},
		{"AWS-owned document has no account", Scope{Account: acct}.DocumentARN("AmazonEKS-Troubleshoot"), "arn:aws:ssm:*::document/AmazonEKS-Troubleshoot"},
		{"role path without slashes", Scope{Account: acct}.RoleARN("p", "R"), "arn:aws:iam::111122223333:role/p/R"},
		{"role path with only a leading slash", Scope{Account: acct}.RoleARN("/p", "R"), "arn:aws:iam::111122223333:role/p/R"},
		{"root of an empty account", Scope{Region: "cn-north-1"}.AccountRootARN(), "arn:aws-cn:iam::*:root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.got)
		})
	}
}

func TestRoleNameOfOtherInput(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"role without path", "arn:aws:iam::111122223333:role/R", "R"},
		{"role with path", "arn:aws:iam::111122223333:role/service-role/R", "R"},
		{"user ARN is not a role", "arn:aws:iam::111122223333:user/R", "arn:aws:iam::111122223333:user/R"},
		{"malformed ARN", "arn:aws:iam", "arn:aws:iam"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RoleName(tt.in))
		})
	}
}
