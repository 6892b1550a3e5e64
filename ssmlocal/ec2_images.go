package ssmlocal

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ec2Image is an AMI the account created (CreateImage) or copied
// (CopyImage). It is pending until StorageTransition has passed since it
// was made, then available, as its snapshots complete.
type ec2Image struct {
	ID           string         `json:"id"`
	Name         string         `json:"name"`
	Description  string         `json:"description,omitempty"`
	Created      time.Time      `json:"created"`
	SourceID     string         `json:"sourceInstance,omitempty"`
	SourceImage  string         `json:"sourceImage,omitempty"`
	SourceRegion string         `json:"sourceRegion,omitempty"`
	ClientToken  string         `json:"clientToken,omitempty"`
	Mappings     []imageMapping `json:"mappings"`
	RootDevice   string         `json:"rootDevice"`
	Tags         []tag          `json:"tags,omitempty"`
	Architecture string         `json:"architecture"`
	RequesterARN string         `json:"requester,omitempty"`
}

// imageMapping is one EBS block device of an image.
type imageMapping struct {
	Device     string `json:"device"`
	SnapshotID string `json:"snapshot"`
	Size       int64  `json:"size"`
	Type       string `json:"type"`
	DeleteOnTm bool   `json:"deleteOnTermination"`
}

// ec2Snapshot is an EBS snapshot: pending, with its progress growing, until
// StorageTransition has passed since it started, then completed.
type ec2Snapshot struct {
	ID          string    `json:"id"`
	VolumeID    string    `json:"volume"`
	Size        int64     `json:"size"`
	Description string    `json:"description,omitempty"`
	Started     time.Time `json:"started"`
	Tags        []tag     `json:"tags,omitempty"`
}

func (im *ec2Image) stateAt(now time.Time, d time.Duration) string {
	if settled(now, im.Created, d) {
		return "available"
	}
	return "pending"
}

func (sn *ec2Snapshot) stateAt(now time.Time, d time.Duration) (string, string) {
	el := now.Sub(sn.Started)
	if el >= d {
		return "completed", "100%"
	}
	pct := 0
	if d > 0 && el > 0 {
		pct = int(el * 100 / d)
	}
	return "pending", strconv.Itoa(pct) + "%"
}

var amiNamePattern = regexp.MustCompile(`^[a-zA-Z0-9()\[\] ./\-'@_]{3,128}$`)

