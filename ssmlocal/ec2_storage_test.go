package ssmlocal_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssmdelegate/ssmdelegate/ssmlocal"
)

// storageServer is an endpoint on a virtual clock with one running
// instance, and an EC2 client for its administrator.
func storageServer(t *testing.T, optFns ...func(*ssmlocal.Options)) (*ssmlocal.Server, *ssmlocal.Virtual, *ec2.Client, string) {
	t.Helper()
	vc := ssmlocal.VirtualClock(time.Now())
	opts := append([]func(*ssmlocal.Options){func(o *ssmlocal.Options) { o.Clock, o.MaxClockSkew = vc, 24*time.Hour }}, optFns...)
	srv := newServer(t, opts...)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	return srv, vc, ec2.NewFromConfig(cfg(srv, srv.Admin())), ids[0]
}

func tags(kv ...string) []ec2types.Tag {
	var out []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

// TestImageLifecycle: an image of an instance is pending, with a pending
// snapshot of each of its volumes, until StorageTransition has passed; it
// is found by owner, id and filters; its snapshots cannot be deleted while
// it uses them; it can be copied once available, and deregistered.
func TestImageLifecycle(t *testing.T) {
	_, vc, c, inst := storageServer(t)
	ctx := context.Background()
	desc, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst}})
	require.NoError(t, err)
	bdm := desc.Reservations[0].Instances[0].BlockDeviceMappings
	require.Len(t, bdm, 1, "the root volume")
	assert.Equal(t, "/dev/xvda", aws.ToString(bdm[0].DeviceName))
	assert.Equal(t, ec2types.AttachmentStatusAttached, bdm[0].Ebs.Status)

	made, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(inst), Name: aws.String("web-2026"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeImage, Tags: tags("team", "web")}}})
	require.NoError(t, err)
	ami := aws.ToString(made.ImageId)
	image := func() ec2types.Image {
		t.Helper()
		out, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami}})
		require.NoError(t, err)
		require.Len(t, out.Images, 1)
		return out.Images[0]
	}
	im := image()
	assert.Equal(t, ec2types.ImageStatePending, im.State)
	assert.Equal(t, "web-2026", aws.ToString(im.Name))
	assert.Equal(t, inst, aws.ToString(im.SourceInstanceId))
	require.Len(t, im.BlockDeviceMappings, 1)
	snap := aws.ToString(im.BlockDeviceMappings[0].Ebs.SnapshotId)
	snaps, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{snap}})
	require.NoError(t, err)
	assert.Equal(t, ec2types.SnapshotStatePending, snaps.Snapshots[0].State)

	_, err = c.CopyImage(ctx, &ec2.CopyImageInput{SourceImageId: aws.String(ami), SourceRegion: aws.String("us-east-1"), Name: aws.String("copy-1")})
	assert.Equal(t, "IncorrectState", errCode(err), "a pending image cannot be copied")

	vc.Advance(2 * time.Second)
	snaps, err = c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{snap}})
	require.NoError(t, err)
	assert.Equal(t, "40%", aws.ToString(snaps.Snapshots[0].Progress), "progress grows over the transition")
	vc.Advance(3 * time.Second)
	assert.Equal(t, ec2types.ImageStateAvailable, image().State)
	snaps, err = c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{snap}})
	require.NoError(t, err)
	assert.Equal(t, ec2types.SnapshotStateCompleted, snaps.Snapshots[0].State)
	assert.Equal(t, "100%", aws.ToString(snaps.Snapshots[0].Progress))

	for _, tt := range []struct {
		name string
		in   ec2.DescribeImagesInput
		want int
	}{
		{"owner self", ec2.DescribeImagesInput{Owners: []string{"self"}}, 1},
		{"owner account", ec2.DescribeImagesInput{Owners: []string{"123456789012"}}, 1},
		{"owner amazon", ec2.DescribeImagesInput{Owners: []string{"amazon"}}, 0},
		{"state available", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"available"}}}}, 1},
		{"state pending", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("state"), Values: []string{"pending"}}}}, 0},
		{"name glob", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"web-*"}}}}, 1},
		{"name other", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("name"), Values: []string{"db-*"}}}}, 0},
		{"tag", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:team"), Values: []string{"web"}}}}, 1},
		{"tag other value", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:team"), Values: []string{"db"}}}}, 0},
		{"snapshot", ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("block-device-mapping.snapshot-id"), Values: []string{snap}}}}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.DescribeImages(ctx, &tt.in)
			require.NoError(t, err)
			assert.Len(t, out.Images, tt.want)
		})
	}

	_, err = c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)})
	assert.Equal(t, "InvalidSnapshot.InUse", errCode(err))
	_, err = c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(inst), Name: aws.String("web-2026")})
	assert.Equal(t, "InvalidAMIName.Duplicate", errCode(err))

	cp, err := c.CopyImage(ctx, &ec2.CopyImageInput{SourceImageId: aws.String(ami), SourceRegion: aws.String("us-east-1"), Name: aws.String("copy-1")})
	require.NoError(t, err)
	copied, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{aws.ToString(cp.ImageId)}})
	require.NoError(t, err)
	assert.Equal(t, ami, aws.ToString(copied.Images[0].SourceImageId))
	assert.NotEqual(t, snap, aws.ToString(copied.Images[0].BlockDeviceMappings[0].Ebs.SnapshotId), "a copy has snapshots of its own")

	_, err = c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(ami)})
	require.NoError(t, err)
	_, err = c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{ami}})
	assert.Equal(t, "InvalidAMIID.NotFound", errCode(err))
	_, err = c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(ami)})
	assert.Equal(t, "InvalidAMIID.NotFound", errCode(err))
	_, err = c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)})
	require.NoError(t, err, "the snapshot outlives its image")
	_, err = c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)})
	assert.Equal(t, "InvalidSnapshot.NotFound", errCode(err))
}

