package runbook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// An IAM role ARN has the iam service, no Region, a 12-digit account and a
// role/ resource of at most 512 characters of the IAM name alphabet, per
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func TestIsRoleARN(t *testing.T) {
	long := "role/" + strings.Repeat("a", 512)
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"arn:aws:iam::123456789012:role/Auto", true},
		{"arn:aws-cn:iam::123456789012:role/service-role/Auto", true},
		{"arn:aws-us-gov:iam::123456789012:role/a+=,.@_-b", true},
		{"arn:aws:iam::123456789012:" + long, true},
		{"arn:aws:iam::123456789012:" + long + "a", false},
		{"arn:aws:iam::123456789012:role/", false},
		{"arn:aws:iam::123456789012:user/Auto", false},
		{"arn:aws:iam:us-east-1:123456789012:role/Auto", false},
		{"arn:aws:sts::123456789012:role/Auto", false},
		{"arn:aws:iam::12345678901:role/Auto", false},
		{"arn:aws:iam::1234567890123:role/Auto", false},
		{"arn:azure:iam::123456789012:role/Auto", false},
		{"arn:AWS:iam::123456789012:role/Auto", false},
		{"arn:aws:iam::123456789012:role/a:b", false},
		{"arn:aws:iam::123456789012:role/Auto\n", false},
		{"{{ AutomationAssumeRole }}", false},
		{"", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, isRoleARN(tc.in))
		})
	}
}
