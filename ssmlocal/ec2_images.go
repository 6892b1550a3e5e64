package ssmlocal

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
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
		{"ec2", "CreateImage", true, (*Server).ec2CreateImage, authOn("ec2:CreateImage", createImageTargets)},
		{"ec2", "CopyImage", true, (*Server).ec2CopyImage, authOn("ec2:CopyImage", copyImageTargets)},
		{"ec2", "DeregisterImage", true, (*Server).ec2DeregisterImage, authOn("ec2:DeregisterImage", resourceTargets("ImageId", false))},
		{"ec2", "DescribeImages", true, (*Server).ec2DescribeImages, authOn("ec2:DescribeImages", regionTarget)},
		{"ec2", "CreateSnapshot", true, (*Server).ec2CreateSnapshot, authOn("ec2:CreateSnapshot", createSnapshotTargets)},
		{"ec2", "CopySnapshot", true, (*Server).ec2CopySnapshot, authOn("ec2:CopySnapshot", copySnapshotTargets)},
		{"ec2", "DeleteSnapshot", true, (*Server).ec2DeleteSnapshot, authOn("ec2:DeleteSnapshot", resourceTargets("SnapshotId", false))},
		{"ec2", "DescribeSnapshots", true, (*Server).ec2DescribeSnapshots, authOn("ec2:DescribeSnapshots", regionTarget)},
		{"ec2", "DescribeTags", true, (*Server).ec2DescribeTags, authOn("ec2:DescribeTags", regionTarget)},
		{"ec2", "DeleteTags", true, (*Server).ec2DeleteTags, authOn("ec2:DeleteTags", resourceTargets("Resources", true))},
	}
}

// createImageTargets: the new image and snapshots, and the instance.
func createImageTargets(s *Server, c *call, in map[string]any) []authTarget {
	regional := map[string][]string{"ec2:Region": {c.regionNm}}
	tags, _ := tagSpecs(in, "image", "snapshot")
	out := resourceTargets("InstanceId", false)(s, c, in)
	return append(out,
		authTarget{resource: s.ec2ImageARN(c.regionNm, "*"), context: requestTagContext(tags, map[string][]string{"ec2:Region": {c.regionNm}})},
		authTarget{resource: s.ec2SnapshotARN(c.regionNm, "*"), context: regional})
}

// copyImageTargets: the new image and its snapshots in this Region.
func copyImageTargets(s *Server, c *call, in map[string]any) []authTarget {
	tags, _ := tagSpecs(in, "image")
	return []authTarget{
		{resource: s.ec2ImageARN(c.regionNm, "*"), context: requestTagContext(tags, map[string][]string{"ec2:Region": {c.regionNm}})},
		{resource: s.ec2SnapshotARN(c.regionNm, "*"), context: map[string][]string{"ec2:Region": {c.regionNm}}},
	}
}

// createSnapshotTargets: the new snapshot and the volume it copies.
func createSnapshotTargets(s *Server, c *call, in map[string]any) []authTarget {
	tags, _ := tagSpecs(in, "snapshot")
	out := resourceTargets("VolumeId", false)(s, c, in)
	return append(out, authTarget{resource: s.ec2SnapshotARN(c.regionNm, "*"), context: requestTagContext(tags, map[string][]string{"ec2:Region": {c.regionNm}})})
}

// copySnapshotTargets: the new snapshot in this Region and the source one
// (in its Region).
func copySnapshotTargets(s *Server, c *call, in map[string]any) []authTarget {
	tags, _ := tagSpecs(in, "snapshot")
	src := member(in, "SourceSnapshotId")
	if src == "" {
		src = "*"
	}
	srcRegion := member(in, "SourceRegion")
	if srcRegion == "" {
		srcRegion = c.regionNm
	}
	srcCtx := map[string][]string{"ec2:Region": {srcRegion}}
	if r, err := s.region(srcRegion); err == nil {
		if sn, ok := r.Snapshots[src]; ok {
			srcCtx = resourceTagContext(sn.Tags, "ec2")
			srcCtx["ec2:Region"] = []string{srcRegion}
		}
	}
	return []authTarget{
		{resource: s.ec2SnapshotARN(c.regionNm, "*"), context: requestTagContext(tags, map[string][]string{"ec2:Region": {c.regionNm}})},
		{resource: s.ec2SnapshotARN(srcRegion, src), context: srcCtx},
	}
}

func (s *Server) transition() time.Duration { return s.opts.StorageTransition }