func (s *Server) imageNamed(r *region, id string) (*ec2Image, error) {
	if !amiPattern.MatchString(id) {
		return nil, apiErr("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	im, ok := r.Images[id]
	if !ok {
		return nil, apiErr("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
	}
	return im, nil
}

func snapshotNamed(r *region, id string) (*ec2Snapshot, error) {
	if !snapshotIDPattern.MatchString(id) {
		return nil, apiErr("InvalidSnapshotID.Malformed", "Invalid id: \"%s\" (expecting \"snap-...\")", id)
	}
	sn, ok := r.Snapshots[id]
	if !ok {
		return nil, apiErr("InvalidSnapshot.NotFound", "The snapshot '%s' does not exist.", id)
	}
	return sn, nil
}

// imageUsing returns the image whose block devices use a snapshot.
func imageUsing(r *region, snapID string) *ec2Image {
	ids := make([]string, 0, len(r.Images))
	for id := range r.Images {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, m := range r.Images[id].Mappings {
			if m.SnapshotID == snapID {
				return r.Images[id]
			}
		}
	}
	return nil
}

func (s *Server) ec2ImageARN(region, id string) string {
	return s.arnOf("ec2", region, "", "image/"+id)
}

func (s *Server) ec2SnapshotARN(region, id string) string {
	return s.arnOf("ec2", region, "", "snapshot/"+id)
}

func imageOps() []opDef {
	return []opDef{
		{"ec2", "CreateImage", true, typed((*Server).ec2CreateImage), authOnInput("ec2:CreateImage", createImageTargets)},
		{"ec2", "CopyImage", true, typed((*Server).ec2CopyImage), authOnInput("ec2:CopyImage", copyImageTargets)},
		{"ec2", "DeregisterImage", true, typed((*Server).ec2DeregisterImage), authOnInput("ec2:DeregisterImage", idTargets(func(in *ec2.DeregisterImageInput) []string { return one(in.ImageId) }))},
		{"ec2", "DescribeImages", true, typed((*Server).ec2DescribeImages), authOn("ec2:DescribeImages", regionTarget)},
		{"ec2", "CreateSnapshot", true, typed((*Server).ec2CreateSnapshot), authOnInput("ec2:CreateSnapshot", createSnapshotTargets)},
		{"ec2", "CopySnapshot", true, typed((*Server).ec2CopySnapshot), authOnInput("ec2:CopySnapshot", copySnapshotTargets)},
		{"ec2", "DeleteSnapshot", true, typed((*Server).ec2DeleteSnapshot), authOnInput("ec2:DeleteSnapshot", idTargets(func(in *ec2.DeleteSnapshotInput) []string { return one(in.SnapshotId) }))},
		// The query name Owner.N reads as Owners; the model's member is
		// OwnerIds.
		{"ec2", "DescribeSnapshots", true, renamed("Owners", "OwnerIds", typed((*Server).ec2DescribeSnapshots)), authOn("ec2:DescribeSnapshots", regionTarget)},
		{"ec2", "DescribeTags", true, typed((*Server).ec2DescribeTags), authOn("ec2:DescribeTags", regionTarget)},
		{"ec2", "DeleteTags", true, typed((*Server).ec2DeleteTags), authOnInput("ec2:DeleteTags", func(s *Server, c *call, in *ec2.DeleteTagsInput) []authTarget {
			return tagTargets(s, c, in.Resources, in.Tags)
		})},
	}
}

// createImageTargets: the new image and snapshots, and the instance.
func createImageTargets(s *Server, c *call, in *ec2.CreateImageInput) []authTarget {
	out := s.resourceTargets(c, one(in.InstanceId), nil)
	return append(out,
		newResourceTarget(s.ec2ImageARN(c.regionNm, "*"), c.regionNm, specTags(in.TagSpecifications, "image", "snapshot")),
		authTarget{resource: s.ec2SnapshotARN(c.regionNm, "*"), context: regional(c.regionNm)})
}

// copyImageTargets: the new image and its snapshots in this Region.
func copyImageTargets(s *Server, c *call, in *ec2.CopyImageInput) []authTarget {
	return []authTarget{
		newResourceTarget(s.ec2ImageARN(c.regionNm, "*"), c.regionNm, specTags(in.TagSpecifications, "image")),
		{resource: s.ec2SnapshotARN(c.regionNm, "*"), context: regional(c.regionNm)},
	}
}

// createSnapshotTargets: the new snapshot and the volume it copies.
func createSnapshotTargets(s *Server, c *call, in *ec2.CreateSnapshotInput) []authTarget {
	out := s.resourceTargets(c, one(in.VolumeId), nil)
	return append(out, newResourceTarget(s.ec2SnapshotARN(c.regionNm, "*"), c.regionNm, specTags(in.TagSpecifications, "snapshot")))
}

// copySnapshotTargets: the new snapshot in this Region and the source one
// (in its Region).
func copySnapshotTargets(s *Server, c *call, in *ec2.CopySnapshotInput) []authTarget {
	src := aws.ToString(in.SourceSnapshotId)
	if src == "" {
		src = "*"
	}
	srcRegion := aws.ToString(in.SourceRegion)
	if srcRegion == "" {
		srcRegion = c.regionNm
	}
	srcCtx := regional(srcRegion)
	if r, err := s.region(srcRegion); err == nil {
		if sn, ok := r.Snapshots[src]; ok {
			srcCtx = resourceTagContext(sn.Tags, "ec2")
			srcCtx["ec2:Region"] = []string{srcRegion}
		}
	}
	return []authTarget{
		newResourceTarget(s.ec2SnapshotARN(c.regionNm, "*"), c.regionNm, specTags(in.TagSpecifications, "snapshot")),
		{resource: s.ec2SnapshotARN(srcRegion, src), context: srcCtx},
	}
}

func (s *Server) transition() time.Duration { return s.opts.StorageTransition }

func (s *Server) ec2CreateImage(_ context.Context, c *call, in *ec2.CreateImageInput) (*ec2.CreateImageOutput, error) {
	if err := required("InstanceId", aws.ToString(in.InstanceId)); err != nil {
		return nil, err
	}
	name, desc := aws.ToString(in.Name), aws.ToString(in.Description)
	if !amiNamePattern.MatchString(name) {
		return nil, apiErr("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/', '_', '[', ']', ' ', '@' and \"'\": %q", name)
	}
	if len(desc) > 255 {
		return nil, apiErr("InvalidParameterValue", "The description must be at most 255 characters")
	}
	tags, err := tagSpecs(in.TagSpecifications, "image", "snapshot")
	if err != nil {
		return nil, err
	}
	return ec2Change[*instance, ec2.CreateImageOutput]{
		find: func(now time.Time) (*instance, error) {
			i, err := s.instanceNamed(c.region, *in.InstanceId)
			if err != nil {
				return nil, err
			}
			if st := i.stateAt(now, s.opts.InstanceTransition); st != "running" && st != "stopped" {
				return nil, apiErr("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be imaged.", i.ID)
			}
			if err := uniqueImageName(c.region, name); err != nil {
				return nil, err
			}
			return i, s.authorizeCreateTags(c, s.ec2ImageARN(c.regionNm, "*"), tags)
		},
		apply: func(i *instance, now time.Time) (*ec2.CreateImageOutput, error) {
			im := &ec2Image{ID: "ami-" + newHex(17), Name: name, Description: desc, Created: now, SourceID: i.ID,
				RootDevice: "/dev/xvda", Tags: tags, Architecture: "x86_64", RequesterARN: c.who.ARN}
			// One snapshot of each volume attached to the instance, as
			// the image's block devices.
			for _, v := range s.instanceVolumes(c.region, i, now) {
				sn := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: v.ID, Size: v.Size, Started: now,
					Description: fmt.Sprintf("Created by CreateImage(%s) for %s", i.ID, im.ID)}
				c.region.Snapshots[sn.ID] = sn
				im.Mappings = append(im.Mappings, imageMapping{Device: v.Attachment.Device, SnapshotID: sn.ID, Size: v.Size, Type: v.Type, DeleteOnTm: v.Attachment.DeleteOnTermination})
			}
			c.region.Images[im.ID] = im
			return &ec2.CreateImageOutput{ImageId: aws.String(im.ID)}, nil
		},
	}.run(s, in.DryRun)
}

func uniqueImageName(r *region, name string) error {
	for _, other := range r.Images {
		if other.Name == name {
			return apiErr("InvalidAMIName.Duplicate", "AMI name %s is already in use by AMI %s", name, other.ID)
		}
	}
	return nil
}

func (s *Server) ec2CopyImage(_ context.Context, c *call, in *ec2.CopyImageInput) (*ec2.CopyImageOutput, error) {
	srcRegion, srcID, name := aws.ToString(in.SourceRegion), aws.ToString(in.SourceImageId), aws.ToString(in.Name)
	for _, m := range []struct{ name, value string }{{"Name", name}, {"SourceImageId", srcID}, {"SourceRegion", srcRegion}} {
		if err := required(m.name, m.value); err != nil {
			return nil, err
		}
	}
	if !amiNamePattern.MatchString(name) {
		return nil, apiErr("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long: %q", name)
	}
	if aws.ToBool(in.Encrypted) {
		return nil, apiErr("InvalidParameterValue", "encrypted copies are not simulated by the local endpoint")
	}
	tags, err := tagSpecs(in.TagSpecifications, "image", "snapshot")
	if err != nil {
		return nil, err
	}
	src, err := s.region(srcRegion)
	if err != nil {
		return nil, apiErr("InvalidParameterValue", "Invalid source region: %s", srcRegion)
	}
	token := aws.ToString(in.ClientToken)
	return ec2Change[*ec2Image, ec2.CopyImageOutput]{
		replay: func() *ec2.CopyImageOutput {
			for _, im := range c.region.Images {
				if token != "" && im.ClientToken == token {
					return &ec2.CopyImageOutput{ImageId: aws.String(im.ID)}
				}
			}
			return nil
		},
		find: func(now time.Time) (*ec2Image, error) {
			im, err := s.imageNamed(src, srcID)
			if err != nil {
				return nil, err
			}
			if st := im.stateAt(now, s.transition()); st != "available" {
				return nil, apiErr("IncorrectState", "Image '%s' is in the '%s' state; only available images can be copied.", im.ID, st)
			}
			if err := uniqueImageName(c.region, name); err != nil {
				return nil, err
			}
			return im, s.authorizeCreateTags(c, s.ec2ImageARN(c.regionNm, "*"), tags)
		},
		apply: func(im *ec2Image, now time.Time) (*ec2.CopyImageOutput, error) {
			cp := &ec2Image{ID: "ami-" + newHex(17), Name: name, Description: aws.ToString(in.Description), Created: now, SourceImage: im.ID, SourceRegion: srcRegion,
				ClientToken: token, RootDevice: im.RootDevice, Tags: tags, Architecture: im.Architecture, RequesterARN: c.who.ARN}
			for _, m := range im.Mappings {
				sn := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: "vol-ffffffff", Size: m.Size, Started: now,
					Description: fmt.Sprintf("Copied for DestinationAmi %s from SourceAmi %s for SourceSnapshot %s. Task created on %s.", cp.ID, im.ID, m.SnapshotID, now.Format("2006-01-02T15:04:05.000Z"))}
				c.region.Snapshots[sn.ID] = sn
				m.SnapshotID = sn.ID
				cp.Mappings = append(cp.Mappings, m)
			}
			c.region.Images[cp.ID] = cp
			return &ec2.CopyImageOutput{ImageId: aws.String(cp.ID)}, nil
		},
	}.run(s, in.DryRun)
}

// ec2DeregisterImage removes an image; its snapshots stay, unless
// DeleteAssociatedSnapshots asks for them to go too.
func (s *Server) ec2DeregisterImage(_ context.Context, c *call, in *ec2.DeregisterImageInput) (*ec2.DeregisterImageOutput, error) {
	if err := required("ImageId", aws.ToString(in.ImageId)); err != nil {
		return nil, err
	}
	return ec2Change[*ec2Image, ec2.DeregisterImageOutput]{
		find: func(time.Time) (*ec2Image, error) { return s.imageNamed(c.region, *in.ImageId) },
		apply: func(im *ec2Image, _ time.Time) (*ec2.DeregisterImageOutput, error) {
			delete(c.region.Images, im.ID)
			out := &ec2.DeregisterImageOutput{Return: aws.Bool(true)}
			if aws.ToBool(in.DeleteAssociatedSnapshots) {
				out.DeleteSnapshotResults = deleteImageSnapshots(c.region, im)
			}
			return out, nil
		},
	}.run(s, in.DryRun)
}

// deleteImageSnapshots deletes a deregistered image's snapshots that no
// other image uses, and says what became of each.
func deleteImageSnapshots(r *region, im *ec2Image) []ec2types.DeleteSnapshotReturnCode {
	var results []ec2types.DeleteSnapshotReturnCode
	for _, m := range im.Mappings {
		// The model's codes: skipped for a snapshot another AMI uses,
		// client-error for one already gone
		// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshotReturnCode.html).
		code := ec2types.SnapshotReturnCodesSuccess
		if _, ok := r.Snapshots[m.SnapshotID]; !ok {
			code = ec2types.SnapshotReturnCodesErrorCodeClientError
		} else if imageUsing(r, m.SnapshotID) != nil {
			code = ec2types.SnapshotReturnCodesWarnSkipped
		} else {
			delete(r.Snapshots, m.SnapshotID)
		}
		results = append(results, ec2types.DeleteSnapshotReturnCode{SnapshotId: aws.String(m.SnapshotID), ReturnCode: code})
	}
	return results
}

func (s *Server) imageOut(im *ec2Image, now time.Time) ec2types.Image {
	out := ec2types.Image{
		ImageId: aws.String(im.ID), Name: aws.String(im.Name), State: ec2types.ImageState(im.stateAt(now, s.transition())), OwnerId: aws.String(s.opts.AccountID),
		CreationDate: aws.String(im.Created.Format("2006-01-02T15:04:05.000Z")), ImageLocation: aws.String(s.opts.AccountID + "/" + im.Name),
		ImageType: ec2types.ImageTypeValuesMachine, Public: aws.Bool(false), Architecture: ec2types.ArchitectureValues(im.Architecture), Hypervisor: ec2types.HypervisorTypeXen,
		VirtualizationType: ec2types.VirtualizationTypeHvm, RootDeviceType: ec2types.DeviceTypeEbs, RootDeviceName: aws.String(im.RootDevice), EnaSupport: aws.Bool(true),
		PlatformDetails: aws.String("Linux/UNIX"), UsageOperation: aws.String("RunInstances"), Tags: ec2TagList(im.Tags),
	}
	for _, m := range im.Mappings {
		out.BlockDeviceMappings = append(out.BlockDeviceMappings, ec2types.BlockDeviceMapping{DeviceName: aws.String(m.Device), Ebs: &ec2types.EbsBlockDevice{
			SnapshotId: aws.String(m.SnapshotID), VolumeSize: aws.Int32(int32(m.Size)), VolumeType: ec2types.VolumeType(m.Type), DeleteOnTermination: aws.Bool(m.DeleteOnTm), Encrypted: aws.Bool(false),
		}})
	}
	if im.Description != "" {
		out.Description = aws.String(im.Description)
	}
	if im.SourceID != "" {
		out.SourceInstanceId = aws.String(im.SourceID)
	}
	if im.SourceImage != "" {
		out.SourceImageId, out.SourceImageRegion = aws.String(im.SourceImage), aws.String(im.SourceRegion)
	}
	return out
}

func (s *Server) ec2DescribeImages(_ context.Context, c *call, in *ec2.DescribeImagesInput) (*ec2.DescribeImagesOutput, error) {
	// Images are private: only the account itself may execute them.
	mine := s.ownedBy(in.Owners) && s.ownedBy(in.ExecutableUsers)
	req := describeRequest{ids: in.ImageIds, filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken}
	page, next, err := describeEC2(s, c, req, describeSpec[*ec2Image, ec2types.Image]{
		set: "imagesSet", lo: 5, hi: 1000,
		keep: func(*ec2Image, time.Time) bool { return mine },
		filter: func(n string) bool {
			switch n {
			case "state", "name", "image-id", "owner-id", "description", "architecture", "image-type", "is-public",
				"root-device-type", "virtualization-type", "block-device-mapping.snapshot-id", "block-device-mapping.device-name", "source-instance-id":
				return true
			}
			return isTagFilter(n)
		},
		named: s.imagesNamed,
		all:   func(r *region) []*ec2Image { return mapValues(r.Images) },
		compare: func(a, b *ec2Image) int {
			return byTimeThenID(a.Created, b.Created, a.ID, b.ID)
		},
		values: s.imageFilterValues,
		shape:  shapeEach(s.imageOut),
	})
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeImagesOutput{Images: page, NextToken: next}, nil
}

// imagesNamed looks up image ids, naming every unknown one in one error as
// EC2 does.
func (s *Server) imagesNamed(r *region, ids []string) ([]*ec2Image, error) {
	var list []*ec2Image
	var missing []string
	for _, id := range ids {
		im, err := s.imageNamed(r, id)
		if err != nil {
			if asAPIError(err).Code != "InvalidAMIID.NotFound" {
				return nil, err
			}
			missing = append(missing, id)
			continue
		}
		list = append(list, im)
	}
	if len(missing) > 0 {
		return nil, apiErr("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", strings.Join(missing, ", "))
	}
	return list, nil
}

// imageFilterValues gives an image's values for DescribeImages' filters.
func (s *Server) imageFilterValues(im *ec2Image, now time.Time) func(name string) []string {
	return func(name string) []string {
		if have, ok := tagFilterValues(im.Tags, name); ok {
			return have
		}
		switch name {
		case "state":
			return []string{im.stateAt(now, s.transition())}
		case "name":
			return []string{im.Name}
		case "image-id":
			return []string{im.ID}
		case "owner-id":
			return []string{s.opts.AccountID}
		case "description":
			return []string{im.Description}
		case "architecture":
			return []string{im.Architecture}
		case "image-type":
			return []string{"machine"}
		case "is-public":
			return []string{"false"}
		case "root-device-type":
			return []string{"ebs"}
		case "virtualization-type":
			return []string{"hvm"}
		case "source-instance-id":
			return []string{im.SourceID}
		}
		var have []string
		for _, m := range im.Mappings {
			if name == "block-device-mapping.snapshot-id" {
				have = append(have, m.SnapshotID)
			} else {
				have = append(have, m.Device)
			}
		}
		return have
	}
}

func (s *Server) snapshotOut(sn *ec2Snapshot, now time.Time) ec2types.Snapshot {
	state, progress := sn.stateAt(now, s.transition())
	return ec2types.Snapshot{
		SnapshotId: aws.String(sn.ID), VolumeId: aws.String(sn.VolumeID), VolumeSize: aws.Int32(int32(sn.Size)), State: ec2types.SnapshotState(state), Progress: aws.String(progress),
		StartTime: aws.Time(sn.Started), OwnerId: aws.String(s.opts.AccountID), Encrypted: aws.Bool(false), StorageTier: ec2types.StorageTierStandard,
		Description: aws.String(sn.Description), Tags: ec2TagList(sn.Tags),
	}
}

func (s *Server) ec2CreateSnapshot(_ context.Context, c *call, in *ec2.CreateSnapshotInput) (*ec2.CreateSnapshotOutput, error) {
	if err := required("VolumeId", aws.ToString(in.VolumeId)); err != nil {
		return nil, err
	}
	desc := aws.ToString(in.Description)
	if len(desc) > 255 {
		return nil, apiErr("InvalidParameterValue", "The description must be at most 255 characters")
	}
	tags, err := tagSpecs(in.TagSpecifications, "snapshot")
	if err != nil {
		return nil, err
	}
	return ec2Change[*ec2Volume, ec2.CreateSnapshotOutput]{
		find: func(now time.Time) (*ec2Volume, error) {
			v, err := s.volumeNamed(c.region, *in.VolumeId)
			if err != nil {
				return nil, err
			}
			if st := v.stateAt(now, s.transition()); st != "available" && st != "in-use" {
				return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, st)
			}
			return v, s.authorizeCreateTags(c, s.ec2SnapshotARN(c.regionNm, "*"), tags)
		},
		apply: func(v *ec2Volume, now time.Time) (*ec2.CreateSnapshotOutput, error) {
			sn := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: v.ID, Size: v.Size, Description: desc, Started: now, Tags: tags}
			c.region.Snapshots[sn.ID] = sn
			o := s.snapshotOut(sn, now)
			return &ec2.CreateSnapshotOutput{SnapshotId: o.SnapshotId, VolumeId: o.VolumeId, VolumeSize: o.VolumeSize, State: o.State, Progress: o.Progress,
				StartTime: o.StartTime, OwnerId: o.OwnerId, Encrypted: o.Encrypted, StorageTier: o.StorageTier, Description: o.Description, Tags: o.Tags}, nil
		},
	}.run(s, in.DryRun)
}

