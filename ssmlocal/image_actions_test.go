package ssmlocal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// imageDoc images an instance, copies the image from the other Region and
// deletes the original with its snapshots.
const imageDoc = `{"schemaVersion":"0.3","assumeRole":"ROLE",
 "parameters":{"InstanceId":{"type":"String"}},
 "mainSteps":[
  {"name":"image","action":"aws:createImage","inputs":{"InstanceId":"{{ InstanceId }}","ImageName":"nightly-{{ global:DATE }}","NoReboot":true}},
  {"name":"copy","action":"aws:copyImage","inputs":{"SourceImageId":"{{ image.ImageId }}","SourceRegion":"us-east-1","ImageName":"nightly-copy"}},
  {"name":"drop","action":"aws:deleteImage","inputs":{"ImageId":"{{ image.ImageId }}"}}],
 "outputs":["image.ImageId","image.ImageState","copy.ImageId","copy.ImageState"]}`

const imageRolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
	"ec2:CreateImage","ec2:CopyImage","ec2:DescribeImages","ec2:DeregisterImage","ec2:DeleteSnapshot"],"Resource":"*"}]}`

// TestImageActions: aws:createImage and aws:copyImage wait for their image
// to be available and output it; aws:deleteImage deregisters the image and
// deletes its snapshots; every call is the service role's, audited.
func TestImageActions(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	ctx := context.Background()
	inst, err := srv.AddInstances(1)
	require.NoError(t, err)
	role := serviceRole(t, srv, "Imager", trustSSM, imageRolePolicy)
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Image-Nightly", strings.Replace(imageDoc, "ROLE", role, 1))
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Image-Nightly"), Parameters: map[string][]string{"InstanceId": inst}})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusSuccess, x.AutomationExecutionStatus, aws.ToString(x.FailureMessage))
	assert.Equal(t, []string{"available"}, x.Outputs["image.ImageState"])
	assert.Equal(t, []string{"available"}, x.Outputs["copy.ImageState"])
	original, copied := x.Outputs["image.ImageId"][0], x.Outputs["copy.ImageId"][0]

	c := ec2.NewFromConfig(cfg(srv, srv.Admin()))
	_, err = c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{original}})
	assert.Equal(t, "InvalidAMIID.NotFound", errCode(err), "the original is deleted")
	im, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{copied}})
	require.NoError(t, err)
	copySnap := aws.ToString(im.Images[0].BlockDeviceMappings[0].Ebs.SnapshotId)
	snaps, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}})
	require.NoError(t, err)
	require.Len(t, snaps.Snapshots, 1, "only the copy's snapshot is left")
	assert.Equal(t, copySnap, aws.ToString(snaps.Snapshots[0].SnapshotId))

	calls := map[string]int{}
	for _, ev := range srv.Audit() {
		if ev.ExecutionID == id && ev.Service == "ec2" {
			assert.Contains(t, ev.Principal, "assumed-role/Imager/")
			calls[ev.API]++
		}
	}
	for _, api := range []string{"CreateImage", "CopyImage", "DescribeImages", "DeregisterImage", "DeleteSnapshot"} {
		assert.Positive(t, calls[api], "%s was not called as the role", api)
	}
}

// TestImageActionsNeedPermissions: without ec2:DeleteSnapshot the delete
// step fails on permissions after deregistering, as on AWS.
func TestImageActionsNeedPermissions(t *testing.T) {
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock = ssmlocal.AutoClock(time.Now()) })
	inst, err := srv.AddInstances(1)
	require.NoError(t, err)
	role := serviceRole(t, srv, "Imager", trustSSM, strings.Replace(imageRolePolicy, `,"ec2:DeleteSnapshot"`, "", 1))
	admin := ssm.NewFromConfig(cfg(srv, srv.Admin()))
	createDoc(t, admin, "Image-Nightly", strings.Replace(imageDoc, "ROLE", role, 1))
	id := start(t, admin, &ssm.StartAutomationExecutionInput{DocumentName: aws.String("Image-Nightly"), Parameters: map[string][]string{"InstanceId": inst}})
	x := waitDone(t, admin, id)
	require.Equal(t, ssmtypes.AutomationExecutionStatusFailed, x.AutomationExecutionStatus)
	last := x.StepExecutions[len(x.StepExecutions)-1]
	assert.Equal(t, "drop", aws.ToString(last.StepName))
	assert.Contains(t, aws.ToString(last.FailureMessage), "ec2:DeleteSnapshot")
}