// TestImageErrors: bad ids and names get EC2's codes.
func TestImageErrors(t *testing.T) {
	_, _, c, inst := storageServer(t)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"malformed image", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-nope"}})
			return err
		}, "InvalidAMIID.Malformed"},
		{"unknown image", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{"ami-0123456789abcdef0"}})
			return err
		}, "InvalidAMIID.NotFound"},
		{"bad name", func() error {
			_, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(inst), Name: aws.String("x")})
			return err
		}, "InvalidAMIName.Malformed"},
		{"unknown instance", func() error {
			_, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String("i-0123456789abcdef0"), Name: aws.String("abc")})
			return err
		}, "InvalidInstanceID.NotFound"},
		{"unknown filter", func() error {
			_, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Filters: []ec2types.Filter{{Name: aws.String("nope"), Values: []string{"x"}}}})
			return err
		}, "InvalidParameterValue"},
		{"unknown source region", func() error {
			_, err := c.CopyImage(ctx, &ec2.CopyImageInput{SourceImageId: aws.String("ami-0123456789abcdef0"), SourceRegion: aws.String("mars-1"), Name: aws.String("abc")})
			return err
		}, "InvalidParameterValue"},
		{"unknown snapshot", func() error {
			_, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{"snap-0123456789abcdef0"}})
			return err
		}, "InvalidSnapshot.NotFound"},
		{"dry run", func() error {
			_, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(inst), Name: aws.String("abc"), DryRun: aws.Bool(true)})
			return err
		}, "DryRunOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.code, errCode(tt.call())) })
	}
}