func (s *Server) ec2CopySnapshot(_ context.Context, c *call, in *ec2.CopySnapshotInput) (*ec2.CopySnapshotOutput, error) {
	srcRegion, srcID := aws.ToString(in.SourceRegion), aws.ToString(in.SourceSnapshotId)
	if srcRegion == "" || srcID == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameters SourceRegion and SourceSnapshotId")
	}
	if aws.ToBool(in.Encrypted) {
		return nil, apiErr("InvalidParameterValue", "encrypted copies are not simulated by the local endpoint")
	}
	tags, err := tagSpecs(in.TagSpecifications, "snapshot")
	if err != nil {
		return nil, err
	}
	src, err := s.region(srcRegion)
	if err != nil {
		return nil, apiErr("InvalidParameterValue", "Invalid source region: %s", srcRegion)
	}
	return ec2Change[*ec2Snapshot, ec2.CopySnapshotOutput]{
		find: func(now time.Time) (*ec2Snapshot, error) {
			sn, err := snapshotNamed(src, srcID)
			if err != nil {
				return nil, err
			}
			if st, _ := sn.stateAt(now, s.transition()); st != "completed" {
				return nil, apiErr("IncorrectState", "Snapshot '%s' is in the '%s' state; only completed snapshots can be copied.", sn.ID, st)
			}
			return sn, s.authorizeCreateTags(c, s.ec2SnapshotARN(c.regionNm, "*"), tags)
		},
		apply: func(sn *ec2Snapshot, now time.Time) (*ec2.CopySnapshotOutput, error) {
			desc := aws.ToString(in.Description)
			if desc == "" {
				desc = fmt.Sprintf("[Copied %s from %s]", sn.ID, srcRegion)
			}
			cp := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: "vol-ffffffff", Size: sn.Size, Description: desc, Started: now, Tags: tags}
			c.region.Snapshots[cp.ID] = cp
			return &ec2.CopySnapshotOutput{SnapshotId: aws.String(cp.ID), Tags: ec2TagList(tags)}, nil
		},
	}.run(s, in.DryRun)
}

