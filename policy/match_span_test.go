package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// In the Resource element a '*' that ends one of the first five parts may
// run on past the colons, so "arn:aws:ec2:*" covers every EC2 resource, per
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
func TestMatchARNSpanningWildcard(t *testing.T) {
	const instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-1"
	for _, tc := range []struct {
		pattern, value string
		want           bool
	}{
		{"arn:aws:ec2:*", instance, true},
		{"arn:aws:*", instance, true},
		{"arn:aws:ec2:us-east-1:*", instance, true},
		{"arn:aws:ec2:us-east-1:123456789012:*", instance, true},
		{"arn:aws:ec2:*", "arn:aws:s3:::bucket", false},
		{"arn:aws:ec2:us-west-2:*", instance, false},
		{"arn:aws:ec2:us-east-1:111122223333:*", instance, false},
		{"arn:aws:ec2:*", "arn:aws:ec2", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", true},
	} {
		t.Run(tc.pattern+" "+tc.value, func(t *testing.T) {
			ev := &evaluation{req: &Request{}}
			got, resolved := matchARN(tc.pattern, tc.value, ev, true, arnResource)
			assert.True(t, resolved)
			assert.Equal(t, tc.want, got)
		})
	}
}