// TestCopyImageAcrossRegions: CopyImage in one Region reads the source
// image from another.
func TestCopyImageAcrossRegions(t *testing.T) {
	srv, vc, c, inst := storageServer(t, func(o *ssmlocal.Options) { o.Regions = []string{"us-east-1", "eu-west-1"} })
	ctx := context.Background()
	made, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(inst), Name: aws.String("golden")})
	require.NoError(t, err)
	vc.Advance(5 * time.Second)
	eu := ec2.NewFromConfig(cfg(srv, srv.Admin()), func(o *ec2.Options) { o.Region = "eu-west-1" })
	cp, err := eu.CopyImage(ctx, &ec2.CopyImageInput{SourceImageId: made.ImageId, SourceRegion: aws.String("us-east-1"), Name: aws.String("golden")})
	require.NoError(t, err)
	out, err := eu.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err)
	require.Len(t, out.Images, 1)
	assert.Equal(t, aws.ToString(cp.ImageId), aws.ToString(out.Images[0].ImageId))
	assert.Equal(t, "us-east-1", aws.ToString(out.Images[0].SourceImageRegion))
	assert.Equal(t, ec2types.ImageStatePending, out.Images[0].State)
	home, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}})
	require.NoError(t, err)
	assert.Len(t, home.Images, 1, "the copy lives in its own Region")
}

// TestVolumeLifecycle: a volume from a snapshot is creating, then
// available; attaching, then in-use; detaching, then available again; it
// cannot be deleted while attached.
func TestVolumeLifecycle(t *testing.T) {
	_, vc, c, inst := storageServer(t)
	ctx := context.Background()
	vol, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(10), VolumeType: ec2types.VolumeTypeGp3,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVolume, Tags: tags("Name", "data")}}})
	require.NoError(t, err)
	assert.Equal(t, ec2types.VolumeStateCreating, vol.State)
	id := aws.ToString(vol.VolumeId)
	state := func() (ec2types.VolumeState, []ec2types.VolumeAttachment) {
		t.Helper()
		out, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}})
		require.NoError(t, err)
		require.Len(t, out.Volumes, 1)
		return out.Volumes[0].State, out.Volumes[0].Attachments
	}
	attach := func() error {
		_, err := c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: aws.String(id), InstanceId: aws.String(inst), Device: aws.String("/dev/sdf")})
		return err
	}
	assert.Equal(t, "IncorrectState", errCode(attach()), "a creating volume cannot be attached")
	vc.Advance(5 * time.Second)
	st, _ := state()
	assert.Equal(t, ec2types.VolumeStateAvailable, st)

	require.NoError(t, attach())
	st, att := state()
	assert.Equal(t, ec2types.VolumeStateInUse, st)
	require.Len(t, att, 1)
	assert.Equal(t, ec2types.VolumeAttachmentStateAttaching, att[0].State)
	assert.Equal(t, "VolumeInUse", errCode(attach()))
	_, err = c.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String(id)})
	assert.Equal(t, "VolumeInUse", errCode(err))
	vc.Advance(5 * time.Second)
	_, att = state()
	assert.Equal(t, ec2types.VolumeAttachmentStateAttached, att[0].State)

	desc, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{inst}})
	require.NoError(t, err)
	assert.Len(t, desc.Reservations[0].Instances[0].BlockDeviceMappings, 2, "root and data volumes")
	byVolume, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{
		{Name: aws.String("attachment.instance-id"), Values: []string{inst}}, {Name: aws.String("tag:Name"), Values: []string{"data"}}}})
	require.NoError(t, err)
	assert.Len(t, byVolume.Volumes, 1)

	det, err := c.DetachVolume(ctx, &ec2.DetachVolumeInput{VolumeId: aws.String(id)})
	require.NoError(t, err)
	assert.Equal(t, ec2types.VolumeAttachmentStateDetaching, det.State)
	vc.Advance(5 * time.Second)
	st, att = state()
	assert.Equal(t, ec2types.VolumeStateAvailable, st)
	assert.Empty(t, att)
	_, err = c.DetachVolume(ctx, &ec2.DetachVolumeInput{VolumeId: aws.String(id)})
	assert.Equal(t, "IncorrectState", errCode(err))

	// A snapshot of it restores to a new volume, at least its size.
	sn, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: aws.String(id), Description: aws.String("nightly")})
	require.NoError(t, err)
	assert.Equal(t, ec2types.SnapshotStatePending, sn.State)
	_, err = c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), SnapshotId: sn.SnapshotId})
	assert.Equal(t, "IncorrectState", errCode(err), "the snapshot is not completed yet")
	vc.Advance(5 * time.Second)
	_, err = c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), SnapshotId: sn.SnapshotId, Size: aws.Int32(5)})
	assert.Equal(t, "InvalidParameterValue", errCode(err))
	restored, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), SnapshotId: sn.SnapshotId})
	require.NoError(t, err)
	assert.Equal(t, int32(10), aws.ToInt32(restored.Size))
	assert.Equal(t, aws.ToString(sn.SnapshotId), aws.ToString(restored.SnapshotId))

	_, err = c.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String(id)})
	require.NoError(t, err)
	_, err = c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}})
	assert.Equal(t, "InvalidVolume.NotFound", errCode(err))
}