func (s *Server) ec2DeleteSnapshot(_ context.Context, c *call, in *ec2.DeleteSnapshotInput) (*ec2Return, error) {
	id := aws.ToString(in.SnapshotId)
	if err := required("SnapshotId", id); err != nil {
		return nil, err
	}
	return ec2Change[*ec2Snapshot, ec2Return]{
		find: func(time.Time) (*ec2Snapshot, error) {
			sn, err := snapshotNamed(c.region, id)
			if err != nil {
				return nil, err
			}
			if im := imageUsing(c.region, id); im != nil {
				return nil, apiErr("InvalidSnapshot.InUse", "The snapshot %s is currently in use by %s", id, im.ID)
			}
			return sn, nil
		},
		apply: func(*ec2Snapshot, time.Time) (*ec2Return, error) {
			delete(c.region.Snapshots, id)
			return returnedTrue(), nil
		},
	}.run(s, in.DryRun)
}

func (s *Server) ec2DescribeSnapshots(_ context.Context, c *call, in *ec2.DescribeSnapshotsInput) (*ec2.DescribeSnapshotsOutput, error) {
	mine := s.ownedBy(in.OwnerIds)
	req := describeRequest{ids: in.SnapshotIds, filters: in.Filters, maxResults: in.MaxResults, nextToken: in.NextToken}
	page, next, err := describeEC2(s, c, req, describeSpec[*ec2Snapshot, ec2types.Snapshot]{
		lo: 5, hi: 1000,
		keep: func(*ec2Snapshot, time.Time) bool { return mine },
		filter: func(n string) bool {
			switch n {
			case "status", "volume-id", "snapshot-id", "owner-id", "description", "progress", "volume-size", "storage-tier", "encrypted":
				return true
			}
			return isTagFilter(n)
		},
		named: namedEach(snapshotNamed),
		all:   func(r *region) []*ec2Snapshot { return mapValues(r.Snapshots) },
		compare: func(a, b *ec2Snapshot) int {
			return byTimeThenID(a.Started, b.Started, a.ID, b.ID)
		},
		values: s.snapshotFilterValues,
		shape:  shapeEach(s.snapshotOut),
	})
	if err != nil {
		return nil, err
	}
	return &ec2.DescribeSnapshotsOutput{Snapshots: page, NextToken: next}, nil
}

