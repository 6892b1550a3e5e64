package ssmlocal

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
)

// The return codes of DeregisterImage's snapshot deletion are the model's
// enum values, which SDKs compare against.
func TestDeleteImageSnapshotsReturnCodes(t *testing.T) {
	mapping := func(ids ...string) []imageMapping {
		var out []imageMapping
		for _, id := range ids {
			out = append(out, imageMapping{SnapshotID: id})
		}
		return out
	}
	gone := &ec2Image{ID: "ami-1", Mappings: mapping("snap-own", "snap-shared", "snap-gone")}
	r := &region{
		Images: map[string]*ec2Image{"ami-2": {ID: "ami-2", Mappings: mapping("snap-shared")}},
		Snapshots: map[string]*ec2Snapshot{
			"snap-own":    {},
			"snap-shared": {},
		},
	}
	got := deleteImageSnapshots(r, gone)
	assert.Equal(t, []ec2types.DeleteSnapshotReturnCode{
		{SnapshotId: aws.String("snap-own"), ReturnCode: ec2types.SnapshotReturnCodesSuccess},
		{SnapshotId: aws.String("snap-shared"), ReturnCode: ec2types.SnapshotReturnCodesWarnSkipped},
		{SnapshotId: aws.String("snap-gone"), ReturnCode: ec2types.SnapshotReturnCodesErrorCodeClientError},
	}, got)
	for _, c := range got {
		assert.Contains(t, ec2types.SnapshotReturnCodes("").Values(), c.ReturnCode)
	}
	assert.NotContains(t, r.Snapshots, "snap-own")
	assert.Contains(t, r.Snapshots, "snap-shared")
}