// TestTerminateReleasesVolumes: terminating an instance deletes its root
// volume (DeleteOnTermination) and detaches the others.
func TestTerminateReleasesVolumes(t *testing.T) {
	_, vc, c, inst := storageServer(t)
	ctx := context.Background()
	vol, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(1)})
	require.NoError(t, err)
	vc.Advance(5 * time.Second)
	_, err = c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: vol.VolumeId, InstanceId: aws.String(inst), Device: aws.String("/dev/sdg")})
	require.NoError(t, err)
	vc.Advance(5 * time.Second)
	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{inst}})
	require.NoError(t, err)
	vc.Advance(10 * time.Second)
	out, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	require.NoError(t, err)
	require.Len(t, out.Volumes, 1, "the root volume went with the instance")
	assert.Equal(t, ec2types.VolumeStateAvailable, out.Volumes[0].State)
}

// TestEC2Tags: CreateTags, DescribeTags and DeleteTags work on every
// resource type, with DescribeTags' filters and paging and DeleteTags'
// key-only and key-and-value semantics.
func TestEC2Tags(t *testing.T) {
	_, vc, c, inst := storageServer(t)
	ctx := context.Background()
	vol, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(1)})
	require.NoError(t, err)
	vc.Advance(5 * time.Second)
	sn, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId})
	require.NoError(t, err)
	ids := []string{inst, aws.ToString(vol.VolumeId), aws.ToString(sn.SnapshotId)}
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: ids, Tags: tags("env", "prod", "owner", "ops", "empty", "")})
	require.NoError(t, err)

	list := func(filters ...ec2types.Filter) []ec2types.TagDescription {
		t.Helper()
		var all []ec2types.TagDescription
		p := ec2.NewDescribeTagsPaginator(c, &ec2.DescribeTagsInput{Filters: filters, MaxResults: aws.Int32(5)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			require.NoError(t, err)
			assert.LessOrEqual(t, len(out.Tags), 5)
			all = append(all, out.Tags...)
		}
		return all
	}
	f := func(name string, values ...string) ec2types.Filter {
		return ec2types.Filter{Name: aws.String(name), Values: values}
	}
	assert.Len(t, list(), 9, "three tags on three resources, over two pages")
	assert.Len(t, list(f("key", "env")), 3)
	assert.Len(t, list(f("resource-type", "volume")), 3)
	assert.Len(t, list(f("resource-id", inst), f("value", "pr*")), 1)
	got := list(f("resource-type", "snapshot"), f("key", "owner"))
	require.Len(t, got, 1)
	assert.Equal(t, ec2types.ResourceTypeSnapshot, got[0].ResourceType)
	assert.Equal(t, aws.ToString(sn.SnapshotId), aws.ToString(got[0].ResourceId))

	// Key and value: only a matching value goes.
	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids[:1], Tags: tags("env", "dev")})
	require.NoError(t, err)
	assert.Len(t, list(f("resource-id", inst)), 3)
	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids[:1], Tags: tags("env", "prod")})
	require.NoError(t, err)
	assert.Len(t, list(f("resource-id", inst)), 2)
	// Key only: whatever the value.
	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids[1:], Tags: []ec2types.Tag{{Key: aws.String("owner")}}})
	require.NoError(t, err)
	assert.Empty(t, list(f("key", "owner"), f("resource-type", "volume", "snapshot")))
	// An empty value deletes only an empty value.
	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids, Tags: []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("")}}})
	require.NoError(t, err)
	assert.Len(t, list(f("key", "env")), 2)
	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: ids, Tags: []ec2types.Tag{{Key: aws.String("empty"), Value: aws.String("")}}})
	require.NoError(t, err)
	assert.Empty(t, list(f("key", "empty")))

	_, err = c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{"vol-0123456789abcdef0"}})
	assert.Equal(t, "InvalidVolume.NotFound", errCode(err))
	_, err = c.DescribeTags(ctx, &ec2.DescribeTagsInput{MaxResults: aws.Int32(2)})
	assert.Equal(t, "InvalidParameterValue", errCode(err))
}