func (s *Server) ec2CreateImage(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	instID, err := str(in, "InstanceId")
	if err != nil {
		return nil, err
	}
	if instID == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter InstanceId")
	}
	name, err := str(in, "Name")
	if err != nil {
		return nil, err
	}
	if !amiNamePattern.MatchString(name) {
		return nil, apiErr("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/', '_', '[', ']', ' ', '@' and \"'\": %q", name)
	}
	desc, _ := str(in, "Description")
	if len(desc) > 255 {
		return nil, apiErr("InvalidParameterValue", "The description must be at most 255 characters")
	}
	if _, err := boolean(in, "NoReboot"); err != nil {
		return nil, err
	}
	tags, err := tagSpecs(in, "image", "snapshot")
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	insts, err := s.instancesNamed(c.region, []string{instID})
	if err != nil {
		return nil, err
	}
	i := insts[0]
	now := s.clock.Now().UTC()
	if st := i.stateAt(now, s.opts.InstanceTransition); st != "running" && st != "stopped" {
		return nil, apiErr("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be imaged.", i.ID)
	}
	if err := uniqueImageName(c.region, name); err != nil {
		return nil, err
	}
	if err := s.authorizeCreateTags(c, s.ec2ImageARN(c.regionNm, "*"), tags); err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	im := &ec2Image{ID: "ami-" + newHex(17), Name: name, Description: desc, Created: now, SourceID: i.ID,
		RootDevice: "/dev/xvda", Tags: tags, Architecture: "x86_64", RequesterARN: c.who.ARN}
	// One snapshot of each volume attached to the instance, as the
	// image's block devices.
	for _, v := range s.instanceVolumes(c.region, i, now) {
		sn := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: v.ID, Size: v.Size, Started: now,
			Description: fmt.Sprintf("Created by CreateImage(%s) for %s", i.ID, im.ID)}
		c.region.Snapshots[sn.ID] = sn
		im.Mappings = append(im.Mappings, imageMapping{Device: v.Attachment.Device, SnapshotID: sn.ID, Size: v.Size, Type: v.Type, DeleteOnTm: v.Attachment.DeleteOnTermination})
	}
	c.region.Images[im.ID] = im
	s.changed()
	return map[string]any{"ImageId": im.ID}, nil
}

func uniqueImageName(r *region, name string) error {
	for _, other := range r.Images {
		if other.Name == name {
			return apiErr("InvalidAMIName.Duplicate", "AMI name %s is already in use by AMI %s", name, other.ID)
		}
	}
	return nil
}

