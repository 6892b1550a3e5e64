package ssmlocal_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEC2DescribeRequestErrors pins which error each Describe call reports
// when a request is wrong in more than one way, and its message.
func TestEC2DescribeRequestErrors(t *testing.T) {
	_, _, c, inst := storageServer(t)
	ctx := context.Background()
	badFilter := []ec2types.Filter{{Name: aws.String("no-such-filter"), Values: []string{"x"}}}
	const (
		unknownInst = "i-0123456789abcdef0"
		unknownAMI  = "ami-0123456789abcdef0"
		unknownAMI2 = "ami-0123456789abcdef1"
		unknownVol  = "vol-0123456789abcdef0"
		unknownSnap = "snap-0123456789abcdef0"
	)
	tests := []struct {
		name     string
		call     func() error
		code     string
		message  string
		succeeds bool
	}{
		{"instances: unknown id before filter name", func() error {
			_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{unknownInst}, Filters: badFilter})
			return err
		}, "InvalidInstanceID.NotFound", "The instance ID '" + unknownInst + "' does not exist", false},
		{"instances: ids with MaxResults before its range", func() error {
			_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst}, MaxResults: aws.Int32(1)})
			return err
		}, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults", false},
		{"instances: MaxResults range", func() error {
			_, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1001)})
			return err
		}, "InvalidParameterValue", "Value ( 1001 ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", false},
		{"instance status: ids with MaxResults", func() error {
			_, err := c.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: []string{inst}, MaxResults: aws.Int32(10)})
			return err
		}, "InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults", false},
		{"images: MaxResults range before ids with it", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{unknownAMI}, MaxResults: aws.Int32(1)})
			return err
		}, "InvalidParameterValue", "Value ( 1 ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", false},
		{"images: ids with MaxResults", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{unknownAMI}, MaxResults: aws.Int32(5)})
			return err
		}, "InvalidParameterCombination", "The parameter imagesSet cannot be used with the parameter maxResults", false},
		{"images: filter name before unknown ids", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{unknownAMI}, Filters: badFilter})
			return err
		}, "InvalidParameterValue", "The filter 'no-such-filter' is invalid", false},
		{"images: every unknown id named", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{unknownAMI, unknownAMI2}})
			return err
		}, "InvalidAMIID.NotFound", "The image id '[" + unknownAMI + ", " + unknownAMI2 + "]' does not exist", false},
		{"images: malformed id", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{unknownAMI, "ami-x"}})
			return err
		}, "InvalidAMIID.Malformed", `Invalid id: "ami-x" (expecting "ami-...")`, false},
		{"volumes: MaxResults range", func() error {
			_, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{unknownVol}, MaxResults: aws.Int32(501)})
			return err
		}, "InvalidParameterValue", "Value ( 501 ) for parameter maxResults is invalid. Expecting a value between 5 and 500.", false},
		{"volumes: ids with MaxResults before unknown ids", func() error {
			_, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{unknownVol}, MaxResults: aws.Int32(5)})
			return err
		}, "InvalidParameterCombination", "The parameter volumeSet cannot be used with the parameter maxResults", false},
		{"volumes: first unknown id", func() error {
			_, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{unknownVol, "vol-0123456789abcdef1"}})
			return err
		}, "InvalidVolume.NotFound", "The volume '" + unknownVol + "' does not exist.", false},
		{"snapshots: filter name before unknown ids", func() error {
			_, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{unknownSnap}, Filters: badFilter})
			return err
		}, "InvalidParameterValue", "The filter 'no-such-filter' is invalid", false},
		{"snapshots: unknown id", func() error {
			_, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{unknownSnap}, MaxResults: aws.Int32(5)})
			return err
		}, "InvalidSnapshot.NotFound", "The snapshot '" + unknownSnap + "' does not exist.", false},
		{"tags: MaxResults range", func() error {
			_, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{MaxResults: aws.Int32(4)})
			return err
		}, "InvalidParameterValue", "Value ( 4 ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", false},
		{"tags: filter name", func() error {
			_, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: badFilter})
			return err
		}, "InvalidParameterValue", "The filter 'no-such-filter' is invalid", false},
		{"tags: bad token", func() error {
			_, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{NextToken: aws.String("nope")})
			return err
		}, "InvalidNextToken", "The specified token is not valid.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "want an API error, got %v", err)
			assert.Equal(t, tt.code, ae.ErrorCode())
			assert.Equal(t, tt.message, ae.ErrorMessage())
		})
	}
}

// TestEC2DescribeOrder: named instances come back in the order asked for,
// the other resources in creation order whatever the order of their ids,
// and images and snapshots of another owner are none.
func TestEC2DescribeOrder(t *testing.T) {
	srv, _, c, first := storageServer(t)
	ctx := context.Background()
	second, err := srv.AddInstances(1)
	require.NoError(t, err)
	third, err := srv.AddInstances(1)
	require.NoError(t, err)
	ids := []string{third[0], first, second[0]}
	out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	require.NoError(t, err)
	var got []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			got = append(got, aws.ToString(i.InstanceId))
		}
	}
	assert.Equal(t, ids, got)

	var vols []string
	for _, size := range []int32{1, 2, 3} {
		v, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(size)})
		require.NoError(t, err)
		vols = append(vols, aws.ToString(v.VolumeId))
	}
	vout, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{vols[2], vols[0], vols[1]}})
	require.NoError(t, err)
	var gotVols []string
	for _, v := range vout.Volumes {
		gotVols = append(gotVols, aws.ToString(v.VolumeId))
	}
	slices.Sort(vols)
	assert.Equal(t, vols, gotVols, "volumes of one instant in id order")

	made, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(first), Name: aws.String("order-1")})
	require.NoError(t, err)
	for _, owner := range []string{"amazon", "210987654321"} {
		im, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{aws.ToString(made.ImageId)}, Owners: []string{owner}})
		require.NoError(t, err)
		assert.Empty(t, im.Images, owner)
		sn, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{owner}})
		require.NoError(t, err)
		assert.Empty(t, sn.Snapshots, owner)
	}
	im, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err)
	assert.Len(t, im.Images, 1)
}