// snapshotFilterValues gives a snapshot's values for DescribeSnapshots'
// filters.
func (s *Server) snapshotFilterValues(sn *ec2Snapshot, now time.Time) func(name string) []string {
	state, progress := sn.stateAt(now, s.transition())
	return func(name string) []string {
		if have, ok := tagFilterValues(sn.Tags, name); ok {
			return have
		}
		switch name {
		case "status":
			return []string{state}
		case "volume-id":
			return []string{sn.VolumeID}
		case "snapshot-id":
			return []string{sn.ID}
		case "owner-id":
			return []string{s.opts.AccountID}
		case "description":
			return []string{sn.Description}
		case "progress":
			return []string{progress}
		case "volume-size":
			return []string{strconv.FormatInt(sn.Size, 10)}
		case "storage-tier":
			return []string{"standard"}
		}
		return []string{"false"} // encrypted
	}
}

// ownedBy reports whether the account is among owners ("self" or its id),
// or owners is empty: every simulated image and snapshot belongs to the
// account, so other owners ("amazon", …) have none here.
func (s *Server) ownedBy(owners []string) bool {
	if len(owners) == 0 {
		return true
	}
	for _, o := range owners {
		if o == "self" || o == s.opts.AccountID {
			return true
		}
	}
	return false
}
