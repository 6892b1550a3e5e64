package ssmlocal_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunInstancesTagSpecifications checks RunInstances reads its tag
// specifications with the rules every EC2 create call follows: instance tags
// kept, the other taggable types accepted, anything else refused, and at
// most 50 tags on a resource.
func TestRunInstancesTagSpecifications(t *testing.T) {
	srv := newServer(t)
	client := ec2.NewFromConfig(cfg(srv, srv.Admin()))
	tags := func(n int) []ec2types.Tag {
		var out []ec2types.Tag
		for i := range n {
			out = append(out, ec2types.Tag{Key: aws.String("k" + strconv.Itoa(i)), Value: aws.String("v")})
		}
		return out
	}
	cases := []struct {
		name     string
		specs    []ec2types.TagSpecification
		wantCode string
		wantTags int
	}{
		{"instance and volume", []ec2types.TagSpecification{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: tags(2)},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: tags(1)}}, "", 2},
		{"fifty tags", []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags(50)}}, "", 50},
		{"fifty-one tags", []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: tags(51)}}, "TagLimitExceeded", 0},
		{"untaggable type", []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: tags(1)}}, "InvalidParameterValue", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.RunInstances(context.Background(), &ec2.RunInstancesInput{
				ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), TagSpecifications: tc.specs})
			if tc.wantCode != "" {
				assert.Equal(t, tc.wantCode, errCode(err))
				return
			}
			require.NoError(t, err)
			require.Len(t, out.Instances, 1)
			assert.Len(t, out.Instances[0].Tags, tc.wantTags)
		})
	}
}