func (s *Server) ec2CopyImage(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	srcRegion, err := str(in, "SourceRegion")
	if err != nil {
		return nil, err
	}
	srcID, err := str(in, "SourceImageId")
	if err != nil {
		return nil, err
	}
	name, err := str(in, "Name")
	if err != nil {
		return nil, err
	}
	for k, v := range map[string]string{"SourceRegion": srcRegion, "SourceImageId": srcID, "Name": name} {
		if v == "" {
			return nil, apiErr("MissingParameter", "The request must contain the parameter %s", k)
		}
	}
	if !amiNamePattern.MatchString(name) {
		return nil, apiErr("InvalidAMIName.Malformed", "AMI names must be between 3 and 128 characters long: %q", name)
	}
	desc, _ := str(in, "Description")
	token, err := str(in, "ClientToken")
	if err != nil {
		return nil, err
	}
	if enc, _ := boolean(in, "Encrypted"); enc {
		return nil, apiErr("InvalidParameterValue", "encrypted copies are not simulated by the local endpoint")
	}
	tags, err := tagSpecs(in, "image", "snapshot")
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	src, err := s.region(srcRegion)
	if err != nil {
		return nil, apiErr("InvalidParameterValue", "Invalid source region: %s", srcRegion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != "" {
		for _, im := range c.region.Images {
			if im.ClientToken == token {
				return map[string]any{"ImageId": im.ID}, nil
			}
		}
	}
	im, err := s.imageNamed(src, srcID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	if st := im.stateAt(now, s.transition()); st != "available" {
		return nil, apiErr("IncorrectState", "Image '%s' is in the '%s' state; only available images can be copied.", im.ID, st)
	}
	if err := uniqueImageName(c.region, name); err != nil {
		return nil, err
	}
	if err := s.authorizeCreateTags(c, s.ec2ImageARN(c.regionNm, "*"), tags); err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	cp := &ec2Image{ID: "ami-" + newHex(17), Name: name, Description: desc, Created: now, SourceImage: im.ID, SourceRegion: srcRegion,
		ClientToken: token, RootDevice: im.RootDevice, Tags: tags, Architecture: im.Architecture, RequesterARN: c.who.ARN}
	for _, m := range im.Mappings {
		sn := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: "vol-ffffffff", Size: m.Size, Started: now,
			Description: fmt.Sprintf("Copied for DestinationAmi %s from SourceAmi %s for SourceSnapshot %s. Task created on %s.", cp.ID, im.ID, m.SnapshotID, now.Format("2006-01-02T15:04:05.000Z"))}
		c.region.Snapshots[sn.ID] = sn
		m.SnapshotID = sn.ID
		cp.Mappings = append(cp.Mappings, m)
	}
	c.region.Images[cp.ID] = cp
	s.changed()
	return map[string]any{"ImageId": cp.ID}, nil
}

// ec2DeregisterImage removes an image; its snapshots stay, unless
// DeleteAssociatedSnapshots asks for them to go too.
func (s *Server) ec2DeregisterImage(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	id, err := str(in, "ImageId")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter ImageId")
	}
	withSnaps, err := boolean(in, "DeleteAssociatedSnapshots")
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	im, err := s.imageNamed(c.region, id)
	if err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	delete(c.region.Images, id)
	out := map[string]any{"Return": true}
	if withSnaps {
		var results []any
		for _, m := range im.Mappings {
			code := "success"
			if _, ok := c.region.Snapshots[m.SnapshotID]; !ok {
				code = "error-code"
			} else if imageUsing(c.region, m.SnapshotID) != nil {
				code = "warn-skipped-snapshot-in-use"
			} else {
				delete(c.region.Snapshots, m.SnapshotID)
			}
			results = append(results, map[string]any{"SnapshotId": m.SnapshotID, "ReturnCode": code})
		}
		if len(results) > 0 {
			out["DeleteSnapshotResults"] = results
		}
	}
	s.changed()
	return out, nil
}

func (s *Server) imageShape(im *ec2Image, now time.Time) map[string]any {
	var bdm []any
	for _, m := range im.Mappings {
		bdm = append(bdm, map[string]any{"DeviceName": m.Device, "Ebs": map[string]any{
			"SnapshotId": m.SnapshotID, "VolumeSize": m.Size, "VolumeType": m.Type, "DeleteOnTermination": m.DeleteOnTm, "Encrypted": false,
		}})
	}
	out := map[string]any{
		"ImageId": im.ID, "Name": im.Name, "State": im.stateAt(now, s.transition()), "OwnerId": s.opts.AccountID,
		"CreationDate": im.Created.Format("2006-01-02T15:04:05.000Z"), "ImageLocation": s.opts.AccountID + "/" + im.Name,
		"ImageType": "machine", "Public": false, "Architecture": im.Architecture, "Hypervisor": "xen",
		"VirtualizationType": "hvm", "RootDeviceType": "ebs", "RootDeviceName": im.RootDevice, "EnaSupport": true,
		"PlatformDetails": "Linux/UNIX", "UsageOperation": "RunInstances",
	}
	if bdm != nil {
		out["BlockDeviceMappings"] = bdm
	}
	if im.Description != "" {
		out["Description"] = im.Description
	}
	if im.SourceID != "" {
		out["SourceInstanceId"] = im.SourceID
	}
	if im.SourceImage != "" {
		out["SourceImageId"], out["SourceImageRegion"] = im.SourceImage, im.SourceRegion
	}
	if t := optTags(im.Tags); t != nil {
		out["Tags"] = t
	}
	return out
}

func (s *Server) ec2DescribeImages(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return describeEC2(s, c, in, describeSpec[*ec2Image]{
		idsKey: "ImageIds", set: "imagesSet", lo: 5, hi: 1000,
		read: func(in map[string]any) (func(*ec2Image, time.Time) bool, error) {
			owners, err := strList(in, "Owners")
			if err != nil {
				return nil, err
			}
			users, err := strList(in, "ExecutableUsers")
			if err != nil {
				return nil, err
			}
			// Images are private: only the account itself may execute them.
			mine := s.ownedBy(owners) && s.ownedBy(users)
			return func(*ec2Image, time.Time) bool { return mine }, nil
		},
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
		key:    "Images",
		shape:  shapeEach(s.imageShape),
	})
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

func (s *Server) snapshotShape(sn *ec2Snapshot, now time.Time) map[string]any {
	state, progress := sn.stateAt(now, s.transition())
	out := map[string]any{
		"SnapshotId": sn.ID, "VolumeId": sn.VolumeID, "VolumeSize": sn.Size, "State": state, "Progress": progress,
		"StartTime": sn.Started, "OwnerId": s.opts.AccountID, "Encrypted": false, "StorageTier": "standard",
		"Description": sn.Description,
	}
	if t := optTags(sn.Tags); t != nil {
		out["Tags"] = t
	}
	return out
}

func (s *Server) ec2CreateSnapshot(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	volID, err := str(in, "VolumeId")
	if err != nil {
		return nil, err
	}
	if volID == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter VolumeId")
	}
	desc, err := str(in, "Description")
	if err != nil {
		return nil, err
	}
	if len(desc) > 255 {
		return nil, apiErr("InvalidParameterValue", "The description must be at most 255 characters")
	}
	tags, err := tagSpecs(in, "snapshot")
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := s.volumeNamed(c.region, volID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	if st := v.stateAt(now, s.transition()); st != "available" && st != "in-use" {
		return nil, apiErr("IncorrectState", "Volume '%s' is in the '%s' state.", v.ID, st)
	}
	if err := s.authorizeCreateTags(c, s.ec2SnapshotARN(c.regionNm, "*"), tags); err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	sn := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: v.ID, Size: v.Size, Description: desc, Started: now, Tags: tags}
	c.region.Snapshots[sn.ID] = sn
	s.changed()
	return s.snapshotShape(sn, now), nil
}

func (s *Server) ec2CopySnapshot(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	srcRegion, err := str(in, "SourceRegion")
	if err != nil {
		return nil, err
	}
	srcID, err := str(in, "SourceSnapshotId")
	if err != nil {
		return nil, err
	}
	if srcRegion == "" || srcID == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameters SourceRegion and SourceSnapshotId")
	}
	desc, _ := str(in, "Description")
	if enc, _ := boolean(in, "Encrypted"); enc {
		return nil, apiErr("InvalidParameterValue", "encrypted copies are not simulated by the local endpoint")
	}
	tags, err := tagSpecs(in, "snapshot")
	if err != nil {
		return nil, err
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	src, err := s.region(srcRegion)
	if err != nil {
		return nil, apiErr("InvalidParameterValue", "Invalid source region: %s", srcRegion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, err := snapshotNamed(src, srcID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	if st, _ := sn.stateAt(now, s.transition()); st != "completed" {
		return nil, apiErr("IncorrectState", "Snapshot '%s' is in the '%s' state; only completed snapshots can be copied.", sn.ID, st)
	}
	if err := s.authorizeCreateTags(c, s.ec2SnapshotARN(c.regionNm, "*"), tags); err != nil {
		return nil, err
	}
	if dry {
		return nil, errDryRun
	}
	if desc == "" {
		desc = fmt.Sprintf("[Copied %s from %s]", sn.ID, srcRegion)
	}
	cp := &ec2Snapshot{ID: "snap-" + newHex(17), VolumeID: "vol-ffffffff", Size: sn.Size, Description: desc, Started: now, Tags: tags}
	c.region.Snapshots[cp.ID] = cp
	s.changed()
	out := map[string]any{"SnapshotId": cp.ID}
	if t := optTags(tags); t != nil {
		out["Tags"] = t
	}
	return out, nil
}

func (s *Server) ec2DeleteSnapshot(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	id, err := str(in, "SnapshotId")
	if err != nil {
		return nil, err
	}
	if id == "" {
		return nil, apiErr("MissingParameter", "The request must contain the parameter SnapshotId")
	}
	dry, err := dryRun(in)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := snapshotNamed(c.region, id); err != nil {
		return nil, err
	}
	if im := imageUsing(c.region, id); im != nil {
		return nil, apiErr("InvalidSnapshot.InUse", "The snapshot %s is currently in use by %s", id, im.ID)
	}
	if dry {
		return nil, errDryRun
	}
	delete(c.region.Snapshots, id)
	s.changed()
	return map[string]any{"Return": true}, nil
}

func (s *Server) ec2DescribeSnapshots(_ context.Context, c *call, in map[string]any) (map[string]any, error) {
	return describeEC2(s, c, in, describeSpec[*ec2Snapshot]{
		idsKey: "SnapshotIds", lo: 5, hi: 1000,
		read: func(in map[string]any) (func(*ec2Snapshot, time.Time) bool, error) {
			// The query name Owner.N is OwnerIds in the model.
			owners, err := strList(in, "OwnerIds")
			if err != nil {
				return nil, err
			}
			if len(owners) == 0 {
				if owners, err = strList(in, "Owners"); err != nil {
					return nil, err
				}
			}
			mine := s.ownedBy(owners)
			return func(*ec2Snapshot, time.Time) bool { return mine }, nil
		},
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
		key:    "Snapshots",
		shape:  shapeEach(s.snapshotShape),
	})
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
