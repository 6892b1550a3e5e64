package ssmlocal_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// ec2WireStep is one EC2 query request of a scripted session: its
// parameters after Action and Version, with {name} standing for an id an
// earlier response gave; capture names the id of this response's pattern,
// and advance moves the clock after it.
type ec2WireStep struct {
	action, params string
	capture        string
	pattern        string
	advance        time.Duration
}

// TestEC2WireSession pins the exact response of every EC2 operation the
// endpoint emulates, successes and refusals, over a session that runs each
// resource through its life: one golden file, ids and times masked.
func TestEC2WireSession(t *testing.T) {
	vc := ssmlocal.VirtualClock(time.Now())
	srv := newServer(t, func(o *ssmlocal.Options) { o.Clock, o.MaxClockSkew = vc, 24*time.Hour })
	ids, err := srv.AddInstances(1, func(o *ssmlocal.InstanceOptions) { o.Tags = map[string]string{"Name": "web"} })
	require.NoError(t, err)
	vars := map[string]string{"inst": ids[0]}
	const (
		amiID  = `<imageId>(ami-[0-9a-f]{17})</imageId>`
		volID  = `<volumeId>(vol-[0-9a-f]{17})</volumeId>`
		snapID = `<snapshotId>(snap-[0-9a-f]{17})</snapshotId>`
		instID = `<instanceId>(i-[0-9a-f]{17})</instanceId>`
	)
	steps := []ec2WireStep{
		{action: "RunInstances", params: "ImageId=ami-0abcdef1234567890&MinCount=1&MaxCount=1&InstanceType=t3.micro&ClientToken=tok-1&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=run", capture: "run", pattern: instID},
		{action: "RunInstances", params: "ImageId=ami-0abcdef1234567890&MinCount=1&MaxCount=1&InstanceType=t3.micro&ClientToken=tok-1"},
		{action: "RunInstances", params: "ImageId=ami-0abcdef1234567890&MinCount=1&MaxCount=1&DryRun=true"},
		{action: "RunInstances", params: "ImageId=ami-0abcdef1234567890&MinCount=3&MaxCount=2"},
		{action: "RunInstances", params: "ImageId=bad&MinCount=1&MaxCount=1"},
		{action: "DescribeInstances", params: "InstanceId.1={run}", advance: 11 * time.Second},
		{action: "DescribeInstances", params: "InstanceId.1={run}&InstanceId.2={inst}"},
		{action: "DescribeInstances", params: "Filter.1.Name=tag:Name&Filter.1.Value.1=web"},
		{action: "DescribeInstances", params: "Filter.1.Name=nope&Filter.1.Value.1=x"},
		{action: "DescribeInstances", params: "MaxResults=3"},
		{action: "DescribeInstances", params: "InstanceId.1={run}&MaxResults=5"},
		{action: "DescribeInstances", params: "InstanceId.1=i-0123456789abcdef0"},
		{action: "DescribeInstanceStatus", params: "InstanceId.1={inst}"},
		{action: "DescribeInstanceStatus", params: "IncludeAllInstances=true&InstanceId.1={run}"},
		{action: "CreateTags", params: "ResourceId.1={inst}&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=team&Tag.2.Value=web"},
		{action: "CreateTags", params: "ResourceId.1={inst}"},
		{action: "CreateTags", params: "Tag.1.Key=env&Tag.1.Value=prod"},
		{action: "CreateTags", params: "ResourceId.1={inst}&Tag.1.Key=aws:x&Tag.1.Value=y"},
		{action: "CreateTags", params: "ResourceId.1={inst}&Tag.1.Key=env&Tag.1.Value=dev&DryRun=true"},
		{action: "CreateTags", params: "ResourceId.1=sg-12345678&Tag.1.Key=env&Tag.1.Value=dev"},
		{action: "DescribeTags", params: "Filter.1.Name=resource-id&Filter.1.Value.1={inst}"},
		{action: "DescribeTags", params: "Filter.1.Name=resource-id&Filter.1.Value.1={inst}&MaxResults=5"},
		{action: "DeleteTags", params: "ResourceId.1={inst}&Tag.1.Key=env&Tag.2.Key=team&Tag.2.Value=other"},
		{action: "DeleteTags", params: "ResourceId.1={inst}&Tag.1.Key="},
		{action: "DescribeTags", params: "Filter.1.Name=resource-id&Filter.1.Value.1={inst}"},
		{action: "StopInstances", params: "InstanceId.1={run}"},
		{action: "StopInstances", params: "InstanceId.1={run}&DryRun=true"},
		{action: "StartInstances", params: "InstanceId.1={run}", advance: 11 * time.Second},
		{action: "StartInstances", params: "InstanceId.1={run}"},
		{action: "StopInstances", params: "InstanceId.1=i-bad"},
		{action: "StopInstances", params: "DryRun=false"},
		{action: "RebootInstances", params: "InstanceId.1={run}"},
		{action: "RebootInstances", params: "InstanceId.1={run}&DryRun=true"},
		{action: "CreateImage", params: "InstanceId={inst}&Name=img-1&Description=first&TagSpecification.1.ResourceType=image&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v", capture: "ami", pattern: amiID},
		{action: "CreateImage", params: "InstanceId={inst}&Name=img-1"},
		{action: "CreateImage", params: "InstanceId={inst}&Name=x"},
		{action: "CreateImage", params: "Name=img-9"},
		{action: "CreateImage", params: "InstanceId={inst}&Name=img-9&DryRun=true"},
		{action: "CopyImage", params: "SourceRegion=us-east-1&SourceImageId={ami}&Name=img-2"},
		{action: "DescribeImages", params: "ImageId.1={ami}", advance: 6 * time.Second},
		{action: "DescribeImages", params: "Owner.1=amazon"},
		{action: "DescribeImages", params: "ImageId.1=ami-0123456789abcdef0"},
		{action: "CopyImage", params: "SourceRegion=us-east-1&SourceImageId={ami}&Name=img-2&ClientToken=ct-1&Description=copy", capture: "copy", pattern: amiID},
		{action: "CopyImage", params: "SourceRegion=us-east-1&SourceImageId={ami}&Name=img-3&ClientToken=ct-1"},
		{action: "CopyImage", params: "SourceImageId={ami}&Name=img-3"},
		{action: "CopyImage", params: "SourceRegion=nowhere-1&SourceImageId={ami}&Name=img-3"},
		{action: "DescribeImages", params: "Filter.1.Name=name&Filter.1.Value.1=img-*", advance: 6 * time.Second},
		{action: "CreateVolume", params: "AvailabilityZone=us-east-1a&Size=10&VolumeType=gp3&TagSpecification.1.ResourceType=volume&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=data", capture: "vol", pattern: volID, advance: 6 * time.Second},
		{action: "CreateVolume", params: "AvailabilityZone=us-east-1a"},
		{action: "CreateVolume", params: "AvailabilityZone=us-east-1a&Size=8&VolumeType=fast"},
		{action: "CreateVolume", params: "AvailabilityZone=eu-west-1a&Size=8"},
		{action: "AttachVolume", params: "VolumeId={vol}&InstanceId={inst}&Device=/dev/sdf&DryRun=true"},
		{action: "AttachVolume", params: "VolumeId={vol}&InstanceId={inst}&Device=/dev/sdf", advance: 6 * time.Second},
		{action: "AttachVolume", params: "VolumeId={vol}&InstanceId={inst}"},
		{action: "DescribeVolumes", params: "VolumeId.1={vol}"},
		{action: "DescribeVolumes", params: "Filter.1.Name=attachment.device&Filter.1.Value.1=/dev/sdf"},
		{action: "DescribeVolumes", params: "VolumeId.1={vol}&MaxResults=5"},
		{action: "DescribeInstances", params: "InstanceId.1={inst}"},
		{action: "CreateSnapshot", params: "VolumeId={vol}&Description=nightly&TagSpecification.1.ResourceType=snapshot&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v", capture: "snap", pattern: snapID},
		{action: "CreateSnapshot", params: "VolumeId=vol-0123456789abcdef0"},
		{action: "CopySnapshot", params: "SourceRegion=us-east-1&SourceSnapshotId={snap}"},
		{action: "DescribeSnapshots", params: "SnapshotId.1={snap}", advance: 6 * time.Second},
		{action: "DescribeSnapshots", params: "Owner.1=amazon"},
		{action: "DescribeSnapshots", params: "Owner.1=self&Filter.1.Name=description&Filter.1.Value.1=nightly"},
		{action: "DescribeSnapshots", params: "MaxResults=2000"},
		{action: "CopySnapshot", params: "SourceRegion=us-east-1&SourceSnapshotId={snap}&TagSpecification.1.ResourceType=snapshot&TagSpecification.1.Tag.1.Key=c&TagSpecification.1.Tag.1.Value=d", capture: "snapcopy", pattern: snapID},
		{action: "CopySnapshot", params: "SourceRegion=us-east-1"},
		{action: "DeleteSnapshot", params: "SnapshotId={snapcopy}&DryRun=true"},
		{action: "DeleteSnapshot", params: "SnapshotId={snapcopy}"},
		{action: "DeleteSnapshot", params: "SnapshotId=bad"},
		{action: "DetachVolume", params: "VolumeId={vol}&InstanceId=i-0123456789abcdef0"},
		{action: "DetachVolume", params: "VolumeId={vol}&DryRun=true"},
		{action: "DetachVolume", params: "VolumeId={vol}"},
		{action: "DeleteVolume", params: "VolumeId={vol}", advance: 6 * time.Second},
		{action: "DeleteVolume", params: "VolumeId={vol}&DryRun=true"},
		{action: "DeleteVolume", params: "VolumeId={vol}"},
		{action: "DeleteVolume", params: "VolumeId={vol}"},
		{action: "DeregisterImage", params: "ImageId={copy}&DryRun=true"},
		{action: "DeregisterImage", params: "ImageId={copy}&DeleteAssociatedSnapshots=true"},
		{action: "DeregisterImage", params: "ImageId={copy}"},
		{action: "TerminateInstances", params: "InstanceId.1={run}&DryRun=true"},
		{action: "TerminateInstances", params: "InstanceId.1={run}"},
		{action: "StartInstances", params: "InstanceId.1={run}"},
	}
	var b strings.Builder
	placeholder := regexp.MustCompile(`\{(\w+)\}`)
	for _, st := range steps {
		params := placeholder.ReplaceAllStringFunc(st.params, func(m string) string {
			id, ok := vars[m[1:len(m)-1]]
			require.True(t, ok, "no %s yet", m)
			return id
		})
		got := rawCall(t, srv, "ec2", "", "Action="+st.action+"&Version=2016-11-15&"+params)
		if st.capture != "" {
			m := regexp.MustCompile(st.pattern).FindStringSubmatch(got)
			require.NotNil(t, m, "%s: no id in\n%s", st.action, got)
			vars[st.capture] = m[1]
		}
		vc.Advance(st.advance)
		b.WriteString("== " + st.action + " " + st.params + "\n" + normalize(got))
	}
	golden(t, "wire/ec2-session.txt", b.String())
}
