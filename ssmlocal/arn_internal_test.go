package ssmlocal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestARNsBuilt pins the ARNs the endpoint builds for its resources.
func TestARNsBuilt(t *testing.T) {
	s, err := New()
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	tests := []struct{ got, want string }{
		{s.arn("ssm", "us-east-1", "parameter/x"), "arn:aws:ssm:us-east-1:123456789012:parameter/x"},
		{s.docARN("eu-west-1", "Mine"), "arn:aws:ssm:eu-west-1:123456789012:document/Mine"},
		{s.docARN("eu-west-1", "AWS-RestartEC2Instance"), "arn:aws:ssm:eu-west-1::document/AWS-RestartEC2Instance"},
		{s.definitionARN("us-east-1", "Mine", "$DEFAULT"), "arn:aws:ssm:us-east-1:123456789012:automation-definition/Mine:$DEFAULT"},
		{s.ec2ResourceARN("us-east-1", "ami-1"), "arn:aws:ec2:us-east-1::image/ami-1"},
		{s.ec2ResourceARN("us-east-1", "snap-1"), "arn:aws:ec2:us-east-1::snapshot/snap-1"},
		{s.ec2ResourceARN("us-east-1", "vol-1"), "arn:aws:ec2:us-east-1:123456789012:volume/vol-1"},
		{s.ec2ResourceARN("us-east-1", "i-1"), "arn:aws:ec2:us-east-1:123456789012:instance/i-1"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}
}