// TestRebootInstances: a running instance reboots and stays running; a
// stopped one is refused.
func TestRebootInstances(t *testing.T) {
	srv, _, c, inst := storageServer(t)
	ctx := context.Background()
	_, err := c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: []string{inst}})
	require.NoError(t, err)
	st, err := srv.InstanceState("", inst)
	require.NoError(t, err)
	assert.Equal(t, "running", st)
	stopped, err := srv.AddInstances(1, func(o *ssmlocal.InstanceOptions) { o.Stopped = true })
	require.NoError(t, err)
	_, err = c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: stopped})
	assert.Equal(t, "IncorrectInstanceState", errCode(err))
	_, err = c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	assert.Equal(t, "InvalidInstanceID.NotFound", errCode(err))
}

// TestStorageIsDurable: images, snapshots, volumes and their tags survive
// a restart of an endpoint with a state file.
func TestStorageIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	vc := ssmlocal.VirtualClock(time.Now())
	opts := func(o *ssmlocal.Options) { o.Clock, o.MaxClockSkew = vc, 24*time.Hour }
	srv, err := ssmlocal.New(durableOpts(path), opts)
	require.NoError(t, err)
	ids, err := srv.AddInstances(1)
	require.NoError(t, err)
	ctx := context.Background()
	c := ec2.NewFromConfig(cfg(srv, srv.Admin()))
	made, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(ids[0]), Name: aws.String("kept"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeImage, Tags: tags("k", "v")}}})
	require.NoError(t, err)
	vol, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(3)})
	require.NoError(t, err)
	require.NoError(t, srv.Close())

	srv = newServer(t, durableOpts(path), opts)
	c = ec2.NewFromConfig(cfg(srv, srv.Admin()))
	vc.Advance(5 * time.Second)
	im, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{aws.ToString(made.ImageId)}})
	require.NoError(t, err)
	assert.Equal(t, ec2types.ImageStateAvailable, im.Images[0].State)
	assert.Equal(t, tags("k", "v"), im.Images[0].Tags)
	snap := aws.ToString(im.Images[0].BlockDeviceMappings[0].Ebs.SnapshotId)
	_, err = c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{snap}})
	require.NoError(t, err)
	v, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{aws.ToString(vol.VolumeId)}})
	require.NoError(t, err)
	assert.Equal(t, ec2types.VolumeStateAvailable, v.Volumes[0].State)
	inst, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
	require.NoError(t, err)
	assert.Len(t, inst.Reservations[0].Instances[0].BlockDeviceMappings, 1, "the root volume's link survives")
}
